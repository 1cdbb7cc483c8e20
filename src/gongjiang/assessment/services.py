"""Writes of level assessment: publishing plans inside a filing, signing up (a candidate, or a
school's class all or nothing), scores, the bureau's sampling, final results into the register,
and levels conferred on competition winners (ADR 0027)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongjiang.assessment import eligibility
from gongjiang.assessment import policies as _policies  # noqa: F401  (registers the rules)
from gongjiang.assessment.models import (
    SCORING_STATUSES,
    AssessmentPlan,
    AwardRule,
    PlanStatus,
    SignUp,
    SignUpResult,
)
from gongjiang.core import audit, clock
from gongjiang.core.actors import Actor, on_behalf
from gongjiang.core.masking import mask_id_number
from gongjiang.core.policies import require
from gongjiang.credentials import selectors as credentials
from gongjiang.directory.models import Organisation, Person
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concept_get
from gongjiang.registry import selectors as registry
from gongjiang.registry import services as register
from gongjiang.registry.models import CompetitionAward, RegistrationStatus, SchoolClass, SkillAssessment, SkillLevel

MAX_CAPACITY = 5_000
MAX_YEARS = Decimal(60)
SCORE_MAX = Decimal(100)


def _save(actor: Actor, action: str, obj: Any, owner: Organisation, before: dict[str, Any] | None = None) -> None:
    obj.save()
    audit.record(actor=actor, action=action, entity=obj, before=before, after=audit.snapshot(obj), owner=owner)


def _filed(evaluator: Organisation, occupation_code: str, skill_level: int, on_date: dt.date) -> None:
    if credentials.filing_covers(evaluator, occupation_code, skill_level, on_date) is None:
        raise ValidationError(
            {
                "occupation_code": _("“%(name)s”未备案评价%(occupation)s的%(level)s（%(date)s），不能发布或认定。")
                % {
                    "name": evaluator.name,
                    "occupation": occupation_code,
                    "level": SkillLevel(skill_level).label,
                    "date": on_date.isoformat(),
                }
            }
        )


def _locked(plan: AssessmentPlan) -> AssessmentPlan:
    return AssessmentPlan.objects.select_for_update().select_related("evaluator").get(pk=plan.pk)


# -- plans ----------------------------------------------------------------------------------


def plan_publish(
    *,
    actor: Actor,
    evaluator: Organisation,
    occupation_code: str,
    skill_level: int,
    theory_on: dt.date,
    practice_on: dt.date,
    place: str,
    capacity: int,
    signup_opens: dt.date,
    signup_closes: dt.date,
    theory_pass: Decimal = Decimal(60),
    practice_pass: Decimal = Decimal(60),
) -> AssessmentPlan:
    require(actor, "assessment.plan.publish", evaluator)
    if skill_level not in SkillLevel.values:
        raise ValidationError({"skill_level": _("技能等级应为1（高级技师）到5（初级工）。")})
    occupation = concept_get(Scheme.OCCUPATION, occupation_code.strip())
    if occupation is None:
        raise ValidationError(
            {"occupation_code": _("职业代码“%(code)s”不在职业分类大典中。") % {"code": occupation_code}}
        )
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationError({"capacity": _("名额应在1到%(max)s之间。") % {"max": MAX_CAPACITY}})
    if signup_closes < signup_opens:
        raise ValidationError({"signup_closes": _("报名截止日期不能早于报名开始日期。")})
    if theory_on <= signup_closes:
        raise ValidationError({"theory_on": _("理论考试应在报名截止之后。")})
    if practice_on < theory_on:
        raise ValidationError({"practice_on": _("实操考核不能早于理论考试。")})
    for field, mark in (("theory_pass", theory_pass), ("practice_pass", practice_pass)):
        if not Decimal(0) < mark <= SCORE_MAX:
            raise ValidationError({field: _("合格分应在0到100之间。")})
    if not place.strip():
        raise ValidationError({"place": _("请填写考核地点。")})
    # The filing must cover the days the candidates are assessed, not only the day of publishing.
    _filed(evaluator, occupation.code, skill_level, theory_on)
    _filed(evaluator, occupation.code, skill_level, practice_on)
    plan = AssessmentPlan(
        evaluator=evaluator, occupation_code=occupation.code, occupation_name=occupation.name,
        skill_level=skill_level, theory_on=theory_on, practice_on=practice_on, place=place.strip(),
        capacity=capacity, signup_opens=signup_opens, signup_closes=signup_closes,
        theory_pass=theory_pass, practice_pass=practice_pass,
    )  # fmt: skip
    with transaction.atomic():
        _save(actor, "assessment.plan.publish", plan, evaluator)
    return plan


# -- sign-up --------------------------------------------------------------------------------


def _open_for_signup(plan: AssessmentPlan, extra: int) -> None:
    today = clock.today()
    if plan.status != PlanStatus.OPEN or not plan.signup_opens <= today <= plan.signup_closes:
        raise ValidationError(
            _("“%(plan)s”的报名时间为%(opens)s至%(closes)s，现在不能报名。")
            % {"plan": plan, "opens": plan.signup_opens, "closes": plan.signup_closes}
        )
    taken = plan.signups.count()
    if taken + extra > plan.capacity:
        raise ValidationError(
            _("“%(plan)s”名额已满：共%(capacity)s人，已报%(taken)s人，本次%(extra)s人。")
            % {"plan": plan, "capacity": plan.capacity, "taken": taken, "extra": extra}
        )


def signup_self(*, actor: Actor, plan: AssessmentPlan, person: Person, years_in_trade: Decimal) -> SignUp:
    """A candidate signs up for themselves, declaring their years in the trade (checked by the
    evaluation body against their papers at the sitting); a class they study in counts too."""
    require(actor, "assessment.signup.self", person)
    if not Decimal(0) <= years_in_trade <= MAX_YEARS:
        raise ValidationError({"years_in_trade": _("从事本职业年限应在0到60年之间。")})
    with transaction.atomic():
        plan = _locked(plan)
        if plan.signups.filter(person=person).exists():
            raise ValidationError(_("您已报名该计划。"))
        _open_for_signup(plan, 1)
        best = registry.best_levels(person_ids=[person.pk], occupation_code=plan.occupation_code).get(person.pk)
        registrations = registry.registration_list(actor=actor, status=RegistrationStatus.ENROLLED)
        rules = eligibility.rules_for(plan)
        # Any of the learner's enrolled classes may qualify them; the first that does is kept.
        chosen, reason = None, ""
        for registration in [*registrations, None]:
            who = eligibility.candidate_of(registration, best, years_in_trade, plan.theory_on)
            reason = eligibility.refusal(plan, who, rules)
            if not reason:
                chosen = registration
                break
        if reason:
            raise ValidationError(reason)
        signup = SignUp(
            plan=plan, person=person, registration=chosen, school=chosen.school if chosen else None,
            years_in_trade=years_in_trade,
        )  # fmt: skip
        _save(actor, "assessment.signup.self", signup, plan.evaluator)
    return signup


def signup_class(*, actor: Actor, plan: AssessmentPlan, school_class: SchoolClass) -> list[SignUp]:
    """A school signs up every enrolled learner of a class, all or nothing: when any learner
    cannot sit, nobody is signed up and each refused learner is named with the reason."""
    require(actor, "assessment.signup.class", school_class.school)
    with transaction.atomic():
        plan = _locked(plan)
        registrations = list(
            registry.registration_list(
                actor=actor, school_id=school_class.school_id, status=RegistrationStatus.ENROLLED
            )
            .filter(school_class=school_class)
            .order_by("person__name", "pk")
        )
        if not registrations:
            raise ValidationError(_("“%(name)s”没有注册在籍的学生。") % {"name": school_class.name})
        _open_for_signup(plan, len(registrations))
        people = [r.person_id for r in registrations]
        best = registry.best_levels(person_ids=people, occupation_code=plan.occupation_code)
        already = set(plan.signups.filter(person_id__in=people).values_list("person_id", flat=True))
        rules = eligibility.rules_for(plan)
        refused = []
        for registration in registrations:
            person = registration.person
            named = f"{person.name}（{mask_id_number(person.id_number)}）"
            if person.pk in already:
                refused.append(_("%(who)s：已报名该计划") % {"who": named})
                continue
            who = eligibility.candidate_of(registration, best.get(person.pk), Decimal(0), plan.theory_on)
            reason = eligibility.refusal(plan, who, rules)
            if reason:
                refused.append(_("%(who)s：%(reason)s") % {"who": named, "reason": reason})
        if refused:
            raise ValidationError(refused)
        signups = []
        for registration in registrations:
            signup = SignUp(
                plan=plan, person=registration.person, registration=registration, school=school_class.school
            )
            _save(actor, "assessment.signup.class", signup, plan.evaluator)
            signups.append(signup)
    return signups


# -- scores ---------------------------------------------------------------------------------


def score(value: Any, field: str) -> Decimal | None:
    """A score as typed (blank for not sat), 0 to 100 with at most one decimal."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValidationError({field: _("成绩“%(value)s”不是数字。") % {"value": str(value)[:20]}}) from exc
    if not number.is_finite() or not Decimal(0) <= number <= SCORE_MAX:
        raise ValidationError({field: _("成绩%(value)s超出0到100的范围。") % {"value": str(value)[:20]}})
    if number != number.quantize(Decimal("0.1")):
        raise ValidationError({field: _("成绩最多保留一位小数。")})
    return number


