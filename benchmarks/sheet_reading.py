"""Benchmark: what reading an upload in a child process costs against reading it in the web process.

Writes a registrations workbook of N rows × 14 columns (the export's columns) as xlsx and as csv,
then reads each, alternating, with `core.sheets.read_table` (copy, child process under limits,
checks of the zip directory and of every cell reference, rows back through a pipe) and with
python-calamine (or the csv module) in this process as `read_table` did before
(`to_python(skip_empty_area=False)`, the blank-row check on every row, no limits). Records the median of the runs in benchmarks/results/sheet_reading.json.

    ./gj run python benchmarks/sheet_reading.py --rows 3000 100000 --runs 5
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HEADERS = ["姓名", "身份证号", "专业代码", "专业名称", "班级", "班级层次", "学习形式", "入学日期",
           "学制", "性别", "出生日期", "联系电话", "民族", "户籍地"]  # fmt: skip


def rows(n: int) -> list[list[Any]]:
    return [
        [f"学生{i}", f"15020320080504{i % 10_000:04d}", "0102", "数控加工（数控车工）", f"2025级数控{i % 40}班",
         "中级工班", "全日制", dt.date(2025, 9, 1), 3.0, "男", dt.date(2008, 5, 4), f"139{i:08d}", "汉族",
         "内蒙古自治区包头市"]
        for i in range(n)
    ]  # fmt: skip


def kept(values: list[list[Any]]) -> int:
    """The rows the former `read_table` kept, with its blank-row check on every row."""
    from gongjiang.core.sheets import clean_text

    return sum(1 for cells in values if any(clean_text(c) for c in cells))


def in_process(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    with path.open("rb") as source:
        return kept(CalamineWorkbook.from_filelike(source).get_sheet_by_index(0).to_python(skip_empty_area=False))


def in_process_csv(path: Path) -> int:
    text = path.read_bytes().decode("utf-8-sig")
    return kept([list(cells) for cells in csv.reader(io.StringIO(text, newline=""))])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[3_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    import django

    django.setup()
    from gongjiang.core.sheets import read_table, write_xlsx

    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        for n in args.rows:
            data = rows(n)
            xlsx = Path(folder) / f"rows{n}.xlsx"
            write_xlsx(HEADERS, data, xlsx)
            text = Path(folder) / f"rows{n}.csv"
            with text.open("w", encoding="utf-8-sig", newline="") as out:
                csv.writer(out).writerows([HEADERS, *data])
            for kind, path, old in (("xlsx", xlsx, in_process), ("csv", text, in_process_csv)):
                child: list[float] = []
                inline: list[float] = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    with path.open("rb") as source:
                        assert len(read_table(source, path.name, required_any=["身份证号"]).rows) == n
                    child.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    assert old(path) == n + 1
                    inline.append(time.perf_counter() - start)
                result = {
                    "rows": n, "format": kind, "bytes": path.stat().st_size,
                    "child_median_s": round(statistics.median(child), 3),
                    "in_process_median_s": round(statistics.median(inline), 3),
                }  # fmt: skip
                result["overhead_s"] = round(result["child_median_s"] - result["in_process_median_s"], 3)
                results.append(result)
                print(json.dumps(result), flush=True)
    out = ROOT / "benchmarks" / "results" / "sheet_reading.json"
    out.write_text(
        json.dumps(
            {
                "python": sys.version.split()[0],
                "machine": platform.machine(),
                "load": os.getloadavg(),
                "runs": args.runs,
                "results": results,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
