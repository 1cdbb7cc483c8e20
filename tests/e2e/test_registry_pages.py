"""The school clerk's import page and the bureau's approval queue, in Chromium."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from gongjiang.directory.models import Organisation, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.registry import services
from gongjiang.registry.models import CompetitionAward, Registration
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


def test_bureau_returns_an_identity_and_the_school_corrects_it(page: Any, site: str, browser: Any) -> None:
    """ADR 0032: the bureau returns a claim with a reason; the school reads it in its inbox,
    corrects the name, and the corrected claim comes back to the bureau."""
    school, other = (User.objects.get(username=u).memberships.get().organisation for u in ("school", "school2"))
    clerk = actor_for_user(User.objects.get(username="school"))
    registered = services.person_find_or_register(
        actor=actor_for_user(User.objects.get(username="school2")), name="钱多多", id_number=rid("20070303", 701)
    )
    services.award_record(
        actor=actor_for_user(User.objects.get(username="school2")), recorded_by=other, person=registered,
        competition="市技能大赛", level="city", rank="二等奖", awarded_on=dt.date(2026, 5, 1),
    )  # fmt: skip
    claim = services.person_find_or_register(actor=clerk, name="钱多朵", id_number=registered.id_number)
    services.award_record(
        actor=clerk, recorded_by=school, person=claim, competition="全区技能大赛", level="provincial",
        rank="一等奖", awarded_on=dt.date(2026, 5, 20),
    )  # fmt: skip

    login(page, site, "bureau")
    page.goto(f"{site}/registry/identities/")
    row = page.locator(f"[data-testid=claim-{claim.pk}]")
    row.locator("input[name=reason]").fill("姓名与身份证不符，请核对")
    row.get_by_role("button", name="退回更正").click()
    page.get_by_text("已退回填报单位更正。").wait_for()
    assert page.locator(f"[data-testid=claim-{claim.pk}]").count() == 0

    clerk_page = browser.new_context(locale="zh-CN").new_page()
    # Generous: the first pages of a fresh context are slow on a shared machine.
    clerk_page.set_default_timeout(60_000)
    login(clerk_page, site, "school")
    clerk_page.goto(f"{site}/market/inbox/")
    clerk_page.get_by_text("身份核对退回：钱多朵").click()
    clerk_page.get_by_text("姓名与身份证不符，请核对").first.wait_for()
    clerk_page.goto(f"{site}/registry/identities/returned/")
    returned = clerk_page.locator("[data-testid=returned-identities] tbody tr").first
    assert "钱多朵" in returned.inner_text() and "钱多多" not in clerk_page.content()
    returned.locator("input[name=name]").fill("钱多多")
    returned.get_by_role("button", name="更正并重新提交").click()
    clerk_page.get_by_text("已重新提交，由人社部门核对。").wait_for()
    assert "没有被退回的身份" in clerk_page.locator("[data-testid=returned-identities]").inner_text()
    clerk_page.context.close()

    page.reload()
    resubmitted = page.locator("[data-testid=identity-checks] tbody tr", has_text="退回后重新提交")
    resubmitted.get_by_role("button", name="确认是同一人").click()
    page.get_by_text("已确认为登记在册的同一人").wait_for()
    assert CompetitionAward.objects.get(recorded_by=school).person_id == registered.pk
