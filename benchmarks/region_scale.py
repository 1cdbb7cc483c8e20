"""Benchmark: generating a region at a scale, then the list pages over it.

Builds a fresh database (PostgreSQL when DATABASE_URL is set, else SQLite), generates the demo
region at the chosen scale through the real services and imports (reference data, organisations,
majors, classes, students imported and approved, teachers, training, placements, graduates and
their destinations), and records how long that took. Then it requests each list page as the
bureau and as a school clerk, several times each, and records the p50 and p95 page time and the
number of database queries, on the first page and on a page far into the list (a list whose
query count grew with its size would show here too).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gjbench ./gj run python benchmarks/region_scale.py --scale province

Writes benchmarks/results/region_scale-<scale>-<vendor>.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

PAGES = {
    "bureau": [
        "/registry/registrations/",
        "/registry/registrations/?page=200",
        "/registry/registrations/?q=王",
        "/registry/registrations/?status=graduated",
        "/registry/queue/",
        "/registry/schools/",
        "/registry/teachers/",
        "/registry/training/",
        "/registry/placements/",
        "/registry/destinations/",
        "/registry/skills/",
        "/audit/",
        "/insight/",
    ],
    "school": [
        "/registry/registrations/",
        "/registry/registrations/?page=20",
        "/registry/registrations/?q=李",
        "/registry/teachers/",
        "/registry/training/",
        "/registry/placements/",
        "/registry/destinations/",
        "/registry/classes/",
        "/insight/",
    ],
}


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def _result_path(scale: str, vendor: str) -> Path:
    return ROOT / "benchmarks" / "results" / f"region_scale-{scale}-{vendor}.json"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="demo")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page")
    parser.add_argument("--keep", action="store_true", help="keep the generated database afterwards")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes generating schools (PostgreSQL)"
    )
    parser.add_argument(
        "--pages-only", action="store_true", help="measure the pages of a database kept by an earlier --keep run"
    )
    args = parser.parse_args()
    os.environ.setdefault("GONGJIANG_DATA_DIR", tempfile.mkdtemp(prefix="gj-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import get_resolver

    from gongjiang.core.actors import system_actor
    from gongjiang.demo.generator import SCALES, build_region
    from gongjiang.directory.models import User
    from gongjiang.refdata.builtin import BUILTIN_DIR
    from gongjiang.refdata.services import refdata_load
    from gongjiang.registry.models import Registration

    setup_test_environment()  # lets the test client through ALLOWED_HOSTS
    # Import every view now: the generation takes long enough for the code on disk to change.
    get_resolver().url_patterns  # noqa: B018
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.pages_only)
    try:
        started = time.perf_counter()
        steps: list[tuple[float, str]] = []
        if args.pages_only:
            generated: dict[str, Any] = json.loads(_result_path(args.scale, connection.vendor).read_text())
        else:
            operator = system_actor("bench")
            refdata_load(actor=operator, path=BUILTIN_DIR)
            region = build_region(
                actor=operator,
                password="bench-pass-1",
                scale=SCALES[args.scale],
                progress=lambda message: steps.append((time.perf_counter() - started, message)),
                workers=args.workers,
            )
            generated = {
                "students": region.students,
                "organisations": region.organisations,
                "generate_and_load_seconds": round(time.perf_counter() - started, 1),
                "workers": args.workers,
                "steps_seconds": [[round(at, 1), message] for at, message in steps[:: max(1, len(steps) // 40)]],
            }
            print(f"generated in {generated['generate_and_load_seconds']:.0f} s", file=sys.stderr)

        pages: dict[str, dict[str, object]] = {}
        for persona, paths in PAGES.items():
            client = Client()
            client.force_login(User.objects.get(username=persona))
            for path in paths:
                # Counted with an execute wrapper: Django empties `connection.queries` per request.
                counter = QueryCounter()
                with connection.execute_wrapper(counter):
                    status = client.get(path).status_code
                times = []
                for _ in range(args.repeat):
                    begun = time.perf_counter()
                    client.get(path)
                    times.append((time.perf_counter() - begun) * 1000)
                times.sort()
                pages[f"{persona} {path}"] = {
                    "status": status,
                    "queries": counter.count,
                    "p50_ms": round(statistics.median(times), 1),
                    "p95_ms": round(times[math.ceil(len(times) * 0.95) - 1], 1),
                }
                print(f"{persona:7} {path:45} {pages[f'{persona} {path}']}", file=sys.stderr)
        result = {
            "benchmark": "region_scale",
            "scale": args.scale,
            "database": connection.vendor,
            "students": generated["students"],
            "registrations": Registration.objects.count(),
            "organisations": generated["organisations"],
            "generate_and_load_seconds": generated["generate_and_load_seconds"],
            "workers": generated.get("workers", 1),
            "steps_seconds": generated["steps_seconds"],
            "requests_per_page": args.repeat,
            "pages": pages,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
            "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    out = _result_path(args.scale, str(result["database"]))
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("scale", "database", "students", "generate_and_load_seconds")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
