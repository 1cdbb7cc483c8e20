"""Pages of the register. Thin: forms are read here, the work is done by services and selectors."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.core.actors import request_actor as _actor
from gongjiang.core.imports import XLSX_CONTENT_TYPE
from gongjiang.core.masking import mask_id_number
from gongjiang.core.pages import page_for
from gongjiang.core.paging import CappedPaginator
from gongjiang.core.policies import allowed, require
from gongjiang.core.private_search import search_redirect, search_words
from gongjiang.core.scope import ActorKind, get_scoped_or_404
from gongjiang.core.sheets import parse_date
from gongjiang.core.uploads import upload_refusal
from gongjiang.directory import selectors as directory
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concepts
from gongjiang.registry import import_jobs, selectors, services
from gongjiang.registry.models import (
    ApplicationKind,
    ClassLevel,
    EventKind,
    MajorApplication,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    SchoolClass,
    StudyForm,
)
from gongjiang.registry.services.imports import registrations_export
from gongjiang.registry.services.record_imports import KINDS, records_export, template_write


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


@page_for(ActorKind.SCHOOL, ActorKind.BUREAU, ActorKind.OPERATOR)
def registration_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if request.method == "POST":
        return search_redirect(request, keep=("status",))
    q = search_words(request)
    # The list opens on the learners in school (it opened on the graduates of years past, first in
    # the order of classes); "all" asks for every status, and so does a search by itself.
    status = request.GET.get("status", "" if q else RegistrationStatus.ENROLLED)
    status = "" if status == "all" else status
    # In the order of an index (school, class, registration): a page of a province's list reads
    # only the rows before it instead of sorting every registration of the region.
    found = selectors.registration_list(actor=actor, status=status, q=q).order_by("school_id", "school_class_id", "pk")
    page = CappedPaginator(found, 50).get_page(request.GET.get("page"))
    rows = [(r, mask_id_number(r.person.id_number)) for r in page]
    return render(
        request,
        "registry/registration_list.html",
        {"page": page, "rows": rows, "status": status, "q": q, "statuses": RegistrationStatus.choices},
    )


@login_required
def registration_detail(request: HttpRequest, registration_id: int) -> HttpResponse:
    actor = _actor(request)
    registration = selectors.registration_get(actor=actor, registration_id=registration_id)
    if request.method == "POST":
        try:
            kind = request.POST.get("kind", "")
            target_school = request.POST.get("target_school", "").strip()
            target_name = request.POST.get("target_class_name", "").strip()
            if kind in (EventKind.CHANGE_CLASS, EventKind.CHANGE_MAJOR):
                target = _class_inside(actor, registration, request.POST.get("move_class", ""))
            elif target_school or target_name:
                target = selectors.transfer_target_named(school_code=target_school, class_name=target_name)
            else:
                target = None
            services.registration_request(
                actor=actor,
                registration=registration,
                kind=kind,
                effective_on=parse_date(request.POST.get("effective_on", "")),
                reason=request.POST.get("reason", ""),
                target_class=target,
            )
        except (ValidationError, ValueError) as exc:
            for message in _errors(exc) if isinstance(exc, ValidationError) else [str(exc)]:
                messages.error(request, message)
        else:
            messages.success(request, _("已提交，等待人社部门审核。"))
            return redirect("registry:registration_detail", registration_id=registration.pk)
    return render(
        request,
        "registry/registration_detail.html",
        {
            "registration": registration,
            "masked_id": mask_id_number(registration.person.id_number),
            "events": selectors.registration_history(actor=actor, registration=registration),
            "can_request": allowed(actor, "registry.registration.request", registration.school),
            "kinds": [(k, label) for k, label in EventKind.choices if k != EventKind.REGISTER],
            "move_classes": _classes_to_move_to(actor, registration),
            "today": clock.today(),
            # What the clerk typed, kept when the request is refused.
            "typed": request.POST if request.method == "POST" else {},
        },
    )


def _classes_to_move_to(actor: Actor, registration: Registration) -> QuerySet[SchoolClass]:
    """The school's classes a 转班 or 转专业 may name: its intake and the ones either side."""
    year = registration.enrolled_on.year
    return (
        selectors.class_list(actor=actor, school_id=registration.school_id)
        .filter(cohort_year__range=(year - 1, year + 1))
        .exclude(pk=registration.school_class_id)
        .order_by("cohort_year", "name")
    )


def _class_inside(actor: Actor, registration: Registration, raw: str) -> SchoolClass:
    raw = raw.strip()
    found = (
        _classes_to_move_to(actor, registration).filter(pk=int(raw)).first()
        if raw.isdigit() and len(raw) <= 12
        else None
    )
    if found is None:
        raise ValidationError({"target_class": _("请选择转入的本校班级。")})
    return found


@page_for(ActorKind.BUREAU, ActorKind.OPERATOR)
def approval_queue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    queue = selectors.approval_queue(actor=actor)
    return render(
        request,
        "registry/queue.html",
        {
            "page": Paginator(queue, 50).get_page(request.GET.get("page")),
            "total": queue.count(),
            "overdue": queue.overdue(),
            "intakes": selectors.pending_intakes(actor=actor),
        },
    )


