"""Who may change the marketplace: an organisation its own profile and postings (its staff, not
viewers), the bureau over the owner's region moderates."""

from __future__ import annotations

from typing import Any

from gongjiang.core.actors import Actor
from gongjiang.core.policies import oversees_region, rule
from gongjiang.core.scope import ActorKind


def _own_staff(actor: Actor, organisation: Any) -> bool:
    return (
        actor.kind in (ActorKind.ENTERPRISE, ActorKind.SCHOOL)
        and actor.organisation_id == organisation.pk
        and actor.role in ("admin", "staff")
    )


@rule("market.profile.write")
def _profile_write(actor: Actor, organisation: Any) -> bool:
    return _own_staff(actor, organisation)


@rule("market.posting.write")
def _posting_write(actor: Actor, owner: Any) -> bool:
    return _own_staff(actor, owner)


@rule("market.posting.moderate")
def _posting_moderate(actor: Actor, owner: Any) -> bool:
    return oversees_region(actor, owner.region_code)


@rule("market.posting.archive")
def _posting_archive(actor: Actor, region_code: Any) -> bool:
    # Demand is counted where the work is: a bureau records earlier postings in its own region only.
    return isinstance(region_code, str) and oversees_region(actor, region_code)


@rule("market.application.submit")
def _application_submit(actor: Actor, posting: Any) -> bool:
    return actor.kind == ActorKind.LEARNER and actor.person_id is not None


@rule("market.application.respond")
def _application_respond(actor: Actor, application: Any) -> bool:
    return actor.kind == ActorKind.LEARNER and actor.person_id == application.applicant_id


@rule("market.order_class.agree")
def _order_class_agree(actor: Actor, school: Any) -> bool:
    return actor.kind == ActorKind.SCHOOL and _own_staff(actor, school)


@rule("market.push.preference")
def _push_preference(actor: Actor, person: Any) -> bool:
    return actor.kind == ActorKind.LEARNER and actor.person_id == person.pk


@rule("market.policy.publish")
def _policy_publish(actor: Actor, bureau: Any) -> bool:
    return actor.kind == ActorKind.BUREAU and actor.organisation_id == bureau.pk and actor.role in ("admin", "staff")
