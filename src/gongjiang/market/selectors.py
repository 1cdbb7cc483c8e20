"""Reads of the marketplace, scoped by the actor: published postings are public; an owner sees
its own in every state; the bureau sees its region's, including those waiting for moderation."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from gongjiang.core.actors import Actor
from gongjiang.core.scope import get_scoped_or_404, region_prefix, scoped
from gongjiang.market import search
from gongjiang.market.models import (
    Application,
    EnterpriseProfile,
    Notification,
    PolicyNotice,
    Posting,
    PostingKind,
    PostingStatus,
)

SORTS = ("relevance", "date", "pay")
# Work per search is bounded whatever the number of matches: relevance is ranked among the newest
# SEARCH_WINDOW matches, facets are counted over the newest SEARCH_WINDOW, and counts stop there
# ("超过 2,000 条"). Someone who needs more narrows the search. Each match read is a row of the
# posting table, so the window, not the marketplace's size, sets the time of a search.
SEARCH_WINDOW = 2000


def posting_list(*, actor: Actor) -> QuerySet[Posting]:
    return scoped(Posting.objects.select_related("owner"), actor)


def posting_get(*, actor: Actor, posting_id: int) -> Posting:
    return get_scoped_or_404(Posting.objects.select_related("owner"), actor, pk=posting_id)


def moderation_queue(*, actor: Actor) -> QuerySet[Posting]:
    """Postings waiting for this bureau, oldest first."""
    return posting_list(actor=actor).filter(status=PostingStatus.PENDING).order_by("created_at", "pk")


def profile_of(*, actor: Actor, organisation_id: int) -> EnterpriseProfile | None:
    return (
        scoped(EnterpriseProfile.objects.select_related("organisation"), actor)
        .filter(organisation_id=organisation_id)
        .first()
    )


@dataclass(frozen=True)
class Filters:
    q: str = ""
    kind: str = ""
    region: str = ""  # a region code: its prefix selects the region and everything under it
    occupation: str = ""  # a code prefix: 6-18 selects the whole middle class
    industry: str = ""
    level: str = ""
    pay_min: int | None = None
    sort: str = "relevance"


@dataclass(frozen=True)
class Facet:
    value: str
    count: int


def public_postings(today: dt.date | None = None) -> QuerySet[Posting]:
    """Published and not past their deadline: what anyone may search."""
    today = today or timezone.localdate()
    return Posting.objects.filter(status=PostingStatus.PUBLISHED, deadline__gte=today)


@dataclass(frozen=True)
class SearchResult:
    """A search: the postings in the order asked for, how many match (counted up to
    SEARCH_WINDOW + 1, so more shows as "超过 2,000 条") and the facets of the newest matches."""

    postings: QuerySet[Posting]
    count: int
    facets: dict[str, list[Facet]]

    @property
    def capped(self) -> bool:
        return self.count > SEARCH_WINDOW


# The window's columns: what the facets count, the pay to sort by, and the rank where words are given.
_WINDOW_COLUMNS = ("pk", "kind", "level", "region_code", "occupation_code", "industry_code", "pay_max")


def posting_search(*, actor: Actor, filters: Filters) -> SearchResult:
    """Published postings matching the words and filters, best first (or newest, or best paid).

    One read of the newest SEARCH_WINDOW + 1 matches serves the count, the facets and, when words
    are given, the order: the window is ranked (or sorted by pay) here and the page is read by id,
    so a frequent word costs one pass over its newest matches, not one per question asked of it."""
    filtered = public_postings()
    if filters.kind in PostingKind.values:
        filtered = filtered.filter(kind=filters.kind)
    if filters.region:
        filtered = filtered.filter(region_code__startswith=region_prefix(filters.region))
    if filters.occupation:
        filtered = filtered.filter(occupation_code__startswith=filters.occupation)
    if filters.industry:
        filtered = filtered.filter(industry_code__startswith=filters.industry)
    if filters.level:
        filtered = filtered.filter(level=filters.level)
    if filters.pay_min is not None:
        filtered = filtered.filter(pay_max__gte=filters.pay_min)
    found, tsquery = search.matching(filtered, filters.q)
    if tsquery is None:
        window = list(_newest(found).values_list(*_WINDOW_COLUMNS)[: SEARCH_WINDOW + 1])
        if filters.sort == "pay":
            # Postings without a stated pay last (PostgreSQL would put NULL first in a descending order).
            ordered = found.order_by(F("pay_max").desc(nulls_last=True), "-published_at", "-pk")
        else:
            ordered = _newest(found)
        return SearchResult(ordered.select_related("owner"), len(window), _facets(window))
    window = search.newest_matches(filtered, tsquery, _WINDOW_COLUMNS, SEARCH_WINDOW + 1)
    kept = window[:SEARCH_WINDOW]
    if filters.sort == "pay":
        kept = sorted(kept, key=lambda row: -(row[6] or -1))  # stable: newest first among equals
    elif filters.sort == "relevance":
        kept = sorted(kept, key=lambda row: -row[-1])
    ids = [row[0] for row in kept]
    ordered = Posting.objects.filter(pk__in=ids).select_related("owner").order_by(search.position_in(ids))
    return SearchResult(ordered, len(window), _facets(window))


def _newest(found: QuerySet[Posting]) -> QuerySet[Posting]:
    return found.order_by("-published_at", "-pk")


def _facets(window: list[tuple[Any, ...]]) -> dict[str, list[Facet]]:
    """Counts of the window's postings by type, level, city, occupation middle class and industry
    section, from the codes the window read."""
    keys: dict[str, Callable[[str], str]] = {
        "kind": lambda code: code,
        "level": lambda code: code,
        "region": lambda code: code[:4] + "00",  # a district counts for its city
        "occupation": lambda code: code[:4],  # an occupation for its middle class
        "industry": lambda code: code[:1],  # an industry for its section
    }
    counters: dict[str, Counter[str]] = {name: Counter() for name in keys}
    for row in window[:SEARCH_WINDOW]:
        for (name, key), value in zip(keys.items(), row[1:6], strict=True):
            if value:
                counters[name][key(value)] += 1
    return {
        name: [Facet(v, n) for v, n in sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:20]]
        for name, counter in counters.items()
    }


def application_list(*, actor: Actor) -> QuerySet[Application]:
    """A learner's own applications; a publisher's applicants; the bureau's region's."""
    return scoped(Application.objects.select_related("posting__owner", "applicant"), actor)


def application_get(*, actor: Actor, application_id: int) -> Application:
    return get_scoped_or_404(
        Application.objects.select_related("posting__owner", "applicant"), actor, pk=application_id
    )


def inbox(*, actor: Actor) -> QuerySet[Notification]:
    return scoped(Notification.objects.all(), actor).order_by("-created_at", "-pk")


def unread_count(*, actor: Actor) -> int:
    return scoped(Notification.objects.filter(read_at__isnull=True), actor).count()


def policy_list(*, actor: Actor) -> QuerySet[PolicyNotice]:
    return scoped(PolicyNotice.objects.select_related("bureau"), actor)


def policy_get(*, actor: Actor, notice_id: int) -> PolicyNotice:
    return get_scoped_or_404(PolicyNotice.objects.select_related("bureau"), actor, pk=notice_id)
