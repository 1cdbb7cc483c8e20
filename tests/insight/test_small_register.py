"""Every indicator of the catalogue on a register small enough to count by hand.

The register below is written out as the register's own tables (the columns a snapshot copies);
each expected figure was worked out by hand from it and is explained beside it. The same figures
must come out of DuckDB and of Spark (local mode).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from gongjiang.insight.catalogue import catalogue
from gongjiang.insight.compute import IndicatorValue, Scope, compute
from gongjiang.insight.engines import DuckDBEngine, Engine, SparkEngine, build_snapshot, column_types
from gongjiang.insight.facts import SOURCE_COLUMNS
from tests.conftest import require_or_skip

D = dt.date


def _ts(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, 0)


ORGS = [
    # id, code, kind, region, tier, ownership
    (1, "S1", "school", "150102", "technical_school", "public"),
    (2, "E1", "enterprise", "150102", "", ""),
    (3, "S2", "school", "150203", "senior_school", "private"),
]

ROWS: dict[str, list[dict[str, Any]]] = {
    "directory_organisation": [
        {"id": i, "code": c, "kind": k, "region_code": r, "tier": t, "ownership": o, "is_active": True}
        for i, c, k, r, t, o in ORGS
    ],
    "directory_person": [{"id": i, "sex": "M", "birth_date": D(2006, 1, 1)} for i in range(1, 7)],
    "registry_schoolprofile": [
        {
            "school_id": 1,
            "land_area_m2": 25000.0,
            "floor_area_m2": 16000.0,
            "training_floor_area_m2": 5000.0,
            "equipment_value_wan": 350.0,
            "books": 40000,
        }
    ],
    "registry_majoroffering": [
        {"id": 1, "school_id": 1, "major_code": "0101", "status": "filed", "filed_on": D(2020, 6, 30)},
        {"id": 2, "school_id": 1, "major_code": "0202", "status": "filed", "filed_on": D(2024, 6, 30)},
        {"id": 3, "school_id": 1, "major_code": "0303", "status": "stopped", "filed_on": D(2019, 6, 30)},
    ],
    "registry_majorapplication": [
        {"offering_id": 3, "kind": "stop", "decision": "approved", "decided_at": _ts(D(2024, 3, 1))},
        {"offering_id": 2, "kind": "stop", "decision": "returned", "decided_at": _ts(D(2025, 3, 1))},
    ],
    "registry_schoolclass": [
        {
            "id": 1,
            "school_id": 1,
            "offering_id": 1,
            "class_level": "intermediate",
            "form": "full_time",
            "cohort_year": 2022,
            "partner_id": 2,
        },
        {
            "id": 2,
            "school_id": 1,
            "offering_id": 2,
            "class_level": "senior",
            "form": "full_time",
            "cohort_year": 2024,
            "partner_id": None,
        },
        {
            "id": 3,
            "school_id": 1,
            "offering_id": 1,
            "class_level": "intermediate",
            "form": "part_time",
            "cohort_year": 2023,
            "partner_id": None,
        },
    ],
    "registry_registration": [
        {
            "id": 1,
            "person_id": 1,
            "school_id": 1,
            "school_class_id": 1,
            "form": "full_time",
            "enrolled_on": D(2022, 9, 1),
            "status": "graduated",
        },
        {
            "id": 2,
            "person_id": 2,
            "school_id": 1,
            "school_class_id": 1,
            "form": "full_time",
            "enrolled_on": D(2022, 9, 1),
            "status": "graduated",
        },
        {
            "id": 3,
            "person_id": 3,
            "school_id": 1,
            "school_class_id": 1,
            "form": "full_time",
            "enrolled_on": D(2022, 9, 1),
            "status": "withdrawn",
        },
        {
            "id": 4,
            "person_id": 4,
            "school_id": 1,
            "school_class_id": 2,
            "form": "full_time",
            "enrolled_on": D(2024, 9, 1),
            "status": "enrolled",
        },
        {
            "id": 5,
            "person_id": 5,
            "school_id": 1,
            "school_class_id": 3,
            "form": "part_time",
            "enrolled_on": D(2023, 9, 1),
            "status": "enrolled",
        },
        {
            "id": 6,
            "person_id": 6,
            "school_id": 1,
            "school_class_id": 2,
            "form": "full_time",
            "enrolled_on": D(2025, 9, 1),
            "status": "pending",
        },
    ],
    "registry_registrationevent": [
        {"registration_id": 1, "kind": "graduate", "effective_on": D(2025, 7, 1), "decision": "approved"},
        {"registration_id": 2, "kind": "graduate", "effective_on": D(2025, 7, 1), "decision": "approved"},
        {"registration_id": 3, "kind": "withdraw", "effective_on": D(2023, 3, 1), "decision": "approved"},
        # Asked for, not approved: registration 4 is still in school.
        {"registration_id": 4, "kind": "withdraw", "effective_on": D(2025, 3, 1), "decision": "returned"},
        # ... and moved to another major (转专业), approved.
        {"registration_id": 4, "kind": "change_major", "effective_on": D(2025, 4, 1), "decision": "approved"},
    ],
    "registry_teacher": [
        {
            "id": 1,
            "school_id": 1,
            "category": "specialist",
            "full_time": True,
            "from_enterprise_id": None,
            "dual_qualified": True,
            "integrated": True,
            "major_code": "0101",
            "hired_on": D(2015, 9, 1),
            "left_on": None,
        },
        {
            "id": 2,
            "school_id": 1,
            "category": "specialist",
            "full_time": True,
            "from_enterprise_id": None,
            "dual_qualified": False,
            "integrated": False,
            "major_code": "0202",
            "hired_on": D(2020, 9, 1),
            "left_on": None,
        },
        {
            "id": 3,
            "school_id": 1,
            "category": "general",
            "full_time": False,
            "from_enterprise_id": 2,
            "dual_qualified": False,
            "integrated": False,
            "major_code": "",
            "hired_on": D(2021, 9, 1),
            "left_on": None,
        },
        {
            "id": 4,
            "school_id": 1,
            "category": "specialist",
            "full_time": True,
            "from_enterprise_id": None,
            "dual_qualified": True,
            "integrated": False,
            "major_code": "0101",
            "hired_on": D(2016, 9, 1),
            "left_on": D(2024, 6, 30),
        },
    ],
    "registry_enterprisepractice": [
        {"teacher_id": 1, "started_on": D(2022, 3, 1), "ended_on": D(2022, 6, 30), "months": 4.0},
        {"teacher_id": 1, "started_on": D(2024, 11, 1), "ended_on": D(2025, 1, 31), "months": 3.0},
        {"teacher_id": 2, "started_on": D(2020, 1, 1), "ended_on": D(2020, 6, 30), "months": 6.0},
    ],
    "registry_trainingprogramme": [
        {
            "id": 1,
            "provider_id": 1,
            "occupation_code": "6-18-02-04",
            "skill_level": 4,
            "hours": 120,
            "funding": "subsidised",
            "starts_on": D(2025, 3, 1),
            "ends_on": D(2025, 5, 1),
        },
        {
            "id": 2,
            "provider_id": 2,
            "occupation_code": "6-18-02-04",
            "skill_level": 5,
            "hours": 40,
            "funding": "market",
            "starts_on": D(2025, 5, 1),
            "ends_on": D(2025, 6, 1),
        },
    ],
    "registry_trainingrecord": [
        {"programme_id": 1, "person_id": 4, "outcome": "certified", "finished_on": D(2025, 5, 1)},
        {"programme_id": 1, "person_id": 5, "outcome": "completed", "finished_on": D(2025, 5, 1)},
        {"programme_id": 1, "person_id": 6, "outcome": "enrolled", "finished_on": None},
        {"programme_id": 2, "person_id": 1, "outcome": "dropped", "finished_on": D(2025, 5, 20)},
    ],
    "registry_apprenticeship": [
        {
            "enterprise_id": 2,
            "school_id": 1,
            "apprentice_id": 5,
            "occupation_code": "6-18-02-04",
            "starts_on": D(2025, 2, 1),
            "ends_on": None,
            "status": "active",
            "consent": "agreed",
        },
        {
            "enterprise_id": 2,
            "school_id": None,
            "apprentice_id": 6,
            "occupation_code": "6-18-02-04",
            "starts_on": D(2025, 4, 1),
            "ends_on": D(2025, 10, 1),
            "status": "completed",
            "consent": "agreed",
        },
    ],
    "registry_internship": [
        {
            "registration_id": 1,
            "enterprise_id": 2,
            "starts_on": D(2025, 1, 10),
            "ends_on": D(2025, 6, 10),
            "insurance_policy_no": "P-1",
            "fee_charged": 0.0,
            "status": "completed",
            "consent": "agreed",
        },
        {
            "registration_id": 2,
            "enterprise_id": 2,
            "starts_on": D(2025, 1, 10),
            "ends_on": D(2025, 6, 10),
            "insurance_policy_no": " ",
            "fee_charged": 200.0,
            "status": "completed",
            "consent": "agreed",
        },
    ],
    "registry_destination": [
        # An earlier census for registration 1 is superseded by the one at the year's end.
        {
            "registration_id": 1,
            "census_date": D(2025, 9, 30),
            "kind": "not_employed",
            "occupation_code": "",
            "in_field": None,
            "monthly_pay": None,
        },
        {
            "registration_id": 1,
            "census_date": D(2025, 12, 31),
            "kind": "employed",
            "occupation_code": "6-18-02-04",
            "in_field": True,
            "monthly_pay": 5000.0,
        },
        {
            "registration_id": 2,
            "census_date": D(2025, 12, 31),
            "kind": "further_study",
            "occupation_code": "",
            "in_field": None,
            "monthly_pay": None,
        },
    ],
    # Signed credentials: both 2025 graduates got a diploma, the second one's since revoked;
    # person 1's skill certificate took effect in 2025, person 2's in 2026.
    "credentials_certificate": [
        {
            "issuer_id": 1,
            "holder_id": 1,
            "registration_id": 1,
            "kind": "diploma",
            "skill_level": None,
            "status": "active",
            "valid_from": _ts(D(2025, 7, 10)),
        },
        {
            "issuer_id": 1,
            "holder_id": 2,
            "registration_id": 2,
            "kind": "diploma",
            "skill_level": None,
            "status": "revoked",
            "valid_from": _ts(D(2025, 7, 10)),
        },
        {
            "issuer_id": 1,
            "holder_id": 1,
            "registration_id": None,
            "kind": "skill",
            "skill_level": 4,
            "status": "active",
            "valid_from": _ts(D(2025, 5, 20)),
        },
        {
            "issuer_id": 1,
            "holder_id": 2,
            "registration_id": None,
            "kind": "skill",
            "skill_level": 4,
            "status": "active",
            "valid_from": _ts(D(2026, 1, 15)),
        },
    ],
    "registry_skillassessment": [
        {
            "evaluator_id": 1,
            "person_id": 1,
            "occupation_code": "6-18-02-04",
            "skill_level": 4,
            "assessed_on": D(2025, 5, 10),
            "result": "passed",
        },
        {
            "evaluator_id": 1,
            "person_id": 2,
            "occupation_code": "6-18-02-04",
            "skill_level": 3,
            "assessed_on": D(2025, 8, 1),
            "result": "passed",
        },
        {
            "evaluator_id": 1,
            "person_id": 3,
            "occupation_code": "6-18-02-04",
            "skill_level": 4,
            "assessed_on": D(2025, 6, 1),
            "result": "failed",
        },
    ],
    "registry_competitionaward": [
        {"recorded_by_id": 1, "person_id": 4, "level": "provincial", "awarded_on": D(2025, 11, 1)},
    ],
    # Two plans of school 1 as an evaluation body, practical tests in 2025: welders at 高级工
    # (one passed, one failed, one absent, left out) and 营销员 at 中级工 (one passed). A plan of
    # 2024 is another year.
    "assessment_assessmentplan": [
        {
            "id": 1,
            "evaluator_id": 1,
            "occupation_code": "6-18-02-04",
            "skill_level": 3,
            "practice_on": D(2025, 6, 20),
            "status": "final",
        },
        {
            "id": 2,
            "evaluator_id": 1,
            "occupation_code": "4-01-02-01",
            "skill_level": 4,
            "practice_on": D(2025, 11, 5),
            "status": "final",
        },
        {
            "id": 3,
            "evaluator_id": 1,
            "occupation_code": "6-18-02-04",
            "skill_level": 3,
            "practice_on": D(2024, 6, 20),
            "status": "final",
        },
    ],
    "assessment_signup": [
        {"plan_id": 1, "result": "passed"},
        {"plan_id": 1, "result": "failed"},
        {"plan_id": 1, "result": "absent"},
        {"plan_id": 2, "result": "passed"},
        {"plan_id": 3, "result": "failed"},
    ],
    # 0101 → 焊工 → 3411 (division 34, section C); 0202 → 营销员 → 5191 (section F). Version 1
    # is an older major–occupation table that still sent 0202 to 焊工: only the latest counts.
    "refdata_catalogueversion": [
        {"id": 1, "scheme": "major_occupation"},
        {"id": 2, "scheme": "occupation_industry"},
        {"id": 3, "scheme": "industry"},
        {"id": 4, "scheme": "major_occupation"},
    ],
    "refdata_crosswalk": [
        {"version_id": 1, "scheme": "major_occupation", "source_code": "0202", "target_code": "6-18-02-04"},
        {"version_id": 4, "scheme": "major_occupation", "source_code": "0101", "target_code": "6-18-02-04"},
        {"version_id": 4, "scheme": "major_occupation", "source_code": "0202", "target_code": "4-01-02-01"},
        {"version_id": 2, "scheme": "occupation_industry", "source_code": "6-18-02-04", "target_code": "3411"},
        {"version_id": 2, "scheme": "occupation_industry", "source_code": "4-01-02-01", "target_code": "5191"},
    ],
    "refdata_concept": [
        {"id": 10, "version_id": 3, "scheme": "industry", "level": 1, "code": "C", "parent_id": None},
        {"id": 11, "version_id": 3, "scheme": "industry", "level": 2, "code": "34", "parent_id": 10},
        {"id": 12, "version_id": 3, "scheme": "industry", "level": 1, "code": "F", "parent_id": None},
        {"id": 13, "version_id": 3, "scheme": "industry", "level": 2, "code": "51", "parent_id": 12},
    ],
    # The province names manufacturing (a section) as key; another province's list does not apply.
    "insight_keyindustry": [
        {"region_code": "150000", "industry_code": "C"},
        {"region_code": "110000", "industry_code": "F"},
    ],
    "market_posting": [
        {
            "id": 1,
            "owner_id": 2,
            "kind": "job",
            "occupation_code": "6-18-02-04",
            "industry_code": "C34",
            "region_code": "150102",
            "headcount": 3,
            "status": "published",
            "published_at": _ts(D(2025, 5, 1)),
        },
        {
            "id": 2,
            "owner_id": 2,
            "kind": "cooperation",
            "occupation_code": "",
            "industry_code": "C34",
            "region_code": "150102",
            "headcount": None,
            "status": "closed",
            "published_at": _ts(D(2025, 6, 1)),
        },
        {
            "id": 3,
            "owner_id": 2,
            "kind": "job",
            "occupation_code": "",
            "industry_code": "C34",
            "region_code": "150102",
            "headcount": 5,
            "status": "pending",
            "published_at": None,
        },
    ],
}

# (indicator, year) → (value, numerator, denominator), worked out by hand from ROWS, scope: all.
EXPECTED: dict[tuple[str, int], tuple[float | None, float | None, float | None]] = {
    # 2025 census: registration 4 (full-time, senior class) and 5 (part-time); 1 and 2 graduated
    # on 1 July, 3 withdrew in 2023, 6 is still pending.
    ("students_in_school", 2025): (2, 2, None),
    ("full_time_students", 2025): (1, 1, None),
    ("part_time_students", 2025): (1, 1, None),
    ("new_enrolment", 2025): (0, 0, None),
    ("advanced_class_share", 2025): (100.0, 1, 1),
    # 2024 census: 1, 2 (order class), 4 (new, senior) full-time, and 5.
    ("students_in_school", 2024): (4, 4, None),
    ("new_enrolment", 2024): (1, 1, None),
    ("advanced_class_share", 2024): (33.333333, 1, 3),
    ("order_class_share", 2024): (66.666667, 2, 3),
    # 2023: one withdrawal against 1, 2 and 5 in school at the year's end.
    ("dropout_rate", 2023): (33.333333, 1, 3),
    ("dropout_rate", 2025): (0.0, 0, 2),
    ("major_change_rate", 2023): (0.0, 0, 3),
    ("major_change_rate", 2025): (50.0, 1, 2),
    # Graduates of 2025: 1 (employed in field, 5,000 yuan) and 2 (further study).
    ("graduates", 2025): (2, 2, None),
    ("employment_rate", 2025): (100.0, 1, 1),
    ("destination_rate", 2025): (100.0, 2, 2),
    ("in_field_employment_rate", 2025): (100.0, 1, 1),
    ("pay_six_months", 2025): (5000.0, 5000.0, None),
    ("further_study_rate", 2025): (50.0, 1, 2),
    ("destination_recorded_rate", 2025): (100.0, 2, 2),
    # Person 1 passed before graduating, person 2 only after.
    ("dual_certificate_rate", 2025): (50.0, 1, 2),
    ("skill_certificates_issued", 2025): (2, 2, None),
    # Signed credentials by the year they took effect, revoked ones included in the count.
    ("skill_credentials_signed", 2025): (1, 1, None),
    ("diplomas_signed", 2025): (2, 2, None),
    # Of the two full-time graduates of 2025 only person 1 holds an active diploma and an active
    # skill certificate (person 2's diploma is revoked, though a skill certificate followed).
    ("dual_credential_rate", 2025): (50.0, 1, 2),
    ("assessment_pass_rate", 2025): (66.666667, 2, 3),
    # Three sat in 2025 (the absent one is left out), two passed.
    ("assessment_plan_pass_rate", 2025): (66.666667, 2, 3),
    ("high_skill_certificate_share", 2025): (50.0, 1, 2),
    ("competition_awards", 2025): (1, 1, None),
    # Training: three at the school (subsidised), one at the enterprise (market).
    ("training_attendances", 2025): (4, 4, None),
    ("training_to_students_ratio", 2025): (3.0, 3, 1),
    ("subsidised_training_share", 2025): (75.0, 3, 4),
    ("training_certified_rate", 2025): (33.333333, 1, 3),
    ("apprenticeships_started", 2025): (2, 2, None),
    ("apprenticeship_completion_rate", 2025): (100.0, 1, 1),
    # A policy number of blanks is no policy.
    ("internship_insurance_coverage", 2025): (50.0, 1, 2),
    ("internship_fee_violations", 2025): (1, 1, None),
    ("internship_fee_violation_rate", 2025): (50.0, 1, 2),
    # Majors: 0101 and 0202 in 2025 (0303 stopped in March 2024; 0202's stop was returned).
    ("majors_offered", 2025): (2, 2, None),
    ("majors_offered", 2023): (2, 2, None),  # 0101 and 0303; 0202 was filed in 2024
    ("distinct_majors", 2025): (2, 2, None),
    ("cooperation_major_share", 2025): (50.0, 1, 2),  # 0101 has an order class
    ("students_per_major", 2025): (0.5, 1, 2),
    # Teachers in post at the end of 2025: 1, 2 (specialists, full time) and 3 (from industry).
    ("teachers", 2025): (3, 3, None),
    ("dual_qualified_share", 2025): (50.0, 1, 2),
    # Six months in the five years to the census: teacher 1 has 4 + 3 by 2025 (4 by 2024);
    # teacher 2's six months of 2020 count in 2024 and have fallen out of the window by 2025.
    ("enterprise_practice_compliance", 2025): (50.0, 1, 2),
    ("enterprise_practice_compliance", 2024): (50.0, 1, 2),
    ("student_teacher_ratio", 2025): (0.5, 1, 2),
    ("industry_teacher_share", 2025): (33.333333, 1, 3),
    ("integrated_teacher_share", 2025): (50.0, 1, 2),
    ("schools", 2025): (2, 2, None),
    ("setting_standard_compliance", 2025): (0.0, 0, 2),  # S1 has 1 full-time student, not 800
    ("data_completeness", 2025): (58.333333, 7, 12),  # 5 profile fields + 2 destinations of 10 + 2
    ("posted_demand", 2025): (3, 3, None),
    ("demand_per_graduate", 2025): (1.5, 3, 2),
    ("cooperation_postings", 2025): (1, 1, None),
    # 0101 serves manufacturing, 0202 (sales) does not: half the majors; by students, 0101 had the
    # two full-time students of 2024 and none in 2025, 0202 one in each year.
    ("major_industry_alignment", 2025): (50.0, 1, 2),
    ("major_industry_alignment", 2024): (50.0, 1, 2),
    ("key_industry_enrolment_share", 2025): (0.0, 0, 1),
    ("key_industry_enrolment_share", 2024): (66.666667, 2, 3),
}


def _arrow(table: str) -> pa.Table:
    types = column_types(table)
    rows = ROWS.get(table, [])
    columns = {c: pa.array([r.get(c) for r in rows], type=t[1]) for c, t in types.items()}
    return pa.table(columns)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("insight") / "small.duckdb"
    assert set(ROWS) <= set(SOURCE_COLUMNS)
    build_snapshot(path, read=_arrow, years=(2022, 2026))
    return path


@pytest.fixture(scope="module")
def duck(snapshot: Path) -> Iterator[Engine]:
    engine = DuckDBEngine(snapshot)
    yield engine
    engine.close()


def _by_key(values: list[IndicatorValue]) -> dict[tuple[str, int], IndicatorValue]:
    return {(v.code, v.year): v for v in values}


def _check(values: list[IndicatorValue]) -> None:
    found = _by_key(values)
    for (code, year), (value, numerator, denominator) in EXPECTED.items():
        got = found[(code, year)]
        assert (got.value, got.numerator, got.denominator) == (value, numerator, denominator), (code, year, got)


def test_the_catalogue_is_checked_on_this_register() -> None:
    assert {code for code, _year in EXPECTED} == set(catalogue()), "every indicator has a hand-checked figure"


def test_duckdb_gives_the_hand_counted_figures(duck: Engine) -> None:
    _check(compute(duck, catalogue().values(), years=[2023, 2024, 2025, 2026]))


def test_a_snapshots_figures_are_kept_until_it_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "kept.duckdb"
    build_snapshot(path, read=_arrow, years=(2022, 2026))
    engine = DuckDBEngine(path)
    first = compute(engine, catalogue().values(), years=[2023, 2024, 2025, 2026])
    _check(first)
    queries: list[object] = []
    monkeypatch.setattr(DuckDBEngine, "run", lambda self, expr: queries.append(expr) or [])
    assert compute(engine, catalogue().values(), years=[2023, 2024, 2025, 2026]) == first and queries == []
    engine.close()
    monkeypatch.undo()
    # Rebuilt from an empty register: the same question now has other answers, never the kept ones.
    build_snapshot(path, read=lambda table: _arrow(table).slice(0, 0), years=(2022, 2026))
    rebuilt = DuckDBEngine(path)
    try:
        counted = {
            (v.code, v.year): v.numerator
            for v in compute(rebuilt, catalogue().values(), years=[2023, 2024, 2025, 2026])
        }
    finally:
        rebuilt.close()
    assert not any(counted.values()) and any(v.numerator for v in first)


def test_spark_gives_the_same_figures(snapshot: Path) -> None:
    require_or_skip(shutil.which("java") is not None, "Spark needs Java (apt install default-jre-headless)")
    engine = SparkEngine(snapshot)
    try:
        _check(compute(engine, catalogue().values(), years=[2023, 2024, 2025, 2026]))
    finally:
        engine.close()


def test_an_empty_denominator_is_null_and_a_scope_without_rows_has_no_data(duck: Engine) -> None:
    values = _by_key(compute(duck, catalogue().values(), years=[2025], scope=Scope("school", "S2")))
    # S2 is a school with no students, teachers or graduates: no data, not zero.
    assert values[("students_in_school", 2025)].status == "no_data"
    assert values[("students_in_school", 2025)].value is None
    assert values[("employment_rate", 2025)].status == "no_data"
    # The school itself is there: one school, which does not meet its standard.
    assert values[("schools", 2025)].value == 1
    assert values[("setting_standard_compliance", 2025)].value == 0.0
    # 2022: nobody has graduated yet, so the rate has no denominator.
    early = _by_key(compute(duck, [catalogue()["employment_rate"]], years=[2022]))
    assert early[("employment_rate", 2022)].value is None
    assert early[("employment_rate", 2022)].status == "no_data"
    beijing = compute(duck, catalogue().values(), years=[2025], scope=Scope("region", "110000"))
    assert {v.status for v in beijing} == {"no_data"}


def test_a_year_with_no_record_of_what_is_counted_has_no_data_not_zero(duck: Engine) -> None:
    """Students are on record for 2024, training only from 2025: the 2024 training ratio is
    unknown, not 0 (nothing says no course was run), while 2025's is computed."""
    ratio = catalogue()["training_to_students_ratio"]
    values = _by_key(compute(duck, [ratio, catalogue()["students_in_school"]], years=[2023, 2024, 2025, 2026]))
    assert values[("students_in_school", 2024)].value
    assert values[("training_to_students_ratio", 2024)].status == "no_data"
    assert values[("training_to_students_ratio", 2024)].value is None
    assert values[("training_to_students_ratio", 2025)].value == 3.0


