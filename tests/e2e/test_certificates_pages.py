"""Certificates in Chromium: the bureau files an evaluation body from the page and the public
registry lists it; a learner makes a share link for their certificate, a stranger opens it and
sees the verifier's checks, and once the learner withdraws it the link says so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gongjiang.credentials import services as credentials
from gongjiang.credentials.services import certificates as issuing
from gongjiang.directory.models import Organisation, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.registry import services as registry
from tests.credentials.conftest import LATHE, issuer_keys_in
from tests.e2e.test_portal import login

pytestmark = pytest.mark.e2e


@pytest.fixture
def keys_here(tmp_path: Path) -> Iterator[None]:
    """The issuers' keys in this test's data directory (the live server runs in this process)."""
    with issuer_keys_in(tmp_path):
        yield


def test_the_bureau_files_an_evaluation_body_and_the_public_registry_lists_it(page: Any, site: str) -> None:
    body = Organisation.objects.get(code="V150000001")
    login(page, site, "bureau")
    page.goto(f"{site}/credentials/registry/new/")
    page.fill("#id_organisation_code", body.code)
    page.select_option("#id_body_kind", "evaluation_organisation")
    page.fill("#id_occupations", f"{LATHE} 3")
    page.fill("#id_valid_from", "2026-01-01")
    page.fill("#id_valid_until", "2028-12-31")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert body.name in page.locator("main").inner_text()
    anonymous = page.context.browser.new_context(locale="zh-CN").new_page()
    anonymous.goto(f"{site}/credentials/registry/")
    assert body.name in anonymous.locator("main").inner_text()
    anonymous.context.close()


def test_a_learner_shares_a_certificate_and_withdraws_the_link(page: Any, site: str, keys_here: None) -> None:
    bureau = actor_for_user(User.objects.get(username="bureau"))
    body = Organisation.objects.get(code="V150000001")
    credentials.filing_create(
        actor=bureau, organisation=body, body_kind="evaluation_organisation", occupations={LATHE: 3},
        valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2030, 12, 31),
    )  # fmt: skip
    evaluator = actor_for_user(User.objects.get(username="u-v150000001"))
    assessment = registry.assessment_record(
        actor=evaluator, evaluator=body, person=User.objects.get(username="student").person, occupation_code=LATHE,
        skill_level=4, assessed_on=dt.date(2026, 5, 20), result="passed", certificate_no="S000000000021",
    )  # fmt: skip
    certificate = issuing.certificate_issue_for_assessment(actor=evaluator, assessment=assessment)

    login(page, site, "student")
    page.goto(f"{site}/")
    page.click(f"text={certificate.number}")
    page.wait_for_selector("[data-testid=share-form]")
    page.locator("[data-testid=share-form] input[name=days]").fill("30")
    page.locator("[data-testid=share-form] input[name=label]").fill("应聘数控车工")
    page.locator("[data-testid=share-form] button[type=submit]").click()
    link = page.locator("[data-testid=new-share-link]").inner_text().strip()

    stranger = page.context.browser.new_context(locale="zh-CN").new_page()
    stranger.goto(link)
    assert certificate.number in stranger.locator("main").inner_text()
    assert stranger.locator("tr[data-check=proof]").get_attribute("data-outcome") == "passed"

    page.goto(page.url)  # a fresh GET: reloading would post the share form again
    row = page.locator("[data-testid=share-table] tr", has_text="应聘数控车工")
    assert "1" in row.inner_text()  # the stranger's visit is shown to the holder
    page.on("dialog", lambda dialog: dialog.accept())
    row.locator("button", has_text="撤回").click()
    page.wait_for_load_state()
    stranger.goto(link)
    assert "已撤回" in stranger.locator("main").inner_text()
    stranger.context.close()
