"""Benchmark: the whole indicator catalogue at province and nation scale, on DuckDB and Spark.

A generated demo region (12 schools, about 18,000 students in school and their graduates,
teachers, training, internships, apprenticeships, postings) is copied into a snapshot's source
tables, then replicated: copy k gets ids offset by k × 10^9, its organisation codes suffixed, and
its region codes moved to another of the 31 provinces (so region scopes stay realistic). 22
copies make a province (about 400,000 students in school); 220 a nation-scale sample (about 4
million). The snapshot is built from those tables as `gongjiang indicators` builds it, then:

- `duckdb`: the whole catalogue for one year, all scopes together (the figure the issue asks
  for), timed 5 times after one warm-up, and the same for five years and for one province;
- `spark`: the same on Spark in local mode (2 cores), once after a warm-up;
- `pages`: the dashboard, an indicator page, the alignment page and the annual report (page and
  Word file) through Django's test client over the province snapshot (the organisation list is
  the demo's 12 schools; the figures are the province's).

    ./gj run python benchmarks/insight_catalogue.py [--scales province nation] [--no-spark]

Results: benchmarks/results/insight_catalogue.json.
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

import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "insight_catalogue.json"
SCALES = {"province": 22, "nation": 220}
PROVINCES = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
             "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"]  # fmt: skip
OFFSET = 10**9
# Reference tables are shared by every copy.
SHARED = {"refdata_catalogueversion", "refdata_crosswalk", "refdata_concept"}


def _replicate(table: pa.Table, copies: int) -> pa.Table:
    parts = []
    for k in range(copies):
        columns = {}
        for name in table.column_names:
            column = table[name]
            if name == "id" or name.endswith("_id"):
                column = pc.add(column, pa.scalar(k * OFFSET, pa.int64()))
            elif name == "code" and k:
                column = pc.binary_join_element_wise(column, pa.scalar(f"-{k}"), "")
            elif name == "region_code":
                province = PROVINCES[(PROVINCES.index("15") + k) % len(PROVINCES)]
                column = pc.binary_join_element_wise(pa.scalar(province), pc.utf8_slice_codeunits(column, 2), "")
            columns[name] = column
        parts.append(pa.table(columns))
    return pa.concat_tables(parts)


def _timed(run: Any, repeat: int) -> dict[str, Any]:
    run()  # warm-up
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(seconds), 3), "max_s": round(max(seconds), 3), "runs": repeat}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", nargs="+", default=list(SCALES), choices=list(SCALES))
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--demo", type=Path, default=None, help="a demo data directory to reuse")
    args = parser.parse_args()

    demo = args.demo or Path(tempfile.mkdtemp(prefix="gj-insight-bench-"))
    if not (demo / "gongjiang.sqlite3").exists():
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        subprocess.run(
            [sys.executable, "-m", "gongjiang.cli", "demo", "--no-serve", "--data-dir", str(demo), "--password", "x-bench-2025"],
            check=True, env=env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    os.environ.pop("DATABASE_URL", None)
    os.environ["GONGJIANG_DATA_DIR"] = str(demo)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    import django

    django.setup()
    import duckdb

    from gongjiang.insight.catalogue import catalogue
    from gongjiang.insight.compute import Scope, compute
    from gongjiang.insight.engines import DuckDBEngine, SparkEngine, build_snapshot, data_years, snapshot_path
    from gongjiang.insight.facts import SOURCE_COLUMNS

    build_snapshot()  # from the demo database as it is now
    with duckdb.connect(str(snapshot_path()), read_only=True) as con:
        source = {name: con.execute(f'SELECT * FROM "{name}"').to_arrow_table() for name in SOURCE_COLUMNS}
    first, last = data_years()
    year = last - 1
    indicators = list(catalogue().values())
    results: dict[str, Any] = {
        "benchmark": "insight_catalogue",
        "indicators": len(indicators),
        "year": year,
        "demo_rows": {name: t.num_rows for name, t in source.items()},
        "scales": {},
    }
    for scale in args.scales:
        copies = SCALES[scale]
        tables = {name: t if name in SHARED else _replicate(t, copies) for name, t in source.items()}
        path = Path(tempfile.mkdtemp(prefix=f"gj-{scale}-")) / "register.duckdb"
        started = time.perf_counter()
        build_snapshot(path, read=lambda name, t=tables: t[name], years=(first, last))
        built = time.perf_counter() - started
        engine = DuckDBEngine(path)
        students = engine.run(engine.fact("students", [year]).aggregate(n=engine.fact("students", [year]).count()))[0][
            "n"
        ]
        out: dict[str, Any] = {
            "copies": copies,
            "students_in_school": int(students),
            "registrations": tables["registry_registration"].num_rows,
            "registration_events": tables["registry_registrationevent"].num_rows,
            "snapshot_build_s": round(built, 1),
            "snapshot_mb": round(path.stat().st_size / 2**20, 1),
        }
        out["duckdb_one_year"] = _timed(lambda e=engine: compute(e, indicators, years=[year]), 5)
        out["duckdb_five_years"] = _timed(
            lambda e=engine: compute(e, indicators, years=list(range(year - 4, year + 1))), 5
        )
        out["duckdb_one_province"] = _timed(
            lambda e=engine: compute(e, indicators, years=[year], scope=Scope("region", "150000")), 5
        )
        print(f"{scale}: {out}", file=sys.stderr)
        if scale == "province":
            out["pages"] = _pages(path, demo, year)
        engine.close()
        if not args.no_spark:
            spark = SparkEngine(path)
            try:
                out["spark_one_year"] = _timed(lambda e=spark: compute(e, indicators, years=[year]), 1)
            finally:
                spark.close()
            print(f"{scale} spark: {out['spark_one_year']}", file=sys.stderr)
        results["scales"][scale] = out
        path.unlink()
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS}", file=sys.stderr)
    return 0


def _pages(snapshot: Path, demo: Path, year: int) -> dict[str, Any]:
    """p50/p95 of the insight pages over the province snapshot (20 requests each)."""
    import shutil

    from django.test import Client
    from django.test.utils import setup_test_environment

    from gongjiang.directory.models import User
    from gongjiang.insight.engines import snapshot_path

    setup_test_environment()
    live = snapshot_path()
    kept = live.with_suffix(".kept")
    shutil.move(live, kept)
    shutil.copy(snapshot, live)
    try:
        client = Client()
        client.force_login(User.objects.get(username="bureau"))
        timings: dict[str, Any] = {}
        for name, url in (
            ("dashboard", f"/insight/?year={year}"),
            ("indicator", f"/insight/indicators/employment_rate/?year={year}"),
            ("alignment", f"/insight/alignment/?year={year}"),
            ("report", f"/insight/report/?year={year}"),
            ("report_docx", f"/insight/report/?year={year}&format=docx"),
        ):
            client.get(url)
            seconds = []
            for _ in range(20):
                started = time.perf_counter()
                response = client.get(url)
                seconds.append(time.perf_counter() - started)
                assert response.status_code == 200, (url, response.status_code)
            seconds.sort()
            timings[name] = {"p50_ms": round(1000 * seconds[9], 1), "p95_ms": round(1000 * seconds[18], 1)}
        return timings
    finally:
        live.unlink()
        shutil.move(kept, live)


if __name__ == "__main__":
    sys.exit(main())
