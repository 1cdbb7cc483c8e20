"""The bulk variants of the services check every item as the single service does, refuse the whole
batch on one bad item, ask the same permission, and audit every row they write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.core.models import AuditEntry
from gongjiang.core.validators import resident_id_check_digit
from gongjiang.directory import services as directory
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry import services
from gongjiang.registry.models import (
    Destination,
    Internship,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    SchoolClass,
    SkillAssessment,
    TrainingRecord,
)
from tests.registry.conftest import file_major
from tests.registry.test_registrations import SEPT

TODAY = clock.today()
PERIOD = {"starts_on": dt.date(2025, 11, 1), "ends_on": dt.date(2026, 5, 31)}


def audited(rows: Sequence[Model], action: str) -> bool:
    ids = {str(row.pk) for row in rows}
    found = set(AuditEntry.objects.filter(action=action, entity_id__in=ids).values_list("entity_id", flat=True))
    return bool(rows) and found == ids


@pytest.fixture
def students(
    actor_of: Callable[[str], Actor], cnc_class: SchoolClass, new_person: Callable[..., Person]
) -> list[Registration]:
    """Three enrolled students of school 1's 数控 class."""
    registrations = [
        services.registration_create(
            actor=actor_of("school"), school_class=cnc_class, person=new_person(name=name), enrolled_on=SEPT
        )
        for name in ("甲同学", "乙同学", "丙同学")
    ]
    events = RegistrationEvent.objects.filter(registration__in=registrations).values_list("pk", flat=True)
    services.registration_decide_many(actor=actor_of("bureau"), event_ids=list(events), approve=True)
    return list(Registration.objects.filter(pk__in=[r.pk for r in registrations]).order_by("pk"))


def graduate(actor_of: Callable[[str], Actor], registrations: list[Registration]) -> list[Registration]:
    events = services.registration_request_many(
        actor=actor_of("school"),
        requests=[{"registration": r, "kind": "graduate", "effective_on": dt.date(2026, 6, 30)} for r in registrations],
    )
    services.registration_decide_many(actor=actor_of("bureau"), event_ids=[e.pk for e in events], approve=True)
    return list(Registration.objects.filter(pk__in=[r.pk for r in registrations]).order_by("pk"))


def test_people_in_bulk_are_checked_like_one(actor_of: Callable[[str], Actor]) -> None:
    clerk = actor_of("school")

    def number(sequence: int, region: str = "150203") -> str:
        first17 = f"{region}19900101{sequence:03d}"
        return first17 + resident_id_check_digit(first17)

    people = directory.person_create_many(
        actor=clerk, people=[{"name": "学员甲", "id_number": number(11)}, {"name": "学员乙", "id_number": number(13)}]
    )
    assert [p.birth_date for p in people] == [dt.date(1990, 1, 1)] * 2 and audited(people, "person.create")
    with pytest.raises(ValidationError, match="同一批中有重复的证件号码"):
        directory.person_create_many(
            actor=clerk, people=[{"name": "丙", "id_number": number(15)}, {"name": "丁", "id_number": number(15)}]
        )
    with pytest.raises(ValidationError, match="该证件号码已登记"):
        directory.person_create_many(
            actor=clerk, people=[{"name": "戊", "id_number": number(17)}, {"name": "学员甲", "id_number": number(11)}]
        )
    assert not Person.objects.filter(name="戊").exists()  # the batch was refused whole
    with pytest.raises(ValidationError, match="不是有效的行政区划代码"):
        directory.person_create_many(actor=clerk, people=[{"name": "己", "id_number": number(19, region="990101")}])
    with pytest.raises(PermissionDenied):
        directory.person_create_many(actor=actor_of("student"), people=[{"name": "庚", "id_number": number(21)}])


def test_status_requests_in_bulk_follow_the_transitions(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], students: list[Registration]
) -> None:
    with pytest.raises(PermissionDenied):
        services.registration_request_many(
            actor=actor_of("school2"),
            requests=[{"registration": students[0], "kind": "graduate", "effective_on": dt.date(2026, 6, 30)}],
        )
    with pytest.raises(ValidationError, match="必须填写原因"):
        services.registration_request_many(
            actor=actor_of("school"), requests=[{"registration": students[0], "kind": "withdraw", "effective_on": SEPT}]
        )
    file_major(actor_of, world["school2"], "school2", "0401", ["intermediate"])
    elsewhere = services.class_create(
        actor=actor_of("school2"), school=world["school2"], major_code="0401", name="汽修1班",
        class_level="intermediate", form="full_time", cohort_year=2025, planned_years=3,
    )  # fmt: skip
    transfer = {"registration": students[0], "kind": "transfer_out", "effective_on": SEPT, "target_class": elsewhere}
    with pytest.raises(ValidationError, match="转学须逐项申请"):
        services.registration_request_many(actor=actor_of("school"), requests=[transfer])
    graduated = graduate(actor_of, students)
    assert {r.status for r in graduated} == {RegistrationStatus.GRADUATED}
    events = RegistrationEvent.objects.filter(registration__in=graduated, kind="graduate")
    assert audited(list(events), "registration_event.request")
    with pytest.raises(ValidationError, match="当前学籍状态为“毕业”"):
        graduate(actor_of, graduated[:1])


