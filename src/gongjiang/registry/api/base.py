"""The registry's one router, and the scoped look-up of an organisation named by code."""

from __future__ import annotations

from django.http import HttpRequest

from gongjiang.core.api import actor_of, scoped_router
from gongjiang.directory import selectors as directory
from gongjiang.directory.models import Organisation

router = scoped_router(tags=["registry"])


def _school(request: HttpRequest, code: str) -> Organisation:
    """The organisation named by code, within the caller's scope: the school of a request, or the
    training provider, evaluation body or recording organisation a record belongs to."""
    return directory.organisation_get(actor=actor_of(request), code=code)
