"""Early warning for majors (专业预警): red, yellow or green for each major in a scope, with reasons.

A major is judged on its full-time graduates over a window of years (employment rate, in-field
rate, pay against the scope's mean) and on the demand for its occupations in the scope's
published postings (the trend over the window, and graduates per post). The thresholds, the
window and the minimum sample are configuration (`catalogue/warnings.toml`); a major with too few
graduates is not judged. Source: 003 §15.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

from django.utils.translation import gettext as _

from gongjiang.core import clock
from gongjiang.insight.compute import Scope
from gongjiang.insight.engines import Engine
from gongjiang.insight.facts import major_industries

CONFIG_FILE = Path(__file__).with_name("catalogue") / "warnings.toml"
Level = Literal["red", "yellow", "green", "insufficient"]
LEVEL_ORDER = {"red": 0, "yellow": 1, "green": 2, "insufficient": 3}


@dataclass(frozen=True)
class Thresholds:
    window_years: int
    min_graduates: int
    rules: dict[str, dict[str, float]]

    @classmethod
    def load(cls, path: Path = CONFIG_FILE) -> Thresholds:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        rules = {k: v for k, v in data.items() if isinstance(v, dict)}
        return cls(int(data["window_years"]), int(data["min_graduates"]), rules)


@cache
def thresholds() -> Thresholds:
    return Thresholds.load()


@dataclass
class MajorWarning:
    major_code: str
    level: Level
    graduates: int
    employment_rate: float | None
    in_field_rate: float | None
    mean_pay: float | None
    pay_ratio: float | None
    demand_first: int
    demand_last: int
    demand_trend: float | None
    graduates_per_post: float | None
    # The major leads to occupations, and none of them had a place posted in the window.
    no_demand: bool = False
    reasons: list[str] = field(default_factory=list)
    # The years the demand trend compares: the first and last of the window whose postings are
    # recorded for the whole year (None when fewer than two are).
    demand_from: int | None = None
    demand_to: int | None = None


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _judge(warning: MajorWarning, limits: Thresholds) -> None:
    """Set the level and the reasons from the rules that fire."""
    fired: list[tuple[str, str]] = []

    def below(rule: str, value: float | None, text: str, shown: float = 1) -> None:
        # `shown` scales the figures in the sentence only (a ratio written as a percentage).
        limit = limits.rules.get(rule, {})
        if value is None:
            return
        if "red_below" in limit and value < limit["red_below"]:
            fired.append(("red", text % {"value": _half_up(shown * value), "limit": shown * limit["red_below"]}))
        elif "yellow_below" in limit and value < limit["yellow_below"]:
            fired.append(("yellow", text % {"value": _half_up(shown * value), "limit": shown * limit["yellow_below"]}))

    def above(rule: str, value: float | None, text: str) -> None:
        limit = limits.rules.get(rule, {})
        if value is None:
            return
        if "red_above" in limit and value > limit["red_above"]:
            fired.append(("red", text % {"value": _half_up(value), "limit": limit["red_above"]}))
        elif "yellow_above" in limit and value > limit["yellow_above"]:
            fired.append(("yellow", text % {"value": _half_up(value), "limit": limit["yellow_above"]}))

    below("employment_rate", warning.employment_rate, _("就业率 %(value).1f%%，低于 %(limit).1f%%"))
    below("in_field_rate", warning.in_field_rate, _("对口就业率 %(value).1f%%，低于 %(limit).1f%%"))
    # As a percentage, so that 0.797 does not read "0.80, below 0.80".
    below("pay_ratio", warning.pay_ratio, _("平均月收入为全范围平均的 %(value).1f%%，低于 %(limit).0f%%"), shown=100)
    if warning.demand_trend is not None:
        below(
            "demand_trend", 100 * warning.demand_trend, _("对应职业的岗位需求变化 %(value)+.0f%%，低于 %(limit)+.0f%%")
        )
    above("supply_demand", warning.graduates_per_post, _("每个岗位 %(value).1f 名毕业生，高于 %(limit).1f"))
    no_demand = str(limits.rules.get("supply_demand", {}).get("no_demand", "green"))
    if warning.no_demand and no_demand in ("red", "yellow"):
        fired.append(
            (
                no_demand,
                _("窗口内对应职业没有发布任何岗位需求，而有 %(n)d 名毕业生") % {"n": warning.graduates},
            )
        )
    warning.reasons = [text for _level, text in fired]
    if any(level == "red" for level, _text in fired):
        warning.level = "red"
    elif fired:
        warning.level = "yellow"
    else:
        warning.level = "green"


def major_warnings(engine: Engine, *, scope: Scope, year: int, limits: Thresholds | None = None) -> list[MajorWarning]:
    """Every major with graduates in the window, worst first."""
    limits = limits or thresholds()
    years = list(range(year - limits.window_years + 1, year + 1))
    graduates = scope.apply(engine.fact("graduates", years))
    graduates = graduates.filter(graduates.form == "full_time")
    counted = graduates.has_destination & (graduates.destination != "further_study")
    employed = graduates.destination == "employed"
    rows = engine.run(
        graduates.group_by("major_code").aggregate(
            graduates=graduates.count(),
            working=graduates.count(where=graduates.working),
            counted=graduates.count(where=counted),
            employed=graduates.count(where=employed),
            in_field=graduates.count(where=employed & graduates.in_field.fill_null(False)),
            pay_sum=graduates.monthly_pay.sum(where=graduates.working),
            pay_n=graduates.count(where=graduates.working & graduates.monthly_pay.notnull()),
        )
    )
    total_pay = sum(float(r["pay_sum"] or 0) for r in rows)
    total_paid = sum(int(r["pay_n"]) for r in rows)
    scope_mean_pay = total_pay / total_paid if total_paid else None

    # Demand for each major's occupations, by year, in the scope's postings.
    occupations: dict[str, set[str]] = defaultdict(set)
    for link in engine.run(major_industries(engine.tables).select("major_code", "occupation_code").distinct()):
        occupations[link["major_code"]].add(link["occupation_code"])
    postings = engine.fact("postings", years)
    if scope.kind == "region":
        postings = scope.apply(postings)
    wanted = postings.filter(postings.kind.isin(("job", "apprenticeship")))
    demand: dict[tuple[str, int], int] = {}
    for row in engine.run(wanted.group_by(["occupation_code", "year"]).aggregate(n=wanted.headcount.sum())):
        demand[(row["occupation_code"] or "", int(row["year"]))] = int(row["n"] or 0)
    whole = recorded_whole_years(engine, years)
    demand_from, demand_to = (whole[0], whole[-1]) if len(whole) >= 2 else (None, None)
    min_base = int(limits.rules.get("demand_trend", {}).get("min_base", 1))

    warnings = []
    for row in rows:
        major = row["major_code"]
        mine = occupations.get(major, set())
        by_year = {y: sum(demand.get((o, y), 0) for o in mine) for y in years}
        posts = sum(by_year.values())
        mean_pay = float(row["pay_sum"]) / int(row["pay_n"]) if row["pay_n"] else None
        warning = MajorWarning(
            major_code=major,
            level="insufficient",
            graduates=int(row["graduates"]),
            employment_rate=_percent(row["working"], row["counted"]),
            in_field_rate=_percent(row["in_field"], row["employed"]),
            mean_pay=round(mean_pay, 2) if mean_pay is not None else None,
            pay_ratio=round(mean_pay / scope_mean_pay, 4) if mean_pay is not None and scope_mean_pay else None,
            demand_first=by_year[demand_from] if demand_from else 0,
            demand_last=by_year[demand_to] if demand_to else 0,
            demand_trend=_trend(by_year[demand_from], by_year[demand_to], min_base)
            if demand_from and demand_to
            else None,
            graduates_per_post=round(int(row["graduates"]) / posts, 2) if mine and posts else None,
            no_demand=bool(mine) and posts == 0,
            demand_from=demand_from,
            demand_to=demand_to,
        )
        if warning.graduates < limits.min_graduates:
            warning.reasons = [
                _("样本不足：%(n)s 名毕业生，少于 %(min)s 名，不作判断")
                % {"n": warning.graduates, "min": limits.min_graduates}
            ]
        else:
            _judge(warning, limits)
        warnings.append(warning)
    return sorted(warnings, key=lambda w: (LEVEL_ORDER[w.level], -len(w.reasons), w.major_code))


def recorded_whole_years(engine: Engine, years: list[int]) -> list[int]:
    """The years, of those asked, whose demand the register holds whole (`whole_years`)."""
    postings = engine.fact("postings", years)
    covered: dict[int, set[int]] = defaultdict(set)
    for row in engine.run(postings.select("year", "month").distinct()):
        covered[int(row["year"])].add(int(row["month"]))
    return whole_years(covered, years, clock.today())


def whole_years(covered: dict[int, set[int]], years: list[int], today: dt.date) -> list[int]:
    """The years that are over and in each of whose months postings were published (anywhere in
    the register): the year the record began in, or one not over yet, holds only part of a year's
    demand, and set against a whole year it reads as a boom or a collapse."""
    return [year for year in years if year < today.year and len(covered.get(year, set())) == 12]


def _percent(part: Any, whole: Any) -> float | None:
    ratio = _ratio(float(part), float(whole))
    return None if ratio is None else round(100 * ratio, 2)


def _trend(first: int, last: int, min_base: int = 1) -> float | None:
    """Relative change; unknown when the window starts with less demand than `min_base` (from
    nothing, or from a handful, a change in per cent says nothing)."""
    return None if first < max(1, min_base) else round((last - first) / first, 4)


def _half_up(value: float, places: int = 1) -> float:
    """Rounded as the pages round (half up, on the decimal digits shown), so that a reason says
    85.1 % where the table shows 85.1 %, not the 85.0 that binary 85.05 gives."""
    step = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP))