def test_internships_in_bulk_refuse_the_batch_on_one_bad_item(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], students: list[Registration]
) -> None:
    clerk = actor_of("school")
    items = [
        {"registration": r, "enterprise": world["enterprise"], "post": "数控车床操作岗", "insurance_policy_no": "P1"}
        | PERIOD
        for r in students
    ]
    with pytest.raises(ValidationError, match="实习单位必须是企业"):
        services.internship_create_many(
            actor=clerk, internships=[*items[:2], items[2] | {"enterprise": world["school2"]}]
        )
    assert not Internship.objects.exists()
    with pytest.raises(ValidationError, match="结束日期不能晚于今天"):
        services.internship_create_many(
            actor=clerk, internships=[items[0] | {"status": "completed", "ends_on": TODAY + dt.timedelta(days=1)}]
        )
    with pytest.raises(PermissionDenied):
        services.internship_create_many(actor=actor_of("school2"), internships=items)
    created = services.internship_create_many(
        actor=clerk, internships=[*items[:2], items[2] | {"insurance_policy_no": "", "status": "terminated"}]
    )
    assert len(created) == 3 and audited(created, "internship.create")
    assert created[2].status == "terminated" and created[2].insurance_policy_no == ""


def test_destinations_in_bulk_only_for_graduates_and_once_per_census(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], students: list[Registration]
) -> None:
    clerk, census = actor_of("school"), dt.date(2026, 12, 31)
    employed = {
        "census_date": census,
        "kind": "employed",
        "employer": world["enterprise"],
        "occupation_code": "6-18-01-07",
    }
    with pytest.raises(ValidationError, match="只能为毕业或结业学生登记去向"):
        services.destination_record_many(
            actor=clerk, destinations=[{"registration": students[0], "in_field": True} | employed]
        )
    graduates = graduate(actor_of, students)
    with pytest.raises(ValidationError, match="就业须说明是否对口"):
        services.destination_record_many(actor=clerk, destinations=[{"registration": graduates[0]} | employed])
    created = services.destination_record_many(
        actor=clerk,
        destinations=[
            {"registration": graduates[0], "in_field": True, "monthly_pay": 5200} | employed,
            {"registration": graduates[1], "census_date": census, "kind": "further_study"},
        ],
    )
    assert audited(created, "destination.record") and created[0].employer_name == world["enterprise"].name
    with pytest.raises(ValidationError, match="该记录已存在"):
        services.destination_record_many(
            actor=clerk, destinations=[{"registration": graduates[1], "census_date": census, "kind": "enlisted"}]
        )
    assert Destination.objects.get(registration=graduates[1]).kind == "further_study"


def test_assessments_and_trainees_in_bulk(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], students: list[Registration]
) -> None:
    sitting = {"evaluator": world["evaluator"], "occupation_code": "6-18-01-07", "skill_level": 4}
    passed = sitting | {"assessed_on": dt.date(2026, 6, 1), "result": "passed", "certificate_no": "S1"}
    with pytest.raises(PermissionDenied):
        services.assessment_record_many(actor=actor_of("school"), assessments=[passed | {"person": students[0].person}])
    with pytest.raises(ValidationError, match="认定日期不能晚于今天"):
        services.assessment_record_many(
            actor=actor_of("u-v150000001"),
            assessments=[passed | {"person": students[0].person, "assessed_on": TODAY + dt.timedelta(days=1)}],
        )
    assessments = services.assessment_record_many(
        actor=actor_of("u-v150000001"), assessments=[passed | {"person": r.person} for r in students]
    )
    assert audited(assessments, "assessment.record") and SkillAssessment.objects.count() == 3

    clerk = actor_of("school")
    programme = services.training_programme_create(
        actor=clerk, provider=world["school"], name="数控车工中级培训", occupation_code="6-18-01-07", skill_level=4,
        hours=120, funding="market", starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 4, 1),
    )  # fmt: skip
    finished = {"programme": programme, "finished_on": dt.date(2026, 4, 1)}
    with pytest.raises(ValidationError, match="取证须填写证书编号"):
        services.trainee_record_many(
            actor=clerk, trainees=[finished | {"person": students[0].person, "outcome": "certified"}]
        )
    with pytest.raises(PermissionDenied):
        services.trainee_record_many(
            actor=actor_of("school2"), trainees=[{"programme": programme, "person": students[0].person}]
        )
    records = services.trainee_record_many(
        actor=clerk, trainees=[finished | {"person": r.person, "outcome": "completed"} for r in students]
    )
    assert audited(records, "training_record.create")
    with pytest.raises(ValidationError, match="该记录已存在"):
        services.trainee_record_many(actor=clerk, trainees=[{"programme": programme, "person": students[0].person}])
    assert TrainingRecord.objects.filter(programme=programme).count() == 3


