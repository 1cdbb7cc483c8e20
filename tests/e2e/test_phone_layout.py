"""On a phone's width (390 px) no page is wider than the screen: wide tables scroll inside
themselves, the menus wrap, and the market shows its results before its filters."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_portal import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
PAGES = {
    "student": ["/", "/market/?q=数控", "/market/recommendations/", "/market/applications/", "/market/inbox/"],
    "school": ["/", "/registry/registrations/", "/registry/teachers/", "/market/mine/", "/insight/?year=2025"],
    "bureau": ["/", "/registry/queue/", "/market/moderation/", "/insight/report/?year=2025", "/insight/warnings/"],
}


@pytest.mark.parametrize("persona", list(PAGES))
def test_no_page_is_wider_than_a_phone(page: Any, site: str, persona: str) -> None:
    page.set_viewport_size(PHONE)
    login(page, site, persona)
    page.wait_for_url(f"{site}/")
    for path in PAGES[persona]:
        page.goto(f"{site}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide"
    if persona == "student":
        page.goto(f"{site}/market/")
        results = page.locator("[data-testid=postings]").bounding_box()
        filters = page.locator("#facets").bounding_box()
        assert results is not None and filters is not None and results["y"] < filters["y"]
        assert page.locator("a.to-facets").is_visible()
