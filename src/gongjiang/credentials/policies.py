"""Who may file evaluation bodies, issue and change certificates, and share them."""

from __future__ import annotations

from typing import Any

from gongjiang.core.actors import Actor
from gongjiang.core.policies import oversees_region, rule
from gongjiang.core.scope import ActorKind


def _staff(actor: Actor, organisation: Any) -> bool:
    return actor.organisation_id == organisation.pk and actor.role in ("admin", "staff")


@rule("credentials.filing.write")
def _filing_write(actor: Actor, organisation: Any) -> bool:
    # The bureau over the organisation's region files it, suspends or ends its filing.
    return oversees_region(actor, organisation.region_code) and actor.role in ("admin", "staff")


@rule("credentials.equivalence.switch")
def _equivalence_switch(actor: Actor, bureau: Any) -> bool:
    # A bureau's administrators switch the rule for their own region (`bureau` is None for anyone
    # who acts for no bureau).
    return (
        actor.kind == ActorKind.BUREAU
        and bureau is not None
        and actor.organisation_id == bureau.pk
        and actor.role == "admin"
    )


@rule("credentials.certificate.issue")
def _certificate_issue(actor: Actor, issuer: Any) -> bool:
    # The issuer's own staff; whether it may issue *this* certificate is the filing's question.
    return actor.kind in (ActorKind.SCHOOL, ActorKind.EVALUATOR, ActorKind.ENTERPRISE) and _staff(actor, issuer)


@rule("credentials.certificate.status")
def _certificate_status(actor: Actor, certificate: Any) -> bool:
    # The issuer revokes or suspends its own certificates; the bureau over it may too.
    issuer = certificate.issuer
    return _staff(actor, issuer) or (oversees_region(actor, issuer.region_code) and actor.role in ("admin", "staff"))


@rule("credentials.certificate.link")
def _certificate_link(actor: Actor, diploma: Any) -> bool:
    # The school that issued the diploma records its 双证书.
    return actor.kind == ActorKind.SCHOOL and _staff(actor, diploma.issuer)


@rule("credentials.share.write")
def _share_write(actor: Actor, certificate: Any) -> bool:
    return actor.kind == ActorKind.LEARNER and actor.person_id == certificate.holder_id
