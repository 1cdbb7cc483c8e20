"""The Content-Security-Policy breaks no page: charts are drawn, inline scripts run with the
nonce, and the browser reports no violation (issue 16 item 8)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_portal import login

pytestmark = pytest.mark.e2e

# Pages with inline scripts; each script runs only with the response's nonce.
SCRIPTED_PAGES = ["/insight/", "/insight/alignment/", "/insight/forecasts/", "/insight/indicators/graduates/"]


def test_the_pages_run_under_the_policy(page: Any, site: str) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    # The live server's first pages import, warm and compute everything; on a busy machine that
    # takes longer than the default timeout. What is under test is the policy, not the speed.
    page.set_default_navigation_timeout(120_000)
    page.goto(f"{site}/login/")
    login(page, site, "bureau")
    page.wait_for_url(f"{site}/")
    for path in SCRIPTED_PAGES:
        page.goto(f"{site}{path}")
        assert page.evaluate("document.querySelectorAll('script[nonce]').length") >= 1
    # The indicator page's inline script drew its chart.
    page.locator("[data-testid=trend-chart] svg").wait_for()
    # A select marked data-autosubmit still submits (behaviour.js, not an inline handler).
    page.goto(f"{site}/insight/")
    other = page.locator("#year option:not([selected])").first.get_attribute("value")
    page.select_option("#year", other)
    page.wait_for_url(f"**year={other}**")
    assert violations == []
