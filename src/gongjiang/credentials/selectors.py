"""Reads of the credentials app, scoped by the actor. The trust registry (filings) is public."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet

from gongjiang.core.actors import Actor
from gongjiang.core.scope import get_scoped_or_404, scoped
from gongjiang.credentials.models import Filing, FilingOccupation, FilingStatus
from gongjiang.directory.models import Organisation


def filing_covers(organisation: Organisation, occupation_code: str, level: int, on_date: dt.date) -> Filing | None:
    """The filing under which `organisation` may assess `occupation_code` at `level` on `on_date`
    (active, within its window, the occupation filed up to that level or higher), or None.

    Levels run 1 (高级技师) to 5 (初级工): a filing up to level 3 covers levels 3, 4 and 5.
    """
    return (
        Filing.objects.filter(
            organisation=organisation,
            status=FilingStatus.ACTIVE,
            valid_from__lte=on_date,
            valid_until__gte=on_date,
            occupations__occupation_code=occupation_code,
            occupations__highest_level__lte=level,
        )
        .order_by("-valid_from", "-id")
        .first()
    )


def filing_list(*, actor: Actor, organisation_id: int | None = None, status: str | None = None) -> QuerySet[Filing]:
    """The trust registry as `actor` reads it (everyone reads all of it), newest first."""
    found = scoped(Filing.objects.all(), actor).select_related("organisation", "filed_by")
    if organisation_id is not None:
        found = found.filter(organisation_id=organisation_id)
    if status:
        found = found.filter(status=status)
    return found.prefetch_related(
        Prefetch("occupations", queryset=FilingOccupation.objects.order_by("occupation_code"))
    ).order_by("-created_at", "-id")


def filing_get(*, actor: Actor, number: str) -> Filing:
    return get_scoped_or_404(
        Filing.objects.select_related("organisation", "filed_by").prefetch_related("occupations", "events"),
        actor,
        number=number,
    )
