"""Who may do what in level assessment: an evaluation body (or a school filed as one) runs its own
plans, a school signs up its classes, a learner signs up themselves, the bureau over the
evaluation body samples results and confers levels on competition winners."""

from __future__ import annotations

from typing import Any

from gongjiang.core.actors import Actor
from gongjiang.core.policies import oversees_region, rule
from gongjiang.core.scope import ActorKind

WRITERS = ("admin", "staff")


def _body_staff(actor: Actor, organisation: Any) -> bool:
    # Whether the organisation is filed for the occupation and level is the service's question;
    # here only: the actor works for it.
    return (
        actor.kind in (ActorKind.EVALUATOR, ActorKind.SCHOOL)
        and actor.organisation_id == organisation.pk
        and actor.role in WRITERS
    )


@rule("assessment.plan.publish")
def _plan_publish(actor: Actor, organisation: Any) -> bool:
    return _body_staff(actor, organisation)


@rule("assessment.plan.score")
def _plan_score(actor: Actor, plan: Any) -> bool:
    return _body_staff(actor, plan.evaluator)


@rule("assessment.signup.self")
def _signup_self(actor: Actor, person: Any) -> bool:
    return actor.kind == ActorKind.LEARNER and actor.person_id == person.pk


@rule("assessment.signup.class")
def _signup_class(actor: Actor, school: Any) -> bool:
    return actor.kind == ActorKind.SCHOOL and actor.organisation_id == school.pk and actor.role in WRITERS


@rule("assessment.plan.sample")
def _plan_sample(actor: Actor, plan: Any) -> bool:
    return oversees_region(actor, plan.evaluator.region_code) and actor.role in WRITERS


@rule("assessment.award.confer")
def _award_confer(actor: Actor, award: Any) -> bool:
    return oversees_region(actor, award.recorded_by.region_code) and actor.role in WRITERS
