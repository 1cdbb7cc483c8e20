"""Pages of level assessment. One list of plans and one page per plan serve every role: what the
page offers follows from who asks (a body scores its plans, a school signs up a class, a learner
signs up and reads their results, the bureau samples), and the services decide and explain."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongjiang.assessment import forms, selectors, services
from gongjiang.assessment.imports import scores_import, template_write
from gongjiang.assessment.models import SCORING_STATUSES, AssessmentPlan, PlanStatus
from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.core.actors import request_actor as _actor
from gongjiang.core.forms import attach
from gongjiang.core.imports import XLSX_CONTENT_TYPE
from gongjiang.core.masking import mask_id_number
from gongjiang.core.pages import page_for
from gongjiang.core.paging import CappedPaginator
from gongjiang.core.policies import allowed
from gongjiang.core.scope import ActorKind
from gongjiang.core.uploads import upload_refusal
from gongjiang.credentials import selectors as credentials
from gongjiang.directory import selectors as directory
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry import selectors as registry
from gongjiang.registry.models import CompetitionAward, SkillAssessment

PAGE_SIZE = 50
READERS = (
    ActorKind.OPERATOR,
    ActorKind.BUREAU,
    ActorKind.SCHOOL,
    ActorKind.EVALUATOR,
    ActorKind.LEARNER,
)


def _done(request: HttpRequest, form: django_forms.Form, save: Callable[[dict[str, Any]], object]) -> bool:
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ValidationError as exc:
        attach(form, exc)
        return False
    return True


@page_for(*READERS)
def plans(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    own = directory.acting_organisation(actor, kinds=(ActorKind.EVALUATOR, ActorKind.SCHOOL), required=False)
    may_publish = own is not None and allowed(actor, "assessment.plan.publish", own)
    form = forms.PlanForm(request.POST if request.method == "POST" and may_publish else None)
    if request.method == "POST":
        if not may_publish:
            raise PermissionDenied
        assert own is not None
        if _done(request, form, lambda data: services.plan_publish(actor=actor, evaluator=own, **data)):
            messages.success(request, _("认定计划已发布。"))
            return redirect("assessment:plans")
    status = request.GET.get("status", "")
    listed = selectors.plan_list(actor=actor, status=status).order_by("-theory_on", "-pk")
    page = CappedPaginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    mine = None
    if actor.kind == ActorKind.LEARNER:
        mine = selectors.signup_list(actor=actor)[:PAGE_SIZE]
    return render(
        request,
        "assessment/plans.html",
        {
            "plans": page,
            "status": status,
            "statuses": PlanStatus.choices,
            "form": form if may_publish else None,
            "mine": mine,
        },
    )


def _class_choices(actor: Actor) -> list[tuple[int, str]]:
    if actor.kind != ActorKind.SCHOOL or actor.organisation_id is None:
        return []
    classes = registry.class_list(actor=actor, school_id=actor.organisation_id).order_by("-cohort_year", "name")
    return [(c.pk, f"{c.name}（{c.get_class_level_display()}）") for c in classes[:500]]


def _signup_rows(actor: Actor, plan: AssessmentPlan) -> list[dict[str, Any]]:
    # Masked for everyone, the body too: it matches papers by name and the last digits, and its
    # score sheets carry the full numbers it already holds.
    return [
        {"signup": signup, "id_number": mask_id_number(signup.person.id_number)}
        for signup in selectors.signup_list(actor=actor, plan=plan)[:5000]
    ]


@page_for(*READERS)
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.plan_get(actor=actor, plan_id=plan_id)
    scorer = allowed(actor, "assessment.plan.score", plan)
    sampler = allowed(actor, "assessment.plan.sample", plan)
    learner = (
        directory.person_of(actor=actor) if actor.kind == ActorKind.LEARNER and actor.person_id is not None else None
    )
    classes = _class_choices(actor)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    self_form = forms.SelfSignUpForm(request.POST if which == "self" else None)
    class_form = forms.ClassSignUpForm(request.POST if which == "class" else None, classes=classes)
    score_form = forms.ScoreForm(request.POST if which == "score" else None)
    upload_form = forms.ScoresUploadForm(
        request.POST if which == "upload" else None, request.FILES if which == "upload" else None
    )
    decision_form = forms.SampleDecisionForm(request.POST if which == "decide" else None)
    report = None
    if which:
        done = _act(request, actor, plan, which, learner, self_form, class_form, score_form, decision_form)
        if which == "upload":
            report = _upload(request, actor, plan, upload_form)
        elif done:
            return redirect("assessment:plan", plan_id=plan.pk)
        plan = selectors.plan_get(actor=actor, plan_id=plan_id)
    return render(
        request,
        "assessment/plan_detail.html",
        {
            "plan": plan,
            "rows": _signup_rows(actor, plan),
            "scorer": scorer,
            "scoring": scorer and plan.status in SCORING_STATUSES,
            "sampler": sampler,
            "self_form": self_form if learner is not None and plan.status == PlanStatus.OPEN else None,
            "class_form": class_form if classes and plan.status == PlanStatus.OPEN else None,
            "upload_form": upload_form,
            "decision_form": decision_form,
            "score_form": score_form,
            "report": report,
        },
    )


def _act(
    request: HttpRequest,
    actor: Actor,
    plan: AssessmentPlan,
    which: str,
    learner: Person | None,
    self_form: forms.SelfSignUpForm,
    class_form: forms.ClassSignUpForm,
    score_form: forms.ScoreForm,
    decision_form: forms.SampleDecisionForm,
) -> bool:
    """Run the posted action; True when it succeeded (its message is shown after the redirect)."""
    if which == "self":
        if learner is None:
            raise PermissionDenied
        ok = _done(
            request,
            self_form,
            lambda d: services.signup_self(actor=actor, plan=plan, person=learner, years_in_trade=d["years_in_trade"]),
        )
        if ok:
            messages.success(request, _("报名成功。"))
        return ok
    if which == "class":

        def save_class(data: dict[str, Any]) -> object:
            school_class = registry.class_list(actor=actor).filter(pk=data["school_class"]).first()
            if school_class is None:
                raise Http404
            return services.signup_class(actor=actor, plan=plan, school_class=school_class)

        ok = _done(request, class_form, save_class)
        if ok:
            messages.success(request, _("班级已报名。"))
        return ok
    if which == "score":

        def save_score(data: dict[str, Any]) -> object:
            signup = selectors.signup_list(actor=actor, plan=plan).filter(pk=data["signup"]).first()
            if signup is None:
                raise Http404
            return services.score_enter(actor=actor, signup=signup, theory=data["theory"], practice=data["practice"])

        ok = _done(request, score_form, save_score)
        if ok:
            messages.success(request, _("成绩已保存。"))
        else:
            for error in score_form.errors.values():
                messages.error(request, "；".join(str(e) for e in error))
        return ok
    if which in ("submit", "finalise", "sample"):
        try:
            if which == "submit":
                services.plan_submit(actor=actor, plan=plan)
                messages.success(request, _("成绩已报送。"))
            elif which == "finalise":
                services.plan_finalise(actor=actor, plan=plan)
                messages.success(request, _("认定结果已确定，并已记入技能等级认定记录。"))
            else:
                ids = [int(v) for v in request.POST.getlist("signup")[:5000] if v.isdigit() and len(v) < 12]
                services.plan_sample(actor=actor, plan=plan, signup_ids=ids)
                messages.success(request, _("已标记抽查考生。"))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return False
        return True
    if which == "decide":
        ok = _done(
            request,
            decision_form,
            lambda d: services.plan_sample_decide(actor=actor, plan=plan, confirm=d["confirm"], note=d["note"]),
        )
        if ok:
            messages.success(request, _("抽查结论已记录。"))
        return ok
    if which == "upload":
        return False
    raise Http404


def _upload(
    request: HttpRequest, actor: Actor, plan: AssessmentPlan, form: forms.ScoresUploadForm
) -> dict[str, Any] | None:
    if not allowed(actor, "assessment.plan.score", plan):
        raise PermissionDenied
    upload = request.FILES.get("file")
    refusal = upload_refusal(request, upload)
    if refusal:
        form.add_error("file", refusal)
        return None
    if not form.is_valid() or upload is None:
        return None
    report = scores_import(
        actor=actor, plan=plan, source=upload, filename=upload.name or "", dry_run=form.cleaned_data["dry_run"]
    )
    return report.as_dict() | {"dry_run": report.dry_run}


@page_for(ActorKind.EVALUATOR, ActorKind.SCHOOL, ActorKind.OPERATOR)
def scores_template(request: HttpRequest) -> HttpResponse:
    """The blank score sheet the import reads, for the bodies that score plans."""
    buffer = io.BytesIO()
    template_write(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="assessment-scores.xlsx"'
    return response


@page_for(ActorKind.BUREAU, ActorKind.OPERATOR)
def awards(request: HttpRequest) -> HttpResponse:
    """The bureau's list of world and national awards in its region, the level each confers, the
    filed bodies that may record it, and the certificate once the body has issued it."""
    actor = _actor(request)
    form = forms.ConferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":

        def confer(data: dict[str, Any]) -> object:
            award = selectors.award_get(actor=actor, award_id=data["award"])
            return services.award_confer(actor=actor, award=award, evaluator=_evaluator(data["evaluator_code"]))

        if _done(request, form, confer):
            messages.success(request, _("已据获奖直接认定等级，由评价机构签发证书。"))
            return redirect("assessment:awards")
        for errors in form.errors.values():
            messages.error(request, "；".join(str(e) for e in errors))
    page = CappedPaginator(selectors.award_list(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    conferred = [a.conferred.pk for a in page if _conferred(a) is not None]
    issued = dict(
        credentials.certificate_list(actor=actor)
        .filter(assessment_id__in=conferred)
        .values_list("assessment_id", "number")
    )
    today = clock.today()
    rows = []
    for award in page:
        rule = services.award_rule_for(award)
        assessment = _conferred(award)
        bodies = (
            list(credentials.filed_bodies_covering(award.occupation_code, rule.skill_level, today)[:50])
            if rule and award.occupation_code and assessment is None
            else []
        )
        certificate = issued.get(assessment.pk) if assessment else None
        rows.append(
            {"award": award, "rule": rule, "assessment": assessment, "bodies": bodies, "certificate": certificate}
        )
    return render(request, "assessment/awards.html", {"rows": rows, "page": page})


def _conferred(award: CompetitionAward) -> SkillAssessment | None:
    try:
        return award.conferred
    except SkillAssessment.DoesNotExist:
        return None


def _evaluator(code: str) -> Organisation:
    try:
        return directory.organisation_by_code(code=code.strip())
    except Http404 as exc:
        raise ValidationError({"evaluator_code": _("没有机构代码为“%(code)s”的单位。") % {"code": code[:32]}}) from exc
