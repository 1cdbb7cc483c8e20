"""The Content-Security-Policy header, with a fresh nonce per request for the pages' inline scripts."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    """Give each request a nonce (`request.csp_nonce`, used as `nonce="{{ request.csp_nonce }}"`)
    and send the policy of `settings.CONTENT_SECURITY_POLICY` with it on every response.

    A nonce rather than 'unsafe-inline': a name or description that slipped past escaping still
    cannot run script, since it cannot know the nonce."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy.replace("{nonce}", nonce)
        return response
