"""Masking of personal data in pages, exports and APIs (DESIGN.md rule 7)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def mask_id_number(value: str) -> str:
    """Keep the issuing region and the last four characters: 150102********123X."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]


def _hide(value: Any) -> str:
    return "＊＊" if value not in (None, "") else ""


# Fields of personal data as they are named in the models, and how each is masked wherever values
# are shown whole (the audit trail's before and after).
PERSONAL_FIELDS: dict[str, Callable[[Any], Any]] = {
    "id_number": lambda v: mask_id_number(str(v)) if v else v,
    "phone": lambda v: mask_phone(str(v)) if v else v,
    "contact_phone": lambda v: mask_phone(str(v)) if v else v,
    "applicant_phone": lambda v: mask_phone(str(v)) if v else v,
    "email": _hide,
    "birth_date": _hide,
    "ethnicity": _hide,
    "household_registration": _hide,
}


def mask_values(values: Any) -> Any:
    """A copy of a record's values (a dict, possibly nested) with its personal fields masked."""
    if isinstance(values, Mapping):
        return {
            key: PERSONAL_FIELDS[key](value) if key in PERSONAL_FIELDS else mask_values(value)
            for key, value in values.items()
        }
    if isinstance(values, list):
        return [mask_values(v) for v in values]
    return values
