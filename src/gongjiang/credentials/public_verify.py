"""Public verification of a credential, shared by the page and the API: bounded input, a rate
limit per client address, and the platform's registry as the TrustSource."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from gongjiang.core import throttle
from gongjiang.credentials.trust import DatabaseTrust
from gongjiang.credentials.vc.verify import Outcome, VerificationReport, verify_credential

CSS = {Outcome.PASSED: "achieved", Outcome.FAILED: "missed", Outcome.UNCHECKED: "no_data"}


def client_address(request: HttpRequest) -> str:
    """As the server saw it (a header the client could set is never trusted for throttling)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def verify_allowed(request: HttpRequest) -> bool:
    """Count this request against the client's allowance for the current minute, in the database,
    so that every server process counts into the same allowance."""
    return throttle.hit(
        f"credentials.verify:{client_address(request)}", limit=settings.CREDENTIALS_VERIFY_PER_MINUTE, seconds=60
    )


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
