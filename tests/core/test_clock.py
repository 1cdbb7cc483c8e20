"""Today from one place: the rules that depend on the day ask `core.clock.today()`, which the
test run pins to one day (tests/settings.py) and a block of code can pin to another."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from gongjiang.core import clock
from gongjiang.core.bounds import date_problem
from gongjiang.core.validators import parse_resident_id
from gongjiang.insight.selectors import default_year

DAY = dt.date(2041, 3, 2)  # far from any real run's day


def test_the_run_has_one_day_given_by_the_settings() -> None:
    assert settings.GONGJIANG_TODAY is not None
    assert clock.today() == settings.GONGJIANG_TODAY


def test_a_pinned_block_sees_its_day_and_the_day_comes_back_after_it() -> None:
    before = clock.today()
    with clock.pinned(DAY):
        assert clock.today() == DAY
        with clock.pinned(DAY + dt.timedelta(days=1)):
            assert clock.today() == DAY + dt.timedelta(days=1)
        assert clock.today() == DAY
        assert clock.now().date() == DAY
    assert clock.today() == before


def test_the_rules_take_the_pinned_day() -> None:
    with clock.pinned(DAY):
        assert default_year() == 2040
        # Dates are bounded by the first of January twenty years after the pinned day's year.
        assert date_problem(dt.date(2061, 1, 1)) == ""
        assert date_problem(dt.date(2061, 1, 2)) != ""
    # A resident born in 2010 is born after a day of 2000: the number is refused then.
    with clock.pinned(dt.date(2000, 1, 1)), pytest.raises(ValidationError):
        parse_resident_id("11010120100101123" + _check_digit("11010120100101123"))
    assert parse_resident_id("11010120100101123" + _check_digit("11010120100101123")).number


def _check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def test_a_bad_setting_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from gongjiang.config.env import env_date

    monkeypatch.setenv("GONGJIANG_TODAY", "2026-13-01")
    with pytest.raises(ValueError, match="GONGJIANG_TODAY"):
        env_date("GONGJIANG_TODAY")
    monkeypatch.setenv("GONGJIANG_TODAY", " 2026-09-01 ")
    assert env_date("GONGJIANG_TODAY") == dt.date(2026, 9, 1)
