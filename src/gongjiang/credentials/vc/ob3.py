"""Reading the Open Badges 3.0 envelope: the parts the verifier needs whatever the issuer."""

from __future__ import annotations

from typing import Any


def issuer_id(credential: dict[str, Any]) -> str | None:
    """The issuer's id, whether ``issuer`` is a string or a Profile object."""
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and len(issuer) <= 500 else None
