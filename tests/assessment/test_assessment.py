"""Level assessment from plan to register: filing, sign-up rules, capacity, scores, sampling,
final results, and levels conferred by competition awards."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import override_settings

from gongjiang.assessment import selectors, services
from gongjiang.assessment.imports import scores_import
from gongjiang.assessment.models import AssessmentPlan, PlanStatus, SignUp
from gongjiang.core.actors import Actor
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry import services as registry
from gongjiang.registry.models import AssessmentBasis, Registration, SchoolClass, SkillAssessment
from tests.assessment.conftest import TODAY, WELDER
from tests.registry.test_registrations import approve_latest

EVALUATOR = "u-v150000001"


def enrol(actor_of: Callable[[str], Actor], school_class: SchoolClass, person: Person) -> Registration:
    registration = registry.registration_create(
        actor=actor_of("school"), school_class=school_class, person=person,
        enrolled_on=dt.date(school_class.cohort_year, 9, 1),
    )  # fmt: skip
    approve_latest(actor_of, registration)
    return registration


def sat(plan: AssessmentPlan) -> AssessmentPlan:
    """Move the plan's dates into the past, as if the sitting had happened (time passing, not a
    change anyone makes)."""
    AssessmentPlan.objects.filter(pk=plan.pk).update(
        signup_opens=TODAY - dt.timedelta(days=40), signup_closes=TODAY - dt.timedelta(days=30),
        theory_on=TODAY - dt.timedelta(days=10), practice_on=TODAY - dt.timedelta(days=9),
    )  # fmt: skip
    plan.refresh_from_db()
    return plan


def test_a_plan_outside_the_filing_is_refused(
    publish: Callable[..., AssessmentPlan], actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    with pytest.raises(ValidationError, match="未备案评价"):
        publish(skill_level=1)  # filed only up to 技师
    with pytest.raises(ValidationError, match="未备案评价"):
        publish(occupation_code="6-18-01-07")
    with pytest.raises(PermissionDenied):
        services.plan_publish(
            actor=actor_of("school"), evaluator=world["evaluator"], occupation_code=WELDER, skill_level=3,
            theory_on=TODAY + dt.timedelta(days=20), practice_on=TODAY + dt.timedelta(days=20), place="某地",
            capacity=10, signup_opens=TODAY, signup_closes=TODAY + dt.timedelta(days=5),
        )  # fmt: skip
    plan = publish()
    assert plan.occupation_name and plan.status == PlanStatus.OPEN
    # Open plans are a public notice; another body's clerk sees them too, but cannot score them.
    assert selectors.plan_list(actor=actor_of("student")).filter(pk=plan.pk).exists()
    assert selectors.plan_list(actor=actor_of("school2")).filter(pk=plan.pk).exists()


def test_self_signup_follows_the_rules_and_says_why_not(
    publish: Callable[..., AssessmentPlan], actor_of: Callable[[str], Actor], filed: Organisation
) -> None:
    learner = actor_of("student")
    person = Person.objects.get(pk=learner.person_id)
    plan = publish(skill_level=4)
    with pytest.raises(ValidationError) as refused:
        services.signup_self(actor=learner, plan=plan, person=person, years_in_trade=Decimal(2))
    message = refused.value.messages[0]
    assert (
        "不符合中级工的申报条件" in message and "从事本职业满6年" in message and "申报的从事本职业年限为2年" in message
    )
    # A 初级工 certificate in the trade and four years make them eligible.
    registry.assessment_record(
        actor=actor_of(EVALUATOR), evaluator=filed, person=person, occupation_code=WELDER, skill_level=5,
        assessed_on=TODAY - dt.timedelta(days=900), result="passed", certificate_no="S-1",
    )  # fmt: skip
    signup = services.signup_self(actor=learner, plan=plan, person=person, years_in_trade=Decimal(4))
    assert signup.years_in_trade == 4
    with pytest.raises(ValidationError, match="已报名"):
        services.signup_self(actor=learner, plan=plan, person=person, years_in_trade=Decimal(4))
    # Someone else cannot sign the learner up, and another learner cannot see the sign-up.
    with pytest.raises(PermissionDenied):
        services.signup_self(actor=actor_of("school"), plan=plan, person=person, years_in_trade=Decimal(4))
    assert selectors.signup_list(actor=learner).filter(pk=signup.pk).exists()
    assert not selectors.signup_list(actor=actor_of("school2")).filter(pk=signup.pk).exists()


def test_a_class_signs_up_all_or_nothing_with_each_refusal_named(
    publish: Callable[..., AssessmentPlan],
    actor_of: Callable[[str], Actor],
    senior_class: SchoolClass,
    new_person: Callable[..., Person],
) -> None:
    clerk = actor_of("school")
    people = [new_person(name=name, birth=dt.date(2006, 3, i + 1)) for i, name in enumerate(["甲", "乙", "丙"])]
    for person in people:
        enrol(actor_of, senior_class, person)
    # 技师 needs a 预备技师 class or 高级工 and four years: everyone is refused, by name.
    with pytest.raises(ValidationError) as refused:
        services.signup_class(actor=clerk, plan=publish(skill_level=2), school_class=senior_class)
    assert len(refused.value.messages) == 3
    assert all("不符合技师的申报条件" in m for m in refused.value.messages)
    assert refused.value.messages[0].startswith("丙（")  # ordered by name, the number masked
    assert "*" in refused.value.messages[0]
    # Too small a plan refuses the whole class, naming the numbers.
    with pytest.raises(ValidationError, match="名额已满：共2人，已报0人，本次3人"):
        services.signup_class(actor=clerk, plan=publish(capacity=2), school_class=senior_class)
    assert not SignUp.objects.filter(person__in=people).exists()
    # 高级工 in the final year of a 高级工班: all three.
    plan = publish()
    signups = services.signup_class(actor=clerk, plan=plan, school_class=senior_class)
    assert len(signups) == 3 and all(s.school_id == senior_class.school_id for s in signups)
    with pytest.raises(PermissionDenied):
        services.signup_class(actor=actor_of("school2"), plan=plan, school_class=senior_class)


def test_scores_sampling_and_final_results_reach_the_register(
    publish: Callable[..., AssessmentPlan],
    actor_of: Callable[[str], Actor],
    senior_class: SchoolClass,
    new_person: Callable[..., Person],
) -> None:
    body, bureau = actor_of(EVALUATOR), actor_of("bureau")
    people = [new_person(name=name, birth=dt.date(2006, 4, i + 1)) for i, name in enumerate(["赵", "钱", "孙"])]
    for person in people:
        enrol(actor_of, senior_class, person)
    plan = publish(theory_pass=Decimal(60), practice_pass=Decimal(70))
    by_name = {
        s.person.name: s for s in services.signup_class(actor=actor_of("school"), plan=plan, school_class=senior_class)
    }
    zhao, qian, sun = by_name["赵"], by_name["钱"], by_name["孙"]
    with pytest.raises(ValidationError, match="尚未举行"):
        services.score_enter(actor=body, signup=zhao, theory="80", practice="80")
    plan = sat(plan)
    with pytest.raises(ValidationError, match="超出0到100"):
        services.score_enter(actor=body, signup=zhao, theory="101", practice="80")
    with pytest.raises(PermissionDenied):
        services.score_enter(actor=actor_of("school"), signup=zhao, theory="80", practice="80")
    services.score_enter(actor=body, signup=zhao, theory="80", practice="75.5")
    services.score_enter(actor=body, signup=qian, theory="90", practice="65")  # below the plan's 70
    plan = services.plan_submit(actor=body, plan=plan)
    with pytest.raises(ValidationError, match="不能修改"):
        services.score_enter(actor=body, signup=qian, theory="90", practice="75")
    with pytest.raises(ValidationError, match="期满或抽查通过"):
        services.plan_finalise(actor=body, plan=plan)
    # The bureau samples, sends back with a reason, the body corrects and resubmits.
    with pytest.raises(PermissionDenied):
        services.plan_sample(actor=actor_of("u-bur-150400"), plan=plan, signup_ids=[qian.pk])
    plan = services.plan_sample(actor=bureau, plan=plan, signup_ids=[qian.pk])
    with pytest.raises(ValidationError, match="说明原因"):
        services.plan_sample_decide(actor=bureau, plan=plan, confirm=False)
    plan = services.plan_sample_decide(actor=bureau, plan=plan, confirm=False, note="实操评分表与成绩不符")
    assert plan.status == PlanStatus.RETURNED
    services.score_enter(actor=body, signup=qian, theory="90", practice="72")
    plan = services.plan_submit(actor=body, plan=plan)
    plan = services.plan_sample(actor=bureau, plan=plan, signup_ids=[qian.pk])
    plan = services.plan_sample_decide(actor=bureau, plan=plan, confirm=True)
    plan = services.plan_finalise(actor=body, plan=plan)
    assert plan.status == PlanStatus.FINAL
    results = {s.person.name: s for s in selectors.signup_list(actor=body, plan=plan)}
    assert [results[n].result for n in ("赵", "钱", "孙")] == ["passed", "passed", "absent"]
    recorded = SkillAssessment.objects.filter(person__in=people)
    assert recorded.count() == 2 and {a.basis for a in recorded} == {AssessmentBasis.PLAN}
    assert results["赵"].skill_assessment is not None and results["赵"].skill_assessment.certificate_no == ""
    assert sun.pk and results["孙"].skill_assessment is None
    # The school reads its learners' results; another school reads nothing of them.
    assert selectors.signup_list(actor=actor_of("school")).filter(plan=plan).count() == 3
    assert not selectors.signup_list(actor=actor_of("school2")).filter(plan=plan).exists()


@override_settings(GONGJIANG_ASSESSMENT_SAMPLING_DAYS=0)
def test_unsampled_results_become_final_after_the_sampling_time_and_imports_are_all_or_nothing(
    publish: Callable[..., AssessmentPlan],
    actor_of: Callable[[str], Actor],
    senior_class: SchoolClass,
    new_person: Callable[..., Person],
) -> None:
    body = actor_of(EVALUATOR)
    people = [new_person(name=name, birth=dt.date(2006, 5, i + 1)) for i, name in enumerate(["周", "吴"])]
    for person in people:
        enrol(actor_of, senior_class, person)
    plan = publish()
    services.signup_class(actor=actor_of("school"), plan=plan, school_class=senior_class)
    plan = sat(plan)

    def sheet(rows: list[list[object]]) -> io.BytesIO:
        book = openpyxl.Workbook()
        book.active.append(["身份证号", "姓名", "理论成绩", "实操成绩"])
        for row in rows:
            book.active.append(row)
        out = io.BytesIO()
        book.save(out)
        out.seek(0)
        return out

    zhou, wu = people
    bad = scores_import(
        actor=body, plan=plan, source=sheet([[zhou.id_number, "周", 88, 77], [wu.id_number, "吴", 50, 130]]),
        filename="scores.xlsx",
    )  # fmt: skip
    assert [(e.row, e.column) for e in bad.errors] == [(3, "实操成绩")] and "超出0到100" in bad.errors[0].message
    assert not SignUp.objects.filter(plan=plan, theory_score__isnull=False).exists()
    stranger = scores_import(
        actor=body, plan=plan, source=sheet([["150102200601010011", "某", 60, 60]]), filename="scores.xlsx"
    )
    assert stranger.errors and "未报名" in stranger.errors[0].message
    good = scores_import(
        actor=body, plan=plan, source=sheet([[zhou.id_number, "周", 88, 77], [wu.id_number, "吴", 50, 90]]),
        filename="scores.xlsx",
    )  # fmt: skip
    assert not good.errors and good.updated == 2
    services.plan_submit(actor=body, plan=plan)
    plan = services.plan_finalise(actor=body, plan=plan)
    outcomes = dict(SignUp.objects.filter(plan=plan).values_list("person__name", "result"))
    assert outcomes == {"周": "passed", "吴": "failed"}
    with pytest.raises(Http404):
        selectors.plan_get(actor=actor_of("school2"), plan_id=plan.pk)  # no longer open: not theirs


def test_world_and_national_medals_confer_a_level_once(
    actor_of: Callable[[str], Actor],
    world: dict[str, Organisation],
    filed: Organisation,
    new_person: Callable[..., Person],
) -> None:
    bureau, clerk = actor_of("bureau"), actor_of("school")
    winner = new_person(name="冠军", birth=dt.date(2003, 1, 1))
    medal = registry.award_record(
        actor=clerk, recorded_by=world["school"], person=winner, competition="中华人民共和国职业技能大赛",
        level="national", rank="金牌", awarded_on=TODAY - dt.timedelta(days=30), occupation_code=WELDER,
    )  # fmt: skip
    third = registry.award_record(
        actor=clerk, recorded_by=world["school"], person=winner, competition="内蒙古自治区职业技能大赛",
        level="provincial", rank="一等奖", awarded_on=TODAY - dt.timedelta(days=30), occupation_code=WELDER,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="不属于可直接认定等级的奖项"):
        services.award_confer(actor=bureau, award=third, evaluator=filed)
    with pytest.raises(PermissionDenied):
        services.award_confer(actor=clerk, award=medal, evaluator=filed)
    with pytest.raises(ValidationError, match="未备案评价"):
        services.award_confer(actor=bureau, award=medal, evaluator=world["school"])
    conferred = services.award_confer(actor=bureau, award=medal, evaluator=filed)
    assert (conferred.skill_level, conferred.basis, conferred.award_id) == (2, AssessmentBasis.AWARD, medal.pk)
    with pytest.raises(ValidationError, match="请勿重复认定"):
        services.award_confer(actor=bureau, award=medal, evaluator=filed)
