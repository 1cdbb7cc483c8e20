"""Public verification of a credential, shared by the page and the API: bounded input, a rate
limit per client address, and the platform's registry as the TrustSource."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from gongjiang.credentials.trust import DatabaseTrust
from gongjiang.credentials.vc.verify import Outcome, VerificationReport, verify_credential

CSS = {Outcome.PASSED: "achieved", Outcome.FAILED: "missed", Outcome.UNCHECKED: "no_data"}


def client_address(request: HttpRequest) -> str:
    """As the server saw it (a header the client could set is never trusted for throttling)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def verify_allowed(request: HttpRequest) -> bool:
    """Count this request against the client's allowance for the current minute."""
    key = f"gj:verify:{client_address(request)}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: count afresh
        cache.set(key, 1, timeout=120)
        count = 1
    return count <= settings.CREDENTIALS_VERIFY_PER_MINUTE


def verify_public(document: dict[str, Any] | bytes | str) -> VerificationReport:
    """Verify with the platform's own issuers and registry; nothing is fetched from elsewhere."""
    return verify_credential(document, DatabaseTrust())


def checks_for_display(report: VerificationReport) -> list[dict[str, str]]:
    return [
        {
            "name": c.name,
            "label": c.label,
            "outcome": c.outcome.value,
            "css": CSS[c.outcome],
            "message": c.message.text(),
        }
        for c in report.checks
    ]
