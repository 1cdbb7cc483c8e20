"""Every import that names people is counted and audited, dry runs included (ADR 0023).

A dry run reads the register as a real import does, so it is a read worth recording; and an
organisation that checks file after file of guessed identity numbers is slowed down, however
little the answers say. The limit is per organisation and hour (`IMPORTS_PER_HOUR`); the command
line, run by the platform's operators, is not limited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import audit
from gongjiang.core.actors import Actor
from gongjiang.core.models import AuditEntry
from gongjiang.core.scope import ActorKind
from gongjiang.directory.models import Organisation

IMPORT_ACTIONS = ("import.check", "import.write", "import.refused")


def import_refusal(*, actor: Actor, school: Organisation) -> str:
    """Why this organisation may not import now (empty when it may): too many imports this hour."""
    if actor.kind == ActorKind.OPERATOR:
        return ""
    limit = int(getattr(settings, "IMPORTS_PER_HOUR", 30))
    since = timezone.now() - dt.timedelta(hours=1)
    done = AuditEntry.objects.filter(
        scope_organisation_id=school.pk, action__in=IMPORT_ACTIONS[:2], at__gte=since
    ).count()
    if done < limit:
        return ""
    return _("本单位一小时内已导入或检查 %(n)d 次，已达上限，请稍后再试；如需批量处理请联系人社部门。") % {"n": done}


def import_audit(*, actor: Actor, school: Organisation, kind: str, filename: str, summary: dict[str, Any]) -> None:
    """One entry for an import: a dry run (`import.check`), a write (`import.write`), or a refusal."""
    if summary.get("refused"):
        action = "import.refused"
    elif summary.get("dry_run") or summary.get("errors"):
        action = "import.check"
    else:
        action = "import.write"
    audit.record(
        actor=actor,
        action=action,
        entity_type=f"registry.import.{kind}",
        entity_id=school.code,
        entity_label=filename[:200],
        after={key: summary.get(key) for key in ("rows", "created", "updated", "unchanged", "errors", "dry_run")},
        owner=school,
    )
