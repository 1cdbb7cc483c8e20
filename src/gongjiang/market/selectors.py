"""Reads of the marketplace, scoped by the actor: published postings are public; an owner sees
its own in every state; the bureau sees its region's, including those waiting for moderation."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, overload

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Concat, Left

from gongjiang.core import audit, clock
from gongjiang.core.actors import Actor
from gongjiang.core.masking import mask_phone
from gongjiang.core.scope import get_scoped_or_404, region_prefix, scoped
from gongjiang.directory.models import Organisation
from gongjiang.market import search
from gongjiang.market.models import (
    Application,
    ApplicationStatus,
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


def own_postings(*, actor: Actor, owner: Organisation) -> QuerySet[Posting]:
    """An owner's postings, those that still need something or are open first (returned, waiting,
    published and not past the deadline), then the closed and expired; newest first within each;
    with their number of applications as `applicants` and `expired`."""
    today = clock.today()
    open_ = Q(status=PostingStatus.PUBLISHED, deadline__gte=today)
    rank = Case(
        When(status=PostingStatus.RETURNED, then=Value(0)),
        When(status=PostingStatus.PENDING, then=Value(1)),
        When(open_, then=Value(2)),
        default=Value(3),
    )
    return (
        posting_list(actor=actor)
        .filter(owner=owner)
        .annotate(
            rank=rank,
            applicants=Count("applications"),
            new_applicants=Count("applications", filter=Q(applications__status=ApplicationStatus.APPLIED)),
            expired=Case(
                When(status=PostingStatus.PUBLISHED, deadline__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("rank", "-created_at", "-pk")
    )


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
    today = today or clock.today()
    return Posting.objects.filter(status=PostingStatus.PUBLISHED, deadline__gte=today)


def open_by_occupation(codes: Sequence[str]) -> dict[str, int]:
    """How many open postings each occupation has, for the suggestions under the search box."""
    rows = public_postings().filter(occupation_code__in=codes).values("occupation_code").annotate(n=Count("pk"))
    return {row["occupation_code"]: row["n"] for row in rows}


@dataclass(frozen=True)
class SearchResult:
    """A search: the postings in the order asked for, how many match (counted up to
    SEARCH_WINDOW + 1, so more shows as "超过 2,000 条") and the facets of the newest matches."""

    postings: QuerySet[Posting] | PostingsInOrder
    count: int
    facets: dict[str, list[Facet]]
    terms: list[str]  # the words searched for (`search.query_words`), for highlighting

    @property
    def capped(self) -> bool:
        return self.count > SEARCH_WINDOW


# The window's columns: what the facets count, the pay to sort by, and the rank where words are given.
_WINDOW_COLUMNS = ("pk", "kind", "level", "region_code", "occupation_code", "industry_code", "pay_max")


def posting_search(*, actor: Actor, filters: Filters) -> SearchResult:
    """Published postings matching the words and filters, best first (or newest, or best paid).

    One read of the newest SEARCH_WINDOW + 1 matches serves the count, the facets and, when words
    are given, the order: the window is ranked (or sorted by pay) here and only the rows of the
    page asked for are read again, by id."""
    terms = search.query_words(filters.q)
    # With words, the word index finds the candidates, and takes the filters it holds as lexemes
    # (type, region, occupation and industry class); the rest are checked on the rows it found.
    # Given as plain column conditions, the planner would intersect the word index with a
    # whole-table scan of the region or type index instead (13 ms for a city's 200,000 postings).
    in_vector = bool(terms) and search.vector_search()
    facts, rest = _facts(filters) if in_vector else ([], filters)
    filtered = apply_filters(public_postings(), rest, indexed=not in_vector)
    found, tsquery = search.matching(filtered, terms)
    # A word of a kind (实习) puts postings of that kind first when ordered by relevance.
    preferred = search.preferred_kinds(terms) if filters.sort == "relevance" else set()
    if tsquery is None:
        window = list(_newest(found).values_list(*_WINDOW_COLUMNS)[: SEARCH_WINDOW + 1])
        if filters.sort == "pay":
            # Postings without a stated pay last (PostgreSQL would put NULL first in a descending order).
            ordered = found.order_by(F("pay_max").desc(nulls_last=True), "-published_at", "-pk")
        elif preferred:
            first = Case(When(kind__in=preferred, then=Value(0)), default=Value(1))
            ordered = found.order_by(first, "-published_at", "-pk")
        else:
            ordered = _newest(found)
        return SearchResult(ordered.select_related("owner"), len(window), _facets(window), terms)
    window = search.newest_matches(filtered, tsquery, _WINDOW_COLUMNS, SEARCH_WINDOW + 1, facts=facts)
    kept = window[:SEARCH_WINDOW]
    if filters.sort == "pay":
        kept = sorted(kept, key=lambda row: -(row[6] or -1))  # stable: newest first among equals
    elif filters.sort == "relevance":
        kept = sorted(kept, key=lambda row: (row[1] not in preferred, -row[-1]))
    return SearchResult(PostingsInOrder([row[0] for row in kept]), len(window), _facets(window), terms)


# Filter values the search vector holds as lexemes (market migration 0008): a type, a province,
# city or district, an occupation major or middle class, an industry section.
_CODE = re.compile(r"[0-9A-Za-z-]+")
_LEXEME_LENGTHS = {"region": (2, 4, 6), "occupation": (1, 4), "industry": (1,)}


def _facts(filters: Filters) -> tuple[list[str], Filters]:
    """The lexemes for the filters the search vector holds, and the filters left to check on rows."""
    lexemes: list[str] = []
    cleared: dict[str, Any] = {}
    if filters.kind in PostingKind.values:
        lexemes.append(f"_k{filters.kind}")
        cleared["kind"] = ""
    values = {
        "region": region_prefix(filters.region) if filters.region else "",
        "occupation": filters.occupation,
        # The vector holds an industry's section letter (migration 0009), upper case; a digit is
        # a code prefix, left to the row filter.
        "industry": filters.industry.upper() if filters.industry.isalpha() else "",
    }
    for name, value in values.items():
        if value and _CODE.fullmatch(value) and len(value) in _LEXEME_LENGTHS[name]:
            lexemes.append(f"_{name[0]}{value}")
            cleared[name] = ""
    return lexemes, replace(filters, **cleared)


def apply_filters(postings: QuerySet[Posting], filters: Filters, *, indexed: bool) -> QuerySet[Posting]:
    """The postings that pass the filters. With `indexed` false each condition is an expression
    no index answers (same meaning), so that it is checked on the rows another index found."""
    conditions: dict[str, Any] = {}
    if filters.kind in PostingKind.values:
        conditions["kind"] = filters.kind
    industry = filters.industry
    if len(industry) == 1 and industry.isalpha():
        # A section: codes are kept as the table writes them (3421), so its divisions are asked.
        divisions = [f"{d:02d}" for d in search.SECTION_DIVISIONS.get(industry.upper(), ())]
        postings = postings.alias(industry_division=Left("industry_code", 2)).filter(
            Q(industry_code__startswith=industry.upper()) | Q(industry_division__in=divisions)
        )
        industry = ""
    for name, prefix in (
        ("region_code", region_prefix(filters.region) if filters.region else ""),
        ("occupation_code", filters.occupation),
        ("industry_code", industry),
    ):
        if prefix and indexed:
            conditions[f"{name}__startswith"] = prefix
        elif prefix:
            postings = postings.alias(**{f"{name}_head": Left(name, len(prefix))})
            conditions[f"{name}_head"] = prefix
    if filters.level:
        conditions["level"] = filters.level
    if not indexed:
        for name in ("kind", "level"):
            if name in conditions:
                postings = postings.alias(**{f"{name}_text": Concat(name, Value(""))})
                conditions[f"{name}_text"] = conditions.pop(name)
    if filters.pay_min is not None:
        if indexed:
            conditions["pay_max__gte"] = filters.pay_min
        else:
            postings = postings.alias(pay_plus=F("pay_max") + 0)  # NULL stays NULL: no pay, no match
            conditions["pay_plus__gte"] = filters.pay_min
    return postings.filter(**conditions)


class PostingsInOrder(Sequence[Posting]):
    """Postings known by id, in the order given; a slice (a page) reads only its own rows."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Posting: ...

    @overload
    def __getitem__(self, index: slice) -> list[Posting]: ...

    def __getitem__(self, index: int | slice) -> Posting | list[Posting]:
        if isinstance(index, slice):
            ids = self.ids[index]
            rows = Posting.objects.select_related("owner").in_bulk(ids)
            return [rows[i] for i in ids if i in rows]
        return Posting.objects.select_related("owner").get(pk=self.ids[index])

    def __iter__(self) -> Iterator[Posting]:
        return iter(self[:])


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
        "industry": search.industry_section,  # an industry for its section
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


