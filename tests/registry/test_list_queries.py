"""List pages ask the database the same number of questions however many rows they show: each
page is measured, the register grows, and the page is measured again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from gongjiang.core.actors import Actor
from gongjiang.core.validators import resident_id_check_digit
from gongjiang.directory.models import Organisation
from gongjiang.registry import services
from gongjiang.registry.models import SchoolClass

PAGES = {
    "school": [
        "/registry/registrations/",
        "/registry/teachers/",
        "/registry/training/",
        "/registry/placements/",
        "/registry/destinations/",
        "/registry/skills/",
    ],
    "bureau": [
        "/registry/registrations/",
        "/registry/queue/",
        "/registry/schools/",
        "/registry/teachers/",
        "/registry/placements/",
        "/registry/destinations/",
    ],
}

_numbers = iter(range(200, 999))


def _grow(actor_of: Callable[[str], Actor], school: Organisation, cnc_class: SchoolClass, n: int) -> None:
    """n more students (enrolled, graduated with a destination, an internship without insurance,
    an award), n teachers, and a training programme with n trainees."""
    clerk, bureau = actor_of("school"), actor_of("bureau")
    programme = services.training_programme_create(
        actor=clerk, provider=school, name=f"培训{next(_numbers)}", occupation_code="6-18-02-04", skill_level=4,
        hours=40, funding="market", starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 4, 1),
    )  # fmt: skip
    enterprise = Organisation.objects.filter(kind="enterprise").first()
    assert enterprise is not None
    for _ in range(n):
        number = next(_numbers)
        first17 = f"15020320060101{number:03d}"
        person = services.person_find_or_register(
            actor=clerk, name=f"学生{number}", id_number=first17 + resident_id_check_digit(first17)
        )
        registration = services.registration_create(
            actor=clerk, school_class=cnc_class, person=person, enrolled_on=dt.date(2025, 9, 1)
        )
        services.registration_decide(actor=bureau, event=registration.events.get(), approve=True)
        registration.refresh_from_db()
        services.internship_create(
            actor=clerk, registration=registration, enterprise=enterprise, post="操作工",
            starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 6, 30),
        )  # fmt: skip
        services.registration_request(
            actor=clerk, registration=registration, kind="graduate", effective_on=dt.date(2026, 6, 30)
        )
        services.registration_decide(actor=bureau, event=registration.events.get(decision="pending"), approve=True)
        registration.refresh_from_db()
        services.destination_record(
            actor=clerk, registration=registration, census_date=dt.date(2026, 12, 31), kind="not_employed"
        )
        services.award_record(
            actor=clerk, recorded_by=school, person=person, competition="校赛", level="city", rank="三等奖",
            awarded_on=dt.date(2026, 5, 1),
        )  # fmt: skip
        services.trainee_record(actor=clerk, programme=programme, person=person)
        teacher17 = f"15020319800101{number:03d}"
        services.teacher_add(
            actor=clerk,
            school=school,
            person=services.person_find_or_register(
                actor=clerk, name=f"教师{number}", id_number=teacher17 + resident_id_check_digit(teacher17)
            ),
            category="general",
            hired_on=dt.date(2015, 9, 1),
        )
        # and one waiting in the queue
        waiting17 = f"15020320070101{number:03d}"
        services.registration_create(
            actor=clerk,
            school_class=cnc_class,
            person=services.person_find_or_register(
                actor=clerk, name=f"新生{number}", id_number=waiting17 + resident_id_check_digit(waiting17)
            ),
            enrolled_on=dt.date(2025, 9, 1),
        )


def _queries(client: Any, path: str) -> int:
    # Counted with an execute wrapper: Django empties `connection.queries` when a request starts.
    seen: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(path).status_code == 200
    assert seen, f"no queries seen for {path}"
    return len(seen)


@pytest.mark.parametrize("persona", list(PAGES))
def test_list_pages_do_not_ask_more_for_more_rows(
    client_for: Any,
    actor_of: Callable[[str], Actor],
    world: dict[str, Organisation],
    cnc_class: SchoolClass,
    persona: str,
) -> None:
    client = client_for(persona)
    _grow(actor_of, world["school"], cnc_class, 2)
    before = {path: _queries(client, path) for path in PAGES[persona]}
    _grow(actor_of, world["school"], cnc_class, 8)
    after = {path: _queries(client, path) for path in PAGES[persona]}
    assert after == before