def test_scopes_and_breakdowns(duck: Engine) -> None:
    region = _by_key(compute(duck, catalogue().values(), years=[2025], scope=Scope("region", "150100")))
    assert region[("students_in_school", 2025)].value == 2
    assert region[("schools", 2025)].value == 1  # S2 lies in 150203
    assert region[("training_attendances", 2025)].value == 4  # E1 is in 150102 too
    school = _by_key(compute(duck, catalogue().values(), years=[2025], scope=Scope("school", "S1")))
    assert school[("training_attendances", 2025)].value == 3  # the enterprise's course is not the school's
    assert school[("apprenticeships_started", 2025)].value == 1
    by_form = compute(duck, [catalogue()["students_in_school"]], years=[2024], by=["form"])
    assert {(v.group["form"], v.value) for v in by_form} == {("full_time", 3), ("part_time", 1)}
    # A city is derived from a school's county: S1 (150102) in 150100, S2 (150203) in 150200.
    by_city = compute(duck, [catalogue()["schools"]], years=[2025], by=["city"])
    assert {(v.group["city"], v.value) for v in by_city} == {("150100", 1), ("150200", 1)}
    by_major = compute(duck, [catalogue()["majors_offered"]], years=[2023], by=["major"])
    assert {v.group["major"] for v in by_major} == {"0101", "0303"}
    by_trade = compute(duck, [catalogue()["assessment_plan_pass_rate"]], years=[2025], by=["occupation", "skill_level"])
    rates = {(v.group["occupation"], v.group["skill_level"]): round(v.value or 0, 1) for v in by_trade}
    assert rates == {("6-18-02-04", "3"): 50.0, ("4-01-02-01", "4"): 100.0}


