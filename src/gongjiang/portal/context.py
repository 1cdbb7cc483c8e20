from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from gongjiang.core.actors import PUBLIC
from gongjiang.core.policies import allowed


def portal(request: HttpRequest) -> dict[str, Any]:
    """What every page's chrome needs: the actor and which menu entries it may use."""
    actor = getattr(request, "actor", PUBLIC)
    return {
        "actor": actor,
        "can_view_audit": actor.is_authenticated and allowed(actor, "audit.view"),
    }
