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
  began the longest course that many years before), where `course` is the longest course, in
  whole years, of the classes that had begun by then (a five-year class opened later holds no
  learner of earlier years).
- **Postings**: the rule the demand trend follows (`early_warning.whole_years`): a year that is
  over and in each of whose months postings were published.
- Everything else (teachers, training, majors, schools, apprenticeships) carries its own dates
  and is taken as recorded whole; training before the first course was recorded already reads as
  no data (`compute`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from django.db.models import Max

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


def learner_years(years: Sequence[int], courses: Mapping[int, int]) -> dict[str, set[int]]:
    """The years, of those asked, that each learner fact holds whole, given the register's
    cohorts and the longest course of each (whole years)."""
    if not courses:
        return {fact: set(years) for fact in LEARNER_FACTS}
    first = min(courses)

    def course(year: int) -> int:
        return max((length for cohort, length in courses.items() if cohort <= year), default=1)

    return {
        # Those who left in a year began before it: their courses are those begun a year earlier.
        fact: {year for year in years if year - (course(year - beyond) - 1) - beyond >= first}
        for fact, beyond in LEARNER_FACTS.items()
    }


def register_courses() -> dict[int, int]:
    """Each cohort of the register's classes with its longest course in whole years (at least one)."""
    found = SchoolClass.objects.values("cohort_year").annotate(longest=Max("planned_years"))
    return {row["cohort_year"]: max(1, math.ceil(row["longest"])) for row in found}


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
    by_fact = learner_years(years, register_courses())
    by_fact["postings"] = set(early_warning.recorded_whole_years(engine, list(years)))
    return Whole(by_fact)