def test_early_warning_for_majors(duck: Engine) -> None:
    from gongjiang.insight.early_warning import Thresholds, major_warnings, thresholds

    # Major 0101 graduated two in 2025: one employed in field at 5,000 yuan (the scope's mean, so
    # a pay ratio of 1), one to further study. Its occupation (焊工) was asked for 3 times in 2025,
    # none in 2024: the trend is unknown, and 2 graduates per 3 posts is 0.67.
    calm = Thresholds(window_years=2, min_graduates=1, rules=thresholds().rules)
    (only,) = major_warnings(duck, scope=Scope(), year=2025, limits=calm)
    assert (only.major_code, only.level, only.graduates) == ("0101", "green", 2)
    assert (only.employment_rate, only.in_field_rate, only.mean_pay, only.pay_ratio) == (100.0, 100.0, 5000.0, 1.0)
    assert only.graduates_per_post == 0.67
    # The register's postings cover a few months only: no year is whole, so no trend is drawn.
    assert (only.demand_from, only.demand_to, only.demand_trend) == (None, None, None)
    strict = Thresholds(
        window_years=2,
        min_graduates=1,
        rules={"employment_rate": {"red_below": 100.5}, "supply_demand": {"yellow_above": 0.5}},
    )
    (judged,) = major_warnings(duck, scope=Scope(), year=2025, limits=strict)
    assert judged.level == "red"
    assert judged.reasons == ["就业率 100.0%，低于 100.5%", "每个岗位 0.7 名毕业生，高于 0.5"]
    (small,) = major_warnings(duck, scope=Scope(), year=2025, limits=thresholds())
    assert small.level == "insufficient" and "样本不足" in small.reasons[0]


