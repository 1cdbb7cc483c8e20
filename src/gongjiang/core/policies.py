"""The one access policy: every permission is a named rule, and services ask `require()`.

Apps register their rules in their own `policies.py` with `@rule("app.permission")`; asking for
an unknown permission is an error, so a misspelt name cannot silently allow or deny.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gongjiang.core.actors import Actor
from gongjiang.core.scope import ActorKind, region_prefix

Rule = Callable[[Actor, Any], bool]
_RULES: dict[str, Rule] = {}


def rule(permission: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        if permission in _RULES:
            raise ValueError(f"permission {permission!r} registered twice")
        _RULES[permission] = fn
        return fn

    return register


def allowed(actor: Actor, permission: str, target: Any = None) -> bool:
    if actor.kind == ActorKind.OPERATOR:
        return True
    check = _RULES.get(permission)
    if check is None:
        raise KeyError(f"unknown permission {permission!r}")
    return bool(check(actor, target))


def require(actor: Actor, permission: str, target: Any = None) -> None:
    if not allowed(actor, permission, target):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def oversees_region(actor: Actor, region_code: str) -> bool:
    """True when the actor is a bureau whose region contains `region_code`."""
    return (
        actor.kind == ActorKind.BUREAU
        and bool(actor.region_code)
        and region_code.startswith(region_prefix(actor.region_code))
    )


@rule("audit.view")
def _audit_view(actor: Actor, _target: Any) -> bool:
    # Bureaus browse their region's trail; an organisation's admin sees its own.
    return actor.kind == ActorKind.BUREAU or (actor.organisation_id is not None and actor.role == "admin")


@rule("audit.reveal")
def _audit_reveal(actor: Actor, _target: Any) -> bool:
    # The full personal values behind an entry: a bureau's administrators, who answer for the
    # register's corrections and complaints; each such read is itself an entry.
    return actor.kind == ActorKind.BUREAU and actor.role == "admin"
