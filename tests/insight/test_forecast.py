"""Demand forecasts: the model on series whose truth is known, the back-test against naive
forecasts, the monthly demand read from postings (hand-checked), postings recorded from the years
before the platform, and the page."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.core.models import AuditEntry
from gongjiang.directory.models import Organisation
from gongjiang.insight import forecast
from gongjiang.insight.compute import Scope
from gongjiang.insight.engines import DatabaseEngine
from gongjiang.market import services
from gongjiang.market.models import Posting, PostingStatus

SEASON = np.array([0.55, 0.7, 1.5, 1.35, 1.1, 1.0, 0.85, 0.8, 1.2, 1.15, 0.95, 0.75])


def _months(count: int, first: tuple[int, int] = (2022, 1)) -> list[str]:
    start = forecast.month_index(*first)
    return [forecast.month_label(start + i) for i in range(count)]


def _seasonal_series(count: int, growth: float, noise: float, seed: int) -> np.ndarray:
    """Monthly demand from January: 200 people a month, the region's season, growth a year."""
    rng = np.random.default_rng(seed)
    months = np.arange(count)
    return np.round(200 * SEASON[months % 12] * growth ** (months / 12) * rng.uniform(1 - noise, 1 + noise, count))


def test_the_model_beats_naive_forecasts_on_a_seasonal_growing_series() -> None:
    history = _seasonal_series(48, growth=1.25, noise=0.1, seed=1)
    result = forecast.forecast_series("", "合计", _months(48), history.astype(int).tolist(), horizon=12)
    assert result.status == "ok" and "ETS(A," in result.model
    assert result.future[0] == "2026-01" and len(result.mean) == 12
    backtest = result.backtest
    assert backtest is not None and backtest.points == 12
    assert backtest.mape is not None and backtest.mape_naive is not None and backtest.mape_seasonal_naive is not None
    assert backtest.mape < backtest.mape_naive and backtest.mape < backtest.mape_seasonal_naive
    assert backtest.beats_baseline
    # The next year follows the season: March above January, and the total has grown.
    assert result.mean[2] > 1.8 * result.mean[0]
    truth = _seasonal_series(60, growth=1.25, noise=0.0, seed=1)[48:]
    assert result.total is not None and 0.85 * truth.sum() < result.total < 1.15 * truth.sum()
    for width in (80, 95):
        assert result.total_lower[width] < result.total < result.total_upper[width]
        assert all(
            lo <= m <= hi for lo, m, hi in zip(result.lower[width], result.mean, result.upper[width], strict=True)
        )
    assert result.total_upper[95] - result.total_lower[95] > result.total_upper[80] - result.total_lower[80]
    assert result.change is not None and result.change > 0


def test_intervals_cover_what_happens_next() -> None:
    """Over many simulated futures of a noisy series, the 80 % interval holds the outcome about
    eight times in ten (not every time, which would mean it is too wide)."""
    covered = 0
    trials = 30
    for seed in range(trials):
        full = _seasonal_series(42, growth=1.0, noise=0.3, seed=seed)
        result = forecast.forecast_series("", "", _months(36), full[:36].astype(int).tolist(), horizon=6, seed=seed)
        covered += sum(
            lo <= actual <= hi for lo, actual, hi in zip(result.lower[80], full[36:], result.upper[80], strict=True)
        )
    share = covered / (trials * 6)
    assert 0.65 <= share <= 0.95


def test_a_season_matched_exactly_then_a_month_without_demand_gives_finite_intervals_marked_unsteady() -> None:
    """An exact season leaves the back-tested model a spread near zero; a last month with no
    demand (a month whose record is missing) once widened the intervals past what a float holds."""
    history = [round(50 * SEASON[m % 12]) for m in range(29)] + [0]
    result = forecast.forecast_series("", "", _months(30), history, seed=3)
    assert result.backtest is not None and result.backtest.unsteady
    assert result.backtest.interval_scale == forecast.MAX_INTERVAL_SCALE
    bounds = [result.total, *result.total_lower.values(), *result.total_upper.values(), *result.upper[95]]
    assert all(np.isfinite(bounds))
    assert result.as_dict()["backtest"]["unsteady"] is True
    # The same season with ordinary noise is not unsteady.
    noisy = forecast.forecast_series("", "", _months(36), _seasonal_series(36, 1.0, 0.2, 5).astype(int).tolist())
    assert noisy.backtest is not None and not noisy.backtest.unsteady
    assert 1.0 <= noisy.backtest.interval_scale < forecast.MAX_INTERVAL_SCALE