def test_a_major_with_graduates_and_no_demand_is_warned_and_reasons_round_as_the_table() -> None:
    from gongjiang.insight.early_warning import MajorWarning, Thresholds, _judge, _trend

    def warning(**values: Any) -> MajorWarning:
        facts: dict[str, Any] = {
            "major_code": "0102", "level": "insufficient", "graduates": 310, "employment_rate": 95.0,
            "in_field_rate": 80.0, "mean_pay": 5000.0, "pay_ratio": 1.0, "demand_first": 0, "demand_last": 0,
            "demand_trend": None, "graduates_per_post": None,
        }  # fmt: skip
        return MajorWarning(**{**facts, **values})

    rules = {"employment_rate": {"red_below": 90.0}, "supply_demand": {"red_above": 5.0, "no_demand": "red"}}
    limits = Thresholds(window_years=3, min_graduates=20, rules=rules)
    nothing_posted = warning(no_demand=True)
    _judge(nothing_posted, limits)
    assert nothing_posted.level == "red" and "没有发布任何岗位需求" in nothing_posted.reasons[0]
    assert "310" in nothing_posted.reasons[0]
    quiet = Thresholds(3, 20, {**rules, "supply_demand": {"no_demand": "green"}})
    ignored = warning(no_demand=True)
    _judge(ignored, quiet)
    assert ignored.level == "green" and not ignored.reasons
    # 85.05 is shown as 85.1 % in the table (half up); the reason says the same.
    low = warning(employment_rate=85.05, graduates_per_post=1.0)
    _judge(low, limits)
    assert low.reasons == ["就业率 85.1%，低于 90.0%"]
    # A change from a handful of places is not a trend.
    assert _trend(3, 140, min_base=10) is None and _trend(10, 5, min_base=10) == -0.5


