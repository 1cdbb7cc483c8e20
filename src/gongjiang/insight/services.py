"""Writes of the insight app: targets and key industries, validated and audited (DESIGN.md rule 1).

Every refusal names the field and says what to do, in Chinese; nothing is written when any check
fails.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongjiang.core import audit, clock
from gongjiang.core.actors import Actor
from gongjiang.core.policies import require
from gongjiang.core.versions import require_version
from gongjiang.directory.models import Organisation
from gongjiang.directory.selectors import organisation_by_code
from gongjiang.insight import policies as _policies  # noqa: F401  (registers the rules)
from gongjiang.insight.catalogue import catalogue
from gongjiang.insight.models import Comparator, KeyIndustry, ScopeKind, Target, TargetLevel
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concept_get, region_ever_existed

TARGET_FIELDS = (
    "indicator_code",
    "scope_kind",
    "scope_code",
    "from_year",
    "to_year",
    "comparator",
    "value",
    "value_high",
    "baseline",
    "baseline_year",
    "tolerance",
    "level",
    "source",
    "note",
)


def _decimal(field: str, value: Any, required: bool) -> Decimal | None:
    if value is None or str(value).strip() == "":
        if required:
            raise ValidationError({field: _("必须填写。")})
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValidationError({field: _("应为数字，而不是 %(value)s。") % {"value": value}}) from exc
    if not number.is_finite() or abs(number) >= 10**12:
        raise ValidationError({field: _("应为数字，而不是 %(value)s。") % {"value": value}})
    # As the column keeps it, so the audit trail shows what was stored.
    return number.quantize(Decimal("0.0001"))


def _year(field: str, value: Any, required: bool = True) -> int | None:
    if value is None or str(value).strip() == "":
        if required:
            raise ValidationError({field: _("必须填写。")})
        return None
    try:
        year = int(str(value).strip())
    except ValueError as exc:
        raise ValidationError({field: _("应为四位年份，而不是 %(value)s。") % {"value": value}}) from exc
    if not 1949 <= year <= 2100:
        raise ValidationError({field: _("应在 1949 至 2100 年之间，而不是 %(value)s。") % {"value": value}})
    return year


def _scope_region(kind: str, code: str) -> str:
    """The region a scope lies in; refuses a scope that does not exist."""
    if kind == ScopeKind.REGION:
        if not region_ever_existed(code):
            raise ValidationError({"scope_code": _("没有行政区划代码 %(code)s。") % {"code": code}})
        return code
    if kind == ScopeKind.SCHOOL:
        try:
            school: Organisation | None = organisation_by_code(code=code)
        except Http404:
            school = None
        if school is None or school.kind != "school":
            raise ValidationError({"scope_code": _("没有代码为 %(code)s 的学校。") % {"code": code}})
        return school.region_code
    raise ValidationError({"scope_kind": _("范围类型应为地区或学校。")})


def _clean_target(values: dict[str, Any]) -> dict[str, Any]:
    code = str(values.get("indicator_code") or "").strip()
    if code not in catalogue():
        raise ValidationError({"indicator_code": _("指标目录中没有 %(code)s。") % {"code": code or "—"}})
    kind = str(values.get("scope_kind") or "").strip()
    scope_code = str(values.get("scope_code") or "").strip()
    if not scope_code:
        raise ValidationError({"scope_code": _("必须填写。")})
    region = _scope_region(kind, scope_code)
    from_year, to_year = _year("from_year", values.get("from_year")), _year("to_year", values.get("to_year"))
    assert from_year is not None and to_year is not None
    if to_year < from_year:
        raise ValidationError({"to_year": _("截止年度不能早于起始年度。")})
    comparator = str(values.get("comparator") or "")
    if comparator not in Comparator.values:
        raise ValidationError({"comparator": _("比较方式应为不低于、不高于或区间。")})
    value = _decimal("value", values.get("value"), required=True)
    high = _decimal("value_high", values.get("value_high"), required=comparator == Comparator.BETWEEN)
    if comparator == Comparator.BETWEEN and high is not None and value is not None and high < value:
        raise ValidationError({"value_high": _("区间上限不能小于目标值（下限）。")})
    if comparator != Comparator.BETWEEN:
        high = None
    baseline = _decimal("baseline", values.get("baseline"), required=False)
    # Every indicator counts, sums or divides counts: none is negative, and a share is at most 100 %.
    percent = catalogue()[code].unit == "%"
    for field, number in (("value", value), ("value_high", high), ("baseline", baseline)):
        if number is not None and number < 0:
            raise ValidationError({field: _("不能为负数。")})
        if number is not None and percent and number > 100:
            raise ValidationError({field: _("该指标是百分比，不能超过 100。")})
    tolerance = _decimal("tolerance", values.get("tolerance"), required=False) or Decimal(0)
    if tolerance < 0:
        raise ValidationError({"tolerance": _("容差不能为负数。")})
    level = str(values.get("level") or "")
    if level not in TargetLevel.values:
        raise ValidationError({"level": _("请选择目标层级（国家、省级、市级或区县级）。")})
    source = str(values.get("source") or "").strip()
    if not source:
        raise ValidationError({"source": _("请写明目标的依据（文件与条款）。")})
    return {
        "indicator_code": code,
        "scope_kind": kind,
        "scope_code": scope_code,
        "scope_region_code": region,
        "from_year": from_year,
        "to_year": to_year,
        "comparator": comparator,
        "value": value,
        "value_high": high,
        "baseline": baseline,
        "baseline_year": _year("baseline_year", values.get("baseline_year"), required=False),
        "tolerance": tolerance,
        "level": level,
        "source": source[:300],
        "note": str(values.get("note") or "").strip(),
    }


def _refuse_overlap(clean: dict[str, Any], exclude: int | None) -> None:
    """Two targets of one level for the same indicator, scope and year would give two verdicts
    for one figure: the one in force must be changed or withdrawn instead. (Targets of different
    levels, national and provincial, may well apply together.)"""
    other = (
        Target.objects.filter(
            withdrawn_on__isnull=True,
            indicator_code=clean["indicator_code"],
            scope_kind=clean["scope_kind"],
            scope_code=clean["scope_code"],
            level=clean["level"],
            from_year__lte=clean["to_year"],
            to_year__gte=clean["from_year"],
        )
        .exclude(pk=exclude or 0)
        .first()
    )
    if other is not None:
        raise ValidationError(
            _("已有一条同层级的目标（%(from)d—%(to)d 年，%(comparator)s %(value)s）：请修改或撤销那一条。")
            % {
                "from": other.from_year,
                "to": other.to_year,
                "comparator": other.get_comparator_display(),
                "value": f"{other.value.normalize():f}",
            }
        )


def _bureau_of(actor: Actor) -> Organisation:
    if actor.organisation_id is None:
        raise ValidationError(_("只有人社部门可以设定目标。"))
    return Organisation.objects.get(pk=actor.organisation_id)


def target_create(*, actor: Actor, **values: Any) -> Target:
    """A new target; the scope must exist and lie in the bureau's region."""
    unknown = set(values) - set(TARGET_FIELDS)
    if unknown:
        raise ValidationError(_("不能设置这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    clean = _clean_target(values)
    require(actor, "insight.target.write", clean["scope_region_code"])
    bureau = _bureau_of(actor)
    with transaction.atomic():
        _refuse_overlap(clean, exclude=None)
        target = Target.objects.create(bureau=bureau, **clean)
        audit.record(actor=actor, action="target.create", entity=target, after=audit.snapshot(target), owner=bureau)
    return target


def target_update(*, actor: Actor, target: Target, expected_version: int | None, **values: Any) -> Target:
    """Change a target; the values before are kept in the audit trail."""
    unknown = set(values) - set(TARGET_FIELDS)
    if unknown:
        raise ValidationError(_("不能设置这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    require(actor, "insight.target.write", target.scope_region_code)
    current = {field: getattr(target, field) for field in TARGET_FIELDS}
    clean = _clean_target({**current, **values})
    require(actor, "insight.target.write", clean["scope_region_code"])

    def change(locked: Target) -> bool:
        if locked.withdrawn_on is not None:  # said first: no version makes it editable again
            raise ValidationError(_("该目标已撤销，不能再修改。"))
        require_version(locked.version, expected_version)
        _refuse_overlap(clean, exclude=locked.pk)
        for field, value in clean.items():
            setattr(locked, field, value)
        return True

    return _change_target(actor, target, "target.update", change)


def target_withdraw(*, actor: Actor, target: Target) -> Target:
    """Withdraw a target that no longer applies; it stays on record."""
    require(actor, "insight.target.write", target.scope_region_code)

    def change(locked: Target) -> bool:
        if locked.withdrawn_on is not None:
            return False  # withdrawn already: nothing to record
        locked.withdrawn_on = clock.today()
        return True

    return _change_target(actor, target, "target.withdraw", change)


def _change_target(actor: Actor, target: Target, action: str, change: Callable[[Target], bool]) -> Target:
    """Lock the target, apply `change` (False: nothing to do), bump its version and record the
    values before and after."""
    with transaction.atomic():
        locked = Target.objects.select_for_update().get(pk=target.pk)
        before = audit.snapshot(locked)
        if not change(locked):
            return locked
        locked.version += 1
        locked.save()
        audit.record(
            actor=actor, action=action, entity=locked, before=before, after=audit.snapshot(locked), owner=locked.bureau
        )
    return locked


def key_industry_add(*, actor: Actor, industry_code: str, note: str = "") -> KeyIndustry:
    """Name an industry (GB/T 4754-2017 code at any level) as key for the bureau's region."""
    code = industry_code.strip().upper()
    if concept_get(Scheme.INDUSTRY, code) is None:
        raise ValidationError(
            {"industry_code": _("国民经济行业分类中没有代码 %(code)s。") % {"code": industry_code or "—"}}
        )
    require(actor, "insight.key_industry.write", actor.region_code)
    bureau = _bureau_of(actor)
    try:
        with transaction.atomic():
            key = KeyIndustry.objects.create(
                bureau=bureau, region_code=actor.region_code, industry_code=code, note=note.strip()[:200]
            )
            audit.record(actor=actor, action="key_industry.add", entity=key, after=audit.snapshot(key), owner=bureau)
    except IntegrityError as exc:
        raise ValidationError({"industry_code": _("%(code)s 已在重点产业名单中。") % {"code": code}}) from exc
    return key


def key_industry_remove(*, actor: Actor, key: KeyIndustry) -> None:
    require(actor, "insight.key_industry.write", key.region_code)
    with transaction.atomic():
        before = audit.snapshot(key)
        audit.record(actor=actor, action="key_industry.remove", entity=key, before=before, owner=key.bureau)
        key.delete()
