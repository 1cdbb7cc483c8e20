"""What enterprises and schools publish, each checked by the city bureau: drafts, their fates,
publication, and the dates they were written."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.demo.market.context import MarketCounts, _Context, _Draft
from gongjiang.demo.market.tables import (
    ENTERPRISE_MIX,
    PENDING_SHARE,
    POSTINGS_PER_RETURN,
    RETURN_FLAWS,
    SCHOOL_OTHERS,
    Employer,
)
from gongjiang.demo.market.texts import _values
from gongjiang.directory.models import Organisation, OrganisationKind
from gongjiang.market import services
from gongjiang.market.models import (
    Notification,
    Posting,
    PostingKind,
    PostingStatus,
)


def _enterprise_drafts(context: _Context, enterprises: Sequence[Employer], rng: random.Random) -> list[_Draft]:
    """Three to eight postings an enterprise, mostly jobs and internships; the first enterprise (the
    `enterprise` persona) always has a job and an internship open."""
    kinds, weights = zip(*ENTERPRISE_MIX, strict=True)
    plans: list[list[str]] = []
    for number, employer in enumerate(enterprises):
        allowed = [
            (k, w)
            for k, w in zip(kinds, weights, strict=True)
            if k != PostingKind.APPRENTICESHIP or employer.organisation.pk in context.partner_school
        ]
        plan: list[str] = [PostingKind.JOB, PostingKind.INTERNSHIP] if number == 0 else [PostingKind.JOB]
        target = rng.randint(3, 8)
        while len(plan) < target:
            plan.append(rng.choices([k for k, _w in allowed], weights=[w for _k, w in allowed])[0])
        plans.append(plan)
    # Every kind appears somewhere, so the demo's filters all have something to show.
    for kind in kinds:
        if not any(kind in plan for plan in plans):
            eligible = [
                n
                for n, e in enumerate(enterprises)
                if kind != PostingKind.APPRENTICESHIP or e.organisation.pk in context.partner_school
            ]
            if eligible:
                plans[rng.choice(eligible)].append(kind)
    return [
        _Draft(owner=employer.organisation, kind=kind, employer=employer, protected=number == 0 and index < 2)
        for number, (employer, plan) in enumerate(zip(enterprises, plans, strict=True))
        for index, kind in enumerate(plan)
    ]


def _school_drafts(context: _Context, schools: Sequence[Organisation], rng: random.Random) -> list[_Draft]:
    """Two to four postings a school: its graduating cohort first, then training, service and R&D offers."""
    drafts: list[_Draft] = []
    for school in schools:
        count = rng.randint(2, 4)
        plan = [PostingKind.TALENT, *rng.sample(SCHOOL_OTHERS, k=min(len(SCHOOL_OTHERS), count - 1))]
        drafts.extend(_Draft(owner=school, kind=kind) for kind in plan)
    return drafts


def _decide_fates(drafts: list[_Draft], rng: random.Random) -> None:
    """A few postings wait for the bureau; about one posting in ninety, always a job, was written
    with a flaw the bureau returns it for (a sex restriction, a fee, no pay)."""
    open_drafts = [d for d in drafts if not d.protected]
    jobs = [d for d in open_drafts if d.kind == PostingKind.JOB]
    for draft in rng.sample(jobs, k=min(len(jobs), max(1, round(len(drafts) / POSTINGS_PER_RETURN)))):
        draft.fate = "return"
    rest = [d for d in open_drafts if d.fate == "publish"]
    for draft in rng.sample(rest, k=min(len(rest), max(2, round(len(drafts) * PENDING_SHARE)))):
        draft.fate = "pending"


def _publish(
    context: _Context, drafts: list[_Draft], bureau: Actor, rng: random.Random, counts: MarketCounts
) -> list[tuple[_Draft, Posting]]:
    """Create each posting as its owner, then let the bureau over its city moderate it."""
    created: list[tuple[_Draft, Posting]] = []
    for draft in drafts:
        flaw = rng.choice(RETURN_FLAWS) if draft.fate == "return" else None
        values = _values(context, draft, rng, flaw[1] if flaw else "")
        if not values:
            continue  # a school with no final-year students has no cohort to offer
        if flaw is not None:
            values["requirements"] += flaw[0]
            draft.reason = flaw[2]
        posting = services.posting_create(
            actor=context.clerk(draft.owner), owner=draft.owner, kind=draft.kind, **values
        )
        counts.postings += 1
        if draft.fate == "pending":
            counts.pending += 1
        else:
            posting = services.posting_moderate(
                actor=_moderator(context, draft.owner, bureau),
                posting=posting,
                publish=draft.fate == "publish",
                reason=draft.reason,
            )
            if draft.fate == "publish":
                counts.published += 1
            else:
                counts.returned += 1
        created.append((draft, posting))
    return created


def _spread_in_time(postings: Sequence[Posting], rng: random.Random) -> None:
    """Date this month's postings over the days of the month so far, as real ones arrive, instead
    of the minute the demo was built: the bureau's queue and a list sorted by date then mean
    something. Published ones stay in this month (earlier months are `_history`'s), and went
    out two to forty-eight hours after they were written; pending ones were written in the last
    three days.
    Written as generated history, not as edits: no one changed these postings."""
    now = clock.now()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for posting in postings:
        if posting.status == PostingStatus.PENDING:
            written = now - dt.timedelta(days=3) * rng.random()
            Posting.objects.filter(pk=posting.pk).update(created_at=written, updated_at=written)
            continue
        # Any moment of the month so far (on its first day, of the hours so far).
        published = month_start + (now - month_start) * rng.random()
        written = published - dt.timedelta(hours=rng.randint(2, 48))
        changes: dict[str, Any] = {"created_at": written, "updated_at": published}
        if posting.published_at is not None:
            changes["published_at"] = published
        Posting.objects.filter(pk=posting.pk).update(**changes)
        Notification.objects.filter(link=f"/market/postings/{posting.pk}/").update(created_at=published)


def _moderator(context: _Context, owner: Organisation, bureau: Actor) -> Actor:
    """The clerk of the bureau over the owner's city, or `bureau` where no city bureau is."""
    city = owner.region_code[:4] + "00"
    if city not in context.moderators:
        office = Organisation.objects.filter(kind=OrganisationKind.BUREAU, region_code=city).order_by("pk").first()
        context.moderators[city] = context.clerk(office) if office is not None else bureau
    return context.moderators[city]
