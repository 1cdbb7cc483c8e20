"""In English the interface has no Chinese left (issue 18 item 8): every persona's main pages are
visited with the language switched to English, and every piece of text shown is checked.

Chinese that remains may only be data: names of people, schools, classes, majors, occupations,
regions, postings' words, audit entries. The test tells the two apart by the data itself: it reads
every text value the database holds (every model's character, text and JSON fields, the reference
tables included) and cuts each into runs of Chinese characters; a run of Chinese on a page that is
not a run of some stored value was written by the interface (a template string not marked, a label
built in Python, a rule's or an indicator's name) and fails the test. Comparing whole runs, not
substrings, keeps an untranslated 学校 from hiding inside a school's name."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.db import models

from tests.conftest import PERSONA_USERS
from tests.e2e.test_phone_layout import PAGES
from tests.e2e.test_portal import login

pytestmark = pytest.mark.e2e

# The phone test's main pages, and the bureau's other insight pages (targets, alignment, data-quality
# rules, forecasts, an indicator).
ENGLISH_PAGES = {
    **PAGES,
    "bureau": [
        *PAGES["bureau"],
        "/insight/targets/",
        "/insight/alignment/",
        "/insight/quality/",
        "/insight/forecasts/",
        "/insight/indicators/graduates/",
        "/market/policies/",
    ],
}
CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# Every visible text node, the page's title and the placeholders and labels of fields; the
# language switch names each language in itself (简体中文) by design.
TEXTS = """() => {
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || element.closest("script, style, .langswitch")) { continue; }
    if (node.textContent.trim()) { texts.push(node.textContent.trim()); }
  }
  for (const element of document.querySelectorAll("[placeholder], [aria-label], [title]")) {
    if (element.closest(".langswitch")) { continue; }
    for (const name of ["placeholder", "aria-label", "title"]) {
      const value = element.getAttribute(name);
      if (value) { texts.push(value); }
    }
  }
  return texts;
}"""


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []


def data_runs() -> set[str]:
    """The runs of Chinese characters of every text value stored in the database."""
    runs: set[str] = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields).iterator():
            for value in row:
                for text in _strings(value):
                    runs.update(CJK_RUN.findall(text))
                    # A name masked for the reader keeps its first character (张*).
                    if isinstance(value, str) and 2 <= len(value) <= 4 and CJK_RUN.fullmatch(value):
                        runs.add(value[0])
    return runs


@pytest.mark.parametrize("persona", list(ENGLISH_PAGES))
def test_every_main_page_in_english_shows_no_chinese_but_data(page: Any, site: str, persona: str) -> None:
    page.set_default_timeout(120_000)  # the live server's first pages warm everything
    login(page, site, PERSONA_USERS[persona])
    page.wait_for_url(f"{site}/")
    page.select_option("#language", "en")
    page.wait_for_load_state("load")
    page.locator("html[lang=en]").wait_for()
    known = data_runs()
    leftovers: dict[str, set[str]] = {}
    for path in ENGLISH_PAGES[persona]:
        page.goto(f"{site}{path}")
        for text in page.evaluate(TEXTS):
            unknown = [run for run in CJK_RUN.findall(text) if run not in known]
            if unknown:
                leftovers.setdefault(path, set()).add(text[:60])
    assert not leftovers, "\n".join(f"{path}: {sorted(texts)}" for path, texts in leftovers.items())
