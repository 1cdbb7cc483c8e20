"""Build `src/gongjiang/refdata/occupation_calibration.json`: the occupation coder's confidence,
learnt from labelled job titles.

Reads ../shared/refdata/raw/csco2022/ (the 大典 table with its supplement, the public labelled
titles and the titles relabelled under LABELLING.md). Only the "dev" part of the frozen split
(`coding.split_of`, by a hash of the cleaned title) is used; the held-out quarter is never read
here. Every dev title relabelled under the rules is coded by the coder without calibration
(table aliases equal to a labelled title removed first, as the benchmark does, so that the
features are those of a title the table has never seen), and a logistic model of "the code is
exactly the rules' code" is fitted over `coding.answer_features` by Newton's method with an L2
penalty chosen on 5 folds of those titles: deterministic, no library beyond numpy.

    ./gj run python scripts/build_occupation_calibration.py [--check]

With --check the file is rebuilt in memory and compared with the shipped one (exit 1 if they differ).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from gongjiang.refdata.coding import OccupationCoder

ROOT = Path(__file__).resolve().parents[1]
CSCO = ROOT.parent / "shared" / "refdata" / "raw" / "csco2022"
# The penalty is chosen among these by the log loss of 5 folds of the dev titles (grouped by
# cleaned title, as the split).
PENALTIES = (0.3, 1.0, 3.0, 10.0, 30.0)
FOLDS = 5
MIN_FEATURE_COUNT = 5


def labelled_titles() -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The public titles with the origin's codes, and the relabelled codes by title."""
    with (CSCO / "jobtitle_testcases.csv").open(encoding="utf-8-sig", newline="") as handle:
        origin = [(row["job_name"], row["expected_code"].strip()) for row in csv.DictReader(handle)]
    with (CSCO / "jobtitle_relabelled.csv").open(encoding="utf-8-sig", newline="") as handle:
        relabelled = {row["job_name"]: row["code"].strip() for row in csv.DictReader(handle)}
    return origin, relabelled


def table_coder(titles: set[str], **options: Any) -> OccupationCoder:
    """A coder over the full table, without the aliases that equal a labelled title."""
    from gongjiang.refdata.coding import OccupationCoder, entries_from_concept_rows, fold
    from gongjiang.refdata.formats import ParseResult, parse_csco

    parsed = ParseResult()
    parse_csco([CSCO / "csco22.csv", CSCO / "hierarchy_supplement_from_jobe_draft.csv"], parsed)
    rows = parsed.versions[0].concepts
    folded = {fold(t) for t in titles}
    for row in rows:
        row.aliases = [a for a in row.aliases if a not in titles and fold(a) not in folded]
    return OccupationCoder.from_rows(entries_from_concept_rows(rows), **options)


def fit_logistic(rows: list[dict[str, float]], right: list[bool], l2: float) -> tuple[dict[str, float], float]:
    """L2-penalised logistic regression by Newton's method; features seen fewer than
    MIN_FEATURE_COUNT times are left out (too few to learn a weight from)."""
    counts: dict[str, int] = {}
    for row in rows:
        for name, value in row.items():
            counts[name] = counts.get(name, 0) + (1 if value else 0)
    names = sorted(n for n, c in counts.items() if c >= MIN_FEATURE_COUNT)
    x = np.array([[1.0] + [row.get(n, 0.0) for n in names] for row in rows])
    y = np.array([1.0 if r else 0.0 for r in right])
    penalty = np.diag([0.0] + [l2] * len(names))
    w = np.zeros(x.shape[1])
    for _step in range(50):
        p = 1.0 / (1.0 + np.exp(-x @ w))
        gradient = x.T @ (p - y) + penalty @ w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return {n: round(float(v), 6) for n, v in zip(names, w[1:], strict=True)}, round(float(w[0]), 6)


def probability(weights: dict[str, float], intercept: float, row: dict[str, float]) -> float:
    z = intercept + sum(weights.get(n, 0.0) * v for n, v in row.items())
    return float(1.0 / (1.0 + np.exp(-z)))


def cross_validated_loss(rows: list[dict[str, float]], right: list[bool], folds: list[int], l2: float) -> float:
    loss = 0.0
    for fold in range(FOLDS):
        train = [i for i, f in enumerate(folds) if f != fold]
        weights, intercept = fit_logistic([rows[i] for i in train], [right[i] for i in train], l2)
        for i, f in enumerate(folds):
            if f == fold:
                p = min(max(probability(weights, intercept, rows[i]), 1e-6), 1 - 1e-6)
                loss -= float(np.log(p if right[i] else 1 - p))
    return loss / len(rows)


def build() -> dict[str, object]:
    from gongjiang.refdata.coding import answer_features, normalise_title, split_of

    origin, relabelled = labelled_titles()
    titles = {t for t, _c in origin}
    coder = table_coder(titles, calibrated=False)
    rows: list[dict[str, float]] = []
    right: list[bool] = []
    folds: list[int] = []
    for title, _code in origin:
        expected = relabelled.get(title)
        cleaned = normalise_title(title).text
        if expected is None or split_of(cleaned) != "dev":
            continue
        result = coder.code(title)
        if not result.code:
            continue
        level = coder.entries[coder.by_code[result.code]].level
        rows.append(answer_features(result.code, level, result.evidence, float(result.confidence)))
        right.append(result.code == expected)
        folds.append(hashlib.sha1(cleaned.encode("utf-8")).digest()[1] % FOLDS)
    losses = {l2: round(cross_validated_loss(rows, right, folds, l2), 5) for l2 in PENALTIES}
    l2 = min(PENALTIES, key=lambda p: (losses[p], p))
    weights, intercept = fit_logistic(rows, right, l2)
    return {
        "what": "P(the occupation code is exactly the code of LABELLING.md), logistic over coding.answer_features",
        "built_by": "scripts/build_occupation_calibration.py",
        "trained_on": {
            "titles": len(rows),
            "right": sum(right),
            "split": "dev part of coding.split_of (held-out quarter never read)",
            "labels": "jobtitle_relabelled.csv",
        },
        "l2": l2,
        "cross_validated_log_loss": {str(k): v for k, v in losses.items()},
        "intercept": intercept,
        "weights": weights,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="compare with the shipped file instead of writing")
    args = parser.parse_args()
    if not CSCO.is_dir():
        print(f"missing {CSCO}", file=sys.stderr)
        return 2
    os.environ.setdefault("GONGJIANG_DATA_DIR", tempfile.mkdtemp(prefix="gj-calibration-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    import django

    django.setup()
    from gongjiang.refdata.coding import CALIBRATION_FILE

    started = time.perf_counter()
    text = json.dumps(build(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    print(f"built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if args.check:
        same = CALIBRATION_FILE.exists() and CALIBRATION_FILE.read_text(encoding="utf-8") == text
        print("same as shipped" if same else "differs from the shipped file", file=sys.stderr)
        return 0 if same else 1
    CALIBRATION_FILE.write_text(text, encoding="utf-8")
    print(f"written {CALIBRATION_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
