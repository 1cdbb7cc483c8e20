"""Reads of the insight app, scoped by the actor (DESIGN.md rule 2).

A bureau sees figures for its region and anything inside it; a school sees its own; the command
line (an operator) sees everything. A scope outside the actor's reach answers the same 404 as a
scope that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.core.scope import ActorKind, region_prefix
from gongjiang.directory.selectors import organisation_by_code
from gongjiang.insight.catalogue import Indicator, catalogue, format_value
from gongjiang.insight.compute import IndicatorValue, compute
from gongjiang.insight.compute import Scope as Scope  # what other apps name a scope with
from gongjiang.insight.engines import Engine
from gongjiang.insight.models import Comparator, KeyIndustry, QualityCheck, ScopeKind, Target, TargetLevel
from gongjiang.refdata.selectors import region_ever_existed, region_get


class UnknownIndicatorError(LookupError):
    """An indicator code the catalogue does not have."""


def indicators(codes: Iterable[str] | None = None) -> list[Indicator]:
    """The catalogue's indicators, or the named ones in the order named."""
    every = catalogue()
    if not codes:
        return list(every.values())
    chosen = []
    for code in codes:
        if code not in every:
            raise UnknownIndicatorError(_("指标目录中没有 %(code)s") % {"code": code})
        chosen.append(every[code])
    return chosen


def default_year(today: dt.date | None = None) -> int:
    """The last year whose census (31 December) has passed."""
    return (today or clock.today()).year - 1


def default_scope(actor: Actor) -> Scope:
    if actor.kind == ActorKind.BUREAU:
        return Scope("region", actor.region_code)
    if actor.kind == ActorKind.SCHOOL:
        return Scope("school", actor.organisation_code)
    return Scope()


def scope_for(actor: Actor, scope: Scope | None) -> Scope:
    """The scope asked for, checked: it exists and lies inside what the actor may see."""
    if scope is None:
        scope = default_scope(actor)
    school = None
    if scope.kind == "region" and not region_ever_existed(scope.code):
        raise Http404(_("没有行政区划 %(code)s") % {"code": scope.code})
    if scope.kind == "school":
        try:
            school = organisation_by_code(code=scope.code)
        except Http404:
            school = None
        if school is None or school.kind != "school":
            raise Http404(_("没有学校 %(code)s") % {"code": scope.code})
    if actor.kind == ActorKind.OPERATOR:
        return scope
    if actor.kind == ActorKind.BUREAU:
        own = region_prefix(actor.region_code)
        if scope.kind == "all":
            return Scope("region", actor.region_code)
        if scope.kind == "region" and region_prefix(scope.code).startswith(own):
            return scope
        if scope.kind == "school" and school is not None and school.region_code.startswith(own):
            return scope
    if actor.kind == ActorKind.SCHOOL and scope in {Scope(), Scope("school", actor.organisation_code)}:
        return Scope("school", actor.organisation_code)
    raise Http404(_("无权查看该范围的指标"))


def indicator_values(
    *,
    actor: Actor,
    engine: Engine,
    codes: Iterable[str] | None = None,
    scope: Scope | None = None,
    years: Sequence[int] | None = None,
    by: Sequence[str] = (),
) -> list[IndicatorValue]:
    """The asked indicators (all by default) for a scope the actor may see."""
    checked = scope_for(actor, scope)
    return compute(engine, indicators(codes), years=years or [default_year()], scope=checked, by=by)


# ---------------------------------------------------------------------------------------------
# Targets


TargetStatus = Literal["achieved", "near", "missed", "no_data"]
STATUS_LABELS: dict[str, Any] = {
    "achieved": gettext_lazy("达成"),
    "near": gettext_lazy("接近"),
    "missed": gettext_lazy("未达成"),
    "no_data": gettext_lazy("无数据"),
}


def target_status(target: Target, value: float | None) -> TargetStatus:
    """达成 when the value meets the target; 接近 when it misses by no more than the tolerance."""
    if value is None:
        return "no_data"
    low, tolerance = float(target.value), float(target.tolerance)
    high = float(target.value_high) if target.value_high is not None else None
    if target.comparator == Comparator.AT_LEAST:
        gap = low - value
    elif target.comparator == Comparator.AT_MOST:
        gap = value - low
    else:
        assert high is not None
        gap = max(low - value, value - high)
    if gap <= 0:
        return "achieved"
    return "near" if gap <= tolerance else "missed"


def target_list(*, actor: Actor, scope: Scope | None = None, include_withdrawn: bool = False) -> QuerySet[Target]:
    """Targets the actor may see: a bureau those in its region; a school those set for it or for a
    region it lies in. With `scope`, those that apply to that scope."""
    targets = Target.objects.select_related("bureau")
    if not include_withdrawn:
        targets = targets.filter(withdrawn_on__isnull=True)
    if actor.kind == ActorKind.BUREAU:
        targets = targets.filter(scope_region_code__startswith=region_prefix(actor.region_code))
    elif actor.kind == ActorKind.SCHOOL:
        targets = targets.filter(_applies_to_school(actor.organisation_code, actor.region_code))
    elif actor.kind != ActorKind.OPERATOR:
        return targets.none()
    if scope is not None and scope.kind == "school":
        school = organisation_by_code(code=scope.code)
        targets = targets.filter(_applies_to_school(school.code, school.region_code))
    elif scope is not None and scope.kind == "region":
        targets = targets.filter(scope_kind=ScopeKind.REGION, scope_code=scope.code)
    return targets