@require_POST
@login_required
def queue_approve_intake(request: HttpRequest) -> HttpResponse:
    """Approve all of one school's pending registrations at once (after its intake import)."""
    actor = _actor(request)
    ids = selectors.pending_intake_event_ids(actor=actor, school_code=request.POST.get("school", ""))
    if not ids:
        raise Http404
    try:
        decided = services.registration_decide_many(actor=actor, event_ids=ids, approve=True)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("已通过 %(n)d 条注册申请。") % {"n": decided})
    return redirect("registry:queue")


@require_POST
@login_required
def queue_decide(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    actor = _actor(request)
    approve = request.POST.get("decision") == "approve"
    note = request.POST.get("note", "")
    try:
        if kind == "major":
            application = get_scoped_or_404(MajorApplication.objects.select_related("offering__school"), actor, pk=pk)
            services.major_decide(actor=actor, application=application, approve=approve, reason=note)
        elif kind == "registration":
            event = get_scoped_or_404(
                RegistrationEvent.objects.select_related("registration__school", "target_class__school"), actor, pk=pk
            )
            services.registration_decide(actor=actor, event=event, approve=approve, note=note)
        else:
            raise Http404
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("已通过。") if approve else _("已退回。"))
    return redirect("registry:queue")


@page_for(ActorKind.SCHOOL, organisation=True)
def majors(request: HttpRequest) -> HttpResponse:
    """A school's majors: what is filed, what waits, and the form to ask for more."""
    actor = _actor(request)
    school = directory.acting_organisation(actor)
    if request.method == "POST":
        try:
            services.major_apply(
                actor=actor,
                school=school,
                major_code=request.POST.get("major_code", ""),
                kind=request.POST.get("kind", ApplicationKind.ADD),
                class_levels=request.POST.getlist("class_levels"),
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("申请已提交，等待人社部门备案。"))
            return redirect("registry:majors")
    offerings = selectors.offering_list(actor=actor, school_id=school.pk).prefetch_related("applications")
    return render(
        request,
        "registry/majors.html",
        {
            "school": school,
            "offerings": offerings,
            "catalogue": concepts(Scheme.MAJOR).filter(level=2).order_by("code"),
            "levels": ClassLevel.choices,
            "kinds": ApplicationKind.choices,
        },
    )


CLASSES_PER_PAGE = 100


