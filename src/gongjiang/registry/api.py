"""The register in the JSON API. Every object is fetched through the caller's scope first, so an id
of another school's record answers 404, exactly like one that does not exist."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import IO, Any, cast

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Schema
from ninja.files import UploadedFile

from gongjiang.core.api import actor_of, scoped_router
from gongjiang.core.masking import mask_id_number
from gongjiang.core.scope import get_scoped_or_404
from gongjiang.directory import selectors as directory
from gongjiang.directory.models import Organisation
from gongjiang.registry import selectors, services
from gongjiang.registry.imports import XLSX_CONTENT_TYPE, registrations_export, registrations_import
from gongjiang.registry.models import MajorApplication, MajorOffering, Registration, RegistrationEvent, SchoolClass

router = scoped_router(tags=["registry"])


class OfferingOut(Schema):
    id: int
    school_code: str
    major_code: str
    major_name: str
    class_levels: list[str]
    status: str
    filed_on: dt.date | None


class ApplyIn(Schema):
    school: str
    major_code: str
    kind: str
    class_levels: list[str] = []
    reason: str = ""


class ApplicationOut(Schema):
    id: int
    offering_id: int
    kind: str
    class_levels: list[str]
    decision: str
    due_on: dt.date
    decision_reason: str


class DecideIn(Schema):
    approve: bool
    reason: str = ""


class ClassIn(Schema):
    school: str
    major_code: str
    name: str
    class_level: str
    form: str
    cohort_year: int
    planned_years: Decimal
    partner: str | None = None


class ClassOut(Schema):
    id: int
    school_code: str
    major_code: str
    name: str
    class_level: str
    form: str
    cohort_year: int
    planned_years: Decimal
    partner_code: str | None


class RegistrationIn(Schema):
    class_id: int
    name: str
    id_number: str
    enrolled_on: dt.date
    phone: str = ""


class RegistrationOut(Schema):
    id: int
    school_code: str
    class_id: int
    class_name: str
    person_name: str
    id_number_masked: str
    form: str
    enrolled_on: dt.date
    status: str


class EventIn(Schema):
    kind: str
    effective_on: dt.date
    reason: str = ""
    target_class_id: int | None = None


class EventOut(Schema):
    id: int
    kind: str
    effective_on: dt.date
    reason: str
    decision: str
    due_on: dt.date
    decision_note: str
    target_class_id: int | None


class RegistrationDetailOut(RegistrationOut):
    events: list[EventOut]


class QueueItemOut(Schema):
    kind: str
    id: int
    school_name: str
    title: str
    due_on: dt.date
    overdue: bool
    beyond_tier: list[str]


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportReportOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: list[ImportErrorOut]


def _school(request: HttpRequest, code: str) -> Organisation:
    return directory.organisation_get(actor=actor_of(request), code=code)


def _offering(o: MajorOffering) -> OfferingOut:
    return OfferingOut(
        id=o.pk,
        school_code=o.school.code,
        major_code=o.major_code,
        major_name=o.major_name,
        class_levels=list(o.class_levels),
        status=o.status,
        filed_on=o.filed_on,
    )


def _application(a: MajorApplication) -> ApplicationOut:
    return ApplicationOut(
        id=a.pk,
        offering_id=a.offering_id,
        kind=a.kind,
        class_levels=list(a.class_levels),
        decision=a.decision,
        due_on=a.due_on,
        decision_reason=a.decision_reason,
    )


def _class(c: SchoolClass) -> ClassOut:
    return ClassOut(
        id=c.pk,
        school_code=c.school.code,
        major_code=c.offering.major_code,
        name=c.name,
        class_level=c.class_level,
        form=c.form,
        cohort_year=c.cohort_year,
        planned_years=c.planned_years,
        partner_code=c.partner.code if c.partner is not None else None,
    )


def _registration(r: Registration) -> RegistrationOut:
    return RegistrationOut(
        id=r.pk,
        school_code=r.school.code,
        class_id=r.school_class_id,
        class_name=r.school_class.name,
        person_name=r.person.name,
        id_number_masked=mask_id_number(r.person.id_number),
        form=r.form,
        enrolled_on=r.enrolled_on,
        status=r.status,
    )


def _event(e: RegistrationEvent) -> EventOut:
    return EventOut(
        id=e.pk,
        kind=e.kind,
        effective_on=e.effective_on,
        reason=e.reason,
        decision=e.decision,
        due_on=e.due_on,
        decision_note=e.decision_note,
        target_class_id=e.target_class_id,
    )


@router.get("/offerings", response=list[OfferingOut], summary="开设专业")
def offering_list(request: HttpRequest, school: str | None = None) -> list[OfferingOut]:
    school_id = _school(request, school).pk if school else None
    return [_offering(o) for o in selectors.offering_list(actor=actor_of(request), school_id=school_id)[:2000]]


@router.post("/offerings/apply", response={201: ApplicationOut}, summary="申请新增、调整或停办专业")
def offering_apply(request: HttpRequest, payload: ApplyIn) -> tuple[int, ApplicationOut]:
    application = services.major_apply(
        actor=actor_of(request),
        school=_school(request, payload.school),
        major_code=payload.major_code,
        kind=payload.kind,
        class_levels=payload.class_levels,
        reason=payload.reason,
    )
    return 201, _application(application)


@router.post("/applications/{application_id}/decide", response=ApplicationOut, summary="专业备案审核")
def application_decide(request: HttpRequest, application_id: int, payload: DecideIn) -> ApplicationOut:
    actor = actor_of(request)
    application = get_scoped_or_404(
        MajorApplication.objects.select_related("offering__school"), actor, pk=application_id
    )
    return _application(
        services.major_decide(actor=actor, application=application, approve=payload.approve, reason=payload.reason)
    )


@router.get("/classes", response=list[ClassOut], summary="班级")
def class_list(request: HttpRequest, school: str | None = None) -> list[ClassOut]:
    school_id = _school(request, school).pk if school else None
    return [_class(c) for c in selectors.class_list(actor=actor_of(request), school_id=school_id)[:5000]]


@router.post("/classes", response={201: ClassOut}, summary="开设班级")
def class_create(request: HttpRequest, payload: ClassIn) -> tuple[int, ClassOut]:
    actor = actor_of(request)
    partner = directory.organisation_by_code(code=payload.partner) if payload.partner else None
    created = services.class_create(
        actor=actor,
        school=_school(request, payload.school),
        major_code=payload.major_code,
        name=payload.name,
        class_level=payload.class_level,
        form=payload.form,
        cohort_year=payload.cohort_year,
        planned_years=payload.planned_years,
        partner=partner,
    )
    return 201, _class(created)


@router.get("/registrations", response=list[RegistrationOut], summary="学籍")
def registration_list(
    request: HttpRequest, school: str | None = None, status: str = "", q: str = "", limit: int = 200, offset: int = 0
) -> list[RegistrationOut]:
    school_id = _school(request, school).pk if school else None
    found = selectors.registration_list(actor=actor_of(request), school_id=school_id, status=status, q=q[:50])
    page = found.order_by("pk")[max(0, offset) : max(0, offset) + max(1, min(limit, 1000))]
    return [_registration(r) for r in page]


@router.post("/registrations", response={201: RegistrationOut}, summary="注册学籍（提交审核）")
def registration_create(request: HttpRequest, payload: RegistrationIn) -> tuple[int, RegistrationOut]:
    actor = actor_of(request)
    school_class = get_scoped_or_404(SchoolClass.objects.select_related("school"), actor, pk=payload.class_id)
    person = services.person_for_registration(
        actor=actor, name=payload.name, id_number=payload.id_number, phone=payload.phone
    )
    registration = services.registration_create(
        actor=actor, school_class=school_class, person=person, enrolled_on=payload.enrolled_on
    )
    return 201, _registration(registration)


@router.get("/registrations/{registration_id}", response=RegistrationDetailOut, summary="学籍详情与异动历史")
def registration_detail(request: HttpRequest, registration_id: int) -> RegistrationDetailOut:
    actor = actor_of(request)
    registration = selectors.registration_get(actor=actor, registration_id=registration_id)
    events = selectors.registration_history(actor=actor, registration=registration)
    return RegistrationDetailOut(**_registration(registration).dict(), events=[_event(e) for e in events])


@router.post("/registrations/{registration_id}/events", response={201: EventOut}, summary="申请学籍异动")
def registration_request(request: HttpRequest, registration_id: int, payload: EventIn) -> tuple[int, EventOut]:
    actor = actor_of(request)
    registration = selectors.registration_get(actor=actor, registration_id=registration_id)
    target = selectors.transfer_target(class_id=payload.target_class_id) if payload.target_class_id else None
    event = services.registration_request(
        actor=actor,
        registration=registration,
        kind=payload.kind,
        effective_on=payload.effective_on,
        reason=payload.reason,
        target_class=target,
    )
    return 201, _event(event)


@router.post("/events/{event_id}/decide", response=EventOut, summary="学籍审核")
def event_decide(request: HttpRequest, event_id: int, payload: DecideIn) -> EventOut:
    actor = actor_of(request)
    event = get_scoped_or_404(
        RegistrationEvent.objects.select_related("registration__school", "target_class__school"), actor, pk=event_id
    )
    return _event(services.registration_decide(actor=actor, event=event, approve=payload.approve, note=payload.reason))


@router.get("/queue", response=list[QueueItemOut], summary="待审核事项")
def approval_queue(request: HttpRequest) -> list[QueueItemOut]:
    return [
        QueueItemOut(
            kind=i.kind,
            id=i.pk,
            school_name=i.school_name,
            title=i.title,
            due_on=i.due_on,
            overdue=i.overdue,
            beyond_tier=list(i.beyond_tier),
        )
        for i in selectors.approval_queue(actor=actor_of(request))
    ]


@router.post("/imports/registrations", response=ImportReportOut, summary="导入学籍（xlsx 或 csv）")
def registrations_import_endpoint(
    request: HttpRequest, school: Form[str], file: File[UploadedFile], dry_run: Form[bool] = False
) -> dict[str, Any]:
    report = registrations_import(
        actor=actor_of(request),
        school=_school(request, school),
        source=cast(IO[bytes], file),
        filename=file.name or "",
        dry_run=dry_run,
    )
    return report.as_dict()


@router.get("/exports/registrations", summary="导出学籍（xlsx）", response={200: None})
def registrations_export_endpoint(request: HttpRequest, school: str) -> HttpResponse:
    buffer = io.BytesIO()
    school_org = _school(request, school)
    registrations_export(actor=actor_of(request), school=school_org, target=buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="registrations-{school_org.code}.xlsx"'
    return response
