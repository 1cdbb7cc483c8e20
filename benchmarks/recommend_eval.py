"""Evaluation: do the recommendations find what learners want, better than simple baselines?

Builds the demo region (SQLite unless DATABASE_URL is set) with its marketplace. The labelled
set comes from the demo generator itself (`gongjiang.demo.preferences`): each learner gets a
hidden preference the recommender is not told (a trade near their major or, one time in seven,
another; a city or anywhere for good pay; a minimum wage; sometimes no micro employers), and
the postings satisfying it are the relevant ones. Three rankers order the open postings for
each learner who has at least one relevant posting:
- `explained`: `market.recommend.recommend_for_learner` (major, level, home region, words);
- `popularity`: most applications first, then newest;
- `bm25`: BM25 of the posting's words against the major's name.
Reports Recall@10 and NDCG@10 in benchmarks/results/recommend_eval.json.

    ./gj run python benchmarks/recommend_eval.py [--scale demo] [--seed 7] [--learners 400]
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
    parser.add_argument("--scale", default="demo")
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
    from gongjiang.demo import preferences
    from gongjiang.demo.generator import SCALES, build_region
    from gongjiang.market import recommend, search
    from gongjiang.market.models import APPLICABLE_KINDS, EnterpriseProfile
    from gongjiang.market.selectors import public_postings
    from gongjiang.refdata.builtin import BUILTIN_DIR
    from gongjiang.refdata.models import Scheme
    from gongjiang.refdata.selectors import crosswalk_targets
    from gongjiang.refdata.services import refdata_load
    from gongjiang.registry.models import Registration

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        actor = system_actor("bench")
        refdata_load(actor=actor, path=BUILTIN_DIR)
        build_region(actor=actor, password="bench-pass-1", scale=SCALES[args.scale])
        postings = list(
            public_postings().filter(kind__in=APPLICABLE_KINDS).annotate(n=Count("applications")).order_by("-pk")
        )
        popular = [
            p.pk for p in sorted(postings, key=lambda p: (-p.n, -(p.published_at.timestamp() if p.published_at else 0)))
        ]
        bm25 = BM25({p.pk: p.search_text.split() for p in postings})
        sizes = dict(EnterpriseProfile.objects.values_list("organisation_id", "size"))
        offers = preferences.offers_of(postings, sizes)
        rng = random.Random(args.seed)
        registrations = list(
            Registration.objects.filter(is_active=True)
            .select_related("school", "school_class__offering")
            .order_by("pk")
        )
        rng.shuffle(registrations)
        chosen = registrations[: args.learners * 2]
        occupations_of: dict[str, list[str]] = {}
        for r in chosen:
            code = r.school_class.offering.major_code
            if code not in occupations_of:
                occupations_of[code] = crosswalk_targets(Scheme.MAJOR_OCCUPATION, code)
        labelled = preferences.labelled_set(
            rng,
            (
                (
                    r.pk,
                    occupations_of[r.school_class.offering.major_code],
                    r.school.region_code,
                    r.school_class.class_level,
                    recommend.learner_of(r).leaves,
                )
                for r in chosen
            ),
            offers,
        )
        scores: dict[str, dict[str, list[float]]] = {
            name: {"recall": [], "ndcg": []} for name in ("explained", "popularity", "bm25")
        }
        timings = []
        evaluated = 0
        relevant_sizes = []
        for registration in chosen:
            if evaluated >= args.learners:
                break
            if registration.pk not in labelled:
                continue
            relevant = labelled[registration.pk][1]
            relevant_sizes.append(len(relevant))
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
            "scale": args.scale,
            "seed": args.seed,
            "learners_evaluated": evaluated,
            "open_postings": len(postings),
            "hidden_preference": "drawn by gongjiang.demo.preferences (see its docstring): trade near the major "
            "(6/7) or any posted trade, city (home 0.6, capital 0.15, anywhere 0.25; anywhere for 2,000 more pay), "
            "minimum pay, avoids micro employers (0.2), no job starting before the year of leaving school (4/5); "
            "relevant = postings satisfying it",
            "relevant_per_learner_median": sorted(relevant_sizes)[len(relevant_sizes) // 2] if relevant_sizes else None,
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
