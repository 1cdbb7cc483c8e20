"""Benchmark: loading the full national reference tables from ../shared/refdata/raw.

Runs the real load service against a fresh database (SQLite by default, PostgreSQL when
DATABASE_URL is set), three times, and records wall time per catalogue and in total, and the
process's peak memory, in benchmarks/results/refdata_load-<vendor>.json.

    ./gj run python benchmarks/refdata_load.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT.parent / "shared" / "refdata" / "raw"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not RAW.is_dir():
        print(f"missing {RAW}", file=sys.stderr)
        return 2
    os.environ.setdefault("GONGJIANG_DATA_DIR", tempfile.mkdtemp(prefix="gj-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    import django

    django.setup()
    from django.db import connection

    from gongjiang.core.actors import system_actor
    from gongjiang.refdata.services import refdata_load

    # A database of its own, so the benchmark never touches real data.
    creation = connection.creation
    old_name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            report = refdata_load(actor=system_actor("bench"), path=RAW)
            runs.append(
                {
                    "total_seconds": round(time.perf_counter() - started, 3),
                    "versions": {
                        f"{v.scheme}:{v.label}": {"rows": v.rows, "seconds": round(v.seconds, 3)}
                        for v in report.versions
                    },
                }
            )
        rows = sum(v["rows"] for v in runs[0]["versions"].values())
        result = {
            "benchmark": "refdata_load",
            "what": "gongjiang refdata load ../shared/refdata/raw (parse, validate, write, pinyin), repeated loads replace the same versions",
            "database": connection.vendor,
            "rows": rows,
            "runs": runs,
            "median_total_seconds": statistics.median(r["total_seconds"] for r in runs),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
            "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
    finally:
        creation.destroy_test_db(old_name, verbosity=0)
    out = ROOT / "benchmarks" / "results" / f"refdata_load-{result['database']}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(
        json.dumps(
            {k: result[k] for k in ("database", "rows", "median_total_seconds", "peak_rss_mib")}, ensure_ascii=False
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