def test_placements_entered_after_the_fact_carry_their_status(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], new_person: Callable[..., Person]
) -> None:
    fields = {
        "enterprise": world["enterprise"], "school": world["school"], "occupation_code": "6-18-02-04",
        "enterprise_tutor": "王师傅", "school_tutor": "李老师", "plan": "工学交替，每周三天在岗",
        "starts_on": dt.date(2024, 3, 1),
    }  # fmt: skip
    with pytest.raises(ValidationError, match="结束日期不能晚于今天"):
        services.apprenticeship_create(
            actor=actor_of("enterprise"), apprentice=new_person(birth=dt.date(1998, 1, 1)),
            ends_on=TODAY + dt.timedelta(days=30), status="completed", **fields,  # type: ignore[arg-type]
        )  # fmt: skip
    with pytest.raises(ValidationError, match="状态“paused”未知"):
        services.apprenticeship_create(
            actor=actor_of("enterprise"), apprentice=new_person(birth=dt.date(1998, 2, 1)),
            ends_on=dt.date(2025, 3, 1), status="paused", **fields,  # type: ignore[arg-type]
        )  # fmt: skip
    done = services.apprenticeship_create(
        actor=actor_of("enterprise"), apprentice=new_person(birth=dt.date(1998, 3, 1)),
        ends_on=dt.date(2025, 3, 1), status="completed", **fields,  # type: ignore[arg-type]
    )  # fmt: skip
    assert done.status == "completed"
    # A class of apprentices at once: the same checks, the same parties' permission, every row audited.
    batch = [
        fields | {"apprentice": new_person(birth=dt.date(1999, m, 1)), "ends_on": dt.date(2026, 3, 1)} for m in (1, 2)
    ]
    with pytest.raises(ValidationError, match="双导师"):
        services.apprenticeship_create_many(
            actor=actor_of("enterprise"), apprenticeships=[*batch, batch[0] | {"school_tutor": " "}]
        )
    with pytest.raises(PermissionDenied):
        services.apprenticeship_create_many(actor=actor_of("school2"), apprenticeships=batch)
    created = services.apprenticeship_create_many(actor=actor_of("school"), apprenticeships=batch)
    assert audited(created, "apprenticeship.create") and {a.status for a in created} == {"active"}


def test_teachers_and_their_practice_in_bulk(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], new_person: Callable[..., Person]
) -> None:
    clerk, school = actor_of("school"), world["school"]
    staff = {"school": school, "category": "specialist", "hired_on": dt.date(2015, 9, 1)}
    people = [new_person(name=name) for name in ("赵老师", "钱老师")]
    with pytest.raises(ValidationError, match="双师型"):  # 双师型 without evidence: nothing written
        services.teacher_add_many(
            actor=clerk,
            teachers=[{**staff, "person": people[0]}, {**staff, "person": people[1], "dual_qualified": True}],
        )
    assert not school.teachers.exists()
    with pytest.raises(PermissionDenied):
        services.teacher_add_many(actor=actor_of("school2"), teachers=[{**staff, "person": people[0]}])
    teachers = services.teacher_add_many(
        actor=clerk,
        teachers=[
            {**staff, "person": people[0]},
            {**staff, "person": people[1], "dual_qualified": True, "dual_evidence": " 技师证书 "},
        ],
    )
    assert [t.dual_evidence for t in teachers] == ["", "技师证书"] and audited(teachers, "teacher.add")
    period = {"started_on": dt.date(2025, 7, 1), "ended_on": dt.date(2025, 8, 30)}
    with pytest.raises(ValidationError, match="实践单位必须是企业"):
        services.practice_record_many(
            actor=clerk,
            practices=[
                {"teacher": teachers[0], "enterprise": world["enterprise"], **period},
                {"teacher": teachers[1], "enterprise": world["school2"], **period},
            ],
        )
    practices = services.practice_record_many(
        actor=clerk,
        practices=[
            {"teacher": teachers[0], "enterprise": world["enterprise"], **period},
            {"teacher": teachers[1], "enterprise_name": "某机床厂", **period},
        ],
    )
    assert [p.months for p in practices] == [Decimal("2.0"), Decimal("2.0")]
    assert practices[1].enterprise_name == "某机床厂" and audited(practices, "enterprise_practice.record")
