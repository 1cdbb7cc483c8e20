from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from gongjiang.core.actors import Actor
from gongjiang.core.validators import resident_id_check_digit
from gongjiang.directory import services as directory
from gongjiang.directory.models import Organisation, Person, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.registry import services
from gongjiang.registry.models import MajorApplication, SchoolClass


@pytest.fixture
def actor_of(db: None) -> Callable[[str], Actor]:
    return lambda username: actor_for_user(User.objects.get(username=username))


@pytest.fixture
def technical_school(world: dict[str, Organisation]) -> Organisation:
    return Organisation.objects.get(code="S15010309")  # 呼和浩特新城技工学校


def file_major(
    actor_of: Callable[[str], Actor], school: Organisation, username: str, code: str, levels: list[str]
) -> MajorApplication:
    application = services.major_apply(
        actor=actor_of(username), school=school, major_code=code, kind="add", class_levels=levels, reason="产业需要"
    )
    return services.major_decide(actor=actor_of("bureau"), application=application, approve=True)


@pytest.fixture
def cnc_class(actor_of: Callable[[str], Actor], world: dict[str, Organisation]) -> SchoolClass:
    """A filed major (数控加工) and a full-time senior class at school 1."""
    file_major(actor_of, world["school"], "school", "0102", ["intermediate", "senior"])
    return services.class_create(
        actor=actor_of("school"),
        school=world["school"],
        major_code="0102",
        name="2025级数控1班",
        class_level="senior",
        form="full_time",
        cohort_year=2025,
        planned_years=3,
    )


_sequence = iter(range(100, 999))


@pytest.fixture
def new_person(actor_of: Callable[[str], Actor]) -> Callable[..., Person]:
    def make(name: str = "李明", birth: dt.date = dt.date(2008, 5, 4), region: str = "150203") -> Person:
        first17 = f"{region}{birth:%Y%m%d}{next(_sequence):03d}"
        return directory.person_create(
            actor=actor_of("school"), name=name, id_number=first17 + resident_id_check_digit(first17)
        )

    return make
