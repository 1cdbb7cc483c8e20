"""Level assessment in the JSON API. Plans and sign-ups are fetched through the caller's scope
first, so another body's plan answers 404 exactly like one that does not exist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from gongjiang.assessment import selectors, services
from gongjiang.assessment.models import AssessmentPlan, SignUp
from gongjiang.core import clock
from gongjiang.core.api import Page, PageIn, actor_of, page_of, scoped_router
from gongjiang.core.masking import mask_id_number
from gongjiang.core.policies import allowed
from gongjiang.credentials import selectors as credentials
from gongjiang.directory import selectors as directory
from gongjiang.registry import selectors as registry
from gongjiang.registry.models import CompetitionAward, SkillAssessment

router = scoped_router(tags=["assessment"])


class PlanOut(Schema):
    id: int
    evaluator_code: str
    evaluator_name: str
    occupation_code: str
    occupation_name: str
    skill_level: int
    theory_on: dt.date
    practice_on: dt.date
    place: str
    capacity: int
    signup_opens: dt.date
    signup_closes: dt.date
    theory_pass: Decimal
    practice_pass: Decimal
    status: str


class PlanIn(Schema):
    evaluator: str = Field(max_length=32)
    occupation_code: str = Field(max_length=16)
    skill_level: int = Field(ge=1, le=5)
    theory_on: dt.date
    practice_on: dt.date
    place: str = Field(max_length=200)
    capacity: int = Field(ge=1, le=5000)
    signup_opens: dt.date
    signup_closes: dt.date
    theory_pass: Decimal = Field(Decimal(60), gt=0, le=100, decimal_places=1)
    practice_pass: Decimal = Field(Decimal(60), gt=0, le=100, decimal_places=1)


class SignUpOut(Schema):
    id: int
    plan_id: int
    name: str
    id_number: str
    school_code: str | None
    years_in_trade: Decimal
    theory_score: Decimal | None
    practice_score: Decimal | None
    sampled: bool
    result: str


class SelfSignUpIn(Schema):
    years_in_trade: Decimal = Field(ge=0, le=60, decimal_places=1)


class ClassSignUpIn(Schema):
    class_id: int = Field(ge=1)


class ScoresIn(Schema):
    theory_score: Decimal | None = Field(None, ge=0, le=100, decimal_places=1)
    practice_score: Decimal | None = Field(None, ge=0, le=100, decimal_places=1)


def _plan(p: AssessmentPlan) -> PlanOut:
    return PlanOut(
        id=p.pk, evaluator_code=p.evaluator.code, evaluator_name=p.evaluator.name, occupation_code=p.occupation_code,
        occupation_name=p.occupation_name, skill_level=p.skill_level, theory_on=p.theory_on, practice_on=p.practice_on,
        place=p.place, capacity=p.capacity, signup_opens=p.signup_opens, signup_closes=p.signup_closes,
        theory_pass=p.theory_pass, practice_pass=p.practice_pass, status=p.status,
    )  # fmt: skip


def _signup(s: SignUp, *, full: bool) -> SignUpOut:
    # Scores are shown to the body that enters them, and to everyone else once final; identity
    # numbers are masked for all (the body matches sheets by the numbers it already holds).
    scores = full or bool(s.result)
    return SignUpOut(
        id=s.pk, plan_id=s.plan_id, name=s.person.name,
        id_number=mask_id_number(s.person.id_number),
        school_code=s.school.code if s.school else None, years_in_trade=s.years_in_trade,
        theory_score=s.theory_score if scores else None, practice_score=s.practice_score if scores else None,
        sampled=s.sampled, result=s.result,
    )  # fmt: skip


class PlanFilter(Schema):
    status: str = Field("", max_length=16)


@router.get("/plans", response=list[PlanOut], summary="认定计划")
def plan_list(request: HttpRequest, params: Query[PlanFilter]) -> list[PlanOut]:
    return [_plan(p) for p in selectors.plan_list(actor=actor_of(request), status=params.status)[:1000]]


@router.post("/plans", response={201: PlanOut}, summary="发布认定计划")
def plan_publish(request: HttpRequest, payload: PlanIn) -> tuple[int, PlanOut]:
    actor = actor_of(request)
    data = payload.dict()
    evaluator = directory.organisation_get(actor=actor, code=data.pop("evaluator"))
    return 201, _plan(services.plan_publish(actor=actor, evaluator=evaluator, **data))


@router.get("/plans/{plan_id}", response=PlanOut, summary="认定计划详情")
def plan_get(request: HttpRequest, plan_id: int) -> PlanOut:
    return _plan(selectors.plan_get(actor=actor_of(request), plan_id=plan_id))


@router.get("/plans/{plan_id}/signups", response=list[SignUpOut], summary="计划的考生")
def plan_signups(request: HttpRequest, plan_id: int) -> list[SignUpOut]:
    actor = actor_of(request)
    plan = selectors.plan_get(actor=actor, plan_id=plan_id)
    full = allowed(actor, "assessment.plan.score", plan)
    return [_signup(s, full=full) for s in selectors.signup_list(actor=actor, plan=plan)[:5000]]


@router.post("/plans/{plan_id}/signups", response={201: SignUpOut}, summary="本人报名")
def signup_self(request: HttpRequest, plan_id: int, payload: SelfSignUpIn) -> tuple[int, SignUpOut]:
    actor = actor_of(request)
    plan = selectors.plan_get(actor=actor, plan_id=plan_id)
    person = directory.person_of(actor=actor) if actor.person_id else None
    if person is None:
        raise Http404
    signup = services.signup_self(actor=actor, plan=plan, person=person, years_in_trade=payload.years_in_trade)
    return 201, _signup(signup, full=False)


@router.post("/plans/{plan_id}/class-signups", response={201: list[SignUpOut]}, summary="按班级报名")
def signup_class(request: HttpRequest, plan_id: int, payload: ClassSignUpIn) -> tuple[int, list[SignUpOut]]:
    actor = actor_of(request)
    plan = selectors.plan_get(actor=actor, plan_id=plan_id)
    school_class = registry.class_list(actor=actor).filter(pk=payload.class_id).first()
    if school_class is None:
        raise Http404
    signups = services.signup_class(actor=actor, plan=plan, school_class=school_class)
    return 201, [_signup(s, full=False) for s in signups]


@router.get("/signups", response=list[SignUpOut], summary="报名与结果")
def signup_list(request: HttpRequest) -> list[SignUpOut]:
    actor = actor_of(request)
    return [
        _signup(s, full=allowed(actor, "assessment.plan.score", s.plan))
        for s in selectors.signup_list(actor=actor)[:5000]
    ]


@router.post("/signups/{signup_id}/scores", response=SignUpOut, summary="录入成绩")
def score_enter(request: HttpRequest, signup_id: int, payload: ScoresIn) -> SignUpOut:
    actor = actor_of(request)
    signup = selectors.signup_get(actor=actor, signup_id=signup_id)
    signup = services.score_enter(
        actor=actor, signup=signup, theory=payload.theory_score, practice=payload.practice_score
    )
    return _signup(signup, full=True)


class AwardOut(Schema):
    id: int
    name: str
    competition: str
    level: str
    rank: str
    awarded_on: dt.date
    occupation_code: str
    confers_level: int | None = Field(description="认定规则给出的等级；null 为不直接认定")
    assessment_id: int | None = Field(description="已认定时的认定记录；评价机构据此签发证书")
    evaluators: list[str] = Field(description="尚未认定时，今日备案覆盖该职业和等级、可记入认定的评价机构代码")


class ConferIn(Schema):
    evaluator: str = Field(max_length=32, description="记录认定的评价机构代码")


class ConferredOut(Schema):
    assessment_id: int
    award_id: int
    evaluator_code: str
    occupation_code: str
    skill_level: int
    assessed_on: dt.date


def _award(award: CompetitionAward) -> AwardOut:
    rule = services.award_rule_for(award)
    try:
        assessment: SkillAssessment | None = award.conferred
    except SkillAssessment.DoesNotExist:
        assessment = None
    evaluators = (
        list(
            credentials.filed_bodies_covering(award.occupation_code, rule.skill_level, clock.today()).values_list(
                "code", flat=True
            )[:50]
        )
        if rule and award.occupation_code and assessment is None
        else []
    )
    return AwardOut(
        id=award.pk, name=award.person.name, competition=award.competition, level=award.level, rank=award.rank,
        awarded_on=award.awarded_on, occupation_code=award.occupation_code,
        confers_level=rule.skill_level if rule else None, assessment_id=assessment.pk if assessment else None,
        evaluators=evaluators,
    )  # fmt: skip


@router.get("/awards", response=Page[AwardOut], summary="世界和国家级竞赛获奖及可直接认定的等级")
def award_list(request: HttpRequest, paging: Query[PageIn]) -> Page[AwardOut]:
    return page_of(selectors.award_list(actor=actor_of(request)), _award, paging)


@router.post("/awards/{award_id}/confer", response={201: ConferredOut}, summary="据获奖直接认定等级（辖区人社部门）")
def award_confer(request: HttpRequest, award_id: int, payload: ConferIn) -> tuple[int, ConferredOut]:
    actor = actor_of(request)
    award = selectors.award_get(actor=actor, award_id=award_id)
    try:
        evaluator = directory.organisation_by_code(code=payload.evaluator.strip())
    except Http404 as exc:
        raise ValidationError(
            {"evaluator": _("没有机构代码为“%(code)s”的单位。") % {"code": payload.evaluator[:32]}}
        ) from exc
    made = services.award_confer(actor=actor, award=award, evaluator=evaluator)
    return 201, ConferredOut(
        assessment_id=made.pk, award_id=award.pk, evaluator_code=evaluator.code,
        occupation_code=made.occupation_code, skill_level=made.skill_level, assessed_on=made.assessed_on,
    )  # fmt: skip
