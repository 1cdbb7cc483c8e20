from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator

from gongjiang.core.actors import Actor
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry import selectors, services
from gongjiang.registry.models import (
    MajorApplication,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    SchoolClass,
)
from tests.registry.conftest import file_major

SEPT = dt.date(2025, 9, 1)


def approve_latest(actor_of: Callable[[str], Actor], registration: Registration, approver: str = "bureau") -> None:
    event = registration.events.filter(decision="pending").get()
    services.registration_decide(actor=actor_of(approver), event=event, approve=True)
    registration.refresh_from_db()


def test_registration_waits_for_approval_then_is_enrolled(
    actor_of: Callable[[str], Actor], cnc_class: SchoolClass, new_person: Callable[..., Person]
) -> None:
    person = new_person()
    registration = services.registration_create(
        actor=actor_of("school"), school_class=cnc_class, person=person, enrolled_on=SEPT
    )
    assert registration.status == RegistrationStatus.PENDING
    with pytest.raises(PermissionDenied):
        approve_latest(actor_of, registration, approver="u-bur-150400")  # another city's bureau
    approve_latest(actor_of, registration)
    assert registration.status == RegistrationStatus.ENROLLED


def test_one_active_full_time_registration_per_person_without_naming_the_holder(
    actor_of: Callable[[str], Actor],
    world: dict[str, Organisation],
    cnc_class: SchoolClass,
    new_person: Callable[..., Person],
) -> None:
    person = new_person()
    services.registration_create(actor=actor_of("school"), school_class=cnc_class, person=person, enrolled_on=SEPT)
    file_major(actor_of, world["school2"], "school2", "0401", ["intermediate"])
    other = services.class_create(
        actor=actor_of("school2"),
        school=world["school2"],
        major_code="0401",
        name="汽修1班",
        class_level="intermediate",
        form="full_time",
        cohort_year=2025,
        planned_years=3,
    )
    # Another school is not told where the learner studies: its request is filed without holding a
    # place, and the bureau, which sees both, cannot approve it while the first is active.
    clash = services.registration_create(actor=actor_of("school2"), school_class=other, person=person, enrolled_on=SEPT)
    assert (clash.status, clash.is_active) == ("pending", False)
    with pytest.raises(ValidationError, match="已有一个有效的全日制学籍"):
        services.registration_decide(actor=actor_of("bureau"), event=clash.events.get(), approve=True)
    # The same school is told plainly: both registrations are its own.
    second = services.class_create(
        actor=actor_of("school"), school=world["school"], major_code="0102", name="2025级数控2班",
        class_level="senior", form="full_time", cohort_year=2025, planned_years=3,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="已在本校2025级数控1班有全日制学籍"):
        services.registration_create(actor=actor_of("school"), school_class=second, person=person, enrolled_on=SEPT)
    part_time = services.class_create(
        actor=actor_of("school2"),
        school=world["school2"],
        major_code="0401",
        name="汽修在职班",
        class_level="intermediate",
        form="part_time",
        cohort_year=2025,
        planned_years=1,
    )
    # A part-time registration beside a full-time one is allowed: they are registered separately.
    assert (
        services.registration_create(
            actor=actor_of("school2"), school_class=part_time, person=person, enrolled_on=SEPT
        ).form
        == "part_time"
    )


