from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from gongjiang.directory.selectors import ACTIVE_ORGANISATION_SESSION_KEY, actor_for_user


class ActorMiddleware:
    """Attach `request.actor` after authentication, so views and the API read one resolved actor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = actor_for_user(  # type: ignore[attr-defined]
            request.user,  # type: ignore[arg-type]
            request.session.get(ACTIVE_ORGANISATION_SESSION_KEY),
        )
        return self.get_response(request)
