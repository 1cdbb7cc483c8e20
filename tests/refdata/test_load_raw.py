"""Loading the real national tables from ../shared/refdata/raw with the counts their SOURCES.md give."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db.models import Count

from gongjiang.core.actors import system_actor
from gongjiang.core.models import AuditEntry
from gongjiang.refdata.models import CatalogueVersion, Concept, Scheme
from gongjiang.refdata.selectors import concept_get, current_version, region_ever_existed
from gongjiang.refdata.services import refdata_load

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker, raw_refdata_dir: Path):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        report = refdata_load(actor=system_actor("tests"), path=raw_refdata_dir)
        yield report
        for version in CatalogueVersion.objects.filter(demo_subset=False):
            version.delete()


@pytest.fixture(scope="module")
def raw_refdata_dir() -> Path:
    from tests.conftest import RAW_REFDATA, require_or_skip

    require_or_skip(RAW_REFDATA.is_dir(), f"the shared reference tables are not at {RAW_REFDATA}")
    return RAW_REFDATA


def levels(scheme: str, label: str) -> dict[int, int]:
    version = CatalogueVersion.objects.get(scheme=scheme, label=label)
    rows = Concept.objects.filter(version=version).values("level").annotate(n=Count("id"))
    return {row["level"]: row["n"] for row in rows}


def test_mca_region_lists(loaded, db: None) -> None:  # type: ignore[no-untyped-def]
    assert levels(Scheme.REGION, "MCA-2024") == {1: 34, 2: 333, 3: 2846}
    assert levels(Scheme.REGION, "MCA-2023") == {1: 34, 2: 333, 3: 2844}
    # The full 2024 list, not the demo subset of the same date, is what is current.
    assert current_version(Scheme.REGION).label == "MCA-2024"  # type: ignore[union-attr]
    assert concept_get(Scheme.REGION, "150203").name == "昆都仑区"  # type: ignore[union-attr]
    assert concept_get(Scheme.REGION, "150203").parent.code == "150200"  # type: ignore[union-attr]


def test_region_history(loaded, db: None) -> None:  # type: ignore[no-untyped-def]
    version = CatalogueVersion.objects.get(scheme=Scheme.REGION_HISTORY)
    history = Concept.objects.filter(version=version)
    assert history.count() == 6823
    assert history.filter(attrs__status="在用").count() == 3213
    abolished = history.exclude(attrs__status="在用").filter(valid_to__isnull=False).first()
    assert abolished is not None
    assert region_ever_existed(abolished.code)


def test_statistical_divisions(loaded, db: None) -> None:  # type: ignore[no-untyped-def]
    assert levels(Scheme.STATS_DIVISION, "NBS-2022") == {1: 31, 2: 342, 3: 2978, 4: 41352}


def test_industries(loaded, db: None) -> None:  # type: ignore[no-untyped-def]
    assert levels(Scheme.INDUSTRY, "GB/T 4754-2017") == {1: 20, 2: 97, 3: 473, 4: 1381}
    assert concept_get(Scheme.INDUSTRY, "3531").name == "食品、酒、饮料及茶生产专用设备制造"  # type: ignore[union-attr]
    assert concept_get(Scheme.INDUSTRY, "3421").parent.code == "342"  # type: ignore[union-attr]


def test_occupations(loaded, db: None) -> None:  # type: ignore[no-untyped-def]
    version = CatalogueVersion.objects.get(scheme=Scheme.OCCUPATION, label="CSCO-2022")
    # 2,051 rows less 3 verbatim repeats, plus the 21-row supplement: 8 + 79 + 350 + 1,632.
    assert levels(Scheme.OCCUPATION, "CSCO-2022") == {1: 8, 2: 79, 3: 350, 4: 1632}
    occupations = Concept.objects.filter(version=version)
    small_classes = {c[:7] for c in occupations.filter(level__in=(3, 4)).values_list("code", flat=True)}
    assert len(small_classes) == 450
    assert occupations.filter(level=4, is_digital=True).count() == 95
    assert occupations.filter(level=4, is_green=True).count() == 134
    lathe = concept_get(Scheme.OCCUPATION, "6-18-01-01")
    assert lathe is not None and lathe.name == "车工" and lathe.parent.code == "6-18-01-00"  # type: ignore[union-attr]
    marked = concept_get(Scheme.OCCUPATION, "2-02-38-05")
    assert marked is not None and marked.name == "智能制造工程技术人员" and marked.is_digital


def test_higher_education_list(loaded, db: None) -> None:  # type: ignore[no-untyped-def]
    version = CatalogueVersion.objects.get(scheme=Scheme.HEI)
    institutions = Concept.objects.filter(version=version)
    assert institutions.count() == 2631
    assert institutions.filter(attrs__education_level="本科").count() == 1243
    assert institutions.filter(attrs__education_level="专科").count() == 1388


def test_evaluation_data_is_skipped_and_each_version_is_audited(loaded, db: None) -> None:  # type: ignore[no-untyped-def]
    skipped = {Path(path).name for path, _reason in loaded.skipped}
    assert "jobtitle_testcases.csv" in skipped
    for version in loaded.versions:
        assert AuditEntry.objects.filter(action="refdata.load", entity_label__contains=version.label).exists()
