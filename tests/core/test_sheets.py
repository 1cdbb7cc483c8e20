from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongjiang.core.sheets import clean_name, clean_text, parse_date


@pytest.mark.parametrize(
    "typed",
    [
        dt.date(2021, 9, 1), dt.datetime(2021, 9, 1, 0, 0), 44440, 44440.0, "44440", "2021-09-01", "2021.09.01",
        "2021/9/1", "2021年9月1日", "20210901", " 2021 - 09 - 01 ", "２０２１．０９．０１",
        "2021-09-01 00:00:00", "2021/9/1 0:00", "2021-09-01T00:00:00",
    ],
)  # fmt: skip
def test_dates_as_clerks_type_them(typed: object) -> None:
    assert parse_date(typed) == dt.date(2021, 9, 1)


def test_a_month_alone_means_its_first_day() -> None:
    assert parse_date("2021.9") == dt.date(2021, 9, 1)
    assert parse_date("2021年9月") == dt.date(2021, 9, 1)


@pytest.mark.parametrize("typed", ["", "明年九月", "2021-13-01", "2021-02-30", 0, 999999, True])
def test_impossible_dates_are_refused_in_chinese(typed: object) -> None:
    with pytest.raises(ValueError, match="日期"):
        parse_date(typed)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_iso_and_excel_serial_round_trip(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date((day - dt.date(1899, 12, 30)).days) == day


def test_names_and_text() -> None:
    assert clean_name(" 张　伟 ") == "张伟"
    assert clean_name("John  Smith") == "John Smith"
    assert clean_text("ＡＢＣ１２３\u00a0") == "ABC123"
