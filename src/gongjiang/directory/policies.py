"""Who may change organisations, accounts and people."""

from __future__ import annotations

from typing import Any

from gongjiang.core.actors import Actor
from gongjiang.core.policies import oversees_region, rule
from gongjiang.core.scope import ActorKind


@rule("organisation.create")
def _organisation_create(actor: Actor, region_code: Any) -> bool:
    # A bureau registers schools, enterprises, evaluators and lower bureaus in its own region.
    return isinstance(region_code, str) and oversees_region(actor, region_code)


@rule("organisation.update")
def _organisation_update(actor: Actor, organisation: Any) -> bool:
    if oversees_region(actor, organisation.region_code):
        return True
    return actor.organisation_id == organisation.pk and actor.role == "admin"


@rule("membership.grant")
def _membership_grant(actor: Actor, organisation: Any) -> bool:
    return _organisation_update(actor, organisation)


@rule("person.create")
def _person_create(actor: Actor, _target: Any) -> bool:
    # Schools register learners and teachers, bureaus and evaluation bodies record trainees.
    # Enterprises register the employees they take on as apprentices.
    return actor.kind in (
        ActorKind.BUREAU,
        ActorKind.SCHOOL,
        ActorKind.EVALUATOR,
        ActorKind.ENTERPRISE,
    ) and actor.role in (
        "admin",
        "staff",
    )


@rule("account.create")
def _account_create(actor: Actor, _target: Any) -> bool:
    return actor.kind in (ActorKind.BUREAU, ActorKind.SCHOOL) and actor.role == "admin"


@rule("account.manage")
def _account_manage(actor: Actor, user: Any) -> bool:
    # An organisation's admin manages the accounts of its own members (the bureau's admin, the
    # bureau's); nobody else's, whatever the region.
    if actor.role != "admin" or actor.organisation_id is None:
        return False
    return bool(user.memberships.filter(organisation_id=actor.organisation_id).exists())


@rule("account.invite")
def _account_invite(actor: Actor, organisation: Any) -> bool:
    return actor.role == "admin" and actor.organisation_id == organisation.pk
