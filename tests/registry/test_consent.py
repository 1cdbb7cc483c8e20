"""Cross-organisation records need consent (ADR 0024): an internship a school records with an
enterprise, or an apprenticeship an enterprise records with a school, is a request the other
organisation accepts or declines; until it agrees, the record counts nowhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjiang.core.actors import Actor
from gongjiang.core.models import AuditEntry
from gongjiang.directory.models import Organisation, Person
from gongjiang.insight.catalogue import catalogue
from gongjiang.insight.compute import compute
from gongjiang.insight.engines import DatabaseEngine
from gongjiang.registry import services
from gongjiang.registry.models import Apprenticeship, Internship, Registration, SchoolClass
from tests.registry.test_registrations import approve_latest

START, END = dt.date(2026, 3, 1), dt.date(2026, 6, 30)


@pytest.fixture
def student(
    actor_of: Callable[[str], Actor], cnc_class: SchoolClass, new_person: Callable[..., Person]
) -> Registration:
    registration = services.registration_create(
        actor=actor_of("school"),
        school_class=cnc_class,
        person=new_person(name="刘实习"),
        enrolled_on=dt.date(2025, 9, 1),
    )
    approve_latest(actor_of, registration)
    registration.refresh_from_db()
    return registration


def _coverage(year: int) -> Any:
    indicator = catalogue()["internship_insurance_coverage"]
    (value,) = [v for v in compute(DatabaseEngine(), [indicator], years=[year]) if not v.group]
    return value.denominator


def test_an_internship_waits_for_the_enterprise_and_counts_once_it_agrees(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], student: Registration, client_for: Any
) -> None:
    before = _coverage(2026) or 0
    internship = services.internship_create(
        actor=actor_of("school"), registration=student, enterprise=world["enterprise"], post="车床操作",
        starts_on=START, ends_on=END, insurance_policy_no="P-1",
    )  # fmt: skip
    assert (internship.consent, internship.awaiting_id) == ("pending", world["enterprise"].pk)
    assert (_coverage(2026) or 0) == before  # a request is not yet an internship
    # The school that asked cannot answer for the enterprise; another enterprise cannot see it.
    with pytest.raises(PermissionDenied):
        services.placement_answer(actor=actor_of("school"), record=internship, agree=True)
    page = client_for("enterprise").get("/registry/placements/").content.decode()
    assert 'data-testid="consent-form"' in page and "刘实习" in page
    answered = client_for("enterprise").post(
        "/registry/placements/", {"form": "answer", "kind": "internship", "record": internship.pk, "agree": "1"}
    )
    assert answered.status_code == 302
    internship.refresh_from_db()
    assert internship.consent == "agreed"
    assert (_coverage(2026) or 0) == before + 1
    assert AuditEntry.objects.filter(action="internship.agree", entity_id=str(internship.pk)).exists()
    with pytest.raises(ValidationError, match="已确认或已拒绝"):
        services.placement_answer(actor=actor_of("enterprise"), record=internship, agree=False, note="重复")


def test_an_apprenticeship_the_school_declines_is_kept_with_its_reason_and_counts_nowhere(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], new_person: Callable[..., Person]
) -> None:
    enterprise = actor_of("enterprise")
    apprenticeship = services.apprenticeship_create(
        actor=enterprise, enterprise=world["enterprise"], school=world["school"],
        apprentice=new_person(name="周学徒", birth=dt.date(1998, 1, 1)), occupation_code="6-18-02-04",
        enterprise_tutor="王师傅", school_tutor="李老师", plan="工学交替", starts_on=START, ends_on=END,
    )  # fmt: skip
    assert (apprenticeship.consent, apprenticeship.awaiting_id) == ("pending", world["school"].pk)
    with pytest.raises(ValidationError, match="拒绝时请写明原因"):
        services.placement_answer(actor=actor_of("school"), record=apprenticeship, agree=False)
    services.placement_answer(actor=actor_of("school"), record=apprenticeship, agree=False, note="本校未与该企业合作")
    apprenticeship.refresh_from_db()
    assert (apprenticeship.consent, apprenticeship.consent_note) == ("declined", "本校未与该企业合作")
    started = compute(DatabaseEngine(), [catalogue()["apprenticeships_started"]], years=[2026])
    assert all(not v.numerator for v in started if not v.group)
    # The enterprise still sees its request, with the school's answer.
    assert Apprenticeship.objects.filter(pk=apprenticeship.pk, consent="declined").exists()


def test_the_command_line_operator_writes_for_both_sides(world: dict[str, Organisation], student: Registration) -> None:
    from gongjiang.core.actors import system_actor

    internship = services.internship_create(
        actor=system_actor("tests"), registration=student, enterprise=world["enterprise"], post="装配",
        starts_on=START, ends_on=END,
    )  # fmt: skip
    assert (internship.consent, internship.awaiting_id) == ("agreed", None)
    assert Internship.objects.get(pk=internship.pk).consent == "agreed"
