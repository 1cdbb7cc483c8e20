"""Insight in the JSON API: the catalogue, computed figures with what they are made of, targets.

Figures come from the configured engine (`INSIGHT_ENGINE`) and the caller's scope: a bureau its
region and below, a school itself; another scope answers 404.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Schema

from gongjiang.core.api import actor_of, scoped_router
from gongjiang.core.scope import ActorKind
from gongjiang.insight import selectors
from gongjiang.insight.catalogue import DISAGGREGATIONS, catalogue
from gongjiang.insight.compute import DisaggregationError, Scope, ScopeError
from gongjiang.insight.engines import open_engine

router = scoped_router(tags=["insight"])
STAFF = (ActorKind.BUREAU, ActorKind.SCHOOL, ActorKind.OPERATOR)


class IndicatorOut(Schema):
    code: str
    name_zh: str
    name_en: str
    numerator: str
    denominator: str | None
    unit: str
    direction: str
    disaggregations: list[str]
    source: str
    description: str
    group: str


class ValuesIn(Schema):
    scope: str = ""
    year: int | None = None
    code: list[str] = []
    by: list[str] = []


class ValueOut(Schema):
    code: str
    scope: str
    year: int
    group: dict[str, Any]
    value: float | None
    numerator: float | None
    denominator: float | None
    unit: str
    status: str


class TargetCheckOut(Schema):
    id: int
    indicator_code: str
    scope: str
    level: str
    comparator: str
    value: float
    value_high: float | None
    tolerance: float
    from_year: int
    to_year: int
    source: str
    year: int
    actual: float | None
    status: str


def _staff(request: HttpRequest) -> Any:
    actor = actor_of(request)
    if actor.kind not in STAFF:
        raise PermissionDenied
    return actor


def _year(value: int | None) -> int:
    if value is None:
        return selectors.default_year()
    if not 1949 <= value <= 2100:
        raise ValidationError({"year": _("应为四位年份，而不是 %(value)s。") % {"value": value}})
    return value


@router.get("/catalogue", response=list[IndicatorOut], summary="指标目录（公式、单位、方向、依据）")
def catalogue_list(request: HttpRequest) -> list[IndicatorOut]:
    return [IndicatorOut(**indicator.as_dict()) for indicator in catalogue().values()]


@router.get("/indicators", response=list[ValueOut], summary="按指标目录计算的值，附分子、分母、范围与年度")
def indicator_values(request: HttpRequest, params: Query[ValuesIn]) -> list[ValueOut]:
    actor = _staff(request)
    year = _year(params.year)
    unknown = [d for d in params.by if d not in DISAGGREGATIONS or d == "year"]
    if unknown:
        raise ValidationError({"by": _("未知的分组维度：%(names)s") % {"names": "、".join(unknown)[:200]}})
    try:
        scope = Scope.parse(params.scope) if params.scope else None
        chosen = selectors.indicators(params.code)
    except ScopeError as exc:
        raise ValidationError({"scope": str(exc)}) from exc
    except selectors.UnknownIndicatorError as exc:
        raise ValidationError({"code": str(exc)}) from exc
    engine = open_engine(settings.INSIGHT_ENGINE)
    try:
        values = selectors.indicator_values(
            actor=actor, engine=engine, codes=[i.code for i in chosen], scope=scope, years=[year], by=params.by
        )
    except DisaggregationError as exc:
        raise ValidationError({"by": str(exc)}) from exc
    finally:
        engine.close()
    return [ValueOut(**value.as_dict()) for value in values]


@router.get("/targets", response=list[TargetCheckOut], summary="某年度适用的目标及其达成状态")
def target_checks(request: HttpRequest, year: int | None = None) -> list[TargetCheckOut]:
    actor = _staff(request)
    engine = open_engine(settings.INSIGHT_ENGINE)
    try:
        checks = selectors.target_checks(actor=actor, engine=engine, year=_year(year))
    finally:
        engine.close()
    return [
        TargetCheckOut(
            id=c.target.pk,
            indicator_code=c.target.indicator_code,
            scope=f"{c.target.scope_kind}:{c.target.scope_code}",
            level=c.target.level,
            comparator=c.target.comparator,
            value=float(c.target.value),
            value_high=float(c.target.value_high) if c.target.value_high is not None else None,
            tolerance=float(c.target.tolerance),
            from_year=c.target.from_year,
            to_year=c.target.to_year,
            source=c.target.source,
            year=c.year,
            actual=c.value,
            status=c.status,
        )
        for c in checks
    ]