def test_status_changes_follow_the_allowed_transitions_and_keep_history(
    actor_of: Callable[[str], Actor], cnc_class: SchoolClass, new_person: Callable[..., Person]
) -> None:
    clerk = actor_of("school")
    registration = services.registration_create(
        actor=clerk, school_class=cnc_class, person=new_person(), enrolled_on=SEPT
    )
    approve_latest(actor_of, registration)
    with pytest.raises(ValidationError, match="不能办理“复学”"):
        services.registration_request(actor=clerk, registration=registration, kind="resume", effective_on=SEPT)
    with pytest.raises(ValidationError, match="必须填写原因"):
        services.registration_request(actor=clerk, registration=registration, kind="suspend", effective_on=SEPT)
    services.registration_request(
        actor=clerk, registration=registration, kind="suspend", effective_on=dt.date(2026, 3, 1), reason="病休"
    )
    with pytest.raises(ValidationError, match="正在审核"):
        services.registration_request(
            actor=clerk, registration=registration, kind="withdraw", effective_on=dt.date(2026, 3, 1), reason="x"
        )
    approve_latest(actor_of, registration)
    assert registration.status == RegistrationStatus.SUSPENDED
    services.registration_request(
        actor=clerk, registration=registration, kind="resume", effective_on=dt.date(2026, 9, 1)
    )
    approve_latest(actor_of, registration)
    services.registration_request(
        actor=clerk, registration=registration, kind="graduate", effective_on=dt.date(2028, 6, 30)
    )
    approve_latest(actor_of, registration)
    assert registration.status == RegistrationStatus.GRADUATED and not registration.is_active
    timeline = selectors.registration_history(actor=actor_of("school"), registration=registration)
    assert [e.kind for e in timeline] == ["register", "suspend", "resume", "graduate"]
    assert all(e.decided_by is not None for e in timeline)


def test_rejection_needs_a_note_and_a_rejected_registration_frees_the_place(
    actor_of: Callable[[str], Actor], cnc_class: SchoolClass, new_person: Callable[..., Person]
) -> None:
    person = new_person()
    registration = services.registration_create(
        actor=actor_of("school"), school_class=cnc_class, person=person, enrolled_on=SEPT
    )
    event = registration.events.get()
    with pytest.raises(ValidationError, match="必须填写审核意见"):
        services.registration_decide(actor=actor_of("bureau"), event=event, approve=False)
    services.registration_decide(actor=actor_of("bureau"), event=event, approve=False, note="材料不全")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REJECTED and not registration.is_active
    again = services.registration_create(
        actor=actor_of("school"), school_class=cnc_class, person=person, enrolled_on=SEPT
    )
    assert again.pk != registration.pk


def test_transfer_closes_the_old_registration_and_opens_the_new_one(
    actor_of: Callable[[str], Actor],
    world: dict[str, Organisation],
    cnc_class: SchoolClass,
    new_person: Callable[..., Person],
) -> None:
    registration = services.registration_create(
        actor=actor_of("school"), school_class=cnc_class, person=new_person(), enrolled_on=SEPT
    )
    approve_latest(actor_of, registration)
    file_major(actor_of, world["school2"], "school2", "0102", ["senior"])
    target = services.class_create(
        actor=actor_of("school2"),
        school=world["school2"],
        major_code="0102",
        name="数控高级1班",
        class_level="senior",
        form="full_time",
        cohort_year=2025,
        planned_years=3,
    )
    services.registration_request(
        actor=actor_of("school"),
        registration=registration,
        kind="transfer_out",
        effective_on=dt.date(2026, 2, 20),
        reason="随父母迁居呼和浩特",
        target_class=target,
    )
    approve_latest(actor_of, registration)
    assert registration.status == RegistrationStatus.TRANSFERRED_OUT and not registration.is_active
    incoming = Registration.objects.get(transferred_from=registration)
    assert incoming.school == world["school2"] and incoming.status == RegistrationStatus.ENROLLED
    # Each school sees its own side; the first school no longer sees the new registration.
    assert not selectors.registration_list(actor=actor_of("school"), school_id=world["school2"].pk).exists()
    assert selectors.registration_list(actor=actor_of("school2")).filter(pk=incoming.pk).exists()


def test_overdue_requests_show_as_overdue(
    actor_of: Callable[[str], Actor], cnc_class: SchoolClass, new_person: Callable[..., Person]
) -> None:
    registration = services.registration_create(
        actor=actor_of("school"), school_class=cnc_class, person=new_person(), enrolled_on=SEPT
    )
    event = registration.events.get()
    later = event.due_on + dt.timedelta(days=1)
    item = next(i for i in selectors.approval_queue(actor=actor_of("bureau"), today=later) if i.pk == event.pk)
    assert item.overdue
    assert not any(i.overdue for i in selectors.approval_queue(actor=actor_of("bureau"), today=event.due_on))
    assert list(selectors.approval_queue(actor=actor_of("u-bur-150400"), today=later)) == [] or all(
        i.school_name != "包头机电技师学院"
        for i in selectors.approval_queue(actor=actor_of("u-bur-150400"), today=later)
    )


