"""Benchmark: importing a 100,000-row registration workbook end to end.

Builds a fresh database (PostgreSQL when DATABASE_URL is set, else SQLite), loads the built-in
reference data and the demo organisations, files majors for one school, writes a workbook of
N new students (xlsx, as a clerk would upload it), then runs the real import: read, validate every
row, write persons, classes, registrations, their pending events and audit entries in one
transaction. Records wall time per phase, rows per second and peak memory in
benchmarks/results/registration_import-<vendor>.json.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongjiang ./gj run python benchmarks/registration_import.py --rows 100000

The ratio against django-import-export on the same file is measured by registration_import_baseline.py,
which builds its workbook and school with the helpers below.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gongjiang.core.actors import Actor
    from gongjiang.directory.models import Organisation

ROOT = Path(__file__).resolve().parents[1]
MAJORS = ("0102", "0106", "0401")
HEADERS = ["姓名", "身份证号", "专业代码", "班级", "班级层次", "学习形式", "入学日期", "联系电话", "民族"]


def prepare_school() -> None:
    """Into the (empty, migrated) database: the built-in reference data, the demo organisations, and
    three majors filed for the demo school. Needs django.setup()."""
    from gongjiang.core.actors import system_actor
    from gongjiang.demo.generator import build_region
    from gongjiang.refdata.builtin import BUILTIN_DIR
    from gongjiang.refdata.services import refdata_load
    from gongjiang.registry import services

    operator = system_actor("bench")
    refdata_load(actor=operator, path=BUILTIN_DIR)
    build_region(actor=operator, password="bench-pass-1")
    school, clerk, bureau = school_and_clerk()
    for code in MAJORS:
        application = services.major_apply(
            actor=clerk, school=school, major_code=code, kind="add", class_levels=["intermediate", "senior"]
        )
        services.major_decide(actor=bureau, application=application, approve=True)


def school_and_clerk() -> tuple[Organisation, Actor, Actor]:
    """The demo school, its clerk's actor and the bureau's actor."""
    from gongjiang.directory.models import User
    from gongjiang.directory.selectors import actor_for_user

    school = User.objects.get(username="school").memberships.get().organisation
    return (
        school,
        actor_for_user(User.objects.get(username="school")),
        actor_for_user(User.objects.get(username="bureau")),
    )


def write_workbook(path: Path, rows: int) -> None:
    """An xlsx of `rows` new students, as a clerk would upload it."""
    from openpyxl import Workbook

    from gongjiang.core.validators import resident_id_check_digit

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADERS)
    for n in range(rows):
        first17 = f"150203{2000 + n % 10}{1 + n % 12:02d}{1 + n % 28:02d}{n // 420 % 1000:03d}"
        sheet.append(
            [
                f"学生{n}", first17 + resident_id_check_digit(first17), MAJORS[n // 45 % 3],
                f"{2024 + n % 2}级{n // 45}班", ("中级工班", "高级工班")[n // 45 % 2], "全日制",
                f"{2024 + n % 2}-09-01", f"139{n:08d}", "汉族",
            ]
        )  # fmt: skip
    workbook.save(path)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("GONGJIANG_DATA_DIR", tempfile.mkdtemp(prefix="gj-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    import django

    django.setup()
    from django.db import connection

    from gongjiang.registry.services.imports import registrations_import

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        prepare_school()
        school, clerk, _bureau = school_and_clerk()

        started = time.perf_counter()
        path = Path(os.environ["GONGJIANG_DATA_DIR"]) / "registrations.xlsx"
        write_workbook(path, args.rows)
        write_seconds = time.perf_counter() - started

        started = time.perf_counter()
        with path.open("rb") as source:
            report = registrations_import(actor=clerk, school=school, source=source, filename=path.name)
        import_seconds = time.perf_counter() - started
        if report.errors:
            print(report.errors[:5], file=sys.stderr)
            return 1
        result = {
            "benchmark": "registration_import",
            "what": "gongjiang import of an xlsx of new students: read, validate every row, write persons, classes, "
            "registrations, pending events and audit entries in one transaction",
            "database": connection.vendor,
            "rows": report.rows,
            "created": report.created,
            "workbook_mib": round(path.stat().st_size / 2**20, 1),
            "seconds_to_write_the_workbook": round(write_seconds, 1),
            "import_seconds": round(import_seconds, 1),
            "rows_per_second": round(report.rows / import_seconds),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
            "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    out = ROOT / "benchmarks" / "results" / f"registration_import-{result['database']}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("database", "rows", "import_seconds", "rows_per_second", "peak_rss_mib")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
