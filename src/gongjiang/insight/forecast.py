"""Demand forecasts: how many people the region's employers will ask for, month by month, by
occupation or by region, from the history of published postings, with their uncertainty and an
honest back-test.

Demand is the headcount of published jobs and apprenticeship places (a posting naming no
headcount asks for one), counted in the month it was published (in UTC, as stored); the month not yet over is left
out, and so are the months before the record is complete (a few postings imported from long
before the rest would read as years of near-zero demand). Each series is modelled on log(1 + headcount), so growth and seasons act as factors and the
forecast never goes below zero. With two years of history the season of hiring is taken from the
scope's total (`seasonal_profile`) and removed; what remains is smoothed exponentially
(statsmodels' ETSModel, additive errors), level only or with a damped trend, whichever has the
lower AICc. Intervals come from 1,000 simulated futures of the chosen model, so the interval of a
year's total is the spread of the simulated totals, not a sum of monthly bounds. A model's own
spread is too narrow (it ignores that its season and parameters are estimates), so the
simulated futures are widened by what the back-test found: the root mean square of its errors
over the spread it had predicted for them (never narrowed, at most fourfold; a series too young
for a back-test keeps the model's own spread).

The back-test repeats what a user would have seen: at four origins in the last year it fits on the
months before (estimating the season and choosing the model again) and forecasts the next three, and compares the mean
absolute percentage error (MAPE, over months with demand) with two naive forecasts: the last
month again, and the same month a year before.

Graduates beside an occupation's demand are the latest year's full-time graduates of the majors
that lead to it (the major→occupation crosswalk), and those hired into it (their destinations).
The destinations of every recorded year also turn the demand forecast into one of graduate hires:
the share of a year's posted demand that the year's graduates filled (hires into the group over
its demand, pooled over the years with both), applied to the forecast total and its interval.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import warnings
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.seasonal import seasonal_decompose

from gongjiang.core.scope import region_prefix
from gongjiang.insight.compute import Scope
from gongjiang.insight.engines import DuckDBEngine, Engine, last_audit_id, snapshot_path
from gongjiang.insight.facts import major_industries
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concept_get

Breakdown = Literal["occupation", "region"]
Progress = Callable[[str, int, int], None]

DEMAND_KINDS = ("job", "apprenticeship")
# Occupation groups by how many characters of the code they keep: 大类 "6", 中类 "6-31",
# 小类 "6-31-01", the occupation itself.
LEVEL_LENGTHS = {1: 1, 2: 4, 3: 7, 4: 10}
HISTORY_LIMIT = 60  # months read back at most
MIN_MONTHS = 12  # fewer and there is nothing to forecast from
SEASONAL_MONTHS = 24  # two full years before a season is estimated
# A series is too sparse to forecast when its typical month asks for fewer people than this or
# when more than a third of its months have no demand at all: the log model and the percentage
# error both mislead there, and the series still counts in the scope's total.
MIN_MEAN = 5.0
# A month whose total is below this share of the last year's median month is taken for an
# incomplete record when two or more come together (see `_complete_from`).
INCOMPLETE_SHARE = 0.1
MAX_ZERO_SHARE = 1 / 3
BACKTEST_ORIGINS = 4
BACKTEST_HORIZON = 3
SIMULATIONS = 1000
INTERVALS = (80, 95)
# The back-test's errors are measured in the spreads the model predicted for them, each spread
# taken as at least this share of the count's own noise (`count_noise`): a season matched exactly
# leaves a spread near zero, and one surprise month (a month with no record at all) would
# otherwise widen the intervals millions of times, past what a float can hold.
NOISE_FLOOR = 0.25
# Widening beyond this says the back-test met a break the model cannot know; the page says the
# intervals are unsteady rather than showing bounds hundreds of times the history.
MAX_INTERVAL_SCALE = 4.0
UNCODED = "?"


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass
class Backtest:
    """Errors of the model and of two naive forecasts at the same origins and horizons."""

    origins: int
    horizon: int
    points: int  # months with demand the errors are taken over
    mape: float | None
    mape_naive: float | None  # the last month again
    mape_seasonal_naive: float | None  # the same month a year before
    # How much wider than the model's own the intervals must be to match the errors it made
    # (from 1 to MAX_INTERVAL_SCALE): the root mean square of its errors in log demand, each over
    # the spread its simulations gave for that month.
    interval_scale: float = 1.0

    @property
    def best_baseline(self) -> float | None:
        known = [v for v in (self.mape_naive, self.mape_seasonal_naive) if v is not None]
        return min(known) if known else None

    @property
    def unsteady(self) -> bool:
        """The back-test missed by more than the widest widening allows."""
        return self.interval_scale >= MAX_INTERVAL_SCALE

    @property
    def beats_baseline(self) -> bool | None:
        best = self.best_baseline
        return None if self.mape is None or best is None else bool(self.mape < best)


@dataclass
class Forecast:
    """One series (an occupation group or a region within the scope) and its forecast."""

    key: str  # occupation code prefix, region code, or "" for the whole scope
    name: str
    status: Literal["ok", "short", "sparse"]
    months: list[str]  # the history's months, oldest first
    history: list[int]
    future: list[str] = field(default_factory=list)
    mean: list[float] = field(default_factory=list)
    # Monthly bounds by interval width (80, 95): lower and upper per future month.
    lower: dict[int, list[float]] = field(default_factory=dict)
    upper: dict[int, list[float]] = field(default_factory=dict)
    total: float | None = None  # the next `horizon` months together
    total_lower: dict[int, float] = field(default_factory=dict)
    total_upper: dict[int, float] = field(default_factory=dict)
    last_year_total: int = 0  # the same number of months just past
    model: str = ""
    backtest: Backtest | None = None
    # The factor the part's forecast was multiplied by so that the parts add up to the total
    # (`reconcile`); 1 for the total and for parts not forecast.
    scaled_by: float = 1.0
    graduates: int | None = None  # latest year's graduates of majors leading to the occupation group
    hired: int | None = None  # … of whom hired into it
    # Graduates expected to be hired into the group over the forecast months: the forecast total
    # (and its 80 % interval) times the share of posted demand graduates filled in earlier years.
    hire_share: float | None = None
    hires: float | None = None
    hires_lower: float | None = None
    hires_upper: float | None = None

    @property
    def change(self) -> float | None:
        """The forecast total against the months just past, as a ratio less one."""
        if self.total is None or not self.last_year_total:
            return None
        return self.total / self.last_year_total - 1

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["change"] = self.change
        if self.backtest is not None:
            data["backtest"]["beats_baseline"] = self.backtest.beats_baseline
            data["backtest"]["unsteady"] = self.backtest.unsteady
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Forecast:
        """Back from `as_dict` (through JSON, whose keys are text)."""
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for name in ("lower", "upper", "total_lower", "total_upper"):
            values[name] = {int(width): bound for width, bound in values[name].items()}
        if values["backtest"] is not None:
            values["backtest"] = Backtest(
                **{k: v for k, v in values["backtest"].items() if k in Backtest.__dataclass_fields__}
            )
        return cls(**values)


@dataclass
class _Fit:
    name: str
    results: Any
    first: int  # month index of the first month fitted
    profile: np.ndarray | None  # seasonal effect on log demand by calendar month (0 = January)

    def season(self, start: int, count: int) -> np.ndarray:
        if self.profile is None:
            return np.zeros(count)
        return np.array([self.profile[(start + i) % 12] for i in range(count)])

    def centre(self, horizon: int) -> np.ndarray:
        """The forecast of log demand."""
        end = self.first + int(self.results.nobs)
        centre: np.ndarray = np.asarray(self.results.forecast(horizon), dtype=float) + self.season(end, horizon)
        return centre

    def forecast(self, horizon: int) -> np.ndarray:
        # The back-transformed mean of the log model is the median demand, the honest middle of
        # a skewed count.
        demand: np.ndarray = np.maximum(np.expm1(self.centre(horizon)), 0.0)
        return demand

    def log_paths(self, horizon: int, seed: int, scale: float = 1.0) -> np.ndarray:
        """`SIMULATIONS` futures of log demand, horizon × repetitions, their spread around the
        forecast widened by `scale`."""
        end = self.first + int(self.results.nobs)
        paths = self.results.simulate(horizon, repetitions=SIMULATIONS, anchor="end", rng=np.random.default_rng(seed))
        logged = np.asarray(paths, dtype=float) + self.season(end, horizon)[:, None]
        centre = self.centre(horizon)[:, None]
        widened: np.ndarray = centre + scale * (logged - centre)
        return widened


def seasonal_profile(first: int, total: npt.ArrayLike) -> np.ndarray | None:
    """The season of hiring on log demand, by calendar month, from the scope's total (classical
    decomposition over a centred twelve-month average); None with less than two years.

    One profile for every series of a scope: the recruiting seasons are the region's (the Spring
    Festival, spring and autumn recruiting), and a single occupation's few dozen postings a
    month are too noisy to estimate twelve effects of their own (in the demo's back-test the
    shared profile cut the median error from 52 % to 44 %)."""
    values = np.asarray(total, dtype=float)
    if len(values) < SEASONAL_MONTHS:
        return None
    decomposed = seasonal_decompose(np.log1p(values), period=12, model="additive")
    positional = np.asarray(decomposed.seasonal)[:12]
    profile = np.zeros(12)
    for i, effect in enumerate(positional):
        profile[(first + i) % 12] = effect
    return profile


def _fit(first: int, values: np.ndarray, profile: np.ndarray | None) -> _Fit:
    """Level, or damped trend, whichever has the lower AICc, on log(1 + demand) less the season."""
    season = np.array([profile[(first + i) % 12] for i in range(len(values))]) if profile is not None else 0.0
    adjusted = np.log1p(values) - season
    best: tuple[float, str, Any] | None = None
    for trend, damped in ((None, False), ("add", True)):
        with warnings.catch_warnings():
            # A flat series or a short one makes the optimiser complain; the AICc judges the fit.
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            results = ETSModel(adjusted, error="add", trend=trend, damped_trend=damped).fit(disp=False)
        aicc = float(results.aicc)
        if best is None or (math.isfinite(aicc) and aicc < best[0]):
            best = (aicc if math.isfinite(aicc) else math.inf, f"ETS(A,{'Ad' if damped else 'N'},N)", results)
    assert best is not None
    # Said for the reader, with the statistician's name after it.
    plain = _("指数平滑，阻尼趋势") if "Ad" in best[1] else _("指数平滑，无趋势")
    name = f"{plain}（{best[1]}）" + (_("，季节规律取自本地区合计") if profile is not None else "")
    return _Fit(name, best[2], first, profile)


def count_noise(centre: np.ndarray) -> np.ndarray:
    """The spread of log(1 + a count) that chance alone gives around a forecast of it (a Poisson
    count of mean μ: √μ / (1 + μ) by the delta method, μ taken as at least 1). No model can claim
    to know a month's demand better, and a back-test error over a spread below it would read as
    a miss by millions of spreads."""
    mean = np.maximum(np.expm1(centre), 1.0)
    noise: np.ndarray = np.sqrt(mean) / (1.0 + mean)
    return noise


def _mape(actual: Sequence[float], predicted: Sequence[float]) -> float | None:
    pairs = [(a, p) for a, p in zip(actual, predicted, strict=True) if a > 0]
    if not pairs:
        return None
    return round(float(100 * sum(abs(a - p) / a for a, p in pairs) / len(pairs)), 2)


def backtest(first: int, values: npt.ArrayLike, total: npt.ArrayLike) -> Backtest | None:
    """Rolling-origin back-test over the last `BACKTEST_ORIGINS × BACKTEST_HORIZON` months: at each
    origin the season and the model are estimated again from the months before it only."""
    series, overall = np.asarray(values, dtype=float), np.asarray(total, dtype=float)
    span = BACKTEST_ORIGINS * BACKTEST_HORIZON
    if len(series) - span < MIN_MONTHS:
        return None
    actual: list[float] = []
    model: list[float] = []
    naive: list[float] = []
    seasonal: list[float] = []
    standardised: list[float] = []
    for origin in range(len(series) - span, len(series), BACKTEST_HORIZON):
        past, ahead = series[:origin], series[origin : origin + BACKTEST_HORIZON]
        fit = _fit(first, past, seasonal_profile(first, overall[:origin]))
        model.extend(fit.forecast(len(ahead)))
        centre = fit.centre(len(ahead))
        spread = np.maximum(fit.log_paths(len(ahead), seed=origin).std(axis=1), NOISE_FLOOR * count_noise(centre))
        standardised.extend((np.log1p(ahead) - centre) / spread)
        naive.extend([past[-1]] * len(ahead))
        seasonal.extend(series[origin - 12 + h] for h in range(len(ahead)))
        actual.extend(ahead)
    scale = math.sqrt(float(np.mean(np.square(standardised)))) if standardised else 1.0
    return Backtest(
        origins=BACKTEST_ORIGINS,
        horizon=BACKTEST_HORIZON,
        points=int(sum(1 for a in actual if a > 0)),
        mape=_mape(actual, model),
        mape_naive=_mape(actual, naive),
        mape_seasonal_naive=_mape(actual, seasonal),
        interval_scale=round(min(max(1.0, scale), MAX_INTERVAL_SCALE), 3),
    )


def forecast_series(
    key: str,
    name: str,
    months: list[str],
    history: Sequence[int],
    total: Sequence[int] | None = None,
    horizon: int = 12,
    seed: int = 0,
) -> Forecast:
    """Fit, forecast `horizon` months with intervals, and back-test one monthly series; `total` is
    the scope's total over the same months, whose season the series shares (its own history
    when it is the total)."""
    result = Forecast(key=key, name=name, status="ok", months=months, history=[int(v) for v in history])
    values = np.asarray(history, dtype=float)
    result.last_year_total = int(values[-horizon:].sum())
    if len(values) < MIN_MONTHS:
        result.status = "short"
        return result
    if values.mean() < MIN_MEAN or (values == 0).mean() > MAX_ZERO_SHARE:
        result.status = "sparse"
        return result
    overall = np.asarray(total if total is not None else history, dtype=float)
    first = month_index(int(months[0][:4]), int(months[0][5:]))
    fit = _fit(first, values, seasonal_profile(first, overall))
    result.model = fit.name
    result.future = [month_label(first + len(values) + h) for h in range(horizon)]
    result.mean = [round(float(v), 1) for v in fit.forecast(horizon)]
    result.backtest = backtest(first, values, overall)
    scale = result.backtest.interval_scale if result.backtest else 1.0
    futures = np.maximum(np.expm1(fit.log_paths(horizon, seed, scale)), 0.0)
    totals = futures.sum(axis=0)
    # The middle of the simulated totals: a sum of monthly medians would sit below it.
    result.total = round(float(np.median(totals)), 1)
    for width in INTERVALS:
        low, high = (100 - width) / 2, 100 - (100 - width) / 2
        result.lower[width] = [round(float(v), 1) for v in np.percentile(futures, low, axis=1)]
        result.upper[width] = [round(float(v), 1) for v in np.percentile(futures, high, axis=1)]
        result.total_lower[width] = round(float(np.percentile(totals, low)), 1)
        result.total_upper[width] = round(float(np.percentile(totals, high)), 1)
    return result


# -- reading the series ------------------------------------------------------------------------


def last_complete_month(today: dt.date | None = None) -> int:
    """The month before this one, in UTC like the postings' months (see `facts.postings`)."""
    today = today or timezone.now().astimezone(dt.UTC).date()
    return month_index(today.year, today.month) - 1


