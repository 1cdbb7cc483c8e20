"""Same seed, same records and marketplace: the region is populated twice from the same world,
each time rolled back, and the two are compared by their natural keys (primary keys may differ
between runs)."""

from __future__ import annotations

import random
from typing import Any

from django.db import transaction
from django.db.models import Model

from gongjiang.core.actors import system_actor
from gongjiang.demo.generator import populate_region
from gongjiang.market.models import Application, EnterpriseProfile, OrderClassAgreement, Posting
from gongjiang.registry.models import (
    Apprenticeship,
    CompetitionAward,
    Destination,
    Internship,
    Registration,
    SkillAssessment,
    TrainingRecord,
)

STUDENTS = 300  # a few classes a school: enough to exercise every step


FIELDS: dict[str, tuple[type[Model], tuple[str, ...]]] = {
    "registrations": (Registration, ("person__id_number", "school_class__name", "status")),
    "internships": (
        Internship,
        ("registration__person__id_number", "enterprise__code", "post", "starts_on", "ends_on", "insurance_policy_no",
         "fee_charged", "status"),
    ),
    "destinations": (
        Destination,
        ("registration__person__id_number", "census_date", "kind", "employer__code", "employer_name",
         "occupation_code", "in_field", "monthly_pay"),
    ),
    "training": (
        TrainingRecord,
        ("programme__provider__code", "programme__name", "programme__starts_on", "person__id_number", "outcome",
         "certificate_no", "finished_on"),
    ),
    "apprenticeships": (
        Apprenticeship,
        ("enterprise__code", "school__code", "apprentice__id_number", "occupation_code", "enterprise_tutor",
         "school_tutor", "starts_on", "ends_on", "status"),
    ),
    "assessments": (
        SkillAssessment,
        ("person__id_number", "occupation_code", "skill_level", "assessed_on", "result", "certificate_no"),
    ),
    "awards": (CompetitionAward, ("person__id_number", "competition", "rank", "awarded_on")),
    "profiles": (
        EnterpriseProfile,
        ("organisation__code", "industry_code", "size", "is_integration_enterprise", "is_rural", "description"),
    ),
    "postings": (
        Posting,
        ("owner__code", "kind", "title", "status", "occupation_code", "level", "headcount", "pay_min", "pay_max",
         "deadline"),
    ),
    "applications": (Application, ("posting__owner__code", "posting__title", "applicant__id_number", "status")),
    "order classes": (OrderClassAgreement, ("posting__title", "school__code", "school_class__name")),
}  # fmt: skip


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    return {name: sorted(model._default_manager.values_list(*fields)) for name, (model, fields) in FIELDS.items()}


def populated_once(seed: int) -> dict[str, list[tuple[Any, ...]]]:
    with transaction.atomic():
        populate_region(actor=system_actor("tests"), students=STUDENTS, rng=random.Random(seed))
        result = fingerprint()
        transaction.set_rollback(True)
    return result


def test_the_same_seed_gives_the_same_records(db: None) -> None:
    first = populated_once(7)
    assert all(first.values()), {k: len(v) for k, v in first.items()}
    assert populated_once(7) == first
