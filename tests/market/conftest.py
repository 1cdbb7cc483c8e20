"""Fixtures of the marketplace tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry import services as registry
from gongjiang.registry.models import Registration
from tests.registry.conftest import file_major


@pytest.fixture
def enrolled_student(actor_of: Callable[[str], Actor], world: dict[str, Organisation]) -> Registration:
    """The student persona in the second year of a three-year full-time class at school 1,
    approved: the class leaves school the year after next."""
    file_major(actor_of, world["school"], "school", "0102", ["intermediate", "senior"])
    cohort = clock.today().year - 1
    school_class = registry.class_create(
        actor=actor_of("school"), school=world["school"], major_code="0102", name=f"{cohort}级数控1班",
        class_level="senior", form="full_time", cohort_year=cohort, planned_years=3,
    )  # fmt: skip
    person = Person.objects.get(pk=actor_of("student").person_id)
    registration = registry.registration_create(
        actor=actor_of("school"), school_class=school_class, person=person, enrolled_on=dt.date(cohort, 9, 1)
    )
    registry.registration_decide(actor=actor_of("bureau"), event=registration.events.get(), approve=True)
    return registration
