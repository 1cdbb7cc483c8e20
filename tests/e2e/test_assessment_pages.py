"""A level-assessment plan from publication through sign-up, scores and the bureau's sample to a
passed result, the certificate the body issues from its page and the learner opens from home, in
Chromium; and a level conferred on a national award winner, issued the same way."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from gongjiang.assessment.models import AssessmentPlan, EligibilityRule
from gongjiang.core import clock
from gongjiang.credentials import services as credentials
from gongjiang.credentials.models import Certificate
from gongjiang.directory.models import Organisation, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.registry import services as registry
from gongjiang.registry.models import SkillAssessment
from tests.credentials.conftest import issuer_keys_in
from tests.e2e.test_portal import login

pytestmark = pytest.mark.e2e

WELDER = "6-18-02-04"
TODAY = clock.today()


@pytest.fixture
def filed_body(site: str) -> Organisation:
    # Transactional tests empty every table, the rules a migration wrote with them.
    if not EligibilityRule.objects.exists():
        importlib.import_module("gongjiang.assessment.migrations.0002_national_eligibility_and_award_rules").seed(
            apps, None
        )
    body = Organisation.objects.get(code="V150000001")
    credentials.filing_create(
        actor=actor_for_user(User.objects.get(username="bureau")), organisation=body,
        body_kind="evaluation_organisation", occupations={WELDER: 3},
        valid_from=TODAY - dt.timedelta(days=100), valid_until=TODAY + dt.timedelta(days=300),
    )  # fmt: skip
    return body


@pytest.fixture
def keys_here(tmp_path: Path) -> Iterator[None]:
    """The issuers' keys in this test's data directory (the live server runs in this process)."""
    with issuer_keys_in(tmp_path):
        yield


@pytest.fixture
def signed_in(browser: Any, site: str) -> Iterator[Callable[[str], Any]]:
    """A page per persona, each in its own browser context (its own session)."""
    contexts: list[Any] = []

    def open_as(username: str) -> Any:
        context = browser.new_context(locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        # Generous: the first pages of a fresh context are slow on a shared machine.
        page.set_default_timeout(60_000)
        page.on("dialog", lambda dialog: dialog.accept())  # the confirmations before submitting
        login(page, site, username)
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_a_plan_from_sign_up_to_certificate(
    signed_in: Callable[[str], Any], site: str, filed_body: Organisation, keys_here: None
) -> None:
    body = signed_in("u-v150000001")
    body.goto(f"{site}/assessment/")
    form = body.locator("[data-testid=plan-form]")
    form.locator("#id_occupation_code").fill(WELDER)
    form.locator("#id_skill_level").select_option("5")
    form.locator("#id_theory_on").fill((TODAY + dt.timedelta(days=10)).isoformat())
    form.locator("#id_practice_on").fill((TODAY + dt.timedelta(days=11)).isoformat())
    form.locator("#id_place").fill("包头市职业技能鉴定考场")
    form.locator("#id_capacity").fill("20")
    form.locator("#id_signup_opens").fill(TODAY.isoformat())
    form.locator("#id_signup_closes").fill((TODAY + dt.timedelta(days=5)).isoformat())
    form.locator("button[type=submit]").click()
    body.locator("[data-testid=plan-table] a").first.wait_for()
    plan = AssessmentPlan.objects.get(evaluator=filed_body)
    assert plan.skill_level == 5 and plan.occupation_name

    # The learner finds the plan and signs up, declaring two years in the trade.
    learner = signed_in("student")
    learner.goto(f"{site}/assessment/plans/{plan.pk}/")
    learner.fill("#id_years_in_trade", "2")
    learner.click("[data-testid=self-form] button[type=submit]")
    learner.locator("[data-testid=signup-table] tbody tr").first.wait_for()
    assert plan.signups.count() == 1

    # The sitting happens (time passing: the dates move into the past), the body scores it.
    AssessmentPlan.objects.filter(pk=plan.pk).update(
        signup_opens=TODAY - dt.timedelta(days=30), signup_closes=TODAY - dt.timedelta(days=20),
        theory_on=TODAY - dt.timedelta(days=8), practice_on=TODAY - dt.timedelta(days=7),
    )  # fmt: skip
    body.goto(f"{site}/assessment/plans/{plan.pk}/")
    score = body.locator("[data-testid=score-form]").first
    score.locator("input[name=theory]").fill("86")
    score.locator("input[name=practice]").fill("78.5")
    score.locator("button[type=submit]").click()
    body.locator("[data-testid=submit-scores]").click()
    body.locator("[data-testid=plan-status]", has_text="成绩已报送").wait_for()

    # The bureau samples the candidate and confirms.
    bureau = signed_in("bureau")
    bureau.goto(f"{site}/assessment/plans/{plan.pk}/")
    bureau.locator("[data-testid=signup-table] input[type=checkbox]").first.check()
    bureau.locator("button[form=sample-form]").click()
    decide = bureau.locator("[data-testid=decide-form]")
    decide.locator("select[name=confirm]").select_option("1")
    decide.locator("button[type=submit]").click()
    bureau.locator("[data-testid=plan-status]", has_text="抽查通过").wait_for()

    # The body finalises: the result reaches the register, and the learner reads it.
    body.goto(f"{site}/assessment/plans/{plan.pk}/")
    body.locator("[data-testid=finalise]").click()
    body.locator("[data-testid=plan-status]", has_text="结果已确定").wait_for()
    assessment = SkillAssessment.objects.get(evaluator=filed_body)
    assert (assessment.result, assessment.skill_level, assessment.basis) == ("passed", 5, "plan")
    learner.goto(f"{site}/assessment/")
    mine = learner.locator("[data-testid=my-signups]")
    assert "合格" in mine.inner_text() and "86" in mine.inner_text()

    # The body issues the certificate from its certificates page; the learner opens it from home.
    body.goto(f"{site}/credentials/certificates/")
    body.locator("[data-testid=awaiting-table] button[type=submit]").first.click()
    body.locator(".success, [role=status]", has_text="已签发证书").first.wait_for()
    certificate = Certificate.objects.get(assessment=assessment)
    assert certificate.basis == "assessment" and certificate.skill_level == 5
    learner.goto(f"{site}/")
    learner.click(f"text={certificate.number}")
    learner.locator("[data-testid=certificate-status]", has_text="有效").wait_for()
    assert plan.occupation_name in learner.locator("[data-testid=certificate-facts]").inner_text()


def test_the_bureau_confers_a_level_on_a_national_winner_and_the_body_issues_it(
    signed_in: Callable[[str], Any], site: str, filed_body: Organisation, keys_here: None
) -> None:
    school = Organisation.objects.get(code=User.objects.get(username="school").memberships.get().organisation.code)
    award = registry.award_record(
        actor=actor_for_user(User.objects.get(username="school")), recorded_by=school,
        person=User.objects.get(username="student").person, competition="全国技能大赛", level="national",
        rank="优胜奖", awarded_on=TODAY - dt.timedelta(days=20), occupation_code=WELDER,
    )  # fmt: skip
    bureau = signed_in("bureau")
    bureau.goto(f"{site}/assessment/awards/")
    row = bureau.locator(f"tr[data-award='{award.pk}']")
    row.locator("select[name=evaluator_code]").select_option(filed_body.code)
    row.locator("button[type=submit]").click()
    bureau.locator(f"tr[data-award='{award.pk}']", has_text="已认定").wait_for()

    body = signed_in("u-v150000001")
    body.goto(f"{site}/credentials/certificates/")
    body.locator("[data-testid=awaiting-table] button[type=submit]").first.click()
    body.locator(".success, [role=status]", has_text="已签发证书").first.wait_for()
    certificate = Certificate.objects.get(award=award)
    assert certificate.basis == "award" and certificate.skill_level == 3
    bureau.goto(f"{site}/assessment/awards/")
    assert (
        certificate.number
        in bureau.locator(f"tr[data-award='{award.pk}'] [data-testid=award-certificate]").inner_text()
    )