@page_for(ActorKind.SCHOOL, organisation=True)
def classes(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    school = directory.acting_organisation(actor)
    if request.method == "POST":
        try:
            partner_code = request.POST.get("partner", "").strip()
            services.class_create(
                actor=actor,
                school=school,
                major_code=request.POST.get("major_code", ""),
                name=request.POST.get("name", ""),
                class_level=request.POST.get("class_level", ""),
                form=request.POST.get("form", ""),
                cohort_year=int(request.POST.get("cohort_year") or 0),
                planned_years=request.POST.get("planned_years") or "0",
                partner=directory.organisation_by_code(code=partner_code) if partner_code else None,
            )
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
        except (ValueError, ArithmeticError):
            messages.error(request, _("入学年份和学制必须是数字。"))
        except Http404:
            messages.error(request, _("没有找到该合作企业的机构代码。"))
        else:
            messages.success(request, _("班级已开设。"))
            return redirect("registry:classes")
    return render(
        request,
        "registry/classes.html",
        {
            "school": school,
            # Paged: a school that has run for years holds thousands of classes, and one page of
            # every class took seconds to render under load (benchmarks/README.md, run 6).
            "page": CappedPaginator(selectors.class_list(actor=actor, school_id=school.pk), CLASSES_PER_PAGE).get_page(
                request.GET.get("page")
            ),
            "offerings": selectors.offering_list(actor=actor, school_id=school.pk).filter(status="filed"),
            "levels": ClassLevel.choices,
            "forms": StudyForm.choices,
            "this_year": clock.today().year,
        },
    )


IMPORTS = {
    "registrations": _lazy("学籍"),
    "teachers": _lazy("教师"),
    "training": _lazy("培训学员"),
    "destinations": _lazy("毕业去向"),
}


def _import_kind(request: HttpRequest) -> str:
    kind = request.POST.get("kind") or request.GET.get("kind") or "registrations"
    if kind not in IMPORTS:
        raise Http404
    return kind


@page_for(ActorKind.SCHOOL, organisation=True)
def import_registrations(request: HttpRequest) -> HttpResponse:
    """Upload a workbook of registrations, teachers, trainees or destinations. The import runs as
    a job; the page follows its progress and then shows the per-row report and, on errors, the
    workbook with an error column to download."""
    actor = _actor(request)
    school = directory.acting_organisation(actor)
    kind = _import_kind(request)
    context: dict[str, Any] = {"school": school, "kind": kind, "kinds": IMPORTS.items()}
    if request.method == "POST":
        upload = request.FILES.get("file")
        refusal = upload_refusal(request, upload)
        if refusal:
            messages.error(request, refusal)
        elif upload is None:
            messages.error(request, _("请选择要导入的文件。"))
        else:
            require(actor, "registry.registration.request", school)
            token = import_jobs.start(
                actor=actor,
                school=school,
                kind=kind,
                upload=upload,
                filename=upload.name or "",
                dry_run=request.POST.get("dry_run") == "1",
            )
            context.update(job=import_jobs.state(school=school, token=token))
    template = "registry/_import_job.html" if request.headers.get("HX-Request") else "registry/import.html"
    return render(request, template, context)


@page_for(ActorKind.SCHOOL, organisation=True)
def import_job(request: HttpRequest, token: str) -> HttpResponse:
    """How far an import has got, or its report once done (polled by the import page)."""
    school = directory.acting_organisation(_actor(request))
    job = import_jobs.state(school=school, token=token)
    if job is None:
        raise Http404
    context = {"school": school, "job": job, "kind": job.kind, "kinds": IMPORTS.items()}
    template = "registry/_import_job.html" if request.headers.get("HX-Request") else "registry/import.html"
    return render(request, template, context)


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """The blank workbook for one kind of import, with a sheet explaining each column."""
    if kind not in IMPORTS:
        raise Http404
    directory.acting_organisation(_actor(request), kinds=(ActorKind.SCHOOL,))
    buffer = io.BytesIO()
    template_write(kind, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="template-{kind}.xlsx"'
    return response


@page_for(ActorKind.SCHOOL, organisation=True)
def import_errors_download(request: HttpRequest, token: str) -> FileResponse:
    school = directory.acting_organisation(_actor(request))
    path = import_jobs.error_workbook_path(school, token)
    if path is None or not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"), as_attachment=True, filename="导入错误报告.xlsx", content_type=XLSX_CONTENT_TYPE
    )


@page_for(ActorKind.SCHOOL, organisation=True)
def export_registrations(request: HttpRequest) -> HttpResponse:
    """The school's records of one kind, with the headers the import takes."""
    school = directory.acting_organisation(_actor(request))
    kind = _import_kind(request)
    buffer = io.BytesIO()
    if kind == "registrations":
        registrations_export(actor=_actor(request), school=school, target=buffer)
    else:
        records_export(actor=_actor(request), kind=KINDS[kind], school=school, target=buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{kind}-{school.code}.xlsx"'
    return response


@page_for(ActorKind.BUREAU, ActorKind.OPERATOR)
def schools(request: HttpRequest) -> HttpResponse:
    """The bureau's schools with the register's counts and the internships that need attention."""
    actor = _actor(request)
    return render(
        request,
        "registry/schools.html",
        {
            "schools": selectors.school_overview(actor=actor),
            "flags": selectors.internship_flags(actor=actor, limit=20),
            "flag_total": selectors.flagged_internships(actor=actor).count(),
        },
    )


@page_for(ActorKind.BUREAU, ActorKind.OPERATOR)
def identity_checks(request: HttpRequest) -> HttpResponse:
    """The bureau's list of claims to decide (ADR 0023): it checks the documents, then confirms the
    registered person (the records move to them) or returns the claim to the organisation that
    typed it, with a reason, for it to correct (ADR 0032)."""
    actor = _actor(request)
    if request.method == "POST":
        raw = request.POST.get("claim", "")
        claim = selectors.open_claim_get(actor=actor, claim_id=int(raw) if raw.isdigit() else 0)
        try:
            if request.POST.get("action") == "return":
                services.claim_return(actor=actor, claim=claim, reason=request.POST.get("reason", ""))
            else:
                services.claim_decide(actor=actor, claim=claim)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if request.POST.get("action") == "return":
                messages.success(request, _("已退回填报单位更正。"))
            else:
                messages.success(request, _("已确认为登记在册的同一人，相关记录已归入其名下。"))
        return redirect("registry:identity_checks")
    return render(
        request,
        "registry/identity_checks.html",
        {"claims": selectors.open_claims(actor=actor), "reason_max": services.identity.RETURN_REASON_MAX},
    )


@page_for(
    ActorKind.OPERATOR, ActorKind.BUREAU, ActorKind.SCHOOL, ActorKind.ENTERPRISE, ActorKind.EVALUATOR, organisation=True
)
def returned_identities(request: HttpRequest) -> HttpResponse:
    """An organisation's claims the bureau returned (ADR 0032): its staff correct the name or number
    they typed. Every correction gets the same answer; the bureau decides."""
    actor = _actor(request)
    if request.method == "POST":
        raw = request.POST.get("claim_return", "")
        claim_return = selectors.returned_claim_get(actor=actor, return_id=int(raw) if raw.isdigit() else 0)
        version = request.POST.get("version", "")
        try:
            services.claim_correct(
                actor=actor,
                claim_return=claim_return,
                name=request.POST.get("name", ""),
                id_number=request.POST.get("id_number", ""),
                expected_version=int(version) if version.isdigit() else None,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已重新提交，由人社部门核对。"))
        return redirect("registry:returned_identities")
    return render(
        request,
        "registry/returned_identities.html",
        {"returned": selectors.returned_claims(actor=actor), "refusal": services.correction_refusal(actor=actor)},
    )