def test_the_queue_pages_both_kinds_in_deadline_order_counting_in_the_database(
    actor_of: Callable[[str], Actor],
    cnc_class: SchoolClass,
    new_person: Callable[..., Person],
    world: dict[str, Organisation],
) -> None:
    registrations = [
        services.registration_create(
            actor=actor_of("school"), school_class=cnc_class, person=new_person(), enrolled_on=SEPT
        )
        for _ in range(5)
    ]
    application = services.major_apply(
        actor=actor_of("school"), school=world["school"], major_code="0115", kind="add", class_levels=["senior"]
    )
    # Deadlines spread so that the major filing falls between the registrations.
    base = dt.date(2026, 3, 1)
    for i, registration in enumerate(registrations):
        RegistrationEvent.objects.filter(registration=registration).update(due_on=base + dt.timedelta(days=2 * i))
    MajorApplication.objects.filter(pk=application.pk).update(due_on=base + dt.timedelta(days=3))
    queue = selectors.approval_queue(actor=actor_of("bureau"), today=base + dt.timedelta(days=5))
    everything = list(queue)
    assert [(i.due_on, i.kind) for i in everything] == sorted((i.due_on, i.kind) for i in everything)
    assert [i.kind for i in everything] == ["registration"] * 2 + ["major"] + ["registration"] * 3
    assert queue.count() == len(everything) == 6
    assert queue.overdue() == 4  # due on days 0, 2, 3 and 4 are before day 5
    assert queue[2:4] == everything[2:4] and queue[4:50] == everything[4:]
    assert Paginator(queue, 4).get_page(2).object_list == everything[4:]


def test_the_bureau_decides_an_intake_at_once(
    actor_of: Callable[[str], Actor], cnc_class: SchoolClass, new_person: Callable[..., Person]
) -> None:
    clerk = actor_of("school")
    registrations = [
        services.registration_create(actor=clerk, school_class=cnc_class, person=new_person(), enrolled_on=SEPT)
        for _ in range(3)
    ]
    ids = [r.events.get().pk for r in registrations]
    with pytest.raises(PermissionDenied):
        services.registration_decide_many(actor=actor_of("u-bur-150400"), event_ids=ids, approve=True)
    with pytest.raises(ValidationError, match="必须填写审核意见"):
        services.registration_decide_many(actor=actor_of("bureau"), event_ids=ids, approve=False)
    assert services.registration_decide_many(actor=actor_of("bureau"), event_ids=ids, approve=True) == 3
    assert {r.status for r in Registration.objects.filter(pk__in=[r.pk for r in registrations])} == {"enrolled"}
    # Deciding again finds nothing pending.
    assert services.registration_decide_many(actor=actor_of("bureau"), event_ids=ids, approve=True) == 0


def test_a_learner_sees_their_own_registration_and_nobody_elses(
    actor_of: Callable[[str], Actor],
    cnc_class: SchoolClass,
    new_person: Callable[..., Person],
    client_for: Callable[[str], object],
) -> None:
    from gongjiang.directory.models import User

    student = User.objects.get(username="student").person
    assert student is not None
    own = services.registration_create(
        actor=actor_of("school"), school_class=cnc_class, person=student, enrolled_on=SEPT
    )
    other = services.registration_create(
        actor=actor_of("school"), school_class=cnc_class, person=new_person(name="别人"), enrolled_on=SEPT
    )
    client = client_for("student")
    home = client.get("/").content.decode()  # type: ignore[attr-defined]
    assert "2025级数控1班" in home and "待审核" in home
    assert client.get(f"/api/v1/registry/registrations/{own.pk}").status_code == 200  # type: ignore[attr-defined]
    assert client.get(f"/api/v1/registry/registrations/{other.pk}").status_code == 404  # type: ignore[attr-defined]