def test_short_and_sparse_series_are_not_forecast() -> None:
    short = forecast.forecast_series("6-31-00-00", "", _months(8), [30] * 8)
    assert short.status == "short" and short.total is None and short.backtest is None
    sparse = forecast.forecast_series("6-31-00-00", "", _months(24), [0, 0, 9] * 8)
    assert sparse.status == "sparse" and sparse.mean == []
    # A year and a half: forecast, without a season (two years are needed) and without a back-test
    # (a year of origins needs a year before them).
    young = forecast.forecast_series("", "", _months(18), [50 + i for i in range(18)])
    assert young.status == "ok" and "季节" not in young.model and young.backtest is None


def test_a_kept_forecast_survives_the_trip_through_json() -> None:
    result = forecast.forecast_series("", "合计", _months(36), _seasonal_series(36, 1.1, 0.1, 3).astype(int).tolist())
    again = forecast.Forecast.from_dict(json.loads(json.dumps(result.as_dict())))
    assert again == result


# -- on the register ---------------------------------------------------------------------------


def _archive(actor: Actor, owner: Organisation, day: dt.date, **overrides: Any) -> Posting:
    values: dict[str, Any] = {
        "title": "招聘电工",
        "description": "负责厂区供配电设备的运行维护。",
        "occupation_code": "6-31-01-03",
        "region_code": "150203",
        "headcount": 3,
    }
    return services.posting_archive(
        # Closed three weeks on, or today if that is still to come (an archived posting has closed:
        # early in a month, last month's postings would otherwise close in the future).
        actor=actor, owner=owner, kind="job", published_on=day,
        closed_on=min(day + dt.timedelta(days=20), clock.today()),
        **{**values, **overrides},
    )  # fmt: skip


