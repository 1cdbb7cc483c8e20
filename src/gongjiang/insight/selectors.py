"""Reads of the insight app, scoped by the actor (DESIGN.md rule 2).

A bureau sees figures for its region and anything inside it; a school sees its own; the command
line (an operator) sees everything. A scope outside the actor's reach answers the same 404 as a
scope that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core.actors import Actor
from gongjiang.core.scope import ActorKind, region_prefix
from gongjiang.directory.selectors import organisation_by_code
from gongjiang.insight.catalogue import Indicator, catalogue
from gongjiang.insight.compute import IndicatorValue, Scope, compute
from gongjiang.insight.engines import Engine
from gongjiang.refdata.selectors import region_ever_existed


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
    return (today or timezone.localdate()).year - 1


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