# An application is open while the publisher still decides on it: its contact details serve that.
CONTACT_OPEN = ("applied", "viewed", "interview", "offer")


def applicant_phones(*, actor: Actor, posting: Posting, applications: Sequence[Application]) -> dict[int, str]:
    """Each application's phone as its publisher may see it: whole while the application is open
    and the actor acts for the publisher, masked otherwise. Showing whole numbers is a read of
    personal data, so it is recorded."""
    publisher = actor.organisation_id == posting.owner_id
    shown: dict[int, str] = {}
    for application in applications:
        phone = application.applicant.phone
        whole = publisher and application.status in CONTACT_OPEN and bool(phone)
        shown[application.pk] = phone if whole else (mask_phone(phone) if phone else "")
    revealed = [pk for pk in shown if shown[pk] and "*" not in shown[pk]]
    if revealed:
        audit.record(
            actor=actor,
            action="application.contact_view",
            entity=posting,
            after={"applications": revealed, "unmasked": True},
            owner=posting.owner,
        )
    return shown


def application_get(*, actor: Actor, application_id: int) -> Application:
    return get_scoped_or_404(
        Application.objects.select_related("posting__owner", "applicant"), actor, pk=application_id
    )


def new_applications(*, actor: Actor) -> int:
    """Applications to the actor's organisation's postings that nobody there has acted on yet
    (still 已投递): what the publisher's menu shows as waiting."""
    if actor.organisation_id is None:
        return 0
    return (
        application_list(actor=actor)
        .filter(posting__owner_id=actor.organisation_id, status=ApplicationStatus.APPLIED)
        .count()
    )


def inbox(*, actor: Actor) -> QuerySet[Notification]:
    return scoped(Notification.objects.all(), actor).order_by("-created_at", "-pk")


def notification_get(*, actor: Actor, notification_id: int) -> Notification:
    """One of the actor's own messages; anyone else's reads as missing."""
    return get_scoped_or_404(Notification.objects.all(), actor, pk=notification_id)


def unread_count(*, actor: Actor) -> int:
    return scoped(Notification.objects.filter(read_at__isnull=True), actor).count()


def policy_list(*, actor: Actor) -> QuerySet[PolicyNotice]:
    return scoped(PolicyNotice.objects.select_related("bureau"), actor)


def policy_get(*, actor: Actor, notice_id: int) -> PolicyNotice:
    return get_scoped_or_404(PolicyNotice.objects.select_related("bureau"), actor, pk=notice_id)
