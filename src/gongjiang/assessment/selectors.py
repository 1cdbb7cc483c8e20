"""Reads of level assessment, each scoped by the actor: a body sees its plans and their
candidates, a school its learners' sign-ups, a learner their own, the bureau its region; plans
open for sign-up are readable by all."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from gongjiang.assessment.models import AssessmentPlan, PlanStatus, SignUp
from gongjiang.core.actors import Actor
from gongjiang.core.scope import get_scoped_or_404, scoped
from gongjiang.registry import selectors as registry
from gongjiang.registry.models import CompetitionAward, CompetitionLevel


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


def award_list(*, actor: Actor) -> QuerySet[CompetitionAward]:
    """World and national awards in `actor`'s scope (those that may confer a level), newest first,
    with the level each conferred."""
    return (
        registry.award_list(actor=actor)
        .filter(level__in=[CompetitionLevel.WORLD, CompetitionLevel.NATIONAL])
        .select_related("conferred", "conferred__evaluator")
        .order_by("-awarded_on", "-pk")
    )


def award_get(*, actor: Actor, award_id: int) -> CompetitionAward:
    return get_scoped_or_404(award_list(actor=actor), actor, pk=award_id)
