from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from gongjiang.core.actors import PUBLIC
from gongjiang.core.policies import allowed
from gongjiang.core.scope import ActorKind
from gongjiang.directory.selectors import memberships_of_user
from gongjiang.market.selectors import new_applications, unread_count


def portal(request: HttpRequest) -> dict[str, Any]:
    """What every page's chrome needs: the actor and which menu entries it may use."""
    actor = getattr(request, "actor", PUBLIC)
    return {
        "actor": actor,
        "can_view_audit": actor.is_authenticated and allowed(actor, "audit.view"),
        "my_memberships": list(memberships_of_user(actor=actor)) if actor.is_authenticated else [],
        # Learners have their own inbox; an enterprise's or school's is shared by its staff.
        "unread": unread_count(actor=actor)
        if actor.kind in (ActorKind.LEARNER, ActorKind.ENTERPRISE, ActorKind.SCHOOL)
        else 0,
        # Publishers see how many applications wait for them to act, wherever they are on the site.
        "new_applications": new_applications(actor=actor)
        if actor.kind in (ActorKind.ENTERPRISE, ActorKind.SCHOOL)
        else 0,
    }
