"""Students and trained people apply; the enterprises move the applications on, and some
offers are accepted."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from gongjiang.core.actors import Actor
from gongjiang.core.scope import ActorKind
from gongjiang.demo.market.context import MarketCounts, _Context, _Draft
from gongjiang.demo.market.tables import COURSES, WITHDRAWN_SHARE, Employer
from gongjiang.demo.market.texts import _majors_for
from gongjiang.directory.models import User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.market import services
from gongjiang.market.models import (
    APPLICABLE_KINDS,
    Application,
    ApplicationStatus,
    Posting,
    PostingKind,
    PostingStatus,
)
from gongjiang.registry.models import (
    Internship,
    Registration,
    RegistrationStatus,
    StudyForm,
    TrainingRecord,
)


@dataclass
class _Pool:
    """People who may apply, by major category and city, in a fixed order."""

    by_city: defaultdict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    by_category: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, person_id: int, category: str, city: str) -> None:
        self.by_city[category, city].append(person_id)
        self.by_category[category].append(person_id)

    def pick(self, rng: random.Random, categories: Sequence[str], city: str) -> int | None:
        """Someone of one of the categories, from the same city seven times in ten."""
        available = [c for c in categories if self.by_category.get(c)]
        if not available:
            return None
        category = rng.choice(available)
        near = self.by_city.get((category, city))
        return rng.choice(near if near and rng.random() < 0.7 else self.by_category[category])


def _pools(context: _Context, exclude: set[int]) -> dict[str, _Pool]:
    """Who applies to what: second- and final-year students without an internship yet to
    internships; final-year students and the last two years' graduates to jobs; people of the
    region who took a training course and are nobody's student to apprenticeship places (an
    apprentice is a new employee, 002 §15), by the trade of the course."""
    interned = set(Internship.objects.values_list("registration__person_id", flat=True))
    interns, seekers, workers = _Pool(), _Pool(), _Pool()
    this_year = context.today.year if context.today.month < 7 else context.today.year + 1
    rows = (
        Registration.objects.filter(
            form=StudyForm.FULL_TIME, status__in=(RegistrationStatus.ENROLLED, RegistrationStatus.GRADUATED)
        )
        # School by school, each in its own order: the same whatever the number of processes that
        # made the schools (`demo.parallel`), whose ids interleave.
        .order_by("school_id", "pk")
        .values_list(
            "person_id", "status", "school__region_code", "school_class__offering__major_code",
            "school_class__cohort_year", "school_class__planned_years",
        )
    )  # fmt: skip
    for person_id, status, region, major, cohort, years in rows:
        if person_id in exclude:
            continue
        leaves = cohort + math.ceil(years)
        category, city = major[:2], region[:4]
        if status == RegistrationStatus.GRADUATED:
            if leaves >= this_year - 2:
                seekers.add(person_id, category, city)
        elif leaves == this_year:
            seekers.add(person_id, category, city)
            if person_id not in interned:
                interns.add(person_id, category, city)
        elif leaves == this_year + 1 and person_id not in interned:
            interns.add(person_id, category, city)
    trained = (
        TrainingRecord.objects.filter(person__registrations__isnull=True)
        .order_by("programme__provider_id", "programme__starts_on", "programme__name", "pk")
        .values_list("person_id", "programme__occupation_code", "programme__provider__region_code")
    )
    seen: set[int] = set()
    for person_id, occupation, region in trained:
        if person_id in seen or person_id in exclude:
            continue
        seen.add(person_id)
        for category in sorted({m[:2] for m in _majors_for(context, occupation)}):
            workers.add(person_id, category, region[:4])
    return {
        PostingKind.INTERNSHIP: interns,
        PostingKind.JOB: seekers,
        PostingKind.APPRENTICESHIP: workers,
    }


def _learner(person_id: int, users: dict[int, User]) -> Actor:
    """The applicant as an actor: through their account when they have one, else as the learner
    the person is (most students have no account on the platform yet)."""
    user = users.get(person_id)
    if user is not None:
        return actor_for_user(user)
    return Actor(kind=ActorKind.LEARNER, username=f"person:{person_id}", person_id=person_id)


def _applications(
    context: _Context,
    postings: list[tuple[_Draft, Posting]],
    enterprises: Sequence[Employer],
    student: User | None,
    rng: random.Random,
    counts: MarketCounts,
) -> None:
    """Learners apply to published jobs, internships and apprenticeship places (who applies to
    what: `_pools`), near home seven times in ten; the enterprise moves each on (viewed, interview, offer or not selected); some offers are accepted, which
    records the internship or apprenticeship. The learner persona has applications in view:
    an offer from the `enterprise` persona's internship to accept, and one at interview."""
    persona = student.person_id if student is not None else None
    users = {u.person_id: u for u in User.objects.filter(person__isnull=False).order_by("pk") if u.person_id}
    pools = _pools(context, exclude={persona} if persona else set())
    applicable = [
        (draft, posting)
        for draft, posting in postings
        if posting.status == PostingStatus.PUBLISHED and posting.kind in APPLICABLE_KINDS
    ]
    placed: set[int] = set()  # people who accepted an offer: they decline any other
    if persona is not None:
        _persona_applies(context, applicable, enterprises, persona, users, counts)
    for draft, posting in applicable:
        assert draft.employer is not None
        pool = pools[posting.kind]
        categories = sorted({m[:2] for m in _majors_for(context, posting.occupation_code)}) or list(
            draft.employer.categories
        )
        wanted = rng.randint(3, 8) if draft.protected else rng.choice((0, 1, 2, 3, 4, 5, 6, 8))
        applicants: list[int] = []
        for _ in range(wanted * 2):  # a draw may repeat someone
            person_id = pool.pick(rng, categories, posting.region_code[:4])
            if person_id is not None and person_id not in applicants:
                applicants.append(person_id)
            if len(applicants) == wanted:
                break
        owner = context.clerk(posting.owner)
        for person_id in applicants:
            learner = _learner(person_id, users)
            application = services.application_submit(
                actor=learner, posting=posting, message=rng.choice(("", "", "本人对该岗位很感兴趣，望给予面试机会。"))
            )
            counts.applications += 1
            _move_on(owner, learner, application, person_id in placed, rng, counts)
            if application.status == ApplicationStatus.ACCEPTED:
                placed.add(person_id)


