"""The demo's assessment plans (issue 17 item 8), run through the services on the days each step
happened (`core.clock.pinned`): the filed evaluation body and the first school, filed for its own
learners, each publish a plan for a class of the school; the school signs the class up, people of
the region sign up themselves (one is refused, with the reasons), the body enters scores (passes,
fails, one absent), the bureau samples them (the school's are sent back once and corrected),
results go to the register and the body issues the certificates."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models.functions import Substr

from gongjiang.assessment import services as assessment
from gongjiang.assessment.models import AssessmentPlan, SignUp, SignUpResult
from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.core.scope import ActorKind
from gongjiang.credentials.selectors import filing_covers
from gongjiang.credentials.services import certificates as issuing
from gongjiang.directory.models import Organisation, Person, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import crosswalk_targets
from gongjiang.registry.models import ClassLevel, Registration, RegistrationStatus, SchoolClass

# The level a class's learners sit without years in the trade (the national rules: 中级工班 may sit
# 初级工, 高级工班 中级工), and the years a candidate outside school declares to qualify for it.
PLAN_LEVEL = {ClassLevel.INTERMEDIATE: 5, ClassLevel.SENIOR: 4}
YEARS_NEEDED = {5: 1, 4: 6}
SELF_SIGNUPS = 4
CLASS_SIZE = (5, 60)


@dataclass
class PlanCounts:
    plans: int = 0
    signups: int = 0
    passed: int = 0
    failed: int = 0
    absent: int = 0
    sampled: int = 0
    certificates: int = 0
    refusals: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Days:
    """The plan's calendar, counted back from today."""

    today: dt.date

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)


def _staff_of(organisation: Organisation) -> Actor:
    user = User.objects.filter(memberships__organisation=organisation).order_by("pk").first()
    if user is None:
        raise RuntimeError(f"{organisation.code} has no account to act with")
    return actor_for_user(user)


def _learner(person: Person) -> Actor:
    # Most people of the region have no account yet; they act as the learner they are.
    return Actor(kind=ActorKind.LEARNER, username=f"person:{person.pk}", person_id=person.pk)


def _class_for(
    body: Organisation, school: Organisation, days: _Days, taken: set[int]
) -> tuple[SchoolClass, str, int] | None:
    """A class of the school in session, of a size a sitting takes, with an occupation of its major
    the body is filed for at the level its learners may sit."""
    classes = SchoolClass.objects.filter(school=school, class_level__in=list(PLAN_LEVEL)).select_related("offering")
    for school_class in classes.order_by("-cohort_year", "pk"):
        if school_class.pk in taken:
            continue
        enrolled = Registration.objects.filter(school_class=school_class, status=RegistrationStatus.ENROLLED).count()
        if not CLASS_SIZE[0] <= enrolled <= CLASS_SIZE[1]:
            continue
        level = PLAN_LEVEL[ClassLevel(school_class.class_level)]
        for code in crosswalk_targets(Scheme.MAJOR_OCCUPATION, school_class.offering.major_code):
            if filing_covers(body, code, level, days.ago(30)) and filing_covers(body, code, level, days.ago(29)):
                return school_class, code, level
    return None


def _outsiders(rng: random.Random, count: int, year: int) -> list[Person]:
    """Adults of the region in no school: people who sign up on their own, with years in the trade."""
    # Born 26 years or more ago (the birth year is digits 7-10 of the number), chosen in the
    # database: at larger scales the first few hundred people are all young graduates.
    adults = list(
        Person.objects.exclude(registrations__status=RegistrationStatus.ENROLLED)
        .filter(account__isnull=True)
        .annotate(born=Substr("id_number", 7, 4))
        .filter(born__lte=str(year - 26), born__gte="1940")
        .order_by("pk")[:400]
    )
    return rng.sample(adults, min(count, len(adults)))


def _score(rng: random.Random, passing: bool) -> tuple[Decimal, Decimal]:
    if passing:
        return Decimal(rng.randint(62, 96)), Decimal(rng.randint(120, 190)) / 2
    # A fail in one part at least: the other may well pass.
    return Decimal(rng.randint(38, 58)), Decimal(rng.randint(100, 170)) / 2


