"""Reading the audit trail, scoped like everything else."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from gongjiang.core import audit
from gongjiang.core.actors import Actor
from gongjiang.core.models import AuditEntry
from gongjiang.core.policies import allowed, require
from gongjiang.core.scope import get_scoped_or_404, scoped


def audit_list(
    *,
    actor: Actor,
    action: str = "",
    entity_type: str = "",
    username: str = "",
    organisation_code: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The audit trail the actor may browse: a bureau its region's, an organisation's admin its own."""
    if not allowed(actor, "audit.view"):
        return AuditEntry.objects.none()
    qs = scoped(AuditEntry.objects.all(), actor)
    if action:
        qs = qs.filter(action__startswith=action)
    if entity_type:
        qs = qs.filter(entity_type=entity_type)
    if username:
        qs = qs.filter(actor_username=username)
    if organisation_code:
        qs = qs.filter(scope_organisation_code=organisation_code)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs


def audit_reveal(*, actor: Actor, entry_id: int) -> AuditEntry:
    """One entry of the actor's trail, to be shown with its personal values whole: allowed to those
    the policy names (`audit.reveal`), and recorded, since it is a read of unmasked personal data."""
    require(actor, "audit.reveal")
    entry = get_scoped_or_404(AuditEntry.objects.all(), actor, pk=entry_id)
    audit.record(
        actor=actor,
        action="audit.reveal",
        entity=entry,
        entity_label=f"{entry.action} {entry.entity_label}"[:200],
        after={"entry": entry.pk, "unmasked": True},
    )
    return entry
