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


def test_the_bureau_switches_the_integrated_rule_with_a_reason(page: Any, site: str) -> None:
    page.set_default_timeout(60_000)  # generous: a shared machine is slow to serve a fresh server
    login(page, site, "bureau")
    page.goto(f"{site}/credentials/equivalence/")
    assert "未启用" in page.locator("[data-testid=equivalence-in-force]").inner_text()
    form = page.locator("[data-testid=equivalence-form]")
    form.locator("select[name=enabled]").select_option("1")
    form.locator("input[name=effective_on]").fill("2026-01-01")
    form.locator("textarea[name=reason]").fill("依002号文第18条启用")
    page.on("dialog", lambda dialog: dialog.accept())
    form.locator("button[type=submit]").click()
    page.locator("[data-testid=equivalence-in-force]", has_text="已启用").wait_for()
    assert "依002号文第18条启用" in page.locator("[data-testid=equivalence-history]").inner_text()


def test_the_school_links_a_diploma_and_the_learner_sees_it_at_home(page: Any, site: str, keys_here: None) -> None:
    from gongjiang.registry.models import RegistrationEvent
    from tests.registry.conftest import file_major

    bureau = actor_for_user(User.objects.get(username="bureau"))
    school_actor = actor_for_user(User.objects.get(username="school"))
    body = Organisation.objects.get(code="V150000001")
    credentials.filing_create(
        actor=bureau, organisation=body, body_kind="evaluation_organisation", occupations={LATHE: 3},
        valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2030, 12, 31),
    )  # fmt: skip
    student = User.objects.get(username="student").person
    # The student graduates from school 1's senior 数控 class (filed, enrolled, graduation approved).
    school = Organisation.objects.get(pk=school_actor.organisation_id)
    file_major(lambda name: actor_for_user(User.objects.get(username=name)), school, "school", "0102", ["senior"])
    school_class = registry.class_create(
        actor=school_actor, school=school, major_code="0102", name="2023级数控1班", class_level="senior",
        form="full_time", cohort_year=2023, planned_years=3,
    )  # fmt: skip
    registration = registry.registration_create(
        actor=school_actor, school_class=school_class, person=student, enrolled_on=dt.date(2023, 9, 1)
    )
    registry.registration_decide(actor=bureau, event=registration.events.get(), approve=True)
    registration.refresh_from_db()
    registry.registration_request(
        actor=school_actor, registration=registration, kind="graduate", effective_on=dt.date(2026, 6, 30)
    )
    registry.registration_decide(
        actor=bureau, event=RegistrationEvent.objects.get(registration=registration, decision="pending"), approve=True
    )
    registration.refresh_from_db()
    diploma = issuing.certificate_issue_diploma(actor=school_actor, registration=registration)
    evaluator = actor_for_user(User.objects.get(username="u-v150000001"))
    skill = issuing.certificate_issue_for_assessment(
        actor=evaluator,
        assessment=registry.assessment_record(
            actor=evaluator, evaluator=body, person=student, occupation_code=LATHE, skill_level=4,
            assessed_on=dt.date(2026, 5, 20), result="passed", certificate_no="S000000000041",
        ),
    )  # fmt: skip

    page.set_default_timeout(60_000)  # generous: a shared machine is slow to serve a fresh server
    login(page, site, "school")
    page.goto(f"{site}/credentials/dual/")
    row = page.locator(f"tr[data-diploma='{diploma.number}']")
    row.locator(f"input[value='{skill.number}']").check()
    row.locator("button[type=submit]").click()
    page.locator(f"tr[data-diploma='{diploma.number}']", has_text="已登记").wait_for()

    learner = page.context.browser.new_context(locale="zh-CN").new_page()
    learner.set_default_timeout(60_000)
    login(learner, site, "student")
    learner.goto(f"{site}/")
    row = learner.locator("[data-testid=learner-certificates] tr", has=learner.get_by_role("link", name=diploma.number))
    cell = row.locator("[data-testid=dual-cell]")
    assert skill.number in cell.inner_text()
    learner.context.close()
