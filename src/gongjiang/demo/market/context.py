"""What every posting is built from (`_Context`: today, the catalogue and the register's facts),
the drafts and counts the steps pass on, and the dates and pay they share."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.demo.market.tables import LEVEL_PAY, MAX_PAY, MIN_PAY, PAY, Employer
from gongjiang.demo.register import clerk_of
from gongjiang.directory.models import Organisation
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concepts, crosswalk_targets
from gongjiang.registry.models import (
    Apprenticeship,
    MajorOffering,
    OfferingStatus,
)


@dataclass
class MarketCounts:
    """What was made, for the command's summary."""

    profiles: int = 0
    archived: int = 0  # postings of the years before, recorded by the bureaus
    postings: int = 0
    published: int = 0
    pending: int = 0
    returned: int = 0
    applications: int = 0
    accepted: int = 0  # offers accepted
    internships: int = 0  # … of which internships, recorded in the register
    apprenticeships: int = 0  # … and apprenticeship places
    order_classes: int = 0


@dataclass
class _Draft:
    """A posting before it is created: who publishes it, what, and what happens to it."""

    owner: Organisation
    kind: str
    employer: Employer | None = None  # for an enterprise's posting
    major_code: str = ""  # the major an order class is for
    fate: str = "publish"  # publish, pending, or return
    reason: str = ""
    protected: bool = False  # the personas' demo depends on it being published


@dataclass
class _Context:
    """What every posting is built from: today, the catalogue and the register's facts."""

    today: dt.date
    occupation_names: dict[str, str]
    major_names: dict[str, str]
    major_occupations: dict[str, list[str]]
    occupation_majors: dict[str, list[str]]
    occupation_industries: dict[str, list[str]]
    filed: dict[str, list[Organisation]]  # major code → schools that run it
    region_names: dict[str, str]
    partner_school: dict[int, Organisation]  # enterprise → the school of its latest apprenticeship
    sizes: dict[int, str] = field(default_factory=dict)  # enterprise → its profile's size
    clerks: dict[int, Actor] = field(default_factory=dict)
    moderators: dict[str, Actor] = field(default_factory=dict)  # city → its bureau's clerk

    def short_major(self, code: str) -> str:
        return self.major_names[code].split("（")[0]

    def clerk(self, org: Organisation) -> Actor:
        """The organisation's clerk, looked up once (every posting and application needs one)."""
        if org.pk not in self.clerks:
            self.clerks[org.pk] = clerk_of(org)
        return self.clerks[org.pk]


def _context() -> _Context:
    majors = dict(concepts(Scheme.MAJOR).filter(level=2).order_by("code").values_list("code", "name"))
    major_occupations = {code: crosswalk_targets(Scheme.MAJOR_OCCUPATION, code) for code in majors}
    occupation_majors: dict[str, list[str]] = defaultdict(list)
    for major, occupations in major_occupations.items():
        for occupation in occupations:
            occupation_majors[occupation].append(major)
    occupation_names = dict(concepts(Scheme.OCCUPATION).values_list("code", "name"))
    filed: dict[str, list[Organisation]] = defaultdict(list)
    for offering in (
        MajorOffering.objects.filter(status=OfferingStatus.FILED).select_related("school").order_by("school_id", "pk")
    ):
        filed[offering.major_code].append(offering.school)
    partner_school: dict[int, Organisation] = {}
    # The latest apprenticeship's school is the partner an apprenticeship place trains with.
    for record in Apprenticeship.objects.select_related("school").order_by("starts_on", "pk"):
        partner_school[record.enterprise_id] = record.school
    return _Context(
        today=clock.today(),
        occupation_names=occupation_names,
        major_names=majors,
        major_occupations=major_occupations,
        occupation_majors=dict(occupation_majors),
        occupation_industries={code: crosswalk_targets(Scheme.OCCUPATION_INDUSTRY, code) for code in occupation_names},
        filed=dict(filed),
        partner_school=partner_school,
        region_names=dict(concepts(Scheme.REGION).values_list("code", "name")),
    )


def _deadline(context: _Context, rng: random.Random) -> dt.date:
    """Most postings stay open a month or three; some close within the week."""
    days = rng.randint(2, 7) if rng.random() < 0.15 else rng.randint(15, 90)
    return context.today + dt.timedelta(days=days)


def _month_after(day: dt.date, months: int = 1) -> dt.date:
    """The first of the month `months` after `day`'s."""
    year, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + year, month + 1, 1)


def _round(value: float) -> int:
    return int(round(value / 500) * 500)


def _pay(occupation: str, level: str, rng: random.Random) -> tuple[int, int]:
    """The monthly pay range of the occupation at a skill level, varied a little by employer."""
    low, high = PAY[occupation]
    factor = LEVEL_PAY.get(level, 1.0) * rng.uniform(0.92, 1.08)
    pay_min = min(MAX_PAY - 1000, max(MIN_PAY, _round(low * factor)))
    pay_max = min(MAX_PAY, max(pay_min + 1000, _round(high * factor)))
    return pay_min, pay_max
