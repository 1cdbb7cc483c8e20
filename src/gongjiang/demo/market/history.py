"""The postings of the years before the platform, recorded by the city bureaus."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import replace

from gongjiang.core.actors import Actor
from gongjiang.demo.market.context import _Context, _Draft, _month_after
from gongjiang.demo.market.postings import _moderator
from gongjiang.demo.market.tables import (
    HISTORY_MIX,
    HISTORY_PER_ENTERPRISE_MONTH,
    SEASON,
    SIZE_ACTIVITY,
    TRADE_GROWTH,
    Employer,
)
from gongjiang.demo.market.texts import _values
from gongjiang.market import services
from gongjiang.market.models import (
    PostingKind,
)


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _history(context: _Context, enterprises: Sequence[Employer], bureau: Actor, rng: random.Random, months: int) -> int:
    """The jobs, internships and apprenticeship places each enterprise published in the
    `months` months before this one, recorded by its city's bureau: how many a month
    follows the enterprise's size, the recruiting seasons and its trade's growth, each with noise,
    so that the series have what real ones have and the back-tests something to find."""
    first = _month_after(context.today, -months)
    activity = {e.organisation.pk: SIZE_ACTIVITY[context.sizes.get(e.organisation.pk, "small")] for e in enterprises}
    rate = HISTORY_PER_ENTERPRISE_MONTH * len(activity) / max(1.0, sum(activity.values()))
    made = 0
    for employer in enterprises:
        org = employer.organisation
        growth = TRADE_GROWTH.get(employer.kind, 1.0) * rng.uniform(0.9, 1.1)
        kinds = [(k, w) for k, w in HISTORY_MIX if k != PostingKind.APPRENTICESHIP or org.pk in context.partner_school]
        for month in range(months):
            start = _month_after(first, month)
            # Growth compounds towards today, so this month's level is the trade's present one.
            mean = rate * activity[org.pk] * SEASON[start.month - 1] * growth ** ((month - months) / 12)
            for _n in range(_poisson(rng, mean * rng.uniform(0.85, 1.15))):
                day = start + dt.timedelta(days=rng.randint(0, 27))
                kind = rng.choices([k for k, _w in kinds], weights=[w for _k, w in kinds])[0]
                draft = _Draft(owner=org, kind=kind, employer=employer)
                values = _values(replace(context, today=day), draft, rng, "")
                closed = min(values.pop("deadline"), context.today - dt.timedelta(days=1))
                services.posting_archive(
                    actor=_moderator(context, org, bureau), owner=org, kind=kind, published_on=day, closed_on=closed,
                    **values,
                )  # fmt: skip
                made += 1
    return made
