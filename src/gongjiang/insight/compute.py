"""Computing indicators: every aggregate of the asked indicators, one query per fact table.

The aggregates that read the same fact are computed together in one grouped query (by year and
the asked disaggregations), so the whole catalogue costs one pass over each fact. Values are then
put together per indicator: numerator, denominator, value = numerator / denominator × the unit's
scale. An empty or zero denominator gives null, never 0; a scope with no rows in any fact the
indicator reads says "no data", and so does a year for which the whole register holds no record
of any fact the numerator counts (training before the first course was recorded is unknown, not
none).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
from django.utils.translation import gettext as _

from gongjiang.core.scope import region_prefix
from gongjiang.insight.catalogue import DISAGGREGATIONS, Indicator
from gongjiang.insight.engines import Engine
from gongjiang.insight.formula import Aggregate, Formula, compile_aggregate, compile_row, evaluate

Status = Literal["ok", "no_data", "empty_denominator"]
# Values are rounded so that engines that add floating-point numbers in different orders agree.
DIGITS = 6


class ScopeError(ValueError):
    """A scope that is not `region:CODE` or `school:CODE`."""


@dataclass(frozen=True)
class Scope:
    """Whose figures: the whole register, a region (and everything under it) or one school."""

    kind: Literal["all", "region", "school"] = "all"
    code: str = ""

    @classmethod
    def parse(cls, text: str | None) -> Scope:
        if not text:
            return cls()
        kind, _sep, code = text.partition(":")
        if kind not in {"region", "school"} or not code.strip():
            raise ScopeError(_("范围应写成 region:地区代码 或 school:学校代码，而不是 %(text)s") % {"text": text})
        return cls(kind, code.strip())  # type: ignore[arg-type]

    def __str__(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind}:{self.code}"

    def apply(self, table: ir.Table) -> ir.Table:
        if self.kind == "region":
            return table.filter(table.region_code.startswith(region_prefix(self.code)))
        if self.kind == "school":
            if "school_code" not in table.columns:
                return table.filter(ibis.literal(False))
            return table.filter(table.school_code == self.code)
        return table


@dataclass(frozen=True)
class IndicatorValue:
    """One figure: an indicator for a scope, a year and perhaps a group, with what it is made of."""

    code: str
    year: int
    scope: str
    value: float | None
    numerator: float | None
    denominator: float | None
    unit: str
    status: Status
    group: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "scope": self.scope,
            "year": self.year,
            "group": self.group,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "unit": self.unit,
            "status": self.status,
        }


class DisaggregationError(ValueError):
    """An indicator asked for by a dimension it does not support."""


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


# A snapshot never changes once built, so the figures computed from it are kept, per process,
# under its stamp: the dashboard, an indicator's page and the API ask the same questions of the
# same snapshot many times between two rebuilds, and compiling and running the queries is most of
# their time (ADR 0039). Bounded, least recently used first out; a live engine is never kept.
KEPT_MAX = 512
_kept: OrderedDict[tuple[Any, ...], tuple[IndicatorValue, ...]] = OrderedDict()
_kept_lock = threading.Lock()


def compute(
    engine: Engine,
    indicators: Iterable[Indicator],
    *,
    years: Sequence[int],
    scope: Scope | None = None,
    by: Sequence[str] = (),
) -> list[IndicatorValue]:
    """The asked indicators for each year (and each group of `by`), in catalogue then year order."""
    scope = scope or Scope()
    chosen = list(indicators)
    stamp = engine.stamp()
    if stamp is None:
        return _compute(engine, chosen, years=years, scope=scope, by=by)
    key = (engine.name, str(getattr(engine, "path", "")), stamp, tuple(chosen), tuple(years), scope, tuple(by))
    with _kept_lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
            return list(kept)
    values = _compute(engine, chosen, years=years, scope=scope, by=by)
    with _kept_lock:
        _kept[key] = tuple(values)
        while len(_kept) > KEPT_MAX:
            _kept.popitem(last=False)
    return values


def _compute(
    engine: Engine, chosen: list[Indicator], *, years: Sequence[int], scope: Scope, by: Sequence[str]
) -> list[IndicatorValue]:
    for indicator in chosen:
        unsupported = [d for d in by if not indicator.supports(d)]
        if unsupported:
            raise DisaggregationError(
                _("指标 %(code)s 不支持按 %(names)s 分组") % {"code": indicator.code, "names": "、".join(unsupported)}
            )
    keys = ["year", *(DISAGGREGATIONS[d] for d in by)]
    # Aggregates by fact, each under a column name of its own.
    by_fact: dict[str, dict[Aggregate, str]] = {}
    for indicator in chosen:
        for formula in (indicator.numerator, indicator.denominator):
            for aggregate in formula.aggregates() if formula else []:
                columns = by_fact.setdefault(aggregate.fact, {})
                columns.setdefault(aggregate, f"a{len(columns)}")
    recorded = _recorded_years(engine, {f for indicator in chosen for f in indicator.numerator.facts}, years)
    results: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
    for fact, columns in by_fact.items():
        table = scope.apply(engine.fact(fact, years))
        if "city" in by:
            table = table.mutate(city_code=table.region_code.substr(0, 4) + "00")
        metrics = {name: compile_aggregate(aggregate, table) for aggregate, name in columns.items()}
        query = table.group_by(keys).aggregate(rows=table.count(), **metrics)
        results[fact] = {tuple(row[k] for k in keys): row for row in engine.run(query)}

    values: list[IndicatorValue] = []
    for indicator in chosen:
        groups: set[tuple[Any, ...]] = set()
        for fact in indicator.facts:
            groups |= set(results[fact])
        if not by:
            groups |= {(year,) for year in years}
        for group in sorted(groups, key=lambda g: tuple("" if v is None else str(v) for v in g)):
            unrecorded = not any(int(group[0]) in recorded[f] for f in indicator.numerator.facts)
            values.append(_value(indicator, group, keys, results, by_fact, scope, unrecorded=unrecorded))
    return values


def _recorded_years(engine: Engine, facts: set[str], years: Sequence[int]) -> dict[str, set[int]]:
    """The years in which each fact has any row anywhere in the register, in one query (one per
    fact cost more in Ibis's round trips than the counting itself)."""
    recorded: dict[str, set[int]] = {fact: set() for fact in facts}
    if not facts:
        return recorded
    parts = []
    for fact in sorted(facts):
        table = engine.fact(fact, years)
        parts.append(table.select(fact=ibis.literal(fact), year=table.year.cast("int64")).distinct())
    for row in engine.run(ibis.union(*parts, distinct=True) if len(parts) > 1 else parts[0]):
        recorded[str(row["fact"])].add(int(row["year"]))
    return recorded


def _value(
    indicator: Indicator,
    group: tuple[Any, ...],
    keys: list[str],
    results: dict[str, dict[tuple[Any, ...], dict[str, Any]]],
    by_fact: dict[str, dict[Aggregate, str]],
    scope: Scope,
    *,
    unrecorded: bool = False,
) -> IndicatorValue:
    rows = {fact: results[fact].get(group) for fact in indicator.facts}
    aggregate_values: dict[Aggregate, Any] = {}
    for fact, row in rows.items():
        for aggregate, name in by_fact[fact].items():
            # A group with no rows in a fact: counts are 0, sums and means are unknown.
            if row is None:
                aggregate_values[aggregate] = 0 if aggregate.function in {"count", "count_distinct"} else None
            else:
                aggregate_values[aggregate] = row[name]
    has_data = not unrecorded and any(row is not None and row["rows"] for row in rows.values())
    numerator = evaluate(indicator.numerator.tree, aggregate_values) if has_data else None
    denominator = evaluate(indicator.denominator.tree, aggregate_values) if has_data and indicator.denominator else None
    status: Status = "ok"
    if not has_data or numerator is None:
        # Nothing to count, or a sum or mean over no rows (pay where nobody is employed).
        value = None
        status = "no_data"
    elif indicator.denominator is None:
        value = None if numerator is None else numerator * indicator.scale
    elif not denominator:
        value = None
        status = "empty_denominator"
    else:
        value = numerator / denominator * indicator.scale
    labels = dict(zip(keys[1:], group[1:], strict=True))
    reverse = {column: name for name, column in DISAGGREGATIONS.items()}
    return IndicatorValue(
        code=indicator.code,
        year=int(group[0]),
        scope=str(scope),
        value=_round(value),
        numerator=_round(numerator),
        denominator=_round(denominator),
        unit=indicator.unit,
        status=status,
        group={reverse[k]: v for k, v in labels.items()},
    )


@dataclass(frozen=True)
class RecordRows:
    """The rows of one fact behind a figure: each with whether it counts in the numerator and in
    the denominator."""

    fact: str
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool


def _membership(formula: Formula | None, fact: str, table: ir.Table) -> ir.BooleanValue:
    """True for the rows of `fact` that some aggregate of the formula reads."""
    condition = ibis.literal(False)
    for aggregate in formula.aggregates() if formula else []:
        if aggregate.fact != fact:
            continue
        if aggregate.where is None:
            return ibis.literal(True)
        condition = condition | compile_row(aggregate.where, table).fill_null(False)
    return condition


def records_behind(
    engine: Engine,
    indicator: Indicator,
    *,
    year: int,
    scope: Scope,
    major: str = "",
    limit: int = 500,
) -> list[RecordRows]:
    """The records a figure is made of, fact by fact (at most `limit` rows each)."""
    found = []
    for fact in sorted(indicator.facts):
        table = scope.apply(engine.fact(fact, [year]))
        if major and "major_code" in table.columns:
            table = table.filter(table.major_code == major)
        numerator = _membership(indicator.numerator, fact, table)
        denominator = _membership(indicator.denominator, fact, table)
        # Who the record is, where it belongs, and the fields the formula reads.
        read = indicator.numerator.fields(fact) + (indicator.denominator.fields(fact) if indicator.denominator else [])
        identity = [c for c in ("registration_id", "teacher_id", "school_code", "major_code") if c in table.columns]
        columns = list(dict.fromkeys([*identity, *(c for c in read if c in table.columns)]))
        chosen = table.mutate(in_numerator=numerator, in_denominator=denominator)
        chosen = chosen.filter(chosen.in_numerator | chosen.in_denominator)
        ordered = chosen.select(*columns, "in_numerator", "in_denominator").order_by(columns[:2]).limit(limit + 1)
        rows = engine.run(ordered)
        found.append(RecordRows(fact, columns, rows[:limit], len(rows) > limit))
    return found
