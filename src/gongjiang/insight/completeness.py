"""Which years the register holds whole, fact by fact (ADR 0029).

A figure is compared with the year before only when the register recorded both years whole for
every fact the figure reads; otherwise the pages and the report say that the earlier year is
incomplete instead of showing a change. A register that began with the 2022 intake holds a few
graduates of 2024 (the two-year courses) and all those of 2025: set side by side they read as a
growth of 1,700 %, which says nothing about the schools.

- **Learners** (students in school, status changes, internships, graduates, skill certificates,
  awards): the register holds the learners of the cohorts from its first one on. A year is whole
  when every cohort its learners can come from enrolled no earlier than that: the cohorts of the
  last `course` years for those in school, one more for those who have left (a year's graduates
  began the longest course that many years before), where `course` is the longest course of a
  class in the register, in whole years.
- **Postings**: the rule the demand trend follows (`early_warning.whole_years`): a year that is
  over and in each of whose months postings were published.
- Everything else (teachers, training, majors, schools, apprenticeships) carries its own dates
  and is taken as recorded whole; training before the first course was recorded already reads as
  no data (`compute`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.db.models import Max, Min

from gongjiang.insight import early_warning
from gongjiang.insight.catalogue import Indicator
from gongjiang.insight.engines import Engine
from gongjiang.registry.models import SchoolClass

# How many years before its census a fact's learners may have enrolled, beyond the course: 0 for
# those still in school, 1 for those who have left (a graduate of year Y began in Y - course).
LEARNER_FACTS: dict[str, int] = {
    "students": 0,
    "status_changes": 0,
    "internships": 0,
    "graduates": 1,
    "skill_certificates": 1,
    "awards": 1,
}


def learner_years(years: Sequence[int], first_cohort: int | None, course: int) -> dict[str, set[int]]:
    """The years, of those asked, that each learner fact holds whole when the register's first
    cohort enrolled in `first_cohort` and its longest course takes `course` years."""
    if first_cohort is None:
        return {fact: set(years) for fact in LEARNER_FACTS}
    return {
        fact: {year for year in years if year - (course - 1) - beyond >= first_cohort}
        for fact, beyond in LEARNER_FACTS.items()
    }


def register_cohorts() -> tuple[int | None, int]:
    """The register's first cohort and its longest course in whole years (at least one)."""
    found = SchoolClass.objects.aggregate(first=Min("cohort_year"), longest=Max("planned_years"))
    longest = found["longest"]
    return found["first"], max(1, math.ceil(longest)) if longest is not None else 1


class Whole:
    """The years each fact holds whole, of those asked; a fact not named is whole in all of them."""

    def __init__(self, by_fact: dict[str, set[int]]) -> None:
        self.by_fact = by_fact

    def fact(self, fact: str, year: int) -> bool:
        return year in self.by_fact[fact] if fact in self.by_fact else True

    def indicator(self, indicator: Indicator, year: int) -> bool:
        """Whether every fact the indicator reads (numerator and denominator) is whole in the year."""
        return all(self.fact(fact, year) for fact in indicator.facts)


def whole_years(engine: Engine, years: Sequence[int]) -> Whole:
    """The years, of those asked, that each fact holds whole in the engine's register."""
    first, course = register_cohorts()
    by_fact = learner_years(years, first, course)
    by_fact["postings"] = set(early_warning.recorded_whole_years(engine, list(years)))
    return Whole(by_fact)
