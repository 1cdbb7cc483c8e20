"""On a phone's width (390 px) every persona's main pages fit the screen and stay readable: no
page is wider than the screen, no text is squeezed to one character per line (wide tables scroll
inside themselves), the menus fold behind a 菜单 button, and the market shows its results before
its filters."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PERSONA_USERS
from tests.e2e.test_portal import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PAGES = {
    "student": ["/", "/market/?q=数控", "/market/recommendations/", "/market/applications/", "/market/inbox/"],
    "school": [
        "/",
        "/registry/registrations/",
        "/registry/teachers/",
        "/registry/placements/",
        "/registry/destinations/",
        "/market/mine/",
        "/market/inbox/",
        "/insight/?year=2025",
    ],
    "bureau": [
        "/",
        "/registry/queue/",
        "/registry/schools/",
        "/registry/registrations/",
        "/market/moderation/",
        "/insight/?year=2025",
        "/insight/report/?year=2025",
        "/insight/warnings/",
        "/audit/",
    ],
    "enterprise": ["/", "/registry/placements/", "/market/mine/", "/market/partners/", "/market/inbox/"],
    "evaluator": ["/", "/registry/skills/"],
}

# Text nodes of two characters or more whose every line holds at most one glyph: a CJK glyph is
# one em wide, so lines narrower than 1.6 em cannot hold two. Hidden text (a folded menu, the
# visually-hidden labels) has no boxes and is passed over.
SQUEEZED = """() => {
  const squeezed = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, "");
    const element = node.parentElement;
    if ([...text].length < 2 || !element || element.closest("script, style, noscript, select, .visually-hidden")) {
      continue;
    }
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
    const lines = new Set(rects.map((r) => Math.round(r.top))).size;
    if (lines < 2) { continue; }
    const em = parseFloat(getComputedStyle(element).fontSize);
    if (Math.max(...rects.map((r) => r.width)) < 1.6 * em) {
      squeezed.push(`${element.tagName.toLowerCase()}: ${text.slice(0, 24)} (${lines} lines)`);
    }
  }
  return squeezed;
}"""


@pytest.mark.parametrize("persona", list(PAGES))
def test_every_main_page_fits_a_phone_and_no_text_is_squeezed(page: Any, site: str, persona: str) -> None:
    page.set_viewport_size(PHONE)
    login(page, site, PERSONA_USERS[persona])
    page.wait_for_url(f"{site}/")
    problems = []
    for path in PAGES[persona]:
        page.goto(f"{site}{path}")
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path} is {width} px wide")
        squeezed = page.evaluate(SQUEEZED)
        if squeezed:
            problems.append(f"{path} squeezes text to one character per line: {squeezed[:5]}")
    assert not problems, "\n".join(problems)
    if persona == "student":
        page.goto(f"{site}/market/")
        results = page.locator("[data-testid=postings]").bounding_box()
        filters = page.locator("#facets").bounding_box()
        assert results is not None and filters is not None and results["y"] < filters["y"]
        assert page.locator("a.to-facets").is_visible()


def test_the_menu_folds_behind_a_button_on_a_phone(page: Any, site: str) -> None:
    page.set_viewport_size(PHONE)
    login(page, site, PERSONA_USERS["school"])
    page.wait_for_url(f"{site}/")
    toggle = page.locator("[data-testid=nav-toggle]")
    registrations = page.locator("nav.mainnav a[href='/registry/registrations/']")
    assert toggle.is_visible() and not registrations.is_visible()
    toggle.click()
    assert registrations.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    registrations.click()
    page.wait_for_url(f"{site}/registry/registrations/")
    # On a wide screen the menu is simply there, without the button.
    page.set_viewport_size(DESKTOP)
    page.reload()
    assert page.locator("nav.mainnav a[href='/registry/registrations/']").is_visible()
    assert not page.locator("[data-testid=nav-toggle]").is_visible()
