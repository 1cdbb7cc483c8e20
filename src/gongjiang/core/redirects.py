"""Where a page may send the browser next: only to this site."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` the form or link asked for when it points into this site (a path, or this host
    over the request's scheme), else `fallback`: `//evil.example` or `https://evil.example/`
    must not turn the site into a link to somewhere else."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback
