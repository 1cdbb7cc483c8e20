"""Records around the register: teachers and their enterprise practice, training, apprenticeships,
internships, destinations, assessments and awards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from gongjiang.core.api import Page, PageIn, actor_of, page_of
from gongjiang.core.scope import get_scoped_or_404
from gongjiang.directory import selectors as directory
from gongjiang.directory.models import Organisation
from gongjiang.registry import selectors, services
from gongjiang.registry.api.base import _school, router
from gongjiang.registry.models import (
    Apprenticeship,
    CompetitionAward,
    Destination,
    Internship,
    SkillAssessment,
    Teacher,
    TrainingProgramme,
)


class PersonIn(Schema):
    name: str
    id_number: str


class TeacherIn(PersonIn):
    school: str
    category: str
    hired_on: dt.date
    full_time: bool = True
    from_enterprise: str | None = None
    dual_qualified: bool = False
    dual_evidence: str = ""
    integrated: bool = False
    major_code: str = ""


class TeacherOut(Schema):
    id: int
    school_code: str
    name: str
    category: str
    full_time: bool
    from_enterprise_code: str | None
    dual_qualified: bool
    integrated: bool
    hired_on: dt.date


class PracticeIn(Schema):
    enterprise: str | None = None
    enterprise_name: str = ""
    started_on: dt.date
    ended_on: dt.date


class PracticeOut(Schema):
    id: int
    teacher_id: int
    enterprise_name: str
    started_on: dt.date
    ended_on: dt.date
    months: Decimal


class ProgrammeIn(Schema):
    provider: str
    name: str
    occupation_code: str
    skill_level: int
    hours: int
    funding: str
    funding_source: str = ""
    starts_on: dt.date
    ends_on: dt.date


class ProgrammeOut(Schema):
    id: int
    provider_code: str
    name: str
    occupation_code: str
    skill_level: int
    hours: int
    funding: str
    starts_on: dt.date
    ends_on: dt.date


class TraineeIn(PersonIn):
    outcome: str = "enrolled"
    certificate_no: str = ""
    finished_on: dt.date | None = None


class TraineeOut(Schema):
    id: int
    programme_id: int
    name: str
    outcome: str
    certificate_no: str


class ApprenticeshipIn(PersonIn):
    enterprise: str
    school: str
    occupation_code: str
    enterprise_tutor: str
    school_tutor: str
    plan: str
    starts_on: dt.date
    ends_on: dt.date


class ApprenticeshipOut(Schema):
    id: int
    enterprise_code: str
    school_code: str
    apprentice_name: str
    occupation_code: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    consent: str
    awaiting_code: str | None


class InternshipIn(Schema):
    registration_id: int
    enterprise: str
    post: str
    starts_on: dt.date
    ends_on: dt.date
    insurance_policy_no: str = ""
    fee_charged: Decimal = Decimal(0)


class InternshipOut(Schema):
    id: int
    registration_id: int
    student_name: str
    enterprise_code: str
    post: str
    starts_on: dt.date
    ends_on: dt.date
    insured: bool
    fee_charged: Decimal
    consent: str
    awaiting_code: str | None


class InternshipFlagOut(InternshipOut):
    reasons: list[str]


class DestinationIn(Schema):
    registration_id: int
    census_date: dt.date
    kind: str
    employer: str | None = None
    employer_name: str = ""
    occupation_code: str = ""
    in_field: bool | None = None
    monthly_pay: Decimal | None = None


class DestinationOut(Schema):
    id: int
    registration_id: int
    census_date: dt.date
    kind: str
    employer_name: str
    occupation_code: str
    in_field: bool | None
    monthly_pay: Decimal | None


class AssessmentIn(PersonIn):
    evaluator: str
    occupation_code: str
    skill_level: int
    assessed_on: dt.date
    result: str
    certificate_no: str = ""


class AssessmentOut(Schema):
    id: int
    evaluator_code: str
    name: str
    occupation_code: str
    skill_level: int
    assessed_on: dt.date
    result: str
    certificate_no: str


class AwardIn(PersonIn):
    recorded_by: str
    competition: str
    level: str
    rank: str
    awarded_on: dt.date
    occupation_code: str = ""


class AwardOut(Schema):
    id: int
    name: str
    competition: str
    level: str
    rank: str
    awarded_on: dt.date


def _partner(code: str | None) -> Organisation | None:
    return directory.organisation_by_code(code=code) if code else None


def _person(request: HttpRequest, payload: PersonIn) -> Any:
    return services.person_find_or_register(actor=actor_of(request), name=payload.name, id_number=payload.id_number)


def _programme(p: TrainingProgramme) -> ProgrammeOut:
    return ProgrammeOut(
        id=p.pk,
        provider_code=p.provider.code,
        name=p.name,
        occupation_code=p.occupation_code,
        skill_level=p.skill_level,
        hours=p.hours,
        funding=p.funding,
        starts_on=p.starts_on,
        ends_on=p.ends_on,
    )


def _apprenticeship(a: Apprenticeship) -> ApprenticeshipOut:
    return ApprenticeshipOut(
        id=a.pk,
        enterprise_code=a.enterprise.code,
        school_code=a.school.code,
        apprentice_name=a.apprentice.name,
        occupation_code=a.occupation_code,
        starts_on=a.starts_on,
        ends_on=a.ends_on,
        status=a.status,
        consent=a.consent,
        awaiting_code=a.awaiting.code if a.awaiting is not None else None,
    )


def _assessment(a: SkillAssessment) -> AssessmentOut:
    return AssessmentOut(
        id=a.pk,
        evaluator_code=a.evaluator.code,
        name=a.person.name,
        occupation_code=a.occupation_code,
        skill_level=a.skill_level,
        assessed_on=a.assessed_on,
        result=a.result,
        certificate_no=a.certificate_no,
    )


def _award(a: CompetitionAward) -> AwardOut:
    return AwardOut(
        id=a.pk, name=a.person.name, competition=a.competition, level=a.level, rank=a.rank, awarded_on=a.awarded_on
    )


def _teacher(t: Teacher) -> TeacherOut:
    return TeacherOut(
        id=t.pk,
        school_code=t.school.code,
        name=t.person.name,
        category=t.category,
        full_time=t.full_time,
        from_enterprise_code=t.from_enterprise.code if t.from_enterprise is not None else None,
        dual_qualified=t.dual_qualified,
        integrated=t.integrated,
        hired_on=t.hired_on,
    )


def _internship(i: Internship) -> InternshipOut:
    return InternshipOut(
        id=i.pk,
        registration_id=i.registration_id,
        student_name=i.registration.person.name,
        enterprise_code=i.enterprise.code,
        post=i.post,
        starts_on=i.starts_on,
        ends_on=i.ends_on,
        insured=bool(i.insurance_policy_no),
        fee_charged=i.fee_charged,
        consent=i.consent,
        awaiting_code=i.awaiting.code if i.awaiting is not None else None,
    )


def _destination(d: Destination) -> DestinationOut:
    return DestinationOut(
        id=d.pk,
        registration_id=d.registration_id,
        census_date=d.census_date,
        kind=d.kind,
        employer_name=d.employer_name,
        occupation_code=d.occupation_code,
        in_field=d.in_field,
        monthly_pay=d.monthly_pay,
    )


@router.get("/teachers", response=Page[TeacherOut], summary="教师（分页）")
def teacher_list(request: HttpRequest, paging: Query[PageIn], school: str | None = None) -> Page[TeacherOut]:
    school_id = _school(request, school).pk if school else None
    return page_of(selectors.teacher_list(actor=actor_of(request), school_id=school_id), _teacher, paging)


@router.post("/teachers", response={201: TeacherOut}, summary="登记教师")
def teacher_add(request: HttpRequest, payload: TeacherIn) -> tuple[int, TeacherOut]:
    school = _school(request, payload.school)
    teacher = services.teacher_add(
        actor=actor_of(request),
        school=school,
        person=_person(request, payload),
        category=payload.category,
        hired_on=payload.hired_on,
        full_time=payload.full_time,
        from_enterprise=_partner(payload.from_enterprise),
        dual_qualified=payload.dual_qualified,
        dual_evidence=payload.dual_evidence,
        integrated=payload.integrated,
        major_code=payload.major_code,
    )
    return 201, _teacher(teacher)


@router.post("/teachers/{teacher_id}/practices", response={201: PracticeOut}, summary="登记教师企业实践")
def practice_record(request: HttpRequest, teacher_id: int, payload: PracticeIn) -> tuple[int, PracticeOut]:
    actor = actor_of(request)
    teacher = get_scoped_or_404(Teacher.objects.select_related("school"), actor, pk=teacher_id)
    practice = services.practice_record(
        actor=actor,
        teacher=teacher,
        enterprise=_partner(payload.enterprise),
        enterprise_name=payload.enterprise_name,
        started_on=payload.started_on,
        ended_on=payload.ended_on,
    )
    return 201, PracticeOut(
        id=practice.pk,
        teacher_id=teacher.pk,
        enterprise_name=practice.enterprise_name,
        started_on=practice.started_on,
        ended_on=practice.ended_on,
        months=practice.months,
    )


@router.get("/training/programmes", response=Page[ProgrammeOut], summary="培训项目（分页）")
def programme_list(request: HttpRequest, paging: Query[PageIn]) -> Page[ProgrammeOut]:
    return page_of(selectors.training_programme_list(actor=actor_of(request)), _programme, paging)


@router.post("/training/programmes", response={201: ProgrammeOut}, summary="开设培训项目")
def programme_create(request: HttpRequest, payload: ProgrammeIn) -> tuple[int, ProgrammeOut]:
    p = services.training_programme_create(
        actor=actor_of(request),
        provider=_school(request, payload.provider),
        name=payload.name,
        occupation_code=payload.occupation_code,
        skill_level=payload.skill_level,
        hours=payload.hours,
        funding=payload.funding,
        funding_source=payload.funding_source,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return 201, _programme(p)


@router.post("/training/programmes/{programme_id}/trainees", response={201: TraineeOut}, summary="登记学员或其培训结果")
def trainee_record(request: HttpRequest, programme_id: int, payload: TraineeIn) -> tuple[int, TraineeOut]:
    actor = actor_of(request)
    programme = get_scoped_or_404(TrainingProgramme.objects.select_related("provider"), actor, pk=programme_id)
    record = services.trainee_record(
        actor=actor,
        programme=programme,
        person=_person(request, payload),
        outcome=payload.outcome,
        certificate_no=payload.certificate_no,
        finished_on=payload.finished_on,
    )
    return 201, TraineeOut(
        id=record.pk,
        programme_id=programme.pk,
        name=record.person.name,
        outcome=record.outcome,
        certificate_no=record.certificate_no,
    )


@router.get("/apprenticeships", response=Page[ApprenticeshipOut], summary="企业新型学徒（分页）")
def apprenticeship_list(request: HttpRequest, paging: Query[PageIn]) -> Page[ApprenticeshipOut]:
    return page_of(selectors.apprenticeship_list(actor=actor_of(request)), _apprenticeship, paging)


@router.post("/apprenticeships", response={201: ApprenticeshipOut}, summary="登记企业新型学徒")
def apprenticeship_create(request: HttpRequest, payload: ApprenticeshipIn) -> tuple[int, ApprenticeshipOut]:
    # Either party records it; the other is named by its code, outside the caller's scope.
    a = services.apprenticeship_create(
        actor=actor_of(request),
        enterprise=directory.organisation_by_code(code=payload.enterprise),
        school=directory.organisation_by_code(code=payload.school),
        apprentice=_person(request, payload),
        occupation_code=payload.occupation_code,
        enterprise_tutor=payload.enterprise_tutor,
        school_tutor=payload.school_tutor,
        plan=payload.plan,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return 201, _apprenticeship(a)


@router.get("/internships", response=Page[InternshipOut], summary="实习（分页）")
def internship_list(request: HttpRequest, paging: Query[PageIn]) -> Page[InternshipOut]:
    return page_of(selectors.internship_list(actor=actor_of(request)), _internship, paging)


@router.get("/internships/flags", response=Page[InternshipFlagOut], summary="未投保或收费的实习（分页）")
def internship_flag_list(request: HttpRequest, paging: Query[PageIn]) -> Page[InternshipFlagOut]:
    flagged = selectors.flagged_internships(actor=actor_of(request)).order_by("-starts_on", "pk")
    return page_of(flagged, _internship_flag, paging)


def _internship_flag(internship: Internship) -> InternshipFlagOut:
    return InternshipFlagOut(**_internship(internship).dict(), reasons=list(selectors.internship_reasons(internship)))


@router.post("/internships", response={201: InternshipOut}, summary="登记实习")
def internship_create(request: HttpRequest, payload: InternshipIn) -> tuple[int, InternshipOut]:
    actor = actor_of(request)
    registration = selectors.registration_get(actor=actor, registration_id=payload.registration_id)
    internship = services.internship_create(
        actor=actor,
        registration=registration,
        enterprise=directory.organisation_by_code(code=payload.enterprise),
        post=payload.post,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        insurance_policy_no=payload.insurance_policy_no,
        fee_charged=payload.fee_charged,
    )
    return 201, _internship(internship)


class AnswerIn(Schema):
    agree: bool
    note: str = Field("", max_length=200)


@router.post(
    "/apprenticeships/{apprenticeship_id}/answer", response=ApprenticeshipOut, summary="确认或拒绝对方登记的学徒"
)
def apprenticeship_answer(request: HttpRequest, apprenticeship_id: int, payload: AnswerIn) -> ApprenticeshipOut:
    actor = actor_of(request)
    record = get_scoped_or_404(Apprenticeship.objects.all(), actor, pk=apprenticeship_id)
    answered = services.placement_answer(actor=actor, record=record, agree=payload.agree, note=payload.note)
    assert isinstance(answered, Apprenticeship)
    return _apprenticeship(answered)


@router.post("/internships/{internship_id}/answer", response=InternshipOut, summary="确认或拒绝学校登记的实习")
def internship_answer(request: HttpRequest, internship_id: int, payload: AnswerIn) -> InternshipOut:
    actor = actor_of(request)
    record = get_scoped_or_404(Internship.objects.select_related("registration__person"), actor, pk=internship_id)
    answered = services.placement_answer(actor=actor, record=record, agree=payload.agree, note=payload.note)
    assert isinstance(answered, Internship)
    return _internship(answered)


@router.get("/destinations", response=Page[DestinationOut], summary="毕业去向（分页）")
def destination_list(request: HttpRequest, paging: Query[PageIn]) -> Page[DestinationOut]:
    return page_of(selectors.destination_list(actor=actor_of(request)), _destination, paging)


@router.post("/destinations", response={201: DestinationOut}, summary="登记毕业去向")
def destination_record(request: HttpRequest, payload: DestinationIn) -> tuple[int, DestinationOut]:
    actor = actor_of(request)
    registration = selectors.registration_get(actor=actor, registration_id=payload.registration_id)
    destination = services.destination_record(
        actor=actor,
        registration=registration,
        census_date=payload.census_date,
        kind=payload.kind,
        employer=_partner(payload.employer),
        employer_name=payload.employer_name,
        occupation_code=payload.occupation_code,
        in_field=payload.in_field,
        monthly_pay=payload.monthly_pay,
    )
    return 201, _destination(destination)


@router.get("/assessments", response=Page[AssessmentOut], summary="技能等级认定（分页）")
def assessment_list(request: HttpRequest, paging: Query[PageIn]) -> Page[AssessmentOut]:
    return page_of(selectors.assessment_list(actor=actor_of(request)), _assessment, paging)


@router.post("/assessments", response={201: AssessmentOut}, summary="登记技能等级认定")
def assessment_record(request: HttpRequest, payload: AssessmentIn) -> tuple[int, AssessmentOut]:
    a = services.assessment_record(
        actor=actor_of(request),
        evaluator=_school(request, payload.evaluator),
        person=_person(request, payload),
        occupation_code=payload.occupation_code,
        skill_level=payload.skill_level,
        assessed_on=payload.assessed_on,
        result=payload.result,
        certificate_no=payload.certificate_no,
    )
    return 201, _assessment(a)


@router.get("/awards", response=Page[AwardOut], summary="技能竞赛获奖（分页）")
def award_list(request: HttpRequest, paging: Query[PageIn]) -> Page[AwardOut]:
    return page_of(selectors.award_list(actor=actor_of(request)), _award, paging)


@router.post("/awards", response={201: AwardOut}, summary="登记技能竞赛获奖")
def award_record(request: HttpRequest, payload: AwardIn) -> tuple[int, AwardOut]:
    a = services.award_record(
        actor=actor_of(request),
        recorded_by=_school(request, payload.recorded_by),
        person=_person(request, payload),
        competition=payload.competition,
        level=payload.level,
        rank=payload.rank,
        awarded_on=payload.awarded_on,
        occupation_code=payload.occupation_code,
    )
    return 201, _award(a)
