"""转班 and 转专业 as status changes: asked, approved by the bureau, kept in the history, counted
by the indicators that read status changes (issue 18, item 2; ADR 0028)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from gongjiang.core.actors import Actor
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry import services
from gongjiang.registry.models import EventKind, Registration, RegistrationStatus, SchoolClass, StudyForm
from tests.registry.conftest import file_major
from tests.registry.test_registrations import SEPT, approve_latest


def _class(actor_of: Callable[[str], Actor], school: Organisation, code: str, name: str, **kw: Any) -> SchoolClass:
    fields: dict[str, Any] = {"class_level": "senior", "form": "full_time", "cohort_year": 2025, "planned_years": 3}
    return services.class_create(actor=actor_of("school"), school=school, major_code=code, name=name, **(fields | kw))


@pytest.fixture
def enrolled(
    actor_of: Callable[[str], Actor], cnc_class: SchoolClass, new_person: Callable[..., Person]
) -> Registration:
    registration = services.registration_create(
        actor=actor_of("school"), school_class=cnc_class, person=new_person(), enrolled_on=SEPT
    )
    approve_latest(actor_of, registration)
    return registration


def test_a_class_change_waits_for_the_bureau_then_moves_the_learner(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled: Registration
) -> None:
    evening = _class(actor_of, world["school"], "0102", "2025级数控夜班", form="part_time")
    event = services.registration_request(
        actor=actor_of("school"), registration=enrolled, kind=EventKind.CHANGE_CLASS,
        effective_on=dt.date(2026, 3, 1), reason="转为非全日制", target_class=evening,
    )  # fmt: skip
    assert event.from_class_id == enrolled.school_class_id
    enrolled.refresh_from_db()
    assert enrolled.school_class.name == "2025级数控1班"  # not before the bureau approves
    approve_latest(actor_of, enrolled)
    assert (enrolled.school_class_id, enrolled.form, enrolled.status) == (
        evening.pk,
        StudyForm.PART_TIME,
        RegistrationStatus.ENROLLED,
    )


def test_each_kind_is_refused_where_it_does_not_fit(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled: Registration
) -> None:
    file_major(actor_of, world["school"], "school", "0401", ["senior"])
    same_major = _class(actor_of, world["school"], "0102", "2025级数控2班")
    other_major = _class(actor_of, world["school"], "0401", "2025级汽修1班")
    file_major(actor_of, world["school2"], "school2", "0102", ["senior"])
    elsewhere = services.class_create(
        actor=actor_of("school2"), school=world["school2"], major_code="0102", name="数控1班",
        class_level="senior", form="full_time", cohort_year=2025, planned_years=3,
    )  # fmt: skip
    cases = [
        (EventKind.CHANGE_CLASS, other_major, "请办理转专业"),
        (EventKind.CHANGE_MAJOR, same_major, "请办理转班"),
        (EventKind.CHANGE_CLASS, elsewhere, "请办理转学"),
        (EventKind.CHANGE_CLASS, enrolled.school_class, "就是现在的班级"),
        (EventKind.CHANGE_MAJOR, None, "须指定转入的本校班级"),
        (EventKind.SUSPEND, same_major, "只有转学、转班和转专业需要指定转入班级"),
    ]
    for kind, target, words in cases:
        with pytest.raises(ValidationError) as refused:
            services.registration_request(
                actor=actor_of("school"), registration=enrolled, kind=kind, effective_on=dt.date(2026, 3, 1),
                reason="调整", target_class=target,
            )  # fmt: skip
        assert words in refused.value.messages[0], kind
    services.registration_request(
        actor=actor_of("school"), registration=enrolled, kind=EventKind.CHANGE_MAJOR,
        effective_on=dt.date(2026, 3, 1), target_class=other_major,
    )  # fmt: skip
    services.registration_decide_many(
        actor=actor_of("bureau"), event_ids=[enrolled.events.get(decision="pending").pk], approve=True
    )
    enrolled.refresh_from_db()
    assert enrolled.school_class_id == other_major.pk


def test_the_page_asks_for_a_change_by_the_schools_own_classes_and_shows_it_in_the_history(
    actor_of: Callable[[str], Actor],
    world: dict[str, Organisation],
    enrolled: Registration,
    client_for: Callable[[str], Any],
) -> None:
    other = _class(actor_of, world["school"], "0102", "2025级数控2班")
    elsewhere_cohort = _class(actor_of, world["school"], "0102", "2021级数控1班", cohort_year=2021)
    client = client_for("school")
    url = f"/registry/registrations/{enrolled.pk}/"
    page = client.get(url).content.decode()
    assert f'value="{other.pk}"' in page and f'value="{elsewhere_cohort.pk}"' not in page
    refused = client.post(url, {"kind": "change_class", "effective_on": "2026-03-01", "move_class": "x"})
    assert "请选择转入的本校班级" in refused.content.decode()
    asked = client.post(url, {"kind": "change_class", "effective_on": "2026-03-01", "move_class": str(other.pk)})
    assert asked.status_code == 302
    queue = client_for("bureau").get("/registry/queue/").content.decode()
    assert "2025级数控1班 → 2025级数控2班" in queue  # the bureau sees what it approves
    approve_latest(actor_of, enrolled)
    history = client.get(url).content.decode()
    assert "转班</strong> 2025级数控1班 → 2025级数控2班" in history


def test_the_api_asks_for_a_change_by_class_id(
    actor_of: Callable[[str], Actor],
    world: dict[str, Organisation],
    enrolled: Registration,
    client_for: Callable[[str], Any],
) -> None:
    file_major(actor_of, world["school"], "school", "0401", ["senior"])
    other_major = _class(actor_of, world["school"], "0401", "2025级汽修1班")
    response = client_for("school").post(
        f"/api/v1/registry/registrations/{enrolled.pk}/events",
        json.dumps({"kind": "change_major", "effective_on": "2026-03-01", "target_class_id": other_major.pk}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["from_class_id"], body["target_class_id"]) == (
        "change_major",
        enrolled.school_class_id,
        other_major.pk,
    )
