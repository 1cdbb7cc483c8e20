"""The marketplace in Chromium: anyone searches and sees the words marked; suggestions come as one
types; an enterprise's posting goes through the bureau's moderation before anyone can find it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gongjiang.directory.models import User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.market import services
from tests.e2e.test_portal import login

pytestmark = pytest.mark.e2e


def test_search_moderation_and_suggestions(page: Any, site: str) -> None:
    enterprise = actor_for_user(User.objects.get(username="enterprise"))
    owner = User.objects.get(username="enterprise").memberships.get().organisation
    posting = services.posting_create(
        actor=enterprise, owner=owner, kind="job", title="数控车工（包头）", description="加工轴类零件，包吃住。",
        occupation_code="6-18-01-01", region_code="150203", deadline=timezone.localdate() + dt.timedelta(days=20),
    )  # fmt: skip
    page.goto(f"{site}/market/?q=数控")
    assert "共 0 条" in page.locator("[data-testid=result-count]").inner_text()

    login(page, site, "bureau")
    page.goto(f"{site}/market/moderation/")
    page.click(f"text={posting.title}")
    page.click("[data-testid=moderate-form] button[value=publish]")
    page.wait_for_url(f"{site}/market/moderation/")

    page.goto(f"{site}/market/")
    page.fill("input[name=q]", "hangong")
    page.locator("#suggestions .suggestions").wait_for()
    assert "焊工" in page.locator("#suggestions").inner_text()
    page.fill("input[name=q]", "数控")
    page.press("input[name=q]", "Enter")
    page.locator("[data-testid=postings] mark").first.wait_for()
    assert page.locator("[data-testid=postings] mark").first.inner_text() == "数控"
    assert "共 1 条" in page.locator("[data-testid=result-count]").inner_text()


def test_the_bureau_records_earlier_postings_from_a_spreadsheet(page: Any, site: str, tmp_path: Any) -> None:
    owner = User.objects.get(username="enterprise").memberships.get().organisation
    header = "统一社会信用代码,岗位名称,招聘人数,薪资,发布日期,截止日期\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(header + f"{owner.uscc},电工,2,9000-5000,2023-04-01,2023-04-30\n", encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text(header + f"{owner.uscc},电工,2,5000-9000,2023-04-01,2023-04-30\n", encoding="utf-8")

    login(page, site, "bureau")
    page.goto(f"{site}/market/moderation/")
    page.click("[data-testid=archive-link]")
    page.set_input_files("#file", str(bad))
    page.click("#archive-form button[type=submit]")
    errors = page.locator("[data-testid=import-errors]")
    errors.wait_for()
    assert "月薪上限不能低于下限" in errors.inner_text() and "薪资" in errors.inner_text()

    page.set_input_files("#file", str(good))
    page.click("#archive-form button[type=submit]")
    page.locator("[data-testid=import-counts]:has-text('新增 1')").wait_for()
    assert owner.postings.filter(title="电工", status="closed").count() == 1
