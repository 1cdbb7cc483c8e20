"""Reads of the marketplace, scoped by the actor: published postings are public; an owner sees
its own in every state; the bureau sees its region's, including those waiting for moderation."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

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


def posting_search(*, actor: Actor, filters: Filters) -> QuerySet[Posting]:
    """Published postings matching the words and filters, best first (or newest, or best paid)."""
    found, ranked = search.matching(public_postings().select_related("owner"), filters.q)
    if filters.kind in PostingKind.values:
        found = found.filter(kind=filters.kind)
    if filters.region:
        found = found.filter(region_code__startswith=region_prefix(filters.region))
    if filters.occupation:
        found = found.filter(occupation_code__startswith=filters.occupation)
    if filters.industry:
        found = found.filter(industry_code__startswith=filters.industry)
    if filters.level:
        found = found.filter(level=filters.level)
    if filters.pay_min is not None:
        found = found.filter(pay_max__gte=filters.pay_min)
    if filters.sort == "pay":
        # Postings without a stated pay last (PostgreSQL would put NULL first in a descending order).
        return found.order_by(F("pay_max").desc(nulls_last=True), "-published_at", "-pk")
    if filters.sort == "relevance" and ranked:
        # The window's ids are read once, so counting, paging and facets do not each search again.
        newest = list(found.order_by("-published_at", "-pk").values_list("pk", flat=True)[: SEARCH_WINDOW + 1])
        return found.filter(pk__in=newest).order_by("-search_rank", "-published_at", "-pk")
    return found.order_by("-published_at", "-pk")


def facets(queryset: QuerySet[Posting]) -> dict[str, list[Facet]]:
    """Counts of the matching postings by type, level, city, occupation middle class and industry
    section, over the newest SEARCH_WINDOW of them: one query reads the window's five codes and
    they are counted here (five GROUP BYs would each read the window again)."""
    window = queryset.order_by("-published_at", "-pk").values_list(
        "kind", "level", "region_code", "occupation_code", "industry_code"
    )[:SEARCH_WINDOW]
    keys: dict[str, Callable[[str], str]] = {
        "kind": lambda code: code,
        "level": lambda code: code,
        "region": lambda code: code[:4] + "00",  # a district counts for its city
        "occupation": lambda code: code[:4],  # an occupation for its middle class
        "industry": lambda code: code[:1],  # an industry for its section
    }
    counters: dict[str, Counter[str]] = {name: Counter() for name in keys}
    for row in window:
        for (name, key), value in zip(keys.items(), row, strict=True):
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
