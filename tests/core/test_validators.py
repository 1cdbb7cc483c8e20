from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from gongjiang.core.masking import mask_id_number, mask_phone
from gongjiang.core.validators import normalise_text, parse_resident_id, resident_id_check_digit, validate_uscc

VALID_ID = "11010519491231002X"


def test_valid_resident_id_gives_birth_date_sex_and_region() -> None:
    parsed = parse_resident_id(VALID_ID)
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == "F"
    assert parsed.region_code == "110105"


@pytest.mark.parametrize(
    "typed",
    ["11010519491231002x", " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２Ｘ"],
)
def test_resident_id_as_clerks_type_it(typed: str) -> None:
    assert parse_resident_id(typed).number == VALID_ID


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("110105194912310021", "校验位"),
        ("1101051949123100", "18位"),
        ("11010519491331002" + resident_id_check_digit("11010519491331002"), "出生日期"),
        ("1101051949A231002X", "只能包含数字"),
    ],
)
def test_bad_resident_ids_say_what_is_wrong_in_chinese(number: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_resident_id(number)
    assert message in exc.value.messages[0]


@given(
    st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2015, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_any_number_with_its_check_digit_is_accepted(birth: dt.date, sequence: int) -> None:
    first17 = f"150203{birth:%Y%m%d}{sequence:03d}"
    parsed = parse_resident_id(first17 + resident_id_check_digit(first17))
    assert parsed.birth_date == birth
    assert parsed.sex == ("M" if sequence % 2 else "F")


def test_uscc() -> None:
    assert validate_uscc("91110000600037341l".upper()) == "91110000600037341L"
    with pytest.raises(ValidationError, match="校验位"):
        validate_uscc("91110000600037341M")
    with pytest.raises(ValidationError, match="18位"):
        validate_uscc("9111000060003734")


def test_masks_keep_only_what_is_needed_to_recognise() -> None:
    assert mask_id_number(VALID_ID) == "110105********002X"
    assert mask_phone("13912345678") == "139****5678"
    assert normalise_text(" Ａ１ b ") == "A1b"
