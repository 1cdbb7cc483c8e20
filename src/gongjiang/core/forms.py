"""Shared form plumbing: pages read forms, services decide."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

# A browser's date box takes and shows ISO dates only: with the site's own format (2027/01/20)
# an edit form would open with its dates blank.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def attach(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
