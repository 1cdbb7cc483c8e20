"""Masking of personal data in pages, exports and APIs (DESIGN.md rule 7)."""

from __future__ import annotations


def mask_id_number(value: str) -> str:
    """Keep the issuing region and the last four characters: 150102********123X."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]