def score_enter(*, actor: Actor, signup: SignUp, theory: Any, practice: Any) -> SignUp:
    """Theory and practice scores of one candidate, blank for a part not sat."""
    require(actor, "assessment.plan.score", signup.plan)
    theory_score, practice_score = score(theory, "theory_score"), score(practice, "practice_score")
    with transaction.atomic():
        plan = _locked(signup.plan)
        if plan.status not in SCORING_STATUSES:
            raise ValidationError(_("成绩已报送，不能修改；抽查退回后方可更正。"))
        if plan.theory_on > clock.today():
            raise ValidationError(_("理论考试（%(date)s）尚未举行，不能录入成绩。") % {"date": plan.theory_on})
        signup = SignUp.objects.select_for_update().get(pk=signup.pk)
        before = audit.snapshot(signup)
        if (signup.theory_score, signup.practice_score) == (theory_score, practice_score):
            return signup
        signup.theory_score, signup.practice_score = theory_score, practice_score
        signup.version += 1
        _save(actor, "assessment.score.enter", signup, plan.evaluator, before)
    return signup


# -- submission, sampling, final results -----------------------------------------------------


def sampling_days() -> int:
    """How long the bureau has to sample submitted results before the body may finalise them."""
    return int(getattr(settings, "GONGJIANG_ASSESSMENT_SAMPLING_DAYS", 5))


