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