def test_the_bureau_approves_a_schools_whole_intake_from_the_queue_page(
    actor_of: Callable[[str], Actor],
    cnc_class: SchoolClass,
    new_person: Callable[..., Person],
    client_for: Callable[[str], Any],
) -> None:
    clerk = actor_of("school")
    registrations = [
        services.registration_create(actor=clerk, school_class=cnc_class, person=new_person(), enrolled_on=SEPT)
        for _ in range(3)
    ]
    intake = selectors.pending_intakes(actor=actor_of("bureau"))
    assert [(i.school_code, i.count) for i in intake] == [(cnc_class.school.code, 3)]
    assert selectors.pending_intakes(actor=actor_of("u-bur-150400")) == []
    page = client_for("bureau").get("/registry/queue/").content.decode()
    assert "全部通过（3）" in page
    # The button asks first, saying whose registrations and how many it approves.
    assert f'data-confirm="将通过{cnc_class.school.name}待审核的 3 份新生注册' in page
    assert (
        client_for("bureau_other").post("/registry/queue/intake/", {"school": cnc_class.school.code}).status_code == 404
    )
    response = client_for("bureau").post("/registry/queue/intake/", {"school": cnc_class.school.code})
    assert response.status_code == 302
    assert {r.status for r in Registration.objects.filter(pk__in=[r.pk for r in registrations])} == {"enrolled"}


def test_a_transfer_is_asked_from_the_page_by_the_receiving_schools_code_and_class_name(
    actor_of: Callable[[str], Actor],
    world: dict[str, Organisation],
    cnc_class: SchoolClass,
    new_person: Callable[..., Person],
    client_for: Callable[[str], Any],
) -> None:
    registration = services.registration_create(
        actor=actor_of("school"), school_class=cnc_class, person=new_person(), enrolled_on=SEPT
    )
    approve_latest(actor_of, registration)
    file_major(actor_of, world["school2"], "school2", "0102", ["senior"])
    services.class_create(
        actor=actor_of("school2"), school=world["school2"], major_code="0102", name="数控高级1班",
        class_level="senior", form="full_time", cohort_year=2025, planned_years=3,
    )  # fmt: skip
    client = client_for("school")
    url = f"/registry/registrations/{registration.pk}/"
    asked = {
        "kind": "transfer_out",
        "effective_on": "2026-02-20",
        "reason": "随父母迁居",
        "target_school": world["school2"].code,
    }
    # A class name the receiving school does not have: said in Chinese, what was typed kept.
    wrong = client.post(url, {**asked, "target_class_name": "数控高级9班"})
    body = wrong.content.decode()
    assert wrong.status_code == 200 and "该校没有名为“数控高级9班”的班级" in body and 'value="随父母迁居"' in body
    assert client.post(url, {**asked, "target_school": "NOPE", "target_class_name": "x"}).status_code == 200
    # A lower-case code is the same school.
    lower = client.post(
        url, {**asked, "target_school": world["school2"].code.lower(), "target_class_name": "数控高级9班"}
    )
    assert "该校没有名为" in lower.content.decode()
    right = client.post(url, {**asked, "target_class_name": "数控高级1班"})
    assert right.status_code == 302
    event = registration.events.order_by("-pk").first()
    assert event is not None and event.kind == "transfer_out" and event.target_class.name == "数控高级1班"
    # The same name in two intakes is not enough to choose: said, with the years.
    services.class_create(
        actor=actor_of("school2"), school=world["school2"], major_code="0102", name="数控高级1班",
        class_level="senior", form="full_time", cohort_year=2026, planned_years=3,
    )  # fmt: skip
    again = services.registration_create(
        actor=actor_of("school"), school_class=cnc_class, person=new_person(), enrolled_on=SEPT
    )
    approve_latest(actor_of, again)
    both = client.post(f"/registry/registrations/{again.pk}/", {**asked, "target_class_name": "数控高级1班"})
    assert "（2025、2026）" in both.content.decode()


