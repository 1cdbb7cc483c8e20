"""Benchmark: searching and recommending among many postings, at several sizes and spans of time.

Builds a fresh PostgreSQL database (DATABASE_URL names the server; the spans need it), the demo
organisations, and as many published postings as the largest size asked for, written from
templates over the reference occupations (segmented by the real `search_text`, inserted with COPY
through `core.bulk`). For each size, largest first (a smaller size keeps an evenly spread share of
the postings), and each span (the postings' publication dates spread evenly over that many months
up to now), it times:
- the public search (`selectors.posting_search` + the first page + the facets) for a set of
  Chinese queries, filters and sorts;
- recommendations of the top 20 for learners of several majors (`recommend.recommend_for_learner`).
With `--compare-with SRC` the searches are also timed, on the same database, by the code in SRC
(another checkout's `src`, in a child process), and each search's hits (the count, every id of the
window in its order, the facets) are compared with that code's.
Records p50 and p95, with the machine's load average, in benchmarks/results/market_search-<vendor>.json.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gjbench ./gj run python benchmarks/market_search.py \\
        --postings 50000 200000 1000000 --spans 3 12 36 [--compare-with ../before/src]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import hashlib
import json
import math
import os
import platform
import random
import resource
import statistics
import subprocess
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
    parser.add_argument("--postings", type=int, nargs="+", default=[50_000, 200_000, 1_000_000])
    parser.add_argument("--spans", type=int, nargs="+", default=[3, 12, 36], help="months the postings span")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--compare-with", type=Path, help="another checkout's src, timed and compared too")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--out", type=Path, help="results file (default: results/market_search-<vendor>.json)")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)  # the child of --compare-with
    args = parser.parse_args()
    os.environ.setdefault("GONGJIANG_DATA_DIR", tempfile.mkdtemp(prefix="gj-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        parser.error("set DATABASE_URL to a PostgreSQL database")
    if args.measure_only:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)
        gc.freeze()
        print(json.dumps(measure_searches(args.repeat)))
        return 0

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    runs: list[dict[str, Any]] = []
    try:
        sizes = sorted(set(args.postings), reverse=True)
        load_seconds = generate(sizes[0])
        gc.freeze()  # as the WSGI entry point does once the application is loaded (gongjiang/config/wsgi.py)
        for size in sizes:
            thin_to(size)
            for span in args.spans:
                spread_over(span)
                load_before = os.getloadavg()
                searches = measure_searches(args.repeat)
                run: dict[str, Any] = {"postings": size, "span_months": span, "search": searches}
                run["search_worst_p95_ms"] = max(v["p95_ms"] for v in searches.values())
                if args.compare_with:
                    before = measure_elsewhere(args.compare_with, args.repeat)
                    for case, found in searches.items():
                        found["before"] = {k: before[case][k] for k in ("p50_ms", "p95_ms")}
                        found["same_hits"] = before[case]["hits"] == found["hits"]
                    run["search_worst_p95_ms_before"] = max(v["p95_ms"] for v in before.values())
                    run["same_hits"] = all(v["same_hits"] for v in searches.values())
                run["recommend_top20"] = measure_recommendations(args.repeat)
                run["load_average"] = {"before": [round(x, 1) for x in load_before],
                                       "after": [round(x, 1) for x in os.getloadavg()]}  # fmt: skip
                runs.append(run)
                print(
                    json.dumps({k: v for k, v in run.items() if k not in ("search", "recommend_top20")}),
                    file=sys.stderr,
                )
        result = {
            "benchmark": "market_search",
            "database": connection.vendor,
            "postings_generated": sizes[0],
            "load_seconds": round(load_seconds, 1),
            "requests_per_case": args.repeat,
            "runs": runs,
            "search_worst_p95_ms": max(run["search_worst_p95_ms"] for run in runs),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
            "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    out = args.out or ROOT / "benchmarks" / "results" / f"market_search-{result['database']}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("database", "postings_generated", "load_seconds", "search_worst_p95_ms")}))
    return 0


def generate(count: int) -> float:
    """The demo organisations and `count` published postings, newest first one a minute apart
    (`spread_over` spreads them afterwards); the seconds it took."""
    from django.utils import timezone

    from gongjiang.core.actors import system_actor
    from gongjiang.core.bulk import insert_many
    from gongjiang.demo.generator import build_region
    from gongjiang.directory.models import Organisation
    from gongjiang.market import search
    from gongjiang.market.models import Posting
    from gongjiang.market.search import search_text
    from gongjiang.refdata.builtin import BUILTIN_DIR
    from gongjiang.refdata.models import Scheme
    from gongjiang.refdata.selectors import concepts
    from gongjiang.refdata.services import refdata_load

    actor = system_actor("bench")
    refdata_load(actor=actor, path=BUILTIN_DIR)
    build_region(actor=actor, password="bench-pass-1")
    owners = list(Organisation.objects.filter(kind="enterprise"))
    occupations = list(concepts(Scheme.OCCUPATION).filter(level=4).values_list("code", "name"))
    rng = random.Random(2025)
    today = timezone.localdate()
    started = time.perf_counter()
    # The postings are made of a few thousand distinct phrases: each is segmented once and its
    # words reused (the same words `search_text` gives; segmenting is not what is measured).
    tokenizer = search._tokenizer()
    cut = tokenizer.cut_for_search
    tokenizer.cut_for_search = functools.lru_cache(maxsize=500_000)(lambda chunk, hmm=True: tuple(cut(chunk, hmm)))
    batch: list[Any] = []
    for n in range(count):
        code, name = rng.choice(occupations)
        region, city = rng.choice(list(CITIES.items()))
        owner = rng.choice(owners)
        title = rng.choice(TITLES).format(occ=name, n=rng.randint(1, 20), city=city)
        pay = rng.randrange(3000, 9000, 500)
        description = (
            f"{owner.name}招聘{name}，负责相关工作，月薪{pay}-{pay + 3000}元，{'、'.join(rng.sample(BENEFITS, 3))}。"
        )
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
    del tokenizer.cut_for_search
    seconds = time.perf_counter() - started
    print(f"{count} postings in {seconds:.0f} s", file=sys.stderr)
    return seconds


def thin_to(count: int) -> None:
    """Keep `count` of the published postings, evenly spread through their order of publication."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM market_posting WHERE status = 'published'")
        (total,) = cursor.fetchone()
        if total <= count:
            return
        cursor.execute(
            """DELETE FROM market_posting WHERE id IN (
                SELECT id FROM (
                    SELECT id, row_number() OVER (ORDER BY published_at DESC, id DESC) - 1 AS n
                    FROM market_posting WHERE status = 'published'
                ) ranked WHERE floor(n * %s / %s) = floor((n - 1) * %s / %s) AND n > 0)""",
            [count, total, count, total],
        )


