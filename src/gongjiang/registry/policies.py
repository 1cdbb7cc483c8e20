"""Who may change the register: a school its own records, the bureau over the school's region
approves and files."""

from __future__ import annotations

from typing import Any

from gongjiang.core.actors import Actor
from gongjiang.core.policies import oversees_region, rule
from gongjiang.core.scope import ActorKind


def _school_staff(actor: Actor, school: Any) -> bool:
    return actor.kind == ActorKind.SCHOOL and actor.organisation_id == school.pk and actor.role in ("admin", "staff")


@rule("registry.profile.update")
def _profile_update(actor: Actor, school: Any) -> bool:
    return _school_staff(actor, school) or oversees_region(actor, school.region_code)


@rule("registry.major.apply")
def _major_apply(actor: Actor, school: Any) -> bool:
    return _school_staff(actor, school)


@rule("registry.major.decide")
def _major_decide(actor: Actor, school: Any) -> bool:
    return oversees_region(actor, school.region_code)


@rule("registry.class.create")
def _class_create(actor: Actor, school: Any) -> bool:
    return _school_staff(actor, school)


@rule("registry.registration.request")
def _registration_request(actor: Actor, school: Any) -> bool:
    return _school_staff(actor, school)


@rule("registry.registration.decide")
def _registration_decide(actor: Actor, school: Any) -> bool:
    return oversees_region(actor, school.region_code)


@rule("registry.teacher.write")
def _teacher_write(actor: Actor, school: Any) -> bool:
    return _school_staff(actor, school)


@rule("registry.training.write")
def _training_write(actor: Actor, provider: Any) -> bool:
    return _school_staff(actor, provider)


@rule("registry.apprenticeship.write")
def _apprenticeship_write(actor: Actor, parties: Any) -> bool:
    # Either side of the pair may record it: the enterprise that employs, the school that teaches.
    enterprise, school = parties
    own_enterprise = actor.kind == ActorKind.ENTERPRISE and actor.organisation_id == enterprise.pk
    return own_enterprise or _school_staff(actor, school)


@rule("registry.internship.write")
def _internship_write(actor: Actor, school: Any) -> bool:
    return _school_staff(actor, school)


@rule("registry.claim.decide")
def _claim_decide(actor: Actor, claimant: Any) -> bool:
    # The bureau over the organisation that typed the claim checks the documents and decides.
    return claimant is not None and oversees_region(actor, claimant.region_code) and actor.role in ("admin", "staff")


@rule("registry.claim.correct")
def _claim_correct(actor: Actor, claim_return: Any) -> bool:
    # The staff of the organisation the claim was returned to correct what they typed.
    return (
        actor.kind not in (ActorKind.LEARNER, ActorKind.PUBLIC)
        and actor.organisation_id == claim_return.organisation_id
        and actor.role in ("admin", "staff")
    )


@rule("registry.placement.answer")
def _placement_answer(actor: Actor, record: Any) -> bool:
    # Only the organisation the request waits for answers it, by its staff.
    return (
        record.awaiting_id is not None
        and actor.organisation_id == record.awaiting_id
        and actor.role in ("admin", "staff")
    )


@rule("registry.destination.write")
def _destination_write(actor: Actor, school: Any) -> bool:
    return _school_staff(actor, school)


@rule("registry.assessment.write")
def _assessment_write(actor: Actor, evaluator: Any) -> bool:
    return actor.kind == ActorKind.EVALUATOR and actor.organisation_id == evaluator.pk


@rule("registry.award.write")
def _award_write(actor: Actor, recorded_by: Any) -> bool:
    return _school_staff(actor, recorded_by) or (
        actor.kind == ActorKind.BUREAU and actor.organisation_id == recorded_by.pk
    )
