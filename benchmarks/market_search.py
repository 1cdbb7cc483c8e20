"""Benchmark: searching and recommending among many postings.

Builds a fresh database (PostgreSQL when DATABASE_URL is set, else SQLite), the demo
organisations, and N published postings written from templates over the reference occupations
(segmented by the real `search_text`, inserted with COPY through `core.bulk`). Then it times:
- the public search (`selectors.posting_search` + the first page + the facets) for a set of
  Chinese queries, filters and sorts;
- recommendations of the top 20 for learners of several majors (`recommend.recommend_for_learner`).
Records p50 and p95 in benchmarks/results/market_search-<vendor>[-<label>].json.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gjbench ./gj run python benchmarks/market_search.py --postings 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUERIES: list[dict[str, Any]] = [
    {"q": "数控"}, {"q": "数控车工"}, {"q": "焊工", "sort": "pay"}, {"q": "汽车 维修"}, {"q": "电工", "region": "150200"},
    {"q": "护理"}, {"q": "实习", "kind": "internship"}, {"q": "包吃住"}, {"q": ""}, {"q": "", "occupation": "6-18"},
    {"q": "厨师", "pay_min": 5000}, {"q": "学徒"}, {"q": "电焊"}, {"q": "实习"}, {"q": "招聘 厨师"},
]  # fmt: skip
TITLES = ["招聘{occ}{n}名", "{occ}（{city}）", "急招{occ}，包吃住", "{occ}学徒", "{city}{occ}岗位", "高级{occ}"]
BENEFITS = ["五险一金", "包吃住", "年终奖", "带薪年假", "班车接送", "技能补贴"]
CITIES = {"150102": "呼和浩特", "150203": "包头", "150402": "赤峰", "150602": "鄂尔多斯", "150802": "巴彦淖尔"}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(len(ordered) * p) - 1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by an earlier --keep run")
    parser.add_argument("--label", default="", help="recorded as market_search-<database>-<label>.json")
    args = parser.parse_args()
    os.environ.setdefault("GONGJIANG_DATA_DIR", tempfile.mkdtemp(prefix="gj-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from gongjiang.core.actors import PUBLIC, system_actor
    from gongjiang.core.bulk import insert_many
    from gongjiang.demo.generator import build_region
    from gongjiang.directory.models import Organisation
    from gongjiang.market import recommend, search, selectors
    from gongjiang.market.models import Posting
    from gongjiang.market.search import search_text
    from gongjiang.refdata.builtin import BUILTIN_DIR
    from gongjiang.refdata.models import Scheme
    from gongjiang.refdata.selectors import concepts, crosswalk_targets
    from gongjiang.refdata.services import refdata_load

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.reuse)
    try:
        load_seconds: float | None = None  # not measured when reusing a kept database
        if not args.reuse:
            actor = system_actor("bench")
            refdata_load(actor=actor, path=BUILTIN_DIR)
            build_region(actor=actor, password="bench-pass-1")
            owners = list(Organisation.objects.filter(kind="enterprise"))
            occupations = list(concepts(Scheme.OCCUPATION).filter(level=4).values_list("code", "name"))
            rng = random.Random(2025)
            today = timezone.localdate()
            started = time.perf_counter()
            batch: list[Any] = []
            for n in range(args.postings):
                code, name = rng.choice(occupations)
                region, city = rng.choice(list(CITIES.items()))
                owner = rng.choice(owners)
                title = rng.choice(TITLES).format(occ=name, n=rng.randint(1, 20), city=city)
                pay = rng.randrange(3000, 9000, 500)
                description = f"{owner.name}招聘{name}，负责相关工作，月薪{pay}-{pay + 3000}元，{'、'.join(rng.sample(BENEFITS, 3))}。"
                batch.append(
                    Posting(
                        owner=owner, kind=rng.choice(["job", "job", "internship", "apprenticeship"]), title=title,
                        description=description, occupation_code=code, region_code=region, headcount=rng.randint(1, 20),
                        pay_min=pay, pay_max=pay + 3000, deadline=today + dt.timedelta(days=rng.randint(1, 90)),
                        status="published", published_at=timezone.now() - dt.timedelta(minutes=n),
                        search_text=search_text(title, description, owner.name, name),
                    )
                )  # fmt: skip
                if len(batch) == 20_000:
                    insert_many(batch)
                    batch = []
            insert_many(batch)
            load_seconds = time.perf_counter() - started
            print(f"{args.postings} postings in {load_seconds:.0f} s", file=sys.stderr)
        if connection.vendor == "postgresql":
            # What autovacuum does in a living database, done now so the measurement does not
            # depend on when it ran: fresh statistics (also after a reused database was migrated)
            # and hint bits set, so reads do not write.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE market_posting")

        # As the WSGI entry point does once the application is loaded (gongjiang/config/wsgi.py).
        gc.freeze()
        searches: dict[str, dict[str, float | int]] = {}
        for query in QUERIES:
            filters = selectors.Filters(**query)
            times = []
            for _ in range(args.repeat):
                begun = time.perf_counter()
                found = selectors.posting_search(actor=PUBLIC, filters=filters)
                count = found.count
                list(found.postings[:20])
                times.append((time.perf_counter() - begun) * 1000)
            searches[json.dumps(query, ensure_ascii=False)] = {
                "matches": count,
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
            }
            print(query, searches[json.dumps(query, ensure_ascii=False)], file=sys.stderr)
        recommendations: dict[str, dict[str, float]] = {}
        for major_code, major_name in concepts(Scheme.MAJOR).filter(level=2).values_list("code", "name")[:6]:
            learner = recommend.Learner(
                major_code=major_code, major_name=major_name, class_level="senior", region_code="150203",
                occupations=tuple(crosswalk_targets(Scheme.MAJOR_OCCUPATION, major_code)),
                industries=(), words=frozenset(search.words(major_name)),
            )  # fmt: skip
            times = []
            for _ in range(args.repeat):
                begun = time.perf_counter()
                recommend.recommend_for_learner(learner)
                times.append((time.perf_counter() - begun) * 1000)
            recommendations[major_name] = {
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
            }
            print(major_name, recommendations[major_name], file=sys.stderr)
        all_search = [v["p95_ms"] for v in searches.values()]
        result = {
            "benchmark": "market_search",
            "database": connection.vendor,
            "postings": args.postings,
            "load_seconds": None if load_seconds is None else round(load_seconds, 1),
            "requests_per_case": args.repeat,
            "search": searches,
            "search_worst_p95_ms": max(all_search),
            "recommend_top20": recommendations,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
            "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    label = f"-{args.label}" if args.label else ""
    out = ROOT / "benchmarks" / "results" / f"market_search-{result['database']}{label}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("database", "postings", "load_seconds", "search_worst_p95_ms")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