def spread_over(months: int) -> None:
    """Publication dates spread evenly over the last `months` months, in the same order; the
    table is rewritten and its statistics refreshed, as a living database's autovacuum would have
    them (hint bits set, so reads do not write)."""
    from django.db import connection
    from django.utils import timezone

    span = dt.timedelta(days=months * 365.25 / 12)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM market_posting WHERE status = 'published'")
        (total,) = cursor.fetchone()
        # The word index is made again after the rewrite rather than updated row by row.
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'market_posting_search'")
        (index,) = cursor.fetchone()
        cursor.execute("DROP INDEX market_posting_search")
        cursor.execute(
            """UPDATE market_posting SET published_at = %s - ranked.n * %s * interval '1 second'
               FROM (SELECT id, row_number() OVER (ORDER BY published_at DESC, id DESC) - 1 AS n
                     FROM market_posting WHERE status = 'published') ranked
               WHERE market_posting.id = ranked.id""",
            [timezone.now(), span.total_seconds() / max(total, 1)],
        )
        cursor.execute("VACUUM FULL market_posting")
        cursor.execute(index)
        cursor.execute("VACUUM ANALYZE market_posting")


def window_digest(found: Any) -> str:
    """What a search found: its count, the ids of its window in their order, its facets."""
    ids = [p.pk for p in found.postings[:2001]] if hasattr(found.postings, "query") else found.postings.ids
    facets = {name: [(f.value, f.count) for f in values] for name, values in found.facets.items()}
    text = json.dumps([found.count, ids, facets], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def measure_searches(repeat: int) -> dict[str, dict[str, Any]]:
    from gongjiang.core.actors import PUBLIC
    from gongjiang.market import selectors

    # Once untimed, so that loading the word lists and dictionaries is not counted as a search.
    for query in QUERIES:
        list(selectors.posting_search(actor=PUBLIC, filters=selectors.Filters(**query)).postings[:20])
    searches: dict[str, dict[str, Any]] = {}
    for query in QUERIES:
        filters = selectors.Filters(**query)
        times = []
        for _ in range(repeat):
            begun = time.perf_counter()
            found = selectors.posting_search(actor=PUBLIC, filters=filters)
            count = found.count
            list(found.postings[:20])
            times.append((time.perf_counter() - begun) * 1000)
        searches[json.dumps(query, ensure_ascii=False)] = {
            "matches": count,
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "hits": window_digest(found),
        }
    return searches


def measure_elsewhere(src: Path, repeat: int) -> dict[str, dict[str, Any]]:
    """The searches timed by the code in `src`, in a child process on this database."""
    from django.db import connection

    # The child opens the same test database (keepdb: named after DATABASE_URL's, kept as it is).
    env = dict(os.environ, PYTHONPATH=str(src.resolve()))
    connection.close()
    child = subprocess.run(
        [sys.executable, __file__, "--measure-only", "--repeat", str(repeat)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return dict(json.loads(child.stdout.splitlines()[-1]))


def measure_recommendations(repeat: int) -> dict[str, dict[str, float]]:
    from gongjiang.market import recommend, search
    from gongjiang.refdata.models import Scheme
    from gongjiang.refdata.selectors import concepts, crosswalk_targets

    recommendations: dict[str, dict[str, float]] = {}
    for major_code, major_name in concepts(Scheme.MAJOR).filter(level=2).values_list("code", "name")[:6]:
        learner = recommend.Learner(
            major_code=major_code, major_name=major_name, class_level="senior", region_code="150203",
            occupations=tuple(crosswalk_targets(Scheme.MAJOR_OCCUPATION, major_code)),
            industries=(), words=frozenset(search.words(major_name)),
        )  # fmt: skip
        times = []
        for _ in range(repeat):
            begun = time.perf_counter()
            recommend.recommend_for_learner(learner)
            times.append((time.perf_counter() - begun) * 1000)
        recommendations[major_name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
        }
    return recommendations


if __name__ == "__main__":
    raise SystemExit(main())
