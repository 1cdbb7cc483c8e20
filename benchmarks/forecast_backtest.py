"""Benchmark: demand forecasts, back-tested, beside two naive forecasts, and their intervals.

Two sets of series:

- `demo`: the demo region's (36 months of recorded postings and the current ones), the province's
  demand by occupation class (中类) and by city, as `gongjiang forecast` makes them: how many series
  are forecast, the rolling-origin MAPE of the model against "last month again" and "same month a
  year before", how often the model beats the better of the two, and the time it took.
- `synthetic`: 200 series whose truth is known (a season, growth between −20 % and +30 % a year,
  noise from 10 % to 40 %, 36 months of history): the same errors, and how often the next six
  months fall inside the 80 % and 95 % intervals (they should, about 80 % and 95 % of the time).

    ./gj run python benchmarks/forecast_backtest.py [--demo DATA_DIR]

Results: benchmarks/results/forecast_backtest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "forecast_backtest.json"
SEASON = np.array([0.55, 0.7, 1.5, 1.35, 1.1, 1.0, 0.85, 0.8, 1.2, 1.15, 0.95, 0.75])


def _summary(found: list[Any]) -> dict[str, Any]:
    tested = [f.backtest for f in found if f.backtest is not None and f.backtest.mape is not None]

    def median(values: list[float | None]) -> float | None:
        known = [v for v in values if v is not None]
        return round(statistics.median(known), 2) if known else None

    return {
        "series": len(found),
        "forecast": sum(1 for f in found if f.status == "ok"),
        "sparse": sum(1 for f in found if f.status == "sparse"),
        "back_tested": len(tested),
        "median_mape_model": median([b.mape for b in tested]),
        "median_mape_last_month": median([b.mape_naive for b in tested]),
        "median_mape_same_month_last_year": median([b.mape_seasonal_naive for b in tested]),
        "model_beats_better_naive": sum(1 for b in tested if b.beats_baseline),
        "median_interval_scale": median([b.interval_scale for b in tested]),
    }


def _demo(data_dir: Path) -> dict[str, Any]:
    from gongjiang.insight import forecast
    from gongjiang.insight.compute import Scope
    from gongjiang.insight.engines import DuckDBEngine, build_snapshot

    build_snapshot()
    engine = DuckDBEngine()
    out: dict[str, Any] = {}
    try:
        for label, request in (
            ("province_by_occupation_class", forecast.Request(Scope("region", "150000"), "occupation", 2)),
            ("province_by_city", forecast.Request(Scope("region", "150000"), "region", 2)),
        ):
            started = time.perf_counter()
            found = forecast.make(engine, request)
            seconds = time.perf_counter() - started
            total = found[0]
            out[label] = {
                **_summary(found),
                "seconds": round(seconds, 2),
                "months": len(total.months),
                "total": {
                    "last_12_months": total.last_year_total,
                    "next_12_months": total.total,
                    "interval_80": [total.total_lower.get(80), total.total_upper.get(80)],
                    "model": total.model,
                    "backtest": None if total.backtest is None else total.backtest.__dict__,
                },
            }
    finally:
        engine.close()
    return out


def _synthetic(count: int = 200) -> dict[str, Any]:
    from gongjiang.insight import forecast

    rng = np.random.default_rng(2026)
    found = []
    inside = {80: 0, 95: 0}
    points = 0
    started = time.perf_counter()
    for n in range(count):
        growth, noise = rng.uniform(0.8, 1.3), rng.uniform(0.1, 0.4)
        level = rng.uniform(20, 400)
        months = np.arange(42)
        truth = level * SEASON[months % 12] * growth ** (months / 12) * rng.uniform(1 - noise, 1 + noise, 42)
        values = np.round(truth).astype(int)
        labels = [forecast.month_label(forecast.month_index(2023, 1) + i) for i in range(36)]
        result = forecast.forecast_series("", "", labels, values[:36].tolist(), horizon=6, seed=n)
        found.append(result)
        for width in inside:
            inside[width] += sum(
                lo <= actual <= hi
                for lo, actual, hi in zip(result.lower[width], values[36:], result.upper[width], strict=True)
            )
        points += 6
    return {
        **_summary(found),
        "seconds": round(time.perf_counter() - started, 2),
        "coverage_80": round(inside[80] / points, 3),
        "coverage_95": round(inside[95] / points, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo", type=Path, default=None, help="a demo data directory to reuse")
    args = parser.parse_args()
    demo = args.demo or Path(tempfile.mkdtemp(prefix="gj-forecast-bench-"))
    if not (demo / "gongjiang.sqlite3").exists():
        env = {**os.environ, "GONGJIANG_DATA_DIR": str(demo)}
        env.pop("DATABASE_URL", None)
        subprocess.run(
            [sys.executable, "-m", "gongjiang.cli", "demo", "--no-serve", "--data-dir", str(demo), "--password", "x-bench-2025"],
            check=True, env=env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    os.environ["GONGJIANG_DATA_DIR"] = str(demo)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    import django

    django.setup()
    import statsmodels

    out = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "statsmodels": statsmodels.__version__,
        },
        "demo": _demo(demo),
        "synthetic": _synthetic(),
    }
    RESULTS.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