def test_the_demand_trend_compares_only_years_recorded_whole() -> None:
    from gongjiang.insight.early_warning import whole_years

    every = set(range(1, 13))
    # The record began in December 2023, and 2026 is not over: only 2024 and 2025 are whole.
    covered = {2023: {12}, 2024: every, 2025: every, 2026: every - {12}}
    assert whole_years(covered, [2023, 2024, 2025, 2026], dt.date(2026, 12, 1)) == [2024, 2025]
    # A year with a month in which nothing was published anywhere is not whole either.
    assert whole_years({2024: every - {2}, 2025: every}, [2024, 2025], dt.date(2026, 3, 1)) == [2025]
    # Once the year is over, it counts.
    assert whole_years({2025: every}, [2025], dt.date(2025, 12, 31)) == []
    assert whole_years({2025: every}, [2025], dt.date(2026, 1, 1)) == [2025]


def test_data_quality_rules(duck: Engine) -> None:
    from gongjiang.insight.quality import rules, violations

    found = {
        (v.rule.code, v.school_code, v.year, v.left, v.right) for v in violations(duck, scope=Scope(), years=[2025])
    }
    assert found == {
        # S1 is a 技工学校 running a senior-worker class (registration 4's).
        ("classes_within_tier", "S1", 2025, 1.0, 0.0),
        # Registration 2's internship: a policy number of blanks, and 200 yuan charged.
        ("internships_insured", "S1", 2025, 1.0, 0.0),
        ("internships_free", "S1", 2025, 1.0, 0.0),
        # S2 has entered none of its five facilities.
        ("profile_complete", "S2", 2025, 0.0, 5.0),
    }
    assert len(rules()) >= 10
    only_s2 = violations(duck, scope=Scope("school", "S2"), years=[2025])
    assert [(v.rule.code, v.rule.severity) for v in only_s2] == [("profile_complete", "warning")]
