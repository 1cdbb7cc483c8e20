"""Evaluation: do the recommendations find what learners want, better than simple baselines?

Builds the demo region (SQLite unless DATABASE_URL is set) with its marketplace, then gives each
student a hidden preference the recommender is not told: an occupation (usually one their major
leads to, sometimes another: people change trades) and a city (usually home, sometimes
elsewhere). A posting is relevant when it matches the hidden occupation's small class and is in
the hidden city, or matches the hidden occupation exactly anywhere. Three rankers order the open
postings for each student who has at least one relevant posting:
- `explained`: `market.recommend.recommend_for_learner` (major, level, home region, words);
- `popularity`: most applications first, then newest;
- `bm25`: BM25 of the posting's words against the major's name.
Reports Recall@10 and NDCG@10 in benchmarks/results/recommend_eval.json.

    ./gj run python benchmarks/recommend_eval.py [--seed 7] [--learners 400]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
K = 10


def ndcg(ranked: list[int], relevant: set[int]) -> float:
    gain = sum(1 / math.log2(i + 2) for i, pk in enumerate(ranked[:K]) if pk in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(K, len(relevant))))
    return gain / ideal if ideal else 0.0


def recall(ranked: list[int], relevant: set[int]) -> float:
    return len(set(ranked[:K]) & relevant) / len(relevant) if relevant else 0.0


class BM25:
    def __init__(self, documents: dict[int, list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        self.documents, self.k1, self.b = documents, k1, b
        self.average = sum(len(d) for d in documents.values()) / max(1, len(documents))
        frequency: Counter[str] = Counter()
        for words in documents.values():
            frequency.update(set(words))
        n = len(documents)
        self.idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in frequency.items()}

    def rank(self, query: list[str]) -> list[int]:
        scores = {}
        for pk, words in self.documents.items():
            counts = Counter(words)
            norm = self.k1 * (1 - self.b + self.b * len(words) / self.average)
            scores[pk] = sum(
                self.idf.get(q, 0) * counts[q] * (self.k1 + 1) / (counts[q] + norm) for q in query if q in counts
            )
        return sorted(scores, key=lambda pk: (-scores[pk], -pk))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--learners", type=int, default=400)
    args = parser.parse_args()
    os.environ.setdefault("GONGJIANG_DATA_DIR", tempfile.mkdtemp(prefix="gj-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from gongjiang.core.actors import system_actor
    from gongjiang.demo.generator import SCALES, build_region
    from gongjiang.market import recommend, search
    from gongjiang.market.models import APPLICABLE_KINDS
    from gongjiang.market.selectors import public_postings
    from gongjiang.refdata.builtin import BUILTIN_DIR
    from gongjiang.refdata.models import Scheme
    from gongjiang.refdata.selectors import concepts, crosswalk_targets
    from gongjiang.refdata.services import refdata_load
    from gongjiang.registry.models import Registration

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        actor = system_actor("bench")
        refdata_load(actor=actor, path=BUILTIN_DIR)
        build_region(actor=actor, password="bench-pass-1", scale=SCALES["small"])
        postings = list(
            public_postings().filter(kind__in=APPLICABLE_KINDS).annotate(n=Count("applications")).order_by("-pk")
        )
        popular = [
            p.pk for p in sorted(postings, key=lambda p: (-p.n, -(p.published_at.timestamp() if p.published_at else 0)))
        ]
        bm25 = BM25({p.pk: p.search_text.split() for p in postings})
        all_occupations = list(concepts(Scheme.OCCUPATION).filter(level=4).values_list("code", flat=True))
        cities = sorted({p.region_code[:4] for p in postings})
        rng = random.Random(args.seed)
        registrations = list(
            Registration.objects.filter(is_active=True)
            .select_related("school", "school_class__offering")
            .order_by("pk")
        )
        rng.shuffle(registrations)
        scores: dict[str, dict[str, list[float]]] = {
            name: {"recall": [], "ndcg": []} for name in ("explained", "popularity", "bm25")
        }
        timings = []
        evaluated = 0
        for registration in registrations:
            if evaluated >= args.learners:
                break
            own = crosswalk_targets(Scheme.MAJOR_OCCUPATION, registration.school_class.offering.major_code)
            # The hidden preference: mostly what the major leads to, near home; sometimes not.
            occupation = rng.choice(own) if own and rng.random() < 0.75 else rng.choice(all_occupations)
            home = registration.school.region_code[:4]
            city = home if rng.random() < 0.7 or not cities else rng.choice(cities)
            relevant = {
                p.pk
                for p in postings
                if p.occupation_code == occupation
                or (p.occupation_code[:7] == occupation[:7] and p.region_code[:4] == city)
            }
            if not relevant:
                continue
            evaluated += 1
            learner = recommend.learner_of(registration)
            started = time.perf_counter()
            explained = [r.posting.pk for r in recommend.recommend_for_learner(learner, limit=K)]
            timings.append((time.perf_counter() - started) * 1000)
            ranked = {
                "explained": explained,
                "popularity": popular,
                "bm25": bm25.rank(search.words(registration.school_class.offering.major_name)),
            }
            for name, order in ranked.items():
                scores[name]["recall"].append(recall(order, relevant))
                scores[name]["ndcg"].append(ndcg(order, relevant))
        result = {
            "benchmark": "recommend_eval",
            "database": connection.vendor,
            "scale": "small",
            "seed": args.seed,
            "learners_evaluated": evaluated,
            "open_postings": len(postings),
            "hidden_preference": "occupation: one the major leads to with p=0.75, else any; city: home with p=0.7, "
            "else any city with postings; relevant = same occupation anywhere, or same small class in that city",
            "metrics_at_10": {
                name: {metric: round(sum(v) / len(v), 4) if v else None for metric, v in values.items()}
                for name, values in scores.items()
            },
            "explained_ms_p50": round(sorted(timings)[len(timings) // 2], 1) if timings else None,
            "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    out = ROOT / "benchmarks" / "results" / "recommend_eval.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result["metrics_at_10"], ensure_ascii=False), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
