"""The demo generator's hidden preferences: drawn from its seed, and judged on a posting's facts."""

from __future__ import annotations

import datetime as dt
import random

from gongjiang.demo.preferences import Offer, Preference, draw, labelled_set, wanted

OCCUPATIONS = ["6-18-01-01", "6-31-01-03", "4-10-01-05", "2-02-01-00"]


def test_a_preference_is_satisfied_by_trade_place_pay_and_employer() -> None:
    home = Preference(trade="6-18-01", city="1502", pay_floor=5000, avoids_micro=True)
    offer = Offer(pk=1, occupation_code="6-18-01-07", region_code="150203", pay_max=6000, employer_size="medium")
    assert wanted(home, offer)
    assert not wanted(home, Offer(2, "6-31-01-03", "150203", 6000, "medium"))  # another trade
    assert not wanted(home, Offer(3, "6-18-01-07", "150203", 4500, "medium"))  # below the minimum
    assert not wanted(home, Offer(4, "6-18-01-07", "150203", 6000, "micro"))  # avoided employer
    assert not wanted(home, Offer(5, "6-18-01-07", "150102", 6000, "medium"))  # elsewhere, not paid enough
    assert wanted(home, Offer(6, "6-18-01-07", "150102", 7000, "medium"))  # elsewhere for 2,000 more
    assert wanted(Preference("6-18", "", 3000, False), Offer(7, "6-18-02-04", "152900", None, ""))


def test_a_learner_still_in_school_wants_internships_but_not_jobs_before_leaving() -> None:
    first_year = Preference("6-18", "", 3000, False, leaves=2029)
    job_now = Offer(1, "6-18-01-07", "150203", 6000, "medium", "job", dt.date(2026, 12, 20))
    assert not wanted(first_year, job_now)
    assert wanted(first_year, Offer(2, "6-18-01-07", "150203", 6000, "medium", "internship", dt.date(2026, 12, 20)))
    assert wanted(first_year, Offer(3, "6-18-01-07", "150203", 6000, "medium", "job", dt.date(2029, 7, 1)))
    assert wanted(Preference("6-18", "", 3000, False, leaves=2029, jobs_before_leaving=True), job_now)
    assert wanted(Preference("6-18", "", 3000, False, leaves=2026), job_now)  # leaving this year


def test_drawing_is_deterministic_and_mostly_near_the_major() -> None:
    def many(seed: int) -> list[Preference]:
        rng = random.Random(seed)
        return [
            draw(rng, major_occupations=["6-18-01-01"], home_region="150203", class_level="senior",
                 posted_occupations=OCCUPATIONS)
            for _ in range(700)
        ]  # fmt: skip

    first = many(3)
    assert first == many(3) and first != many(4)
    near = sum(p.trade in ("6-18", "6-18-01") for p in first) / len(first)
    assert 0.84 < near < 0.94  # 6/7 near the major, and a quarter of the career changers by chance
    assert {p.city for p in first} == {"1502", "1501", ""}
    assert all(p.pay_floor >= 3500 for p in first)  # a senior class asks 500 more


def test_the_labelled_set_lists_only_learners_something_satisfies() -> None:
    offers = [Offer(1, "6-18-01-07", "150203", 8000, "large"), Offer(2, "6-31-01-03", "150102", 9000, "small")]
    learners = [(10, ["6-18-01-01"], "150203", "intermediate", 2026), (11, [], "150203", "intermediate", None)]
    labelled = labelled_set(random.Random(1), learners, offers)
    assert set(labelled) <= {10, 11}
    for preference, relevant in labelled.values():
        assert relevant == {o.pk for o in offers if wanted(preference, o)} and relevant