def _move_on(
    owner: Actor, learner: Actor, application: Application, placed: bool, rng: random.Random, counts: MarketCounts
) -> None:
    """One application's course: the steps an enterprise takes, then the learner's answer."""
    roll = rng.random()
    if roll < WITHDRAWN_SHARE:
        services.application_withdraw(actor=learner, application=application)
        return
    steps = next(steps for share, steps in COURSES if roll < share)
    for step in steps:
        services.application_advance(actor=owner, application=application, to=step)
    if application.status != ApplicationStatus.OFFER:
        return
    answer = rng.random()
    if answer < 0.3:
        return  # still thinking it over
    accept = not placed and answer < 0.8
    services.application_respond(actor=learner, application=application, accept=accept)
    if accept:
        counts.accepted += 1
        if application.posting.kind == PostingKind.INTERNSHIP:
            counts.internships += 1
        elif application.posting.kind == PostingKind.APPRENTICESHIP:
            counts.apprenticeships += 1


def _persona_applies(
    context: _Context,
    applicable: list[tuple[_Draft, Posting]],
    enterprises: Sequence[Employer],
    persona: int,
    users: dict[int, User],
    counts: MarketCounts,
) -> None:
    """The student persona applied to the `enterprise` persona's internship (now an offer to
    accept or decline) and to another internship of their trade (invited to interview)."""
    registration = (
        Registration.objects.filter(person_id=persona, is_active=True)
        .select_related("school_class__offering")
        .order_by("-enrolled_on")
        .first()
    )
    if registration is None or not enterprises:
        return
    major = registration.school_class.offering.major_code
    category = major[:2]
    first = enterprises[0].organisation
    internships = [p for d, p in applicable if p.kind == PostingKind.INTERNSHIP]
    theirs = [p for p in internships if p.owner_id == first.pk]
    other = [
        p
        for d, p in applicable
        if p.kind == PostingKind.INTERNSHIP
        and p.owner_id != first.pk
        and d.employer
        and category in d.employer.categories
    ]
    learner = _learner(persona, users)
    for posting, steps in (
        (
            theirs[0] if theirs else None,
            (ApplicationStatus.VIEWED, ApplicationStatus.INTERVIEW, ApplicationStatus.OFFER),
        ),
        (other[0] if other else None, (ApplicationStatus.VIEWED, ApplicationStatus.INTERVIEW)),
    ):
        if posting is None:
            continue
        application = services.application_submit(
            actor=learner,
            posting=posting,
            message=f"我是{context.short_major(major)}专业在校生，希望到贵公司实习，谢谢！",
        )
        counts.applications += 1
        owner = context.clerk(posting.owner)
        for step in steps:
            services.application_advance(actor=owner, application=application, to=step)
