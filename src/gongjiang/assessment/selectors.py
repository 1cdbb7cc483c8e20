"""Reads of level assessment, each scoped by the actor: a body sees its plans and their
candidates, a school its learners' sign-ups, a learner their own, the bureau its region; plans
open for sign-up are readable by all."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from gongjiang.assessment.models import AssessmentPlan, PlanStatus, SignUp
from gongjiang.core.actors import Actor
from gongjiang.core.scope import get_scoped_or_404, scoped


def plan_list(*, actor: Actor, status: str = "") -> QuerySet[AssessmentPlan]:
    plans = scoped(AssessmentPlan.objects.select_related("evaluator"), actor).annotate(taken=Count("signups"))
    if status in PlanStatus.values:
        plans = plans.filter(status=status)
    return plans


def plan_get(*, actor: Actor, plan_id: int) -> AssessmentPlan:
    return get_scoped_or_404(AssessmentPlan.objects.select_related("evaluator"), actor, pk=plan_id)


def signup_list(*, actor: Actor, plan: AssessmentPlan | None = None) -> QuerySet[SignUp]:
    signups = scoped(
        SignUp.objects.select_related("plan", "plan__evaluator", "person", "school", "registration__school_class"),
        actor,
    )
    if plan is not None:
        signups = signups.filter(plan=plan)
    return signups.order_by("plan", "person__name", "pk")


def signup_get(*, actor: Actor, signup_id: int) -> SignUp:
    return get_scoped_or_404(SignUp.objects.select_related("plan", "plan__evaluator", "person"), actor, pk=signup_id)