def _run_plan(
    *, bureau: Actor, body: Organisation, school: Organisation, school_class: SchoolClass, occupation: str,
    level: int, rng: random.Random, days: _Days, send_back: bool, counts: PlanCounts,
) -> AssessmentPlan:  # fmt: skip
    clerk, registrar = _staff_of(body), _staff_of(school)
    with clock.pinned(days.ago(62)):
        plan = assessment.plan_publish(
            actor=clerk, evaluator=body, occupation_code=occupation, skill_level=level,
            theory_on=days.ago(30), practice_on=days.ago(29), place=f"{body.name}考核基地", capacity=80,
            signup_opens=days.ago(60), signup_closes=days.ago(40),
        )  # fmt: skip
    with clock.pinned(days.ago(55)):
        assessment.signup_class(actor=registrar, plan=plan, school_class=school_class)
    needed = YEARS_NEEDED[level]
    outsiders = _outsiders(rng, SELF_SIGNUPS + 1, days.today.year)
    with clock.pinned(days.ago(50)):
        for person in outsiders[:-1]:
            years = Decimal(needed + rng.randint(0, 8))
            assessment.signup_self(actor=_learner(person), plan=plan, person=person, years_in_trade=years)
    with clock.pinned(days.ago(45)):
        # Someone new to the trade: refused, each rule in force said with why it is not met.
        try:
            assessment.signup_self(
                actor=_learner(outsiders[-1]), plan=plan, person=outsiders[-1], years_in_trade=Decimal(needed - 1)
            )
        except ValidationError as refusal:
            counts.refusals.append(f"{outsiders[-1].name}：{'；'.join(refusal.messages)}")
    signups = list(plan.signups.order_by("pk"))
    counts.signups += len(signups)
    with clock.pinned(days.ago(28)):
        for n, signup in enumerate(signups):
            if n == len(signups) - 1:
                continue  # did not come to the sitting
            theory, practice = _score(rng, rng.random() < 0.8)
            assessment.score_enter(actor=clerk, signup=signup, theory=theory, practice=practice)
        assessment.plan_submit(actor=clerk, plan=plan)
    sample = [s.pk for s in rng.sample(signups[:-1], min(3, len(signups) - 1))]
    counts.sampled += len(sample)
    with clock.pinned(days.ago(26)):
        assessment.plan_sample(actor=bureau, plan=plan, signup_ids=sample)
    if send_back:
        with clock.pinned(days.ago(25)):
            assessment.plan_sample_decide(
                actor=bureau, plan=plan, confirm=False, note="抽查发现1名考生实操成绩与评分表不符，请核对后重报"
            )
        with clock.pinned(days.ago(24)):
            corrected = SignUp.objects.get(pk=sample[0])
            assessment.score_enter(
                actor=clerk, signup=corrected, theory=corrected.theory_score,
                practice=(corrected.practice_score or Decimal(0)) + 1,
            )  # fmt: skip
            assessment.plan_submit(actor=clerk, plan=plan)
        with clock.pinned(days.ago(23)):
            assessment.plan_sample(actor=bureau, plan=plan, signup_ids=sample)
    with clock.pinned(days.ago(22)):
        assessment.plan_sample_decide(actor=bureau, plan=plan, confirm=True, note="抽查无误")
    with clock.pinned(days.ago(21)):
        assessment.plan_finalise(actor=clerk, plan=plan)
    results = list(plan.signups.select_related("skill_assessment").order_by("pk"))
    counts.passed += sum(s.result == SignUpResult.PASSED for s in results)
    counts.failed += sum(s.result == SignUpResult.FAILED for s in results)
    counts.absent += sum(s.result == SignUpResult.ABSENT for s in results)
    for signup in results:
        if signup.result == SignUpResult.PASSED and signup.skill_assessment is not None:
            issuing.certificate_issue_for_assessment(actor=clerk, assessment=signup.skill_assessment)
            counts.certificates += 1
    counts.plans += 1
    return plan


def run_assessment_plans(
    *, bureau: Actor, evaluator: Organisation, school: Organisation, rng: random.Random
) -> PlanCounts:
    """One plan of the evaluation body and one of the school (filed for its own learners), each for
    a class of the school, from publication to certificates. Bodies without a filing that covers
    a class of the school run none."""
    counts = PlanCounts()
    days = _Days(clock.today())
    taken: set[int] = set()
    for body, send_back in ((evaluator, False), (school, True)):
        found = _class_for(body, school, days, taken)
        if found is None:
            continue
        school_class, occupation, level = found
        taken.add(school_class.pk)
        _run_plan(
            bureau=bureau, body=body, school=school, school_class=school_class, occupation=occupation, level=level,
            rng=rng, days=days, send_back=send_back, counts=counts,
        )  # fmt: skip
    return counts
