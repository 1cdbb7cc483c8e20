"""Teachers, training, apprenticeships, internships, destinations, assessments and awards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry import selectors, services
from gongjiang.registry.models import Registration, SchoolClass
from tests.registry.test_registrations import SEPT, approve_latest

TODAY = clock.today()


@pytest.fixture
def enrolled(
    actor_of: Callable[[str], Actor], cnc_class: SchoolClass, new_person: Callable[..., Person]
) -> Registration:
    registration = services.registration_create(
        actor=actor_of("school"), school_class=cnc_class, person=new_person(), enrolled_on=SEPT
    )
    approve_latest(actor_of, registration)
    return registration


def test_teachers_dual_qualified_need_evidence_and_enterprise_teachers_are_part_time(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], new_person: Callable[..., Person]
) -> None:
    clerk, school = actor_of("school"), world["school"]
    with pytest.raises(ValidationError, match="须填写依据"):
        services.teacher_add(
            actor=clerk, school=school, person=new_person(birth=dt.date(1985, 3, 3)), category="specialist",
            hired_on=dt.date(2015, 9, 1), dual_qualified=True,
        )  # fmt: skip
    teacher = services.teacher_add(
        actor=clerk, school=school, person=new_person(birth=dt.date(1984, 3, 3)), category="specialist",
        hired_on=dt.date(2015, 9, 1), dual_qualified=True, dual_evidence="数控车工技师证书", integrated=True,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="应登记为兼职教师"):
        services.teacher_add(
            actor=clerk, school=school, person=new_person(birth=dt.date(1980, 3, 3)), category="specialist",
            hired_on=dt.date(2020, 9, 1), from_enterprise=world["enterprise"],
        )  # fmt: skip
    with pytest.raises(ValidationError, match="已存在"):
        services.teacher_add(
            actor=clerk, school=school, person=teacher.person, category="general", hired_on=dt.date(2016, 1, 1)
        )
    practice = services.practice_record(
        actor=clerk, teacher=teacher, enterprise=world["enterprise"], enterprise_name="",
        started_on=dt.date(2024, 1, 1), ended_on=dt.date(2024, 6, 30),
    )  # fmt: skip
    assert practice.months == pytest.approx(6.0, abs=0.1)
    # The enterprise sees the practice it hosted, another school does not.
    assert selectors.practice_list(actor=actor_of("enterprise")).filter(pk=practice.pk).exists()
    assert not selectors.practice_list(actor=actor_of("school2")).exists()
    with pytest.raises(PermissionDenied):
        services.practice_record(
            actor=actor_of("school2"), teacher=teacher, enterprise_name="某厂",
            started_on=dt.date(2024, 1, 1), ended_on=dt.date(2024, 2, 1),
        )  # fmt: skip


def test_training_for_anyone_with_outcomes(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], new_person: Callable[..., Person]
) -> None:
    clerk = actor_of("school")
    with pytest.raises(ValidationError, match="不在职业分类大典中"):
        services.training_programme_create(
            actor=clerk, provider=world["school"], name="焊工培训", occupation_code="9-99-99-99", skill_level=4,
            hours=120, funding="market", starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 4, 1),
        )  # fmt: skip
    with pytest.raises(ValidationError, match="资金来源"):
        services.training_programme_create(
            actor=clerk, provider=world["school"], name="焊工培训", occupation_code="6-18-02-04", skill_level=4,
            hours=120, funding="subsidised", starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 4, 1),
        )  # fmt: skip
    programme = services.training_programme_create(
        actor=clerk, provider=world["school"], name="焊工中级培训", occupation_code="6-18-02-04", skill_level=4,
        hours=120, funding="subsidised", funding_source="职业技能提升行动专账",
        starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 4, 1),
    )  # fmt: skip
    worker = new_person(name="在职职工", birth=dt.date(1990, 1, 1))
    services.trainee_record(actor=clerk, programme=programme, person=worker)
    with pytest.raises(ValidationError, match="证书编号"):
        services.trainee_record(
            actor=clerk, programme=programme, person=worker, outcome="certified", finished_on=dt.date(2025, 4, 1)
        )
    record = services.trainee_record(
        actor=clerk, programme=programme, person=worker, outcome="certified", certificate_no="S000015020401",
        finished_on=dt.date(2025, 4, 1),
    )  # fmt: skip
    assert record.outcome == "certified" and programme.records.count() == 1


def test_apprenticeship_needs_both_tutors_and_either_party_may_record_it(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], new_person: Callable[..., Person]
) -> None:
    fields = {
        "enterprise": world["enterprise"], "school": world["school"], "occupation_code": "6-18-02-04",
        "plan": "工学交替，每周三天在岗", "starts_on": dt.date(2025, 3, 1), "ends_on": dt.date(2027, 2, 28),
    }  # fmt: skip
    with pytest.raises(ValidationError, match="双导师"):
        services.apprenticeship_create(
            actor=actor_of("enterprise"), apprentice=new_person(birth=dt.date(1998, 1, 1)),
            enterprise_tutor="王师傅", school_tutor="", **fields,  # type: ignore[arg-type]
        )  # fmt: skip
    apprenticeship = services.apprenticeship_create(
        actor=actor_of("enterprise"), apprentice=new_person(birth=dt.date(1999, 1, 1)),
        enterprise_tutor="王师傅", school_tutor="李老师", **fields,  # type: ignore[arg-type]
    )  # fmt: skip
    assert selectors.apprenticeship_list(actor=actor_of("school")).filter(pk=apprenticeship.pk).exists()
    assert selectors.apprenticeship_list(actor=actor_of("enterprise")).filter(pk=apprenticeship.pk).exists()
    assert not selectors.apprenticeship_list(actor=actor_of("school2")).exists()
    with pytest.raises(PermissionDenied):
        services.apprenticeship_create(
            actor=actor_of("school2"), apprentice=new_person(birth=dt.date(1997, 1, 1)),
            enterprise_tutor="王师傅", school_tutor="李老师", **fields,  # type: ignore[arg-type]
        )  # fmt: skip


def test_internships_without_insurance_or_with_fees_are_flagged_to_the_bureau(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled: Registration
) -> None:
    clerk = actor_of("school")
    period = {"starts_on": dt.date(2026, 3, 1), "ends_on": dt.date(2026, 6, 30)}
    insured = services.internship_create(
        actor=clerk, registration=enrolled, enterprise=world["enterprise"], post="数控车床操作",
        insurance_policy_no="PICC2026-001", **period,  # type: ignore[arg-type]
    )  # fmt: skip
    uninsured = services.internship_create(
        actor=clerk, registration=enrolled, enterprise=world["enterprise"], post="装配", fee_charged="300",
        **period,  # type: ignore[arg-type]
    )  # fmt: skip
    flags = {f.internship.pk: f.reasons for f in selectors.internship_flags(actor=actor_of("bureau"))}
    assert insured.pk not in flags
    assert set(flags[uninsured.pk]) == {"无实习保险", "收取费用 300.00 元"}
    assert selectors.internship_flags(actor=actor_of("u-bur-150400")) == []
    with pytest.raises(ValidationError, match="实习单位必须是企业"):
        services.internship_create(
            actor=clerk, registration=enrolled, enterprise=world["school2"], post="x", **period,  # type: ignore[arg-type]
        )  # fmt: skip


def test_destinations_only_for_graduates_and_complete_when_employed(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled: Registration
) -> None:
    clerk = actor_of("school")
    census = dt.date(2028, 12, 31)
    with pytest.raises(ValidationError, match="只能为毕业或结业学生"):
        services.destination_record(actor=clerk, registration=enrolled, census_date=census, kind="employed")
    services.registration_request(
        actor=clerk, registration=enrolled, kind="graduate", effective_on=dt.date(2028, 6, 30)
    )
    approve_latest(actor_of, enrolled)
    with pytest.raises(ValidationError, match="就业单位"):
        services.destination_record(actor=clerk, registration=enrolled, census_date=census, kind="employed")
    with pytest.raises(ValidationError, match="月收入"):
        services.destination_record(
            actor=clerk, registration=enrolled, census_date=census, kind="employed", employer=world["enterprise"],
            occupation_code="6-18-01-01", in_field=True, monthly_pay=-5,
        )  # fmt: skip
    first = services.destination_record(
        actor=clerk, registration=enrolled, census_date=census, kind="employed", employer=world["enterprise"],
        occupation_code="6-18-01-01", in_field=True, monthly_pay="5200",
    )  # fmt: skip
    corrected = services.destination_record(
        actor=clerk, registration=enrolled, census_date=census, kind="further_study"
    )
    assert corrected.pk == first.pk and corrected.in_field is None and corrected.employer_name == ""


def test_assessments_by_evaluation_bodies_and_awards(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], new_person: Callable[..., Person]
) -> None:
    person = new_person()
    with pytest.raises(PermissionDenied):
        services.assessment_record(
            actor=actor_of("school"), evaluator=world["evaluator"], person=person, occupation_code="6-18-01-01",
            skill_level=4, assessed_on=dt.date(2025, 6, 1), result="passed", certificate_no="X1",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="证书编号"):
        services.assessment_record(
            actor=actor_of("u-v150000001"), evaluator=world["evaluator"], person=person, occupation_code="6-18-01-01",
            skill_level=4, assessed_on=dt.date(2025, 6, 1), result="passed",
        )  # fmt: skip
    assessment = services.assessment_record(
        actor=actor_of("u-v150000001"), evaluator=world["evaluator"], person=person, occupation_code="6-18-01-01",
        skill_level=4, assessed_on=dt.date(2025, 6, 1), result="passed", certificate_no="S150000202506001",
    )  # fmt: skip
    assert assessment.get_skill_level_display() == "中级工"
    award = services.award_record(
        actor=actor_of("school"), recorded_by=world["school"], person=person, competition="内蒙古自治区职业技能大赛",
        level="provincial", rank="一等奖", awarded_on=dt.date(2025, 10, 1), occupation_code="6-18-01-01",
    )  # fmt: skip
    assert award.level == "provincial"


def test_a_write_refused_half_way_leaves_nothing_behind(
    client_for: Callable[[str], object], world: dict[str, Organisation]
) -> None:
    """The bureau may register a person but not an apprenticeship: the person is not left behind."""
    before = Person.objects.count()
    response = client_for("bureau").post(  # type: ignore[attr-defined]
        "/api/v1/registry/apprenticeships",
        {
            "enterprise": world["enterprise"].code, "school": world["school"].code, "name": "半途",
            "id_number": "15020319491231002X", "occupation_code": "6-18-02-04", "enterprise_tutor": "王",
            "school_tutor": "李", "plan": "计划", "starts_on": "2025-03-01", "ends_on": "2026-03-01",
        },
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 403
    assert Person.objects.count() == before


def test_the_bureau_overview_counts_each_school_in_a_fixed_number_of_queries(
    actor_of: Callable[[str], Actor], enrolled: Registration, client_for: Callable[[str], Any]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongjiang.directory import services as directory

    overview = {s.code: s for s in selectors.school_overview(actor=actor_of("bureau"))}
    school = overview[enrolled.school.code]
    assert (school.enrolled, school.majors_filed, school.classes_count) == (1, 1, 1)  # type: ignore[attr-defined]
    assert enrolled.school.code not in {s.code for s in selectors.school_overview(actor=actor_of("u-bur-150400"))}
    client = client_for("bureau")
    with CaptureQueriesContext(connection) as before:
        page = client.get("/registry/schools/")
    assert page.status_code == 200 and enrolled.school.name in page.content.decode()
    for number in range(5):
        directory.organisation_create(
            actor=actor_of("bureau"), code=f"S1502029{number}", kind="school", name=f"新增技工学校{number}",
            region_code="150202", tier="technical_school", ownership="public",
        )  # fmt: skip
    with CaptureQueriesContext(connection) as after:
        client.get("/registry/schools/")
    assert len(after.captured_queries) == len(before.captured_queries)