def _transition(actor: Actor, plan: AssessmentPlan, action: str, **changes: Any) -> AssessmentPlan:
    before = audit.snapshot(plan)
    for name, value in changes.items():
        setattr(plan, name, value)
    plan.version += 1
    _save(actor, action, plan, plan.evaluator, before)
    return plan


def plan_submit(*, actor: Actor, plan: AssessmentPlan) -> AssessmentPlan:
    """The body reports the scores; from now on the bureau may sample them."""
    require(actor, "assessment.plan.score", plan)
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status not in SCORING_STATUSES:
            raise ValidationError(_("该计划的成绩已报送。"))
        if plan.practice_on > clock.today():
            raise ValidationError(_("实操考核（%(date)s）尚未举行，不能报送成绩。") % {"date": plan.practice_on})
        if not plan.signups.filter(theory_score__isnull=False).exists():
            raise ValidationError(_("尚未录入任何成绩。"))
        return _transition(actor, plan, "assessment.plan.submit", status=PlanStatus.SUBMITTED, submitted_at=clock.now())


def plan_sample(*, actor: Actor, plan: AssessmentPlan, signup_ids: Sequence[int]) -> AssessmentPlan:
    """The bureau marks the candidates whose papers it will check."""
    require(actor, "assessment.plan.sample", plan)
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status != PlanStatus.SUBMITTED:
            raise ValidationError(_("只能抽查已报送、尚未确定的成绩。"))
        chosen = list(plan.signups.filter(pk__in=list(signup_ids)[:MAX_CAPACITY]))
        if not chosen:
            raise ValidationError({"signups": _("请至少选择一名考生。")})
        for signup in chosen:
            before = audit.snapshot(signup)
            signup.sampled = True
            _save(actor, "assessment.signup.sample", signup, plan.evaluator, before)
        return _transition(
            actor, plan, "assessment.plan.sample", status=PlanStatus.SAMPLED, sampled_by_id=actor.user_id
        )


