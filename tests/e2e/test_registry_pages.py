"""The school clerk's import page and the bureau's approval queue, in Chromium."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from gongjiang.directory.models import Organisation, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.registry import services
from gongjiang.registry.models import Registration
from tests.e2e.test_portal import login
from tests.registry.test_import_export import MESSY, broken, rid, xlsx

pytestmark = pytest.mark.e2e


@pytest.fixture
def filed_school(site: str) -> Organisation:
    school = User.objects.get(username="school").memberships.get().organisation
    clerk, bureau = (
        actor_for_user(User.objects.get(username="school")),
        actor_for_user(User.objects.get(username="bureau")),
    )
    for code, levels in (("0102", ["intermediate", "senior"]), ("0401", ["intermediate"])):
        application = services.major_apply(actor=clerk, school=school, major_code=code, kind="add", class_levels=levels)
        services.major_decide(actor=bureau, application=application, approve=True)
    return school


def test_clerk_imports_a_workbook_then_sees_errors_of_a_bad_one(
    page: Any, site: str, filed_school: Organisation, tmp_path: Path
) -> None:
    good = tmp_path / "新生名册.xlsx"
    good.write_bytes(xlsx(MESSY).getvalue())
    login(page, site, "school")
    page.goto(f"{site}/registry/import/")
    page.set_input_files("#file", str(good))
    page.click("#import-form button[type=submit]")
    counts = page.locator("[data-testid=import-counts]")
    counts.wait_for()
    assert "新增 4" in counts.inner_text()
    assert Registration.objects.filter(school=filed_school).count() == 4

    bad = tmp_path / "有错的名册.xlsx"
    bad.write_bytes(
        xlsx(
            [["错号", broken(rid("20080504", 501)), "0102", "", "数控9班", "高级", "全日制", "2025-09-01", "", ""]]
        ).getvalue()
    )
    page.set_input_files("#file", str(bad))
    page.click("#import-form button[type=submit]")
    errors = page.locator("[data-testid=import-errors]")
    errors.wait_for()
    text = errors.inner_text()
    assert "身份证号" in text and "校验位" in text
    with page.expect_download() as download:
        page.click("[data-testid=error-workbook]")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Registration.objects.filter(school=filed_school).count() == 4


def test_bureau_approves_and_returns_in_the_queue(
    page: Any, site: str, filed_school: Organisation, tmp_path: Path
) -> None:
    clerk = actor_for_user(User.objects.get(username="school"))
    school_class = services.class_create(
        actor=clerk, school=filed_school, major_code="0102", name="队列1班", class_level="senior",
        form="full_time", cohort_year=2025, planned_years=3,
    )  # fmt: skip
    first = services.registration_create(
        actor=clerk, school_class=school_class,
        person=services.person_find_or_register(actor=clerk, name="甲同学", id_number=rid("20080101", 601)),
        enrolled_on=dt.date(2025, 9, 1),
    )  # fmt: skip
    second = services.registration_create(
        actor=clerk, school_class=school_class,
        person=services.person_find_or_register(actor=clerk, name="乙同学", id_number=rid("20080101", 603)),
        enrolled_on=dt.date(2025, 9, 1),
    )  # fmt: skip
    login(page, site, "bureau")
    page.goto(f"{site}/registry/queue/")
    row = page.locator(f"[data-testid=queue-registration-{first.events.get().pk}]")
    row.get_by_role("button", name="通过").click()
    page.get_by_text("已通过。").wait_for()
    first.refresh_from_db()
    assert first.status == "enrolled"
    row = page.locator(f"[data-testid=queue-registration-{second.events.get().pk}]")
    row.get_by_role("button", name="退回").click()
    page.get_by_text("不予通过时必须填写审核意见。").wait_for()
    row = page.locator(f"[data-testid=queue-registration-{second.events.get().pk}]")
    row.locator("input[name=note]").fill("身份证复印件不清晰")
    row.get_by_role("button", name="退回").click()
    page.get_by_text("已退回。").wait_for()
    second.refresh_from_db()
    assert second.status == "rejected"
    page.goto(f"{site}/registry/registrations/{first.pk}/")
    assert "注册在籍" in page.locator("[data-testid=registration-status]").inner_text()
