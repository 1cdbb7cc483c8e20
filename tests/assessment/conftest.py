"""Filed evaluation bodies, plans and classes for the assessment tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from gongjiang.assessment import services
from gongjiang.assessment.models import AssessmentPlan
from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.credentials import services as credentials
from gongjiang.directory.models import Organisation
from gongjiang.registry import services as registry
from gongjiang.registry.models import SchoolClass
from tests.registry.conftest import file_major, new_person  # noqa: F401  (a fixture the tests use)

WELDER = "6-18-02-04"
TODAY = clock.today()


@pytest.fixture
def filed(actor_of: Callable[[str], Actor], world: dict[str, Organisation]) -> Organisation:
    """The evaluation body filed by the bureau for welders up to 技师 (level 2)."""
    credentials.filing_create(
        actor=actor_of("bureau"), organisation=world["evaluator"], body_kind="evaluation_organisation",
        occupations={WELDER: 2}, valid_from=TODAY - dt.timedelta(days=400), valid_until=TODAY + dt.timedelta(days=700),
    )  # fmt: skip
    return world["evaluator"]


@pytest.fixture
def publish(actor_of: Callable[[str], Actor], filed: Organisation) -> Callable[..., AssessmentPlan]:
    def make(**overrides: Any) -> AssessmentPlan:
        fields: dict[str, Any] = {
            "evaluator": filed, "occupation_code": WELDER, "skill_level": 3, "place": "呼和浩特市职业技能鉴定中心",
            "capacity": 30, "signup_opens": TODAY - dt.timedelta(days=5), "signup_closes": TODAY + dt.timedelta(days=10),
            "theory_on": TODAY + dt.timedelta(days=20), "practice_on": TODAY + dt.timedelta(days=21),
        }  # fmt: skip
        fields.update(overrides)
        return services.plan_publish(actor=actor_of("u-v150000001"), **fields)

    return make


def final_year_cohort(on_date: dt.date, years: int = 3) -> int:
    """The cohort whose `years`-year course is in its final year on `on_date`."""
    return on_date.year - years + (1 if on_date.month >= 9 else 0)


@pytest.fixture
def senior_class(actor_of: Callable[[str], Actor], world: dict[str, Organisation]) -> SchoolClass:
    """A senior-worker welding class at school 1 in its final year when the plans sit."""
    file_major(actor_of, world["school"], "school", "0106", ["intermediate", "senior"])
    return registry.class_create(
        actor=actor_of("school"), school=world["school"], major_code="0106", name="焊接高级工班",
        class_level="senior", form="full_time", cohort_year=final_year_cohort(TODAY + dt.timedelta(days=20)),
        planned_years=3,
    )  # fmt: skip
