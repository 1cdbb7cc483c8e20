"""Reading the audit trail, scoped like everything else."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from gongjiang.core.actors import Actor
from gongjiang.core.models import AuditEntry
from gongjiang.core.policies import allowed
from gongjiang.core.scope import scoped


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
