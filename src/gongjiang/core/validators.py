"""Identity numbers the domain relies on, with messages a clerk can act on."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from gongjiang.core import clock


def normalise_text(value: str) -> str:
    """Full-width letters and digits to half-width, stray spaces removed (what clerks paste)."""
    return "".join(unicodedata.normalize("NFKC", value).split())


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    region_code: str


def parse_resident_id(value: str) -> ResidentId:
    """Check an 18-digit 居民身份证号码 and derive birth date, sex and the issuing region.

    The region part is checked by the caller against the region tables (current and historical),
    not here: stdnum's built-in list of counties would drift from the platform's own tables.
    """
    number = normalise_text(value).upper()
    if len(number) != 18:
        raise ValidationError(_("身份证号应为18位，实际为%(n)d位。") % {"n": len(number)})
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号只能包含数字，最后一位可以是X。"))
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对最后一位。"))
    try:
        birth = ric.get_birth_date(number)
    except InvalidComponent as exc:
        raise ValidationError(_("身份证号中的出生日期不是有效日期。")) from exc
    if birth > clock.today() or birth.year < 1900:
        raise ValidationError(_("身份证号中的出生日期不合理。"))
    return ResidentId(
        number=number,
        birth_date=birth,
        sex="M" if int(number[16]) % 2 == 1 else "F",
        region_code=number[:6],
    )


def resident_id_check_digit(first17: str) -> str:
    """The check character for the first 17 digits (for generators and tests)."""
    return str(ric.calc_check_digit(first17 + "0"))


def validate_uscc(value: str) -> str:
    """Check a 统一社会信用代码 (18 characters with a check character) and return it normalised."""
    code = normalise_text(value).upper()
    try:
        return str(uscc.validate(code))
    except InvalidLength as exc:
        raise ValidationError(_("统一社会信用代码应为18位，实际为%(n)d位。") % {"n": len(code)}) from exc
    except InvalidChecksum as exc:
        raise ValidationError(_("统一社会信用代码校验位不正确。")) from exc
    except (InvalidFormat, InvalidComponent) as exc:
        raise ValidationError(_("统一社会信用代码含有不允许的字符或组成不正确。")) from exc


# A mobile number (11 digits from 13…), a landline with its area code (0472-1234567) or a
# company's 400 or 800 line, dashes optional.
PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|[48]00-?\d{3}-?\d{4}")
