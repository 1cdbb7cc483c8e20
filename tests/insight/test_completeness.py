"""Which years the register holds whole (ADR 0029): a register that began with one intake holds
the learners of a year only once every cohort they come from is in it."""

from __future__ import annotations

import datetime as dt

from gongjiang.insight.catalogue import catalogue
from gongjiang.insight.completeness import Whole, learner_years
from gongjiang.insight.early_warning import whole_years


def test_learner_facts_are_whole_once_every_cohort_they_count_is_in_the_register() -> None:
    # First intake 2022, three-year courses: in school at the end of 2024 are the 2022, 2023 and
    # 2024 intakes, all recorded; the graduates of 2024 began in 2021, before the register.
    courses = {2022: 3, 2023: 3, 2024: 3, 2025: 3, 2026: 3}
    years = learner_years(range(2021, 2027), courses)
    assert years["students"] == {2024, 2025, 2026}
    assert years["internships"] == {2024, 2025, 2026}
    assert years["graduates"] == {2025, 2026}
    assert years["skill_certificates"] == years["awards"] == {2025, 2026}
    # A five-year class opened in 2026 holds nobody of 2024 or 2025, and none of its learners
    # graduates in 2026: it leaves those years whole.
    longer = learner_years(range(2024, 2027), {**courses, 2026: 5})
    assert longer["students"] == {2024, 2025, 2026} and longer["graduates"] == {2025, 2026}
    # Had the first intake had five-year courses, the 2025 census would miss the 2021 intake.
    assert learner_years([2025, 2026], {2022: 5})["students"] == {2026}
    # An empty register has no cohort missing.
    assert learner_years([2024], {})["graduates"] == {2024}


def test_an_indicator_is_whole_when_every_fact_it_reads_is() -> None:
    whole = Whole({"graduates": {2025}, "students": {2024, 2025}})
    indicators = catalogue()
    assert whole.indicator(indicators["graduates"], 2025)
    assert not whole.indicator(indicators["graduates"], 2024)
    assert whole.indicator(indicators["students_in_school"], 2024)
    assert whole.indicator(indicators["teachers"], 2020)  # teachers carry their own dates


def test_postings_follow_the_demand_trends_rule() -> None:
    months = {2023: {12}, 2024: set(range(1, 13)), 2025: set(range(1, 13)), 2026: set(range(1, 12))}
    assert whole_years(months, [2023, 2024, 2025, 2026], dt.date(2026, 12, 7)) == [2024, 2025]
