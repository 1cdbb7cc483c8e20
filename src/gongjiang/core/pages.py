"""Who may open a page, said once above the view: `@page_for(ActorKind.SCHOOL, organisation=True)`.

An anonymous visitor is sent to sign in (as `login_required` does); a signed-in actor of another
kind, or of no organisation when the page needs one, gets the same 403 before the view reads
anything, so a refusal says nothing about the records the page would have shown. What the actor
may do on the page (publish, decide, edit) is still the access policy's (`core.policies`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from gongjiang.core.actors import request_actor

View = TypeVar("View", bound=Callable[..., Any])


def page_for(*kinds: str, organisation: bool = False) -> Callable[[View], View]:
    """A page for signed-in actors of `kinds` (any kind when none is named) who, with
    `organisation`, act for an organisation."""

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            actor = request_actor(request)
            if (kinds and actor.kind not in kinds) or (organisation and not actor.organisation_code):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(checked)  # type: ignore[return-value]

    return decorate