@pytest.mark.django_db
def test_postings_of_earlier_years_are_recorded_by_the_bureau_only(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    day = clock.today() - dt.timedelta(days=400)
    posting = _archive(actor_of("bureau"), world["enterprise"], day)
    assert posting.status == PostingStatus.CLOSED and posting.deadline == day + dt.timedelta(days=20)
    assert timezone.localtime(posting.published_at).date() == day
    assert AuditEntry.objects.filter(action="posting.archive", entity_id=str(posting.pk)).exists()
    with pytest.raises(PermissionDenied):
        _archive(actor_of("enterprise"), world["enterprise"], day)
    with pytest.raises(ValidationError) as future:
        _archive(actor_of("bureau"), world["enterprise"], clock.today() + dt.timedelta(days=1))
    assert "发布日期不能晚于今天" in str(future.value)
    with pytest.raises(ValidationError) as still_open:
        services.posting_archive(
            actor=actor_of("bureau"), owner=world["enterprise"], kind="job", published_on=day,
            closed_on=clock.today() + dt.timedelta(days=3), title="电工", description="电工", region_code="150203",
        )  # fmt: skip
    assert "截止日期不能晚于今天" in str(still_open.value)
    with pytest.raises(ValidationError) as upside_down:
        services.posting_archive(
            actor=actor_of("bureau"), owner=world["enterprise"], kind="job", published_on=day,
            closed_on=day - dt.timedelta(days=1), title="电工", description="电工", region_code="150203",
        )  # fmt: skip
    assert "截止日期不能早于发布日期" in str(upside_down.value)
    with pytest.raises(ValidationError) as pay:
        _archive(actor_of("bureau"), world["enterprise"], day, pay_min=9000, pay_max=5000)
    assert "月薪上限不能低于下限" in str(pay.value)
    assert Posting.objects.count() == 1


@pytest.mark.django_db
def test_monthly_demand_is_read_from_published_postings(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    """Hand-checked: three months of postings, an internship (not demand), a posting of another
    occupation class, and one of this month (not yet over)."""
    bureau = actor_of("bureau")
    today = timezone.now().astimezone(dt.UTC).date()
    this_month = forecast.month_index(today.year, today.month)

    def day(months_back: int) -> dt.date:
        index = this_month - months_back
        return dt.date(index // 12, index % 12 + 1, 10)

    _archive(bureau, world["enterprise"], day(3), headcount=4)
    _archive(bureau, world["enterprise"], day(3), headcount=None)  # no headcount: one person
    _archive(bureau, world["enterprise"], day(1), headcount=6)
    _archive(bureau, world["enterprise"], day(1), headcount=2, occupation_code="4-03-02-01", title="招聘厨师")
    services.posting_archive(
        actor=bureau, owner=world["enterprise"], kind="internship", published_on=day(2), closed_on=day(2),
        title="电工岗位实习", description="实习", occupation_code="6-31-01-03", region_code="150203", headcount=50,
    )  # fmt: skip
    if today.day > 2:
        _archive(bureau, world["enterprise"], today.replace(day=2), headcount=9)
    months, series = forecast.demand_series(DatabaseEngine(), scope=Scope("region", "150000"), level=2)
    assert months == [forecast.month_label(this_month - n) for n in (3, 2, 1)]
    assert series[""] == [5, 0, 8]
    assert series["6-31-00-00"] == [5, 0, 6]
    assert series["4-03-00-00"] == [0, 0, 2]
    _months_by_city, by_city = forecast.demand_series(
        DatabaseEngine(), scope=Scope("region", "150000"), breakdown="region"
    )
    assert by_city == {"": [5, 0, 8], "150200": [5, 0, 8]}
    assert forecast.demand_series(DatabaseEngine(), scope=Scope("region", "150400")) == ([], {})
    with pytest.raises(ValueError, match="不能按学校"):
        forecast.demand_series(DatabaseEngine(), scope=Scope("school", world["school"].code))


# -- the page --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("populated")
def test_the_forecast_page(
    client_for: Callable[[str], Client],
    actor_of: Callable[[str], Actor],
    world: dict[str, Organisation],
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.DATA_DIR = tmp_path
    # Thirty months of recorded postings of two occupations, with the region's seasons.
    today = timezone.now().astimezone(dt.UTC).date()
    this_month = forecast.month_index(today.year, today.month)
    for back in range(1, 31):
        index = this_month - back
        day = dt.date(index // 12, index % 12 + 1, 12)
        for code, base in (("6-31-01-03", 40), ("4-03-02-01", 12)):
            _archive(
                actor_of("bureau"),
                world["enterprise"],
                day,
                occupation_code=code,
                headcount=round(base * SEASON[day.month - 1]),
            )
    client = client_for("bureau")
    empty = client.get("/insight/forecasts/")
    assert empty.status_code == 200 and 'data-testid="no-forecast"' in empty.content.decode()
    made = client.post("/insight/forecasts/", {"scope": "region:150000", "by": "occupation", "level": "2"}, follow=True)
    body = made.content.decode()
    assert made.status_code == 200 and 'data-testid="forecasts"' in body and "forecast-data" in body
    rows = made.context["rows"]
    total = rows[0][0]
    assert total.key == "" and total.status == "ok" and total.backtest is not None
    assert total.backtest.mape is not None and total.backtest.mape_seasonal_naive is not None
    assert any(f.key.startswith("6-") for f, _note in rows)
    # A series whose model did worse in the back-test than the better baseline is marked so.
    worse = sum(f.status == "ok" and f.backtest is not None and f.backtest.beats_baseline is False for f, _n in rows)
    assert body.count('data-testid="worse-than-baseline"') == worse and 'data-testid="mape-legend"' in body
    csv = client.get("/insight/forecasts/?scope=region:150000&by=occupation&level=2&format=csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("代码,名称,近12个月需求,预测未来12个月") and len(lines) == len(rows) + 1
    series = next(f for f, _note in rows if f.key != "" and f.status == "ok")
    chosen = client.get(f"/insight/forecasts/?scope=region:150000&by=occupation&level=2&series={series.key}")
    assert chosen.context["chosen"].key == series.key
    # The method and the error are said in words, the error with the chosen series' own figure.
    said = chosen.content.decode()
    assert 'data-testid="method-in-words"' in said and "越近的月份分量越重" in said
    assert series.backtest is not None and series.backtest.mape is not None
    assert f"每月的预测与实际平均相差约 {series.backtest.mape:.1f}%" in said
    assert f"某月实际招 100 人时，预测平均多或少约 {series.backtest.mape:.0f} 人" in said
    assert 'data-testid="forecast-time"' in chosen.content.decode()
    # The register changes: the forecast is still shown, marked as made from older data.
    _archive(actor_of("bureau"), world["enterprise"], today - dt.timedelta(days=40), headcount=7)
    stale = client.get("/insight/forecasts/?scope=region:150000&by=occupation&level=2").content.decode()
    assert 'data-testid="forecast-stale"' in stale and 'data-testid="forecasts"' in stale
    assert forecast.kept_requests() == [forecast.Request(Scope("region", "150000"), "occupation", 2, 12)]
    # A school sees its own city's demand, whatever it asks for; a city bureau not another city's.
    school = client_for("school").get("/insight/forecasts/?scope=region:150000")
    assert school.status_code == 200 and str(school.context["scope"]) == "region:150200"
    assert client_for("bureau_other").get("/insight/forecasts/?scope=region:150200").status_code == 404
    assert client_for("student").get("/insight/forecasts/").status_code == 403


def test_the_share_of_demand_graduates_filled_is_pooled_over_years_with_both() -> None:
    # 2023 has demand but no destinations recorded; 2026 destinations but no demand counted.
    assert forecast.hire_share({2024: 10, 2025: 30, 2026: 5}, {2023: 50, 2024: 100, 2025: 100}) == 0.2
    assert forecast.hire_share({2024: 3}, {2024: 0}) is None
    assert forecast.hire_share({}, {2024: 100}) is None
    months = [f"2023-{m:02d}" for m in range(7, 13)] + [f"2024-{m:02d}" for m in range(1, 13)]
    assert forecast._yearly(months, [1] * 6 + [2] * 12) == {2024: 24}  # half of 2023 is no year
    one = forecast.Forecast(
        key="6-18", name="", status="ok", months=months, history=[0] * 18, total=200.0,
        total_lower={80: 150.0}, total_upper={80: 260.0},
    )  # fmt: skip
    forecast._expect_hires(one, 0.25)
    assert (one.hire_share, one.hires, one.hires_lower, one.hires_upper) == (0.25, 50.0, 37.5, 65.0)


def test_a_few_postings_recorded_from_long_before_do_not_start_the_history() -> None:
    # Months 0–3: four old postings imported (5, 0, 3, 0); months 4–39 the real record, with one
    # poor month (a holiday) that stays.
    total = {0: 5, 2: 3, **dict.fromkeys(range(4, 40), 300)}
    total[20] = 20
    assert forecast._complete_from(total, 0, 39) == 4
    # No trimming in the last year, nor for a scope whose demand is small anyway.
    assert forecast._complete_from({**total, 37: 0, 38: 0}, 0, 39) == 4
    assert forecast._complete_from({0: 1, 5: 2, 30: 3}, 0, 39) == 0


def test_the_parts_are_scaled_to_add_up_to_the_total() -> None:
    def one(key: str, total: float | None, last_year: int) -> forecast.Forecast:
        status = "ok" if total is not None else "sparse"
        made = forecast.Forecast(key=key, name=key, status=status, months=[], history=[], last_year_total=last_year)
        if total is not None:
            made.total, made.mean = total, [total / 2, total / 2]
            made.total_lower, made.total_upper = {80: total * 0.8}, {80: total * 1.2}
            made.lower, made.upper = {80: [total * 0.4] * 2}, {80: [total * 0.6] * 2}
        return made

    found = [one("", 1000.0, 900), one("6-18", 600.0, 500), one("4-03", 300.0, 300), one("2-02", None, 100)]
    forecast.reconcile(found)
    # 1,000 less the 100 held for the part not forecast, shared 600 : 300 between the others.
    assert [f.total for f in found[1:3]] == [600.0, 300.0] and found[1].scaled_by == 1.0
    found = [one("", 1000.0, 900), one("6-18", 800.0, 500), one("4-03", 400.0, 300), one("2-02", None, 100)]
    forecast.reconcile(found)
    assert (found[1].total, found[2].total, found[1].scaled_by) == (600.0, 300.0, 0.75)
    assert found[1].mean == [300.0, 300.0] and found[1].total_upper[80] == 720.0 and found[0].total == 1000.0
    assert sum(f.total or f.last_year_total for f in found[1:]) == found[0].total
