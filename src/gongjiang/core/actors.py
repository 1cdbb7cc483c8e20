"""The actor: who is acting, for which organisation, over which region or person.

Every selector and service takes one. It is resolved once per request (`directory.middleware.ActorMiddleware`) and
once per command-line run (`system_actor`).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import Any

from gongjiang.core.scope import ActorKind


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    username: str = ""
    user_id: int | None = None
    organisation_id: int | None = None
    organisation_code: str = ""
    organisation_name: str = ""
    region_code: str = ""
    role: str = ""
    person_id: int | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.kind != ActorKind.PUBLIC

    @property
    def is_admin(self) -> bool:
        return self.kind == ActorKind.OPERATOR or self.role == "admin"


PUBLIC = Actor(kind=ActorKind.PUBLIC, username="")


def request_actor(request: Any) -> Actor:
    """The actor `directory.middleware.ActorMiddleware` resolved for a page request."""
    return request.actor  # type: ignore[no-any-return]


def system_actor(label: str | None = None) -> Actor:
    """The actor of a command-line run: an operator named after the shell user."""
    return Actor(kind=ActorKind.OPERATOR, username=f"cli:{label or getpass.getuser()}")


def on_behalf(actor: Actor, because: str) -> Actor:
    """The platform writing a record that follows from what `actor` did (an internship from an
    offer the learner accepted): allowed like an operator, audited under the actor's user and a
    name that says why. Only services that have checked the cause themselves may use it."""
    return Actor(kind=ActorKind.OPERATOR, username=f"{actor.username}（{because}）", user_id=actor.user_id)
