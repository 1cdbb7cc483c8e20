"""The dashboards in Chromium: a bureau opens the indicators, drills down from the province to a
school, to a major and to the records behind a figure, sets a target and sees its status, and
downloads the table, and has the demand forecast made; the charts are drawn."""

from __future__ import annotations

import random
from typing import Any

import pytest
from openpyxl import load_workbook

from gongjiang.core.actors import system_actor
from gongjiang.demo.generator import populate_region
from gongjiang.directory.models import User
from tests.e2e.test_portal import login

pytestmark = pytest.mark.e2e


def test_dashboard_drill_down_targets_and_export(page: Any, site: str, tmp_path: Any, settings: Any) -> None:
    settings.DATA_DIR = tmp_path  # forecasts are kept there
    populate_region(actor=system_actor("tests"), students=400, rng=random.Random(5))
    school = User.objects.get(username="school").memberships.get().organisation

    login(page, site, "bureau")
    page.click("[data-testid=insight-link]")
    page.wait_for_url(f"{site}/insight/")
    page.select_option("#year", "2025")
    page.wait_for_url("**year=2025**")
    row = page.locator("tr[data-code=graduates]")
    assert row.locator("strong").inner_text().replace(",", "").isdigit()
    assert page.locator(".spark svg").count() > 10  # the five-year lines are drawn

    with page.expect_download() as download:
        page.click("[data-testid=export-xlsx]")
    saved = tmp_path / "indicators.xlsx"
    download.value.save_as(saved)
    sheet = load_workbook(saved).active
    assert sheet is not None and sheet["B2"].value == "指标"

    # The annual report of the same year, in sentences, and back.
    page.click("[data-testid=report-link]")
    page.wait_for_url("**/insight/report/**year=2025**")
    assert "质量年度报告（2025 年）" in page.locator("h1").inner_text()
    assert "比上年" in page.locator("[data-testid=report] p.summary").first.inner_text()
    page.go_back()
    page.wait_for_url(f"{site}/insight/?**year=2025**")

    # Province → school → indicator → major → records.
    page.click(f"[data-testid=school-chips] >> text={school.name}")
    page.wait_for_url(f"**scope=school:{school.code}**")
    assert school.name in page.locator("h1").inner_text()
    page.click("tr[data-code=employment_rate] a")
    page.wait_for_url("**/insight/indicators/employment_rate/**")
    page.locator("[data-testid=trend-chart] svg").wait_for()
    assert "内蒙古自治区" in page.locator("[data-testid=scope-trail]").inner_text()
    first_major = page.locator("[data-testid=breakdown] tbody tr").first
    denominator = first_major.locator("td").nth(3).inner_text().replace(",", "")
    first_major.locator("a").click()
    page.wait_for_url("**/records/**")
    assert page.locator("[data-testid=records] tbody tr").count() == int(denominator)

    # A target for the province, judged on the province's figure.
    page.goto(f"{site}/insight/targets/?year=2025")
    page.select_option("#indicator_code", "employment_rate")
    page.fill("#value", "97")
    page.fill("#tolerance", "5")
    page.fill("#from_year", "2021")
    page.select_option("#level", "provincial")
    page.fill("#source", "内蒙古：就业率不低于 97%")
    page.click("#target-form button.primary >> nth=0")
    page.wait_for_url("**/insight/targets/?year=2025")
    status = page.locator("[data-testid=targets] .status").first.inner_text()
    assert status in {"达成", "接近", "未达成"}
    page.goto(f"{site}/insight/?year=2025")
    assert "省级" in page.locator("tr[data-code=employment_rate]").inner_text()

    page.goto(f"{site}/insight/alignment/?year=2025")
    page.locator("[data-testid=sankey] svg").wait_for()
    assert page.locator("[data-testid=supply-demand] tbody tr").count() > 0

    # Demand forecasts: made on request with a progress indicator, then drawn with their bands.
    page.goto(f"{site}/insight/?year=2025")
    page.click("[data-testid=forecasts-link]")
    page.wait_for_url("**/insight/forecasts/**")
    assert page.locator("[data-testid=no-forecast]").is_visible()
    page.click("[data-testid=make-forecast]")
    page.locator("[data-testid=forecasts]").wait_for(timeout=120_000)
    page.locator("[data-testid=forecast-chart] svg").wait_for()
    total = page.locator("[data-testid=forecasts] tbody tr").first
    assert total.get_attribute("data-status") == "ok" and "%" in total.inner_text()
    page.locator("[data-testid=forecasts] tbody tr[data-status=ok] a").nth(1).click()
    page.wait_for_url("**series=**")
    page.locator("[data-testid=forecast-chart] svg").wait_for()
