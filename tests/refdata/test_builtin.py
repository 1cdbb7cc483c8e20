"""The built-in taxonomy is a demo subset: wherever it overlaps the full national tables it must
agree with them, code by code and name by name."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from gongjiang.refdata.builtin import BUILTIN_DIR
from gongjiang.refdata.models import CatalogueVersion, Concept, Crosswalk, Scheme
from gongjiang.refdata.selectors import current_version


def builtin_rows(name: str) -> list[dict[str, str]]:
    with (BUILTIN_DIR / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_manifest_marks_the_builtin_as_a_demo_subset() -> None:
    manifest = json.loads((BUILTIN_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["demo_subset"] is True
    assert "演示子集" in manifest["note"]


def test_builtin_loaded_as_demo_versions(db: None) -> None:
    for scheme in (Scheme.REGION, Scheme.INDUSTRY, Scheme.OCCUPATION, Scheme.MAJOR):
        version = current_version(scheme)
        assert version is not None and version.demo_subset
        assert version.row_count == Concept.objects.filter(version=version).count() > 0
    assert CatalogueVersion.objects.filter(scheme=Scheme.MAJOR_OCCUPATION).exists()


def test_builtin_regions_agree_with_the_mca_list(raw_refdata: Path) -> None:
    official = dict(
        line.split(maxsplit=1)
        for line in (raw_refdata / "gbt2260-mca-areacodes" / "mca_2024.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    )
    for row in builtin_rows("regions.csv"):
        assert official.get(row["code"], "").strip() == row["name"], row


def test_builtin_industries_agree_with_gbt4754(raw_refdata: Path) -> None:
    with (raw_refdata / "gbt4754-2017" / "gbt4754_2017_flat.csv").open(encoding="utf-8") as handle:
        official = {r["code"]: r for r in csv.DictReader(handle)}
    for row in builtin_rows("industries.csv"):
        assert official[row["code"]]["name"] == row["name"]
        assert official[row["code"]]["parent_code"] == row["parent_code"]


def test_builtin_occupations_agree_with_the_2022_dictionary(raw_refdata: Path) -> None:
    with (raw_refdata / "csco2022" / "csco22.csv").open(encoding="utf-8") as handle:
        official = {(r["level"], r["code"]): r["name"] for r in csv.DictReader(handle)}
    for row in builtin_rows("occupations.csv"):
        name = official[(row["level"], row["code"])]
        mark = re.search(r"(L/S|S|L)$", name) if row["level"] == "4" else None
        assert (name[: mark.start()] if mark else name) == row["name"]
        assert row["digital"] == str(int(bool(mark and "S" in mark.group(1))))
        assert row["green"] == str(int(bool(mark and "L" in mark.group(1))))


@pytest.mark.parametrize(
    ("crosswalk", "source", "target"),
    [
        ("major_occupation.csv", "majors.csv", "occupations.csv"),
        ("occupation_industry.csv", "occupations.csv", "industries.csv"),
    ],
)
def test_every_crosswalk_code_exists_in_the_builtin_tables(crosswalk: str, source: str, target: str) -> None:
    sources = {r["code"] for r in builtin_rows(source)}
    targets = {r["code"] for r in builtin_rows(target)}
    for link in builtin_rows(crosswalk):
        assert link["source_code"] in sources, link
        assert link["target_code"] in targets, link


def test_every_major_maps_to_an_occupation_and_names_its_class_levels(db: None) -> None:
    majors = Concept.objects.filter(version=current_version(Scheme.MAJOR), level=2)
    mapped = set(Crosswalk.objects.filter(scheme=Scheme.MAJOR_OCCUPATION).values_list("source_code", flat=True))
    for major in majors:
        assert major.code in mapped, major
        assert major.attrs["class_levels"], major
