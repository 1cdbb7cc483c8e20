"""Pages for the records around the register: teachers and their enterprise practice, training,
apprenticeships and internships, graduate destinations, skill assessments and awards.

Each page lists what the actor may see (the selectors scope it: a school its own, a bureau its
region, an enterprise the placements it is party to) and, to whoever may write, the form to add
a record. The forms only check types; the services decide and explain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongjiang.core.actors import Actor
from gongjiang.core.actors import request_actor as _actor
from gongjiang.core.forms import attach
from gongjiang.core.masking import mask_id_number
from gongjiang.core.pages import page_for
from gongjiang.core.paging import CappedPaginator
from gongjiang.core.scope import ActorKind, get_scoped_or_404
from gongjiang.directory import selectors as directory
from gongjiang.directory.models import Organisation
from gongjiang.registry import forms, selectors, services
from gongjiang.registry.models import (
    Apprenticeship,
    Internship,
    Registration,
    RegistrationStatus,
    Teacher,
    TrainingProgramme,
)

PAGE_SIZE = 50
STAFF = (ActorKind.SCHOOL, ActorKind.BUREAU, ActorKind.OPERATOR)
WRITERS = ("admin", "staff")  # roles that record; a reader's pages have no forms


def _own(actor: Actor, kind: str) -> Organisation | None:
    """The organisation the actor writes for, when it is of `kind` and the role may write."""
    return directory.acting_organisation(actor, kinds=(kind,), roles=WRITERS, required=False)


def _page(request: HttpRequest, queryset: QuerySet[Any]) -> Page[Any]:
    return CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _submitted(request: HttpRequest, form: django_forms.Form, save: Callable[[dict[str, Any]], object]) -> bool:
    """Validate the form and run `save` in its own transaction, so a refusal leaves nothing
    half-written (a person registered for a teacher post that was then refused, say)."""
    if not form.is_valid():
        return False
    try:
        with transaction.atomic():
            save(form.cleaned_data)
    except ValidationError as exc:
        attach(form, exc)
        return False
    return True


def _person(actor: Actor, data: dict[str, Any]) -> Any:
    return services.person_find_or_register(actor=actor, name=data["name"], id_number=data["id_number"])


def _search(queryset: QuerySet[Any], q: str, *paths: str) -> QuerySet[Any]:
    if not q:
        return queryset
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{path}__icontains": q})
    return queryset.filter(condition)


# -- teachers ---------------------------------------------------------------------------------


@page_for(*STAFF)
def teachers(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    school = _own(actor, ActorKind.SCHOOL)
    form = forms.TeacherForm(request.POST if request.method == "POST" and school else None)
    if school is not None and request.method == "POST":

        def save(data: dict[str, Any]) -> object:
            return services.teacher_add(
                actor=actor,
                school=school,
                person=_person(actor, data),
                category=data["category"],
                hired_on=data["hired_on"],
                full_time=data["full_time"],
                from_enterprise=data["from_enterprise"],
                dual_qualified=data["dual_qualified"],
                dual_evidence=data["dual_evidence"],
                integrated=data["integrated"],
                major_code=data["major_code"],
            )

        if _submitted(request, form, save):
            messages.success(request, _("教师已登记。"))
            return redirect("registry:teachers")
    q = request.GET.get("q", "").strip()[:50]
    found = _search(selectors.teacher_list(actor=actor), q, "person__name", "school__name").order_by(
        "school__code", "person__name", "pk"
    )
    return render(
        request, "registry/teachers.html", {"page": _page(request, found), "q": q, "form": form if school else None}
    )


@login_required
def teacher_detail(request: HttpRequest, teacher_id: int) -> HttpResponse:
    actor = _actor(request)
    teacher = get_scoped_or_404(
        Teacher.objects.select_related("school", "person", "from_enterprise"), actor, pk=teacher_id
    )
    writable = _own(actor, ActorKind.SCHOOL) is not None and actor.organisation_id == teacher.school_id
    edit = forms.TeacherEditForm(
        request.POST if writable and request.POST.get("form") == "edit" else None,
        initial={
            "version": teacher.version,
            "category": teacher.category,
            "dual_qualified": teacher.dual_qualified,
            "dual_evidence": teacher.dual_evidence,
            "integrated": teacher.integrated,
            "major_code": teacher.major_code,
        },
    )
    practice = forms.PracticeForm(request.POST if writable and request.POST.get("form") == "practice" else None)
    if writable and request.method == "POST":
        if request.POST.get("form") == "edit":

            def update(data: dict[str, Any]) -> object:
                changes = {k: v for k, v in data.items() if k != "version"}
                return services.teacher_update(
                    actor=actor, teacher=teacher, expected_version=data["version"], **changes
                )

            if _submitted(request, edit, update):
                messages.success(request, _("已保存。"))
                return redirect("registry:teacher_detail", teacher_id=teacher.pk)
        else:

            def record(data: dict[str, Any]) -> object:
                return services.practice_record(
                    actor=actor,
                    teacher=teacher,
                    enterprise=data["enterprise"],
                    enterprise_name=data["enterprise_name"],
                    started_on=data["started_on"],
                    ended_on=data["ended_on"],
                )

            if _submitted(request, practice, record):
                messages.success(request, _("企业实践已登记。"))
                return redirect("registry:teacher_detail", teacher_id=teacher.pk)
    return render(
        request,
        "registry/teacher_detail.html",
        {
            "teacher": teacher,
            "masked_id": mask_id_number(teacher.person.id_number),
            "practices": selectors.practice_list(actor=actor).filter(teacher=teacher).order_by("-started_on"),
            "edit": edit if writable else None,
            "practice": practice if writable else None,
        },
    )


# -- training ---------------------------------------------------------------------------------


@page_for(*STAFF)
def training(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    school = _own(actor, ActorKind.SCHOOL)
    form = forms.ProgrammeForm(request.POST if request.method == "POST" and school else None)
    if school is not None and request.method == "POST":

        def save(data: dict[str, Any]) -> object:
            return services.training_programme_create(actor=actor, provider=school, **data)

        if _submitted(request, form, save):
            messages.success(request, _("培训项目已开设。"))
            return redirect("registry:training")
    q = request.GET.get("q", "").strip()[:50]
    found = _search(selectors.training_programme_list(actor=actor), q, "name", "provider__name").order_by(
        "-starts_on", "pk"
    )
    return render(
        request, "registry/training.html", {"page": _page(request, found), "q": q, "form": form if school else None}
    )


@login_required
def training_programme(request: HttpRequest, programme_id: int) -> HttpResponse:
    actor = _actor(request)
    programme = get_scoped_or_404(TrainingProgramme.objects.select_related("provider"), actor, pk=programme_id)
    writable = _own(actor, ActorKind.SCHOOL) is not None and actor.organisation_id == programme.provider_id
    form = forms.TraineeForm(request.POST if writable and request.method == "POST" else None)
    if writable and request.method == "POST":

        def save(data: dict[str, Any]) -> object:
            return services.trainee_record(
                actor=actor,
                programme=programme,
                person=_person(actor, data),
                outcome=data["outcome"],
                certificate_no=data["certificate_no"],
                finished_on=data["finished_on"],
            )

        if _submitted(request, form, save):
            messages.success(request, _("学员已登记。"))
            return redirect("registry:training_programme", programme_id=programme.pk)
    trainees = programme.records.select_related("person").order_by("person__name", "pk")
    page = _page(request, trainees)
    rows = [(t, mask_id_number(t.person.id_number)) for t in page]
    return render(
        request,
        "registry/training_programme.html",
        {"programme": programme, "page": page, "rows": rows, "form": form if writable else None},
    )


# -- apprenticeships and internships ----------------------------------------------------------


@page_for(*STAFF, ActorKind.ENTERPRISE)
def placements(request: HttpRequest) -> HttpResponse:
    """Apprenticeships (recorded by either party) and internships (recorded by the school)."""
    actor = _actor(request)
    school = _own(actor, ActorKind.SCHOOL)
    enterprise = _own(actor, ActorKind.ENTERPRISE)
    which = request.POST.get("form", "")
    apprenticeship = forms.ApprenticeshipForm(
        request.POST if which == "apprenticeship" else None,
        initial={"school": school.code if school else "", "enterprise": enterprise.code if enterprise else ""},
    )
    internship = forms.InternshipForm(request.POST if which == "internship" and school else None)
    if request.method == "POST" and which == "apprenticeship" and (school or enterprise):

        def save_apprenticeship(data: dict[str, Any]) -> object:
            return services.apprenticeship_create(
                actor=actor,
                enterprise=data["enterprise"],
                school=data["school"],
                apprentice=_person(actor, data),
                occupation_code=data["occupation_code"],
                enterprise_tutor=data["enterprise_tutor"],
                school_tutor=data["school_tutor"],
                plan=data["plan"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )

        if _submitted(request, apprenticeship, save_apprenticeship):
            messages.success(request, _("学徒已登记。"))
            return redirect("registry:placements")
    if request.method == "POST" and which == "internship" and school is not None:

        def save_internship(data: dict[str, Any]) -> object:
            registration = _registration(actor, data["registration"], "registration")
            return services.internship_create(
                actor=actor,
                registration=registration,
                enterprise=data["enterprise"],
                post=data["post"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                insurance_policy_no=data["insurance_policy_no"],
                fee_charged=data["fee_charged"] or 0,
            )

        if _submitted(request, internship, save_internship):
            messages.success(request, _("实习已登记。"))
            return redirect("registry:placements")
    if request.method == "POST" and which == "answer":
        try:
            pk = int(request.POST.get("record", "0") or 0)
            record: Apprenticeship | Internship = (
                get_scoped_or_404(Apprenticeship.objects.all(), actor, pk=pk)
                if request.POST.get("kind") == "apprenticeship"
                else get_scoped_or_404(Internship.objects.all(), actor, pk=pk)
            )
            agree = request.POST.get("agree") == "1"
            services.placement_answer(actor=actor, record=record, agree=agree, note=request.POST.get("note", ""))
        except (ValidationError, ValueError) as exc:
            for message in exc.messages if isinstance(exc, ValidationError) else [str(exc)]:
                messages.error(request, message)
        else:
            messages.success(request, _("已确认。") if agree else _("已拒绝，对方会看到您写的原因。"))
        return redirect(request.get_full_path())
    if request.method == "POST" and which == "insure" and school is not None:
        try:
            target = get_scoped_or_404(
                Internship.objects.select_related("registration__school"), actor,
                pk=int(request.POST.get("internship", "0") or 0),
            )  # fmt: skip
            services.internship_insure(
                actor=actor, internship=target, insurance_policy_no=request.POST.get("insurance_policy_no", "")
            )
        except (ValidationError, ValueError) as exc:
            for message in exc.messages if isinstance(exc, ValidationError) else [str(exc)]:
                messages.error(request, message)
        else:
            messages.success(request, _("保单号已登记。"))
        return redirect(request.get_full_path())
    flagged_only = request.GET.get("flagged") == "1"
    internships = (
        selectors.flagged_internships(actor=actor) if flagged_only else selectors.internship_list(actor=actor)
    ).order_by("-starts_on", "pk")
    internship_page = CappedPaginator(internships, PAGE_SIZE).get_page(request.GET.get("ipage"))
    return render(
        request,
        "registry/placements.html",
        {
            "apprenticeships": _page(request, selectors.apprenticeship_list(actor=actor).order_by("-starts_on", "pk")),
            "internship_page": internship_page,
            "internships": [(i, selectors.internship_reasons(i)) for i in internship_page],
            "flag_total": selectors.flagged_internships(actor=actor).count(),
            "flagged_only": flagged_only,
            "apprenticeship_form": apprenticeship if school or enterprise else None,
            "internship_form": internship if school else None,
        },
    )


def _registration(actor: Actor, registration_id: int, field: str) -> Registration:
    try:
        return selectors.registration_get(actor=actor, registration_id=registration_id)
    except Http404 as exc:  # outside the actor's scope, or no such registration
        raise ValidationError({field: _("本校没有编号为 %(id)s 的学籍。") % {"id": registration_id}}) from exc


# -- destinations -----------------------------------------------------------------------------


@page_for(*STAFF)
def destinations(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    school = _own(actor, ActorKind.SCHOOL)
    form = forms.DestinationForm(request.POST if request.method == "POST" and school else None)
    if school is not None and request.method == "POST":

        def save(data: dict[str, Any]) -> object:
            return services.destination_record(
                actor=actor,
                registration=_registration(actor, data["registration"], "registration"),
                census_date=data["census_date"],
                kind=data["kind"],
                employer=data["employer"],
                employer_name=data["employer_name"],
                occupation_code=data["occupation_code"],
                in_field=data["in_field"],
                monthly_pay=data["monthly_pay"],
            )

        if _submitted(request, form, save):
            messages.success(request, _("毕业去向已登记。"))
            return redirect("registry:destinations")
    q = request.GET.get("q", "").strip()[:50]
    found = _search(selectors.destination_list(actor=actor), q, "registration__person__name", "employer_name").order_by(
        "-census_date", "registration_id"
    )
    graduates = (
        selectors.registration_list(actor=actor, status=RegistrationStatus.GRADUATED, q="")
        .filter(destinations__isnull=True)
        .order_by("-school_class__cohort_year", "person__name")[:200]
        if school
        else []
    )
    return render(
        request,
        "registry/destinations.html",
        {"page": _page(request, found), "q": q, "form": form if school else None, "graduates": graduates},
    )


# -- skill assessments and competition awards -------------------------------------------------


@page_for(*STAFF, ActorKind.EVALUATOR)
def skills(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    evaluator = _own(actor, ActorKind.EVALUATOR)
    recorder = _own(actor, ActorKind.SCHOOL) or _own(actor, ActorKind.BUREAU)
    which = request.POST.get("form", "")
    assessment = forms.AssessmentForm(request.POST if which == "assessment" and evaluator else None)
    award = forms.AwardForm(request.POST if which == "award" and recorder else None)
    if request.method == "POST" and which == "assessment" and evaluator is not None:

        def save_assessment(data: dict[str, Any]) -> object:
            return services.assessment_record(
                actor=actor,
                evaluator=evaluator,
                person=_person(actor, data),
                occupation_code=data["occupation_code"],
                skill_level=data["skill_level"],
                assessed_on=data["assessed_on"],
                result=data["result"],
                certificate_no=data["certificate_no"],
            )

        if _submitted(request, assessment, save_assessment):
            messages.success(request, _("技能等级认定已登记。"))
            return redirect("registry:skills")
    if request.method == "POST" and which == "award" and recorder is not None:

        def save_award(data: dict[str, Any]) -> object:
            return services.award_record(
                actor=actor,
                recorded_by=recorder,
                person=_person(actor, data),
                competition=data["competition"],
                level=data["level"],
                rank=data["rank"],
                awarded_on=data["awarded_on"],
                occupation_code=data["occupation_code"],
            )

        if _submitted(request, award, save_award):
            messages.success(request, _("获奖已登记。"))
            return redirect("registry:skills")
    # One filter for both lists: a clerk looking for a learner finds their assessments and awards.
    q = request.GET.get("q", "").strip()[:50]
    assessments = _search(selectors.assessment_list(actor=actor), q, "person__name", "evaluator__name")
    awards = _search(selectors.award_list(actor=actor), q, "person__name", "competition")
    return render(
        request,
        "registry/skills.html",
        {
            "q": q,
            "assessments": _page(request, assessments.order_by("-assessed_on", "person__name", "pk")),
            "awards": CappedPaginator(awards.order_by("-awarded_on", "pk"), PAGE_SIZE).get_page(
                request.GET.get("awards_page")
            ),
            "assessment_form": assessment if evaluator else None,
            "award_form": award if recorder else None,
        },
    )