def test_registrations_are_found_by_name_class_or_identity_number(
    actor_of: Callable[[str], Actor], cnc_class: SchoolClass, new_person: Callable[..., Person]
) -> None:
    person = new_person(name="赵一鸣")
    registration = services.registration_create(
        actor=actor_of("school"), school_class=cnc_class, person=person, enrolled_on=SEPT
    )
    other = services.registration_create(
        actor=actor_of("school"), school_class=cnc_class, person=new_person(name="钱二"), enrolled_on=SEPT
    )

    def found(q: str) -> set[int]:
        return set(selectors.registration_list(actor=actor_of("school"), q=q).values_list("pk", flat=True))

    assert found("赵一") == {registration.pk}
    assert found(cnc_class.name) == {registration.pk, other.pk}
    assert found(person.id_number) == {registration.pk}  # the whole number
    assert found(person.id_number[-6:]) == {registration.pk}  # its last six digits
    assert found(person.id_number.lower()) == {registration.pk}  # an x typed small
    assert found(" " + person.id_number + " ") == {registration.pk}
    assert found(person.id_number[:17] + "0" if person.id_number[-1] != "0" else person.id_number[:17] + "1") == set()
    # Another school's clerk does not find it by its number.
    assert not selectors.registration_list(actor=actor_of("school2"), q=person.id_number).exists()


def test_a_search_by_identity_number_never_travels_in_a_url(
    client_for: Any, actor_of: Callable[[str], Actor], cnc_class: SchoolClass, new_person: Callable[..., Person]
) -> None:
    person = new_person(name="孙一鸣")
    services.registration_create(actor=actor_of("school"), school_class=cnc_class, person=person, enrolled_on=SEPT)
    client = client_for("school")
    posted = client.post("/registry/registrations/", {"q": person.id_number, "status": "pending"})
    assert posted.status_code == 302
    location = posted["Location"]
    assert person.id_number not in location and person.id_number[-6:] not in location and "孙" not in location
    assert "status=pending" in location and "search=" in location
    page = client.get(location)
    assert [r.person.name for r, _masked in page.context["rows"]] == ["孙一鸣"]
    # The key means nothing in another session.
    assert client_for("school").get(location).context["q"] == ""


def test_the_list_opens_on_the_learners_in_school(
    client_for: Any, actor_of: Callable[[str], Actor], cnc_class: SchoolClass, new_person: Callable[..., Person]
) -> None:
    waiting = services.registration_create(
        actor=actor_of("school"), school_class=cnc_class, person=new_person(name="孙一鸣"), enrolled_on=SEPT
    )
    client = client_for("school")
    opened = client.get("/registry/registrations/")
    assert opened.context["status"] == "enrolled"
    assert all(r.status == "enrolled" for r, _masked in opened.context["rows"])
    assert waiting.pk not in {r.pk for r, _masked in opened.context["rows"]}
    every = client.get("/registry/registrations/?status=all")
    assert waiting.pk in {r.pk for r, _masked in every.context["rows"]}
    assert '<option value="all" selected>' in every.content.decode()


def test_the_home_page_lists_what_waits_for_the_school_and_the_bureau(
    client_for: Any, actor_of: Callable[[str], Actor], cnc_class: SchoolClass, new_person: Callable[..., Person]
) -> None:
    def todo(persona: str) -> dict[str, int]:
        return {label: n for label, n, _url in client_for(persona).get("/").context["todo"]}

    assert "等待人社部门审核的学籍注册" not in todo("school")
    services.registration_create(
        actor=actor_of("school"), school_class=cnc_class, person=new_person(), enrolled_on=SEPT
    )
    assert todo("school")["等待人社部门审核的学籍注册"] == 1
    assert todo("bureau")["待审核的专业备案和学籍申请"] >= 1
    page = client_for("school").get("/").content.decode()
    assert 'data-testid="todo"' in page and "/registry/registrations/?status=pending" in page
    assert "等待人社部门审核的学籍注册" not in todo("school2")  # another school's wait is not its own