def _applies_to_school(code: str, region_code: str) -> Q:
    # A region's target applies to every school in it: 150000, 150200 and 150203 for a school in 150203.
    regions = {region_code, f"{region_code[:4]}00", f"{region_code[:2]}0000"}
    return Q(scope_kind=ScopeKind.SCHOOL, scope_code=code) | Q(scope_kind=ScopeKind.REGION, scope_code__in=regions)


def target_get(*, actor: Actor, pk: int) -> Target:
    target = target_list(actor=actor, include_withdrawn=True).filter(pk=pk).first()
    if target is None:
        raise Http404
    return target


@dataclass(frozen=True)
class TargetCheck:
    """A target beside the figure it is judged on."""

    target: Target
    year: int
    value: float | None
    status: TargetStatus

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def goal(self) -> str:
        return target_goal(self.target)

    @property
    def shown(self) -> str:
        """The figure judged, written with its unit as the dashboard writes it."""
        indicator = catalogue().get(self.target.indicator_code)
        return format_value(self.value, indicator.unit if indicator else "ratio")


def bureau_level(region_code: str) -> str:
    """The level of a bureau's own targets, by its region: a province's are 省级, a city's 市级."""
    prefix = region_prefix(region_code)
    return {2: TargetLevel.PROVINCIAL, 4: TargetLevel.CITY}.get(len(prefix), TargetLevel.DISTRICT).value


# How a target's comparison is said before its figure: 不低于 97%.
GOAL_WORDS: dict[str, Any] = {
    Comparator.AT_LEAST: gettext_lazy("不低于"),
    Comparator.AT_MOST: gettext_lazy("不高于"),
    Comparator.BETWEEN: gettext_lazy("介于"),
}


def target_goal(target: Target) -> str:
    """What a target asks, in words with the indicator's unit: 不低于 97%, 介于 15–20, 不低于 4,500 元."""
    indicator = catalogue().get(target.indicator_code)
    unit = indicator.unit if indicator else ""
    figure = _goal_figure(target.value, unit)
    if target.value_high is not None:
        figure = f"{_goal_figure(target.value, '')}–{_goal_figure(target.value_high, unit)}"
    return f"{GOAL_WORDS[target.comparator]} {figure}"


def _goal_figure(value: Any, unit: str) -> str:
    number = f"{float(value):,.4f}".rstrip("0").rstrip(".")
    if unit == "%":
        return f"{number}%"
    if unit == "yuan":
        return _("%(n)s 元") % {"n": number}
    return number


def target_checks(*, actor: Actor, engine: Engine, year: int, scope: Scope | None = None) -> list[TargetCheck]:
    """Every target in force in `year` that applies to the scope, with its figure and status.
    Each target is judged on its own scope's figure (a provincial target on the province's)."""
    checked = scope_for(actor, scope)
    targets = [t for t in target_list(actor=actor, scope=checked) if t.from_year <= year <= t.to_year]
    scopes = {Scope(t.scope_kind, t.scope_code) for t in targets}  # type: ignore[arg-type]
    figures: dict[tuple[str, Scope], float | None] = {}
    for target_scope in scopes:
        codes = sorted({t.indicator_code for t in targets if Scope(t.scope_kind, t.scope_code) == target_scope})  # type: ignore[arg-type]
        for computed in compute(engine, indicators(codes), years=[year], scope=target_scope):
            figures[(computed.code, target_scope)] = computed.value
    checks = []
    for target in targets:
        value = figures.get((target.indicator_code, Scope(target.scope_kind, target.scope_code)))  # type: ignore[arg-type]
        checks.append(TargetCheck(target, year, value, target_status(target, value)))
    return checks


# ---------------------------------------------------------------------------------------------
# Key industries


def key_industries_for(*, actor: Actor, scope: Scope) -> list[KeyIndustry]:
    """The key industries that apply to a scope: those of every bureau whose region contains it."""
    if scope.kind == "school":
        region = organisation_by_code(code=scope.code).region_code
    elif scope.kind == "region":
        region = scope.code
    else:
        return list(KeyIndustry.objects.order_by("region_code", "industry_code"))
    regions = {region, f"{region[:4]}00", f"{region[:2]}0000"}
    return list(KeyIndustry.objects.filter(region_code__in=regions).order_by("region_code", "industry_code"))


def key_industry_get(*, actor: Actor, pk: int) -> KeyIndustry:
    """One of the bureau's own key industries (others answer 404)."""
    key = KeyIndustry.objects.filter(pk=pk, region_code=actor.region_code).first()
    if key is None or actor.kind != ActorKind.BUREAU:
        raise Http404
    return key


def quality_check_for(*, actor: Actor, scope: Scope) -> QualityCheck | None:
    """The school's last data-quality check, for a school scope the actor may see."""
    if scope.kind != "school":
        return None
    scope_for(actor, scope)
    return QualityCheck.objects.filter(school__code=scope.code).first()


def scope_name(scope: Scope) -> str:
    """A scope as a reader names it: the school's or the region's name, or 全部."""
    if scope.kind == "school":
        return organisation_by_code(code=scope.code).name
    if scope.kind == "region":
        region = region_get(scope.code)
        return region.name if region else scope.code
    return _("全部")