def _group_code(prefix: str | None, breakdown: Breakdown) -> str:
    """The catalogue's code of a group: an occupation prefix padded as the 大典 writes its
    classes ("6-31" → "6-31-00-00"), a region code as it is."""
    if not prefix:
        return UNCODED
    return (prefix + "-00-00-00")[:10] if breakdown == "occupation" else prefix


def demand_series(
    engine: Engine,
    *,
    scope: Scope,
    breakdown: Breakdown = "occupation",
    level: int = 2,
    today: dt.date | None = None,
) -> tuple[list[str], dict[str, list[int]]]:
    """The months read and, for the scope's total ("") and each group, demand in each month."""
    if scope.kind == "school":
        raise ValueError(_("需求预测按地区计算，不能按学校。"))
    if level not in LEVEL_LENGTHS:
        raise ValueError(_("职业层级应为 1 到 4，而不是 %(level)s") % {"level": level})
    last = last_complete_month(today)
    first = last - HISTORY_LIMIT + 1
    postings = engine.fact("postings", list(range(first // 12, last // 12 + 1)))
    postings = scope.apply(postings).filter(postings.kind.isin(DEMAND_KINDS))
    if breakdown == "occupation":
        group = postings.occupation_code.fill_null("").substr(0, LEVEL_LENGTHS[level]).name("group")
    else:
        # The next level down from the scope: cities of a province, districts of a city.
        depth = len(region_prefix(scope.code)) + 2 if scope.kind == "region" else 2
        group = (postings.region_code.substr(0, min(depth, 6)) + "000000").substr(0, 6).name("group")
    rows = engine.run(postings.group_by([postings.year, postings.month, group]).aggregate(n=postings.headcount.sum()))
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        index = month_index(int(row["year"]), int(row["month"]))
        if first <= index <= last:
            counts[_group_code(row["group"], breakdown)][index] += int(row["n"] or 0)
            counts[""][index] += int(row["n"] or 0)
    if not counts:
        return [], {}
    start = _complete_from(counts[""], min(min(by_month) for by_month in counts.values()), last)
    indices = list(range(start, last + 1))
    return [month_label(i) for i in indices], {
        key: [by_month.get(i, 0) for i in indices] for key, by_month in counts.items()
    }


def _complete_from(total: dict[int, int], first: int, last: int) -> int:
    """The month from which the scope's record of demand is complete: after the last run of two or
    more months, before the last year, whose total falls below a tenth of the median month of the
    last year. A few
    postings recorded from long before (an import of an old list) would otherwise read as years of
    near-zero demand and a steep rise; a single poor month (the Spring Festival) is kept."""
    recent = sorted(total.get(i, 0) for i in range(max(first, last - 11), last + 1))
    reference = recent[len(recent) // 2]
    if reference < MIN_MEAN:
        return first
    start = first
    low_run = 0
    for index in range(first, last - 11):
        if total.get(index, 0) < INCOMPLETE_SHARE * reference:
            low_run += 1
            if low_run >= 2:
                start = index + 1
        else:
            low_run = 0
    return start


def _graduate_supply(engine: Engine, scope: Scope, level: int, year: int) -> tuple[dict[str, int], dict[str, int]]:
    """Per occupation group: the year's full-time graduates of majors leading to it, and those of
    any major hired into it."""
    links: dict[str, set[str]] = defaultdict(set)
    for link in engine.run(major_industries(engine.tables).select("major_code", "occupation_code").distinct()):
        prefix = str(link["occupation_code"])[: LEVEL_LENGTHS[level]]
        links[link["major_code"]].add(_group_code(prefix, "occupation"))
    graduates = _full_time_graduates(engine, scope, year)
    supply: dict[str, int] = defaultdict(int)
    for row in engine.run(graduates.group_by("major_code").aggregate(n=graduates.count())):
        for group in links.get(row["major_code"], ()):
            supply[group] += int(row["n"])
    return dict(supply), _hires(engine, scope, level, year)


def _full_time_graduates(engine: Engine, scope: Scope, year: int) -> ir.Table:
    graduates = scope.apply(engine.fact("graduates", [year]))
    return graduates.filter(graduates.form == "full_time")


def _hires(engine: Engine, scope: Scope, level: int, year: int) -> dict[str, int]:
    """Per occupation group: the year's full-time graduates hired into it."""
    graduates = _full_time_graduates(engine, scope, year)
    working = graduates.filter(graduates.working & (graduates.job_occupation_code.fill_null("") != ""))
    working = working.mutate(group=working.job_occupation_code.substr(0, LEVEL_LENGTHS[level]))
    rows = engine.run(working.group_by("group").aggregate(n=working.count()))
    return {_group_code(row["group"], "occupation"): int(row["n"]) for row in rows}


def reconcile(found: list[Forecast]) -> None:
    """Make the parts add up to the total (the first series): the parts not forecast (too short or
    sparse) are taken at their last year's level, and the forecast parts share the rest of the
    total in proportion to their own forecasts. Each part's months and intervals are multiplied by
    the same factor, recorded in `scaled_by`; its back-test stays that of its own model."""
    if not found or found[0].key != "" or found[0].total is None:
        return
    parts = found[1:]
    modelled = [f for f in parts if f.total is not None]
    held = sum(f.last_year_total for f in parts if f.total is None)
    own = sum(f.total or 0.0 for f in modelled)
    if not modelled or own <= 0 or found[0].total <= held:
        return
    factor = (found[0].total - held) / own
    for part in modelled:
        part.scaled_by = round(factor, 4)
        part.mean = [round(v * factor, 1) for v in part.mean]
        for bounds in (part.lower, part.upper):
            for width, values in bounds.items():
                bounds[width] = [round(v * factor, 1) for v in values]
        part.total = round((part.total or 0.0) * factor, 1)
        for totals in (part.total_lower, part.total_upper):
            for width, value in totals.items():
                totals[width] = round(value * factor, 1)


def hire_share(hired: dict[int, int], demand: dict[int, int]) -> float | None:
    """The share of posted demand that graduates filled, pooled over the years that have both
    destinations and demand (none when no such year has demand)."""
    years = [year for year in hired if demand.get(year)]
    asked = sum(demand[year] for year in years)
    return sum(hired[year] for year in years) / asked if asked else None


def _expect_hires(one: Forecast, share: float | None) -> None:
    if share is None or one.total is None:
        return
    one.hire_share = share
    one.hires = one.total * share
    one.hires_lower = one.total_lower.get(80, one.total) * share
    one.hires_upper = one.total_upper.get(80, one.total) * share


def _yearly(months: list[str], history: Sequence[int]) -> dict[int, int]:
    """A monthly series' whole calendar years (a year part-covered is left out)."""
    totals: dict[int, int] = defaultdict(int)
    counted: dict[int, int] = defaultdict(int)
    for label, value in zip(months, history, strict=True):
        year = int(label[:4])
        totals[year] += value
        counted[year] += 1
    return {year: totals[year] for year in totals if counted[year] == 12}


def forecasts(
    engine: Engine,
    *,
    scope: Scope,
    names: Callable[[str], str],
    breakdown: Breakdown = "occupation",
    level: int = 2,
    horizon: int = 12,
    graduates_year: int | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> list[Forecast]:
    """The scope's total first, then each group by its demand over the last year, largest first.
    `names` gives a group's name from its key."""
    months, series = demand_series(engine, scope=scope, breakdown=breakdown, level=level, today=today)
    keys = sorted(series, key=lambda k: (k != "", -sum(series[k][-12:]), k))
    supply: dict[str, int] = {}
    hired: dict[str, int] = {}
    hired_by_year: dict[str, dict[int, int]] = defaultdict(dict)
    recorded: set[int] = set()
    if breakdown == "occupation" and graduates_year is not None:
        supply, hired = _graduate_supply(engine, scope, level, graduates_year)
        # Earlier years' destinations, for the share of demand graduates filled; a year without
        # any recorded hire (before the register's first cohort left) says nothing and is skipped.
        for year in sorted({int(label[:4]) for label in months}):
            year_hired = hired if year == graduates_year else _hires(engine, scope, level, year)
            if year_hired:
                recorded.add(year)
            for key, count in year_hired.items():
                hired_by_year[key][year] = count
    found = []
    for number, key in enumerate(keys):
        if progress:
            progress(key, number, len(keys))
        one = forecast_series(key, names(key), months, series[key], series[""], horizon=horizon, seed=number)
        found.append(one)
    reconcile(found)
    if breakdown == "occupation" and graduates_year is not None:
        for one in found:
            if one.key not in ("", UNCODED):
                one.graduates, one.hired = supply.get(one.key, 0), hired.get(one.key, 0)
                years = {y: n for y, n in _yearly(months, series[one.key]).items() if y in recorded}
                _expect_hires(one, hire_share({y: hired_by_year[one.key].get(y, 0) for y in years}, years))
    if progress:
        progress("", len(keys), len(keys))
    return found


def group_name(key: str, breakdown: Breakdown) -> str:
    """A series' name: the occupation class or the region, from the catalogues."""
    if key == "":
        return _("合计")
    if key == UNCODED:
        return _("未编码的职业") if breakdown == "occupation" else _("未知地区")
    concept = concept_get(Scheme.OCCUPATION if breakdown == "occupation" else Scheme.REGION, key)
    return concept.name if concept is not None else key


# -- kept results ------------------------------------------------------------------------------
# Fitting takes a second or more a series, so results are kept beside the snapshot, one file a
# request, and are current while the data they came from is: the same snapshot, or on the live
# database no write since.


@dataclass(frozen=True)
class Request:
    """What to forecast."""

    scope: Scope
    breakdown: Breakdown = "occupation"
    level: int = 2
    horizon: int = 12

    def file_name(self) -> str:
        return f"{self.scope}-{self.breakdown}-{self.level}-{self.horizon}.json".replace(":", "_")


def _stamp(engine: Engine) -> str:
    if isinstance(engine, DuckDBEngine):
        return f"snapshot {engine.stamp()}"
    return f"register {connection.settings_dict['NAME']} {last_audit_id()}"


def _kept_path(request: Request) -> Path:
    return snapshot_path().parent / "forecasts" / request.file_name()


@dataclass
class Kept:
    """Forecasts kept for a request: when they were made, and whether from the data the engine
    reads now (if not, they are shown as of their time until made again)."""

    forecasts: list[Forecast]
    made_at: str
    current: bool


def kept(engine: Engine, request: Request) -> Kept | None:
    """The forecasts last made for this request, if any."""
    path = _kept_path(request)
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return Kept(
        forecasts=[Forecast.from_dict(item) for item in data["forecasts"]],
        made_at=str(data.get("made_at", "")),
        current=data.get("stamp") == _stamp(engine),
    )


def kept_requests() -> list[Request]:
    """Every request whose forecasts are kept (what a rebuilt snapshot makes stale)."""
    folder = snapshot_path().parent / "forecasts"
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            asked = json.loads(path.read_text(encoding="utf-8")).get("request")
        except (OSError, ValueError):
            continue
        if asked:
            found.append(
                Request(
                    Scope(asked["scope_kind"], asked["scope_code"]),
                    asked["breakdown"],
                    asked["level"],
                    asked["horizon"],
                )
            )
    return found


def make(
    engine: Engine, request: Request, *, graduates_year: int | None = None, progress: Progress | None = None
) -> list[Forecast]:
    """Forecast every series of the request and keep the results for the next reader."""
    stamp = _stamp(engine)
    found = forecasts(
        engine,
        scope=request.scope,
        names=lambda key: group_name(key, request.breakdown),
        breakdown=request.breakdown,
        level=request.level,
        horizon=request.horizon,
        graduates_year=graduates_year,
        progress=progress,
    )
    path = _kept_path(request)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and moved in place, so a reader never sees half a file.
    scratch = path.with_suffix(".tmp")
    kept_data = {
        "stamp": stamp,
        "made_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "request": {
            "scope_kind": request.scope.kind, "scope_code": request.scope.code, "breakdown": request.breakdown,
            "level": request.level, "horizon": request.horizon,
        },
        "forecasts": [f.as_dict() for f in found],
    }  # fmt: skip
    scratch.write_text(json.dumps(kept_data, ensure_ascii=False), encoding="utf-8")
    scratch.replace(path)
    return found
