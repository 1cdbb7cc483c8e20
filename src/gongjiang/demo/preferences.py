"""Hidden preferences of the demo region's learners, and the postings each would want.

The recommender sees what the register knows (major, class level, school's region). Real people
want more, and differently: a trade near their major but not one the catalogue's crosswalk
lists, a city (home, the capital, or anywhere for good pay), a minimum wage, sometimes a
dislike of very small employers, and one in seven wants another trade altogether. The generator
draws such a preference for each learner from its own seed, and says which postings satisfy it:
that is the labelled set on which `benchmarks/recommend_eval.py` measures Recall@10 and
NDCG@10 of the recommender against its baselines. The recommender is never told any of it.

How a preference is drawn (all probabilities are the generator's, not learned from anything):
- trade: with p = 6/7 the middle class (first two segments, e.g. 6-18) of an occupation the
  major leads to, narrowed with p = 1/2 to that occupation's small class; else the middle class
  of any occupation that has postings (a career change);
- place: home city (p = 0.6), the regional capital (0.15), anywhere (0.25); someone who prefers
  home still goes anywhere when the pay is at least 2,000 more than their minimum;
- minimum monthly pay: 3,000–6,000 in steps of 500, higher for the senior and technician levels;
- avoids micro employers with p = 0.2;
- a learner does not want a job that starts before their final school year (they would have
  to leave school for it), except one in five who looks anyway; internships and apprenticeship
  places they want as anyone does.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from gongjiang.market.models import Posting
from gongjiang.market.services import final_year_starts, job_start

CAPITAL_PREFIX = "1501"  # 呼和浩特, the demo region's capital


@dataclass(frozen=True)
class Preference:
    trade: str  # an occupation code prefix: middle class ("6-18") or small class ("6-18-01")
    city: str  # a four-digit region prefix, or "" for anywhere
    pay_floor: int
    avoids_micro: bool
    leaves: int | None = None  # the year the learner's class leaves school
    jobs_before_leaving: bool = False  # wants jobs even before that year


@dataclass(frozen=True)
class Offer:
    """What a preference is judged on: a posting's public facts and its employer's size."""

    pk: int
    occupation_code: str
    region_code: str
    pay_max: int | None
    employer_size: str
    kind: str = "job"
    starts: dt.date | None = None  # when it is taken up: its start date, else its closing date


def draw(
    rng: random.Random,
    *,
    major_occupations: Sequence[str],
    home_region: str,
    class_level: str,
    posted_occupations: Sequence[str],
    leaves: int | None = None,
) -> Preference:
    """One learner's hidden preference (see the module docstring)."""
    if major_occupations and rng.random() < 6 / 7:
        occupation = rng.choice(list(major_occupations))
        trade = occupation[:7] if rng.random() < 0.5 else occupation[:4]
    else:
        trade = rng.choice(list(posted_occupations))[:4]
    place = rng.random()
    city = home_region[:4] if place < 0.6 else CAPITAL_PREFIX if place < 0.75 else ""
    floor = rng.randrange(3000, 6001, 500) + (500 if class_level in ("senior", "preparatory_technician") else 0)
    avoids_micro = rng.random() < 0.2
    return Preference(
        trade=trade,
        city=city,
        pay_floor=floor,
        avoids_micro=avoids_micro,
        leaves=leaves,
        jobs_before_leaving=leaves is not None and rng.random() < 0.2,
    )


def wanted(preference: Preference, offer: Offer) -> bool:
    """Whether the learner would want this posting."""
    if not offer.occupation_code.startswith(preference.trade):
        return False
    if preference.avoids_micro and offer.employer_size == "micro":
        return False
    too_early = (
        preference.leaves is not None
        and offer.starts is not None
        and offer.starts < final_year_starts(preference.leaves)
    )
    if offer.kind == "job" and too_early and not preference.jobs_before_leaving:
        return False
    pay = offer.pay_max or 0
    if pay and pay < preference.pay_floor:
        return False
    near = not preference.city or offer.region_code.startswith(preference.city)
    return near or pay >= preference.pay_floor + 2000


def labelled_set(
    rng: random.Random,
    learners: Iterable[tuple[int, Sequence[str], str, str, int | None]],
    offers: Sequence[Offer],
) -> dict[int, tuple[Preference, set[int]]]:
    """For each learner (key, the occupations of their major, home region, class level, year of
    leaving school), their hidden preference and the postings that satisfy it; learners nothing
    satisfies are left out."""
    posted = sorted({o.occupation_code for o in offers if o.occupation_code})
    result: dict[int, tuple[Preference, set[int]]] = {}
    for key, occupations, home, level, leaves in learners:
        preference = draw(
            rng,
            major_occupations=occupations,
            home_region=home,
            class_level=level,
            posted_occupations=posted,
            leaves=leaves,
        )
        relevant = {o.pk for o in offers if wanted(preference, o)}
        if relevant:
            result[key] = (preference, relevant)
    return result


def offers_of(postings: Iterable[Posting], sizes: Mapping[int, str]) -> list[Offer]:
    """Offers from postings, with their employer's size by owner id (from the profiles)."""
    return [
        Offer(
            p.pk,
            p.occupation_code,
            p.region_code,
            p.pay_max,
            sizes.get(p.owner_id, ""),
            p.kind,
            job_start(p),
        )
        for p in postings
    ]
