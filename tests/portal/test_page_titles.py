"""Every page's title names the page, not only the site (a browser's tabs and history read it)."""

from __future__ import annotations

from pathlib import Path

import gongjiang

ROOT = Path(gongjiang.__file__).parent
# The landing page is the site itself: its title is the site's name.
SITE_ITSELF = {"portal/templates/portal/landing.html"}


def test_every_page_template_sets_its_title() -> None:
    pages = [
        path
        for path in ROOT.glob("*/templates/**/*.html")
        if '{% extends "portal/base.html" %}' in path.read_text(encoding="utf-8")
    ]
    assert len(pages) > 40
    untitled = [
        str(path.relative_to(ROOT))
        for path in pages
        if "{% block title %}" not in path.read_text(encoding="utf-8")
        and str(path.relative_to(ROOT)) not in SITE_ITSELF
    ]
    assert untitled == []
