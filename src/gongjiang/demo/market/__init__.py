"""The demo region's marketplace, made the way the region would make it.

Every enterprise fills in its profile; enterprises and schools publish what they offer and need
(jobs, internships, apprenticeship places, order classes, cooperation, R&D and technical
service, training; a school's graduating cohort, training and service offers, R&D capability),
each checked by the city bureau: most are published, a few still wait and one or two are
returned with the reason a real moderator would give. Students apply to jobs and internships,
trained people of the region to apprenticeship places; the enterprises move the applications
on, and some offers are accepted, which records the internship or apprenticeship in the register. A school or two agree to an
enterprise's order class and open the class.

All of it goes through `gongjiang.market.services`, so it is validated and audited like real
data. Titles and descriptions are built from templates and the reference data's occupation and
major names, so that search, facets and recommendations have realistic text to work on; pay is
what the occupation earns in Inner Mongolia (3,000–12,000 CNY a month).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from django.db import transaction

from gongjiang.core.actors import Actor
from gongjiang.demo.market.applications import _applications
from gongjiang.demo.market.context import MarketCounts, _context
from gongjiang.demo.market.history import _history
from gongjiang.demo.market.order_classes import _order_classes
from gongjiang.demo.market.postings import _decide_fates, _enterprise_drafts, _publish, _school_drafts, _spread_in_time
from gongjiang.demo.market.profiles import _profile
from gongjiang.demo.market.tables import HISTORY_MONTHS, Employer
from gongjiang.directory.models import Organisation, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.market import services
from gongjiang.refdata.selectors import remembered_lookups

Progress = Callable[[str], None]


def populate_market(
    *,
    bureau: Actor,
    enterprises: Sequence[Employer],
    schools: Sequence[Organisation],
    student: User | None,
    rng: random.Random,
    progress: Progress | None = None,
    history_months: int = HISTORY_MONTHS,
) -> MarketCounts:
    """Fill the marketplace of a populated region (see the module's docstring). `bureau` moderates
    postings of regions no city bureau oversees; `student` is the learner persona, who gets
    applications the demo can show; `history_months` months of earlier postings come first."""
    context = _context()
    counts = MarketCounts()
    # One transaction around the services' own: the marketplace appears whole or not at all, and
    # SQLite commits once instead of once a write (which was a third of the time).
    with transaction.atomic():
        if progress:
            progress("供需平台：企业档案")
        for employer in enterprises:
            counts.profiles += _profile(context, employer, rng)
        if progress:
            progress("供需平台：人社部门录入往年的招聘信息")
        # Thousands of postings check the same few codes: look each up once.
        with remembered_lookups():
            counts.archived = _history(context, enterprises, bureau, rng, history_months)
        if progress:
            progress("供需平台：企业和院校发布供需信息，人社部门审核")
        drafts = _enterprise_drafts(context, enterprises, rng) + _school_drafts(context, schools, rng)
        _decide_fates(drafts, rng)
        postings = _publish(context, drafts, bureau, rng, counts)
        # Its own random stream, so that every other draw of the region is as it was without it.
        _spread_in_time([posting for _draft, posting in postings], random.Random(context.today.toordinal()))
        if progress:
            progress("供需平台：学生申请，企业录用")
        _applications(context, postings, enterprises, student, rng, counts)
        if student is not None and student.person is not None:
            # The persona agrees to be found, so publishers of postings of their trade see them.
            services.preference_save(
                actor=actor_for_user(student), person=student.person, postings=True, policies=True,
                by_email=False, discoverable=True,
            )  # fmt: skip
        if progress:
            progress("供需平台：院校承接订单班")
        counts.order_classes = _order_classes(context, postings, schools, limit=2 + len(enterprises) // 100)
    return counts


__all__ = ["HISTORY_MONTHS", "Employer", "MarketCounts", "populate_market"]