def plan_sample_decide(*, actor: Actor, plan: AssessmentPlan, confirm: bool, note: str = "") -> AssessmentPlan:
    """The bureau confirms the sample (the results may be finalised) or sends the scores back to
    be corrected, saying why."""
    require(actor, "assessment.plan.sample", plan)
    note = note.strip()
    if not confirm and not note:
        raise ValidationError({"note": _("退回须说明原因。")})
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status != PlanStatus.SAMPLED:
            raise ValidationError(_("该计划没有待处理的抽查。"))
        status = PlanStatus.CONFIRMED if confirm else PlanStatus.RETURNED
        return _transition(actor, plan, "assessment.plan.sample_decide", status=status, sample_note=note)


def plan_finalise(*, actor: Actor, plan: AssessmentPlan) -> AssessmentPlan:
    """Results become final and go to the register: a `registry.SkillAssessment` for every
    candidate who sat (passed or not), linked from the sign-up; the absent are recorded as such
    here only. Allowed once the bureau confirmed a sample, or when its sampling time passed
    without one."""
    require(actor, "assessment.plan.score", plan)
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status == PlanStatus.SUBMITTED:
            assert plan.submitted_at is not None
            waited = clock.now() - plan.submitted_at
            if waited < dt.timedelta(days=sampling_days()):
                raise ValidationError(
                    _("成绩报送后%(days)s天内人社部门可抽查，期满或抽查通过后方可确定结果。")
                    % {"days": sampling_days()}
                )
        elif plan.status != PlanStatus.CONFIRMED:
            raise ValidationError(_("该计划的成绩尚未报送或正在抽查，不能确定结果。"))
        _filed(plan.evaluator, plan.occupation_code, plan.skill_level, plan.practice_on)
        signups = list(plan.signups.select_for_update().select_related("person").order_by("pk"))
        sat, befores = [], {s.pk: audit.snapshot(s) for s in signups}
        for signup in signups:
            if signup.theory_score is None or signup.practice_score is None:
                signup.result = SignUpResult.ABSENT
            else:
                passed = signup.theory_score >= plan.theory_pass and signup.practice_score >= plan.practice_pass
                signup.result = SignUpResult.PASSED if passed else SignUpResult.FAILED
                sat.append(signup)
            signup.version += 1
        recorded = register.assessment_results_record(
            actor=on_behalf(actor, _("认定计划确定结果")),
            evaluator=plan.evaluator,
            occupation_code=plan.occupation_code,
            skill_level=plan.skill_level,
            assessed_on=plan.practice_on,
            outcomes=[(s.person, s.result == SignUpResult.PASSED) for s in sat],
        )
        for signup, assessment in zip(sat, recorded, strict=True):
            signup.skill_assessment = assessment
        # Saved once the register's records exist to link.
        for signup in signups:
            _save(actor, "assessment.signup.result", signup, plan.evaluator, befores[signup.pk])
        return _transition(actor, plan, "assessment.plan.finalise", status=PlanStatus.FINAL)


# -- competition awards ---------------------------------------------------------------------


def award_rule_for(award: CompetitionAward) -> AwardRule | None:
    """The rule in force on the day of the award that makes its rank confer a level, if any."""
    rules = AwardRule.objects.filter(competition_level=award.level, effective_from__lte=award.awarded_on)
    for rule in rules.order_by("skill_level"):
        if (rule.effective_until is None or rule.effective_until > award.awarded_on) and award.rank in rule.ranks:
            return rule
    return None


def award_confer(*, actor: Actor, award: CompetitionAward, evaluator: Organisation) -> SkillAssessment:
    """The bureau confers the level a world or national award gives (rule as data), recorded by a
    filed evaluation body for the occupation and level, with the award as its evidence."""
    require(actor, "assessment.award.confer", award)
    rule = award_rule_for(award)
    if rule is None:
        raise ValidationError(
            {
                "award": _("“%(competition)s %(rank)s”不属于可直接认定等级的奖项。")
                % {"competition": award.competition, "rank": award.rank}
            }
        )
    today = clock.today()
    with transaction.atomic():
        if not award.occupation_code:
            raise ValidationError({"award": _("该获奖记录未登记职业代码，无法据以认定等级。")})
        _filed(evaluator, award.occupation_code, rule.skill_level, today)
        return register.assessment_confer(
            actor=on_behalf(actor, _("竞赛获奖直接认定")),
            evaluator=evaluator,
            award=award,
            skill_level=rule.skill_level,
            assessed_on=today,
        )
