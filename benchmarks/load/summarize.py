"""Summarise a locust `--csv` run by kind of request: pages, API reads, writes, the import, sign-in.

    python benchmarks/load/summarize.py /tmp/load_stats.csv

Locust keeps percentiles per endpoint; a group's p50 and p95 are read from the endpoints'
percentile points pooled by request count, so they are approximate (requests between two of locust's
percentile points count at the middle of the two)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

POINTS = [
    ("50%", 0.50),
    ("66%", 0.66),
    ("75%", 0.75),
    ("80%", 0.80),
    ("90%", 0.90),
    ("95%", 0.95),
    ("98%", 0.98),
    ("99%", 0.99),
    ("100%", 1.0),
]


def group(name: str) -> str:
    if name.startswith("page:"):
        return "pages"
    if name.startswith("api write:"):
        return "API writes"
    if name.startswith("api:"):
        return "API reads"
    if name.startswith("import:"):
        return "import"
    return "sign-in"


def pooled(rows: list[dict[str, str]], q: float) -> float:
    samples: list[tuple[float, float]] = []
    for row in rows:
        count = int(row["Request Count"])
        previous, low = 0.0, float(row["Min Response Time"])
        for column, p in POINTS:
            # The requests between two percentile points are taken at the middle of the two values.
            high = float(row[column])
            samples.append(((low + high) / 2, count * (p - previous)))
            previous, low = p, high
    samples.sort()
    total = sum(w for _v, w in samples)
    seen = 0.0
    for value, weight in samples:
        seen += weight
        if seen >= q * total:
            return value
    return samples[-1][0] if samples else 0.0


def main() -> None:
    with Path(sys.argv[1]).open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    by_group: dict[str, list[dict[str, str]]] = {}
    total = None
    for row in rows:
        if row["Name"] == "Aggregated":
            total = row
        elif int(row["Request Count"]):
            by_group.setdefault(group(row["Name"]), []).append(row)
    out = {}
    for name, members in by_group.items():
        out[name] = {
            "requests": sum(int(r["Request Count"]) for r in members),
            "failures": sum(int(r["Failure Count"]) for r in members),
            "p50_ms": round(pooled(members, 0.5)),
            "p95_ms": round(pooled(members, 0.95)),
        }
    if total:
        out["all"] = {
            "requests": int(total["Request Count"]),
            "failures": int(total["Failure Count"]),
            "requests_per_s": round(float(total["Requests/s"]), 2),
            "p50_ms": float(total["50%"]),
            "p95_ms": float(total["95%"]),
        }
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
