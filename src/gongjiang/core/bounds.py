"""Every value the platform stores is bounded before it is written, the same for pages, the API,
imports and commands (ADR 0023).

Services validate what their domain means (an enrolment date after the class began); this is the
floor under all of them, checked on every save of a platform model and by the bulk writers: text
within its column's length and free of control characters (NUL and friends break exports and
some databases for good), text fields capped so that no one field makes the tokeniser or the
occupation coder work for minutes, dates within a century that makes sense for a register, and
numbers within what their column holds. A value outside gets a `ValidationError` naming the field
as the forms do, which pages show on the field and the API returns as 422.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from gongjiang.core import clock

# Control characters other than tab and newline (kept in long text), and the Unicode
# non-characters: never typed by a person, and each one has broken an export or a search.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f\ufffe\uffff]")
TEXT_MAX = 10_000  # a posting's description or a training plan fits in a few thousand characters
EARLIEST = dt.date(1900, 1, 1)
LATEST_YEARS_AHEAD = 20
INTEGER_LIMITS = {
    models.PositiveSmallIntegerField: (0, 32_767),
    models.SmallIntegerField: (-32_768, 32_767),
    models.PositiveIntegerField: (0, 2_147_483_647),
    models.IntegerField: (-2_147_483_648, 2_147_483_647),
    models.BigIntegerField: (-(2**63), 2**63 - 1),
    models.PositiveBigIntegerField: (0, 2**63 - 1),
}
# Text the platform derives itself (the words a search matches), not typed by anyone.
DERIVED_TEXT = frozenset({"search_text"})


def text_problem(value: str, *, max_length: int | None, multiline: bool) -> str:
    """Why a text cannot be stored (empty when it can)."""
    pattern = CONTROL if multiline else CONTROL_IN_LINE
    if pattern.search(value):
        return _("含有不可见的控制字符，请删除后重新填写（可从纯文本中复制）。")
    limit = max_length or TEXT_MAX
    if len(value) > limit:
        return _("不能超过 %(limit)d 个字，现为 %(n)d 个字。") % {"limit": limit, "n": len(value)}
    return ""


def date_problem(value: dt.date) -> str:
    latest = clock.today().replace(month=1, day=1).replace(year=clock.today().year + LATEST_YEARS_AHEAD)
    if not EARLIEST <= value <= latest:
        return _("日期%(date)s不在合理范围内（%(first)s 至 %(last)s）。") % {
            "date": value.isoformat(),
            "first": EARLIEST.isoformat(),
            "last": latest.isoformat(),
        }
    return ""


def number_problem(field: models.Field[Any, Any], value: Any) -> str:
    if isinstance(field, models.DecimalField) and isinstance(value, decimal.Decimal | int | float):
        number = decimal.Decimal(str(value))
        if not number.is_finite():
            return _("不是有效数字。")
        whole_digits = (field.max_digits or 0) - (field.decimal_places or 0)
        if abs(number) >= decimal.Decimal(10) ** whole_digits:
            return _("数值过大，整数部分最多 %(n)d 位。") % {"n": whole_digits}
        return ""
    if isinstance(field, models.FloatField) and isinstance(value, float):
        return "" if value == value and abs(value) < 1e300 else _("不是有效数字。")
    for kind, (low, high) in INTEGER_LIMITS.items():
        if type(field) is kind and isinstance(value, int) and not isinstance(value, bool):
            return "" if low <= value <= high else _("数值应在 %(low)d 到 %(high)d 之间。") % {"low": low, "high": high}
    return ""


def field_problem(field: models.Field[Any, Any], value: Any) -> str:
    if value is None:
        return ""
    if isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
        if field.name in DERIVED_TEXT:
            return ""
        return text_problem(value, max_length=field.max_length, multiline=isinstance(field, models.TextField))
    if isinstance(field, models.DateField) and isinstance(value, dt.date):
        return date_problem(value.date() if isinstance(value, dt.datetime) else value)
    return number_problem(field, value)


def check_bounds(instance: models.Model, fields: Iterable[str] | None = None) -> None:
    """Refuse a row with any value out of bounds, naming each field as the forms do."""
    wanted = set(fields) if fields is not None else None
    errors: dict[str, str] = {}
    for field in instance._meta.concrete_fields:
        if wanted is not None and field.attname not in wanted and field.name not in wanted:
            continue
        problem = field_problem(field, getattr(instance, field.attname))
        if problem:
            errors[field.name] = f"{field.verbose_name}：{problem}"
    if errors:
        raise ValidationError(errors)


def check_bounds_on_save(
    sender: type[models.Model], instance: models.Model, update_fields: Any = None, **_: Any
) -> None:
    """`pre_save` receiver for the platform's own models."""
    if sender.__module__.startswith("gongjiang."):
        check_bounds(instance, update_fields)


def _strings(value: Any, key: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)


def _too_big(request: Any) -> bool:
    """A body over Django's limit is not read here: the view (or Django) refuses it in words."""
    from django.conf import settings

    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return limit is not None and declared > limit


class InputGuardMiddleware:
    """Refuse a request carrying control characters in any field, before any work is done on it.

    Such characters are never typed by a person; NUL is refused by PostgreSQL in any query and
    breaks exports. Checked on the query string, form fields and a JSON body; files are checked by
    their readers. Pages get the site's 400 page, the API a JSON 400 naming the field.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        field = self._field_with_control(request)
        if field is None:
            return self.get_response(request)
        from django.http import JsonResponse
        from django.shortcuts import render

        message = _("“%(field)s”含有不可见的控制字符，请删除后重新提交。") % {"field": field}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": {field or "__all__": [message]}}, status=400)
        return render(request, "400.html", {"reason": message}, status=400)

    @staticmethod
    def _field_with_control(request: Any) -> str | None:
        sources: list[Iterable[tuple[str, str]]] = [
            ((k, v) for k, values in request.GET.lists() for v in values),
        ]
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in ("POST", "PUT", "PATCH"):
            if content_type.startswith("application/json") and not _too_big(request):
                import json

                try:
                    sources.append(_strings(json.loads(request.body or b"null")))
                except (ValueError, UnicodeDecodeError, RecursionError):
                    return None  # not JSON, or nested too deep: the API's own parser says so
            elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
                sources.append((k, v) for k, values in request.POST.lists() for v in values)
        try:
            for source in sources:
                for key, value in source:
                    if CONTROL.search(value) or CONTROL.search(key):
                        return key
        except RecursionError:
            return None  # nested deeper than any parser here accepts: refused where it is parsed
        return None
