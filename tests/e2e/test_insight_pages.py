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


def test_the_dashboard_and_report_write_units_and_compare_only_whole_years(page: Any, site: str) -> None:
    """Issue 18 (4, 5): the register began with the 2022 intake, so 2024 holds only part of the
    learners who leave (certificates, graduates): their figure is shown but not compared. Money is in 元, targets carry their unit,
    and no arrow stands between two figures written alike."""
    from gongjiang.demo.generator import set_demo_targets
    from gongjiang.directory.selectors import actor_for_user

    populate_region(actor=system_actor("tests"), students=400, rng=random.Random(5), history_months=0)
    set_demo_targets(bureau=actor_for_user(User.objects.get(username="bureau")))

    # The task worker rebuilds the snapshot after these writes, in this process: pages wait on it.
    page.set_default_navigation_timeout(90_000)
    login(page, site, "bureau")
    page.goto(f"{site}/insight/?year=2025")
    # Certificates of 2024 went to the first intake's final year only: shown, not compared.
    certificates = page.locator("tr[data-code=skill_certificates_issued]")
    assert certificates.locator("[data-testid=before-incomplete]").inner_text() == "上年记录不完整"
    assert certificates.locator("[data-testid=change]").count() == 0
    # Students in school: all three cohorts of 2024 are in the register, so 2024 is compared.
    students = page.locator("tr[data-code=students_in_school]")
    assert students.locator("[data-testid=before-incomplete]").count() == 0
    assert "元" in page.locator("tr[data-code=pay_six_months] td.num").first.inner_text()
    assert "不低于 97%" in page.locator("tr[data-code=employment_rate]").inner_text()
    rows = page.locator("[data-testid=indicator-table] tbody tr")
    for n in range(rows.count()):
        cells = rows.nth(n).locator("td.num")
        shown = cells.nth(0).locator("strong").inner_text().strip()
        before = cells.nth(1).inner_text().split(" ")[0].strip()
        if shown == before:
            assert cells.nth(0).locator("[data-testid=change]").count() == 0, rows.nth(n).get_attribute("data-code")

    page.click("[data-testid=report-link]")
    page.wait_for_url("**/insight/report/**year=2025**")
    chapters = page.locator("[data-testid=report] p.summary").all_inner_texts()
    assert any("职业技能等级证书颁发数" in text and "上年记录不完整，不作比较" in text for text in chapters)
    for problem in page.locator("[data-testid=report-problem]").all_inner_texts():
        if problem.startswith("实习均已投保"):
            assert problem.endswith(" 人") and "未投保实习的学生" in problem
