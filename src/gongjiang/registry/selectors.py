"""Reading the register through the actor's scope; the approval queue with its deadlines."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, overload

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, Min, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.core.masking import mask_id_number
from gongjiang.core.scope import ActorKind, get_scoped_or_404, region_prefix, scoped
from gongjiang.directory.models import Organisation, OrganisationKind, Person, SchoolTier
from gongjiang.registry.models import (
    Apprenticeship,
    AssessmentResult,
    ClaimReturn,
    ClassLevel,
    CompetitionAward,
    Decision,
    Destination,
    EnterprisePractice,
    Internship,
    MajorApplication,
    MajorOffering,
    Registration,
    RegistrationEvent,
    SchoolClass,
    SkillAssessment,
    Teacher,
    TrainingProgramme,
)
from gongjiang.registry.services.identity import PERSON_RECORDS, persons_readable

# The class levels each tier runs without a special approval (002 §6, 003 §6).
TIER_LEVELS: dict[str, tuple[str, ...]] = {
    SchoolTier.TECHNICIAN_COLLEGE: (ClassLevel.INTERMEDIATE, ClassLevel.SENIOR, ClassLevel.PREPARATORY_TECHNICIAN),
    SchoolTier.SENIOR_SCHOOL: (ClassLevel.INTERMEDIATE, ClassLevel.SENIOR),
    SchoolTier.TECHNICAL_SCHOOL: (ClassLevel.INTERMEDIATE,),
}


def offering_list(*, actor: Actor, school_id: int | None = None) -> QuerySet[MajorOffering]:
    qs = scoped(MajorOffering.objects.select_related("school"), actor)
    return qs.filter(school_id=school_id) if school_id is not None else qs


def class_list(*, actor: Actor, school_id: int | None = None) -> QuerySet[SchoolClass]:
    qs = scoped(SchoolClass.objects.select_related("school", "offering", "partner"), actor)
    return qs.filter(school_id=school_id) if school_id is not None else qs


# What a search for an identity number looks like: at least its last six digits (or X); fewer
# would match years and class numbers.
ID_DIGITS = re.compile(r"[0-9]{5,17}[0-9Xx]")


def registration_list(
    *, actor: Actor, school_id: int | None = None, status: str = "", q: str = ""
) -> QuerySet[Registration]:
    qs = scoped(
        Registration.objects.select_related("person", "school", "school_class", "school_class__offering"), actor
    )
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    if status:
        qs = qs.filter(status=status)
    q = q.strip()
    if q:
        found = Q(person__name__contains=q) | Q(school_class__name__contains=q)
        if ID_DIGITS.fullmatch(q):
            # An identity number, whole or its last digits (as a clerk reads them off a form).
            number = q.upper()
            found |= Q(person__id_number=number) if len(number) == 18 else Q(person__id_number__endswith=number)
        qs = qs.filter(found)
    return qs


def registration_get(*, actor: Actor, registration_id: int) -> Registration:
    return get_scoped_or_404(
        Registration.objects.select_related("person", "school", "school_class"), actor, pk=registration_id
    )


def registration_history(*, actor: Actor, registration: Registration) -> QuerySet[RegistrationEvent]:
    """The registration's events, oldest first: the timeline of its status."""
    return scoped(RegistrationEvent.objects.filter(registration=registration), actor).select_related(
        "target_class", "target_class__school", "from_class"
    )


@dataclass(frozen=True)
class QueueItem:
    """One request waiting for the bureau, with its deadline and what needs attention."""

    kind: str  # "major" or "registration"
    pk: int
    school_name: str
    title: str
    due_on: dt.date
    overdue: bool
    beyond_tier: tuple[str, ...] = ()


class ApprovalQueue:
    """Pending major filings and registration events in the actor's scope, most urgent first.

    A lazy sequence for the paginator: counted in the database and sliced by fetching only the
    keys (deadline, id) of the first rows of each table, so a page costs about the same whether
    twenty or two hundred thousand requests wait (a province's intake in September)."""

    def __init__(self, *, actor: Actor, today: dt.date | None = None) -> None:
        self.today = today or clock.today()
        self._majors = scoped(MajorApplication.objects.filter(decision=Decision.PENDING), actor)
        self._events = scoped(RegistrationEvent.objects.filter(decision=Decision.PENDING), actor)
        self._counts: tuple[int, int] | None = None

    def _count_both(self) -> tuple[int, int]:
        if self._counts is None:
            late = Q(due_on__lt=self.today)
            total = overdue = 0
            for qs in (self._majors, self._events):
                row = qs.order_by().aggregate(n=Count("pk"), late=Count("pk", filter=late))
                total, overdue = total + row["n"], overdue + row["late"]
            self._counts = (total, overdue)
        return self._counts

    def count(self) -> int:
        return self._count_both()[0]

    def overdue(self) -> int:
        return self._count_both()[1]

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[QueueItem]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> QueueItem: ...
    @overload
    def __getitem__(self, index: slice) -> list[QueueItem]: ...
    def __getitem__(self, index: int | slice) -> QueueItem | list[QueueItem]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        keys = sorted(
            [(due, "major", pk) for due, pk in self._majors.order_by("due_on", "pk").values_list("due_on", "pk")[:stop]]
            + [
                (due, "registration", pk)
                for due, pk in self._events.order_by("due_on", "pk").values_list("due_on", "pk")[:stop]
            ]
        )[start:stop]
        wanted = {kind: [pk for _due, k, pk in keys if k == kind] for kind in ("major", "registration")}
        built = {("major", a.pk): self._major_item(a) for a in self._major_rows(wanted["major"])}
        built |= {("registration", e.pk): self._event_item(e) for e in self._event_rows(wanted["registration"])}
        return [built[(kind, pk)] for _due, kind, pk in keys]

    def _major_rows(self, ids: list[int]) -> QuerySet[MajorApplication]:
        return MajorApplication.objects.filter(pk__in=ids).select_related("offering", "offering__school")

    def _event_rows(self, ids: list[int]) -> QuerySet[RegistrationEvent]:
        return RegistrationEvent.objects.filter(pk__in=ids).select_related(
            "registration", "registration__person", "registration__school", "from_class", "target_class"
        )

    def _major_item(self, application: MajorApplication) -> QueueItem:
        school = application.offering.school
        tier_levels = TIER_LEVELS.get(school.tier, ())
        return QueueItem(
            kind="major",
            pk=application.pk,
            school_name=school.name,
            title=f"{application.get_kind_display()} {application.offering}",
            due_on=application.due_on,
            overdue=application.due_on < self.today,
            beyond_tier=tuple(lv for lv in application.class_levels if lv not in tier_levels),
        )

    def _event_item(self, event: RegistrationEvent) -> QueueItem:
        return QueueItem(
            kind="registration",
            pk=event.pk,
            school_name=event.registration.school.name,
            title=f"{event.get_kind_display()} {event.registration.person.name}"
            # A move inside the school names both classes: the bureau sees what it approves.
            + (
                f" {event.from_class.name} → {event.target_class.name}"
                if event.from_class and event.target_class
                else ""
            ),
            due_on=event.due_on,
            overdue=event.due_on < self.today,
        )


def approval_queue(*, actor: Actor, today: dt.date | None = None) -> ApprovalQueue:
    return ApprovalQueue(actor=actor, today=today)


def transfer_target(*, class_id: int) -> SchoolClass:
    """The class a learner transfers into, by its id (the API's way). It belongs to another school,
    outside the requesting school's scope; the service checks it, and the bureau approves."""
    school_class = SchoolClass.objects.select_related("school", "offering").filter(pk=class_id).first()
    if school_class is None:
        raise Http404
    return school_class


def transfer_target_named(*, school_code: str, class_name: str) -> SchoolClass:
    """The class a learner transfers into, by its school's code and its name (what the receiving
    school tells the clerk). It belongs to another school, outside the requesting school's scope;
    the service checks it, and the bureau approves the transfer."""
    school_code, class_name = school_code.strip().upper(), " ".join(class_name.split())
    found = list(
        SchoolClass.objects.select_related("school", "offering").filter(school__code=school_code, name=class_name)
    )
    if len(found) > 1:
        # The same name in several intakes: the class is not named enough to choose.
        years = "、".join(str(c.cohort_year) for c in sorted(found, key=lambda c: c.cohort_year))
        raise ValidationError(
            {"target_class": _("该校有几个入学年份的班级都叫“%(name)s”（%(years)s）：请向转入学校核对班级全称。")
             % {"name": class_name, "years": years}}
        )  # fmt: skip
    school_class = found[0] if found else None
    if school_class is None:
        if not Organisation.objects.filter(code=school_code, kind=OrganisationKind.SCHOOL).exists():
            raise ValidationError({"target_class": _("没有机构代码为“%(code)s”的技工院校。") % {"code": school_code}})
        raise ValidationError(
            {"target_class": _("该校没有名为“%(name)s”的班级，请向转入学校核对班级全称。") % {"name": class_name}}
        )
    return school_class


def teacher_list(*, actor: Actor, school_id: int | None = None) -> QuerySet[Teacher]:
    qs = scoped(Teacher.objects.select_related("school", "person", "from_enterprise"), actor)
    return qs.filter(school_id=school_id) if school_id is not None else qs


def practice_list(*, actor: Actor) -> QuerySet[EnterprisePractice]:
    return scoped(EnterprisePractice.objects.select_related("teacher__person", "teacher__school"), actor)


def training_programme_list(*, actor: Actor) -> QuerySet[TrainingProgramme]:
    return scoped(TrainingProgramme.objects.select_related("provider"), actor)


def apprenticeship_list(*, actor: Actor) -> QuerySet[Apprenticeship]:
    return scoped(Apprenticeship.objects.select_related("enterprise", "school", "apprentice"), actor)


def internship_list(*, actor: Actor) -> QuerySet[Internship]:
    return scoped(
        Internship.objects.select_related("enterprise", "registration__person", "registration__school"), actor
    )


def destination_list(*, actor: Actor) -> QuerySet[Destination]:
    return scoped(Destination.objects.select_related("registration__person", "registration__school"), actor)


def assessment_list(*, actor: Actor) -> QuerySet[SkillAssessment]:
    return scoped(SkillAssessment.objects.select_related("evaluator", "person"), actor)


def award_list(*, actor: Actor) -> QuerySet[CompetitionAward]:
    return scoped(CompetitionAward.objects.select_related("recorded_by", "person"), actor)


@dataclass(frozen=True)
class InternshipFlag:
    internship: Internship
    reasons: tuple[str, ...]


def flagged_internships(*, actor: Actor) -> QuerySet[Internship]:
    """Internships the bureau must look at: no insurance policy, or a fee charged (003 §19)."""
    return internship_list(actor=actor).filter(Q(insurance_policy_no="") | Q(fee_charged__gt=0))


def internship_reasons(internship: Internship) -> tuple[str, ...]:
    reasons = []
    if not internship.insurance_policy_no:
        reasons.append(_("无实习保险"))
    if internship.fee_charged > 0:
        reasons.append(_("收取费用 %(fee)s 元") % {"fee": internship.fee_charged})
    return tuple(reasons)


def internship_flags(*, actor: Actor, limit: int = 200) -> list[InternshipFlag]:
    """The most recent flagged internships with their reasons (the count is `flagged_internships`)."""
    flagged = flagged_internships(actor=actor).order_by("-starts_on", "pk")[:limit]
    return [InternshipFlag(internship=i, reasons=internship_reasons(i)) for i in flagged]


def _count(model: type[Model], **filters: Any) -> Coalesce:
    """The number of `model` rows of each school, as a subquery: joining several one-to-many
    relations in one query would multiply their rows before counting."""
    rows = model._default_manager.filter(school=OuterRef("pk"), **filters).order_by().values("school")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


def school_overview(*, actor: Actor) -> QuerySet[Organisation]:
    """The schools in the actor's scope with the register's counts, in one query however many schools."""
    schools = scoped(Organisation.objects.filter(kind=OrganisationKind.SCHOOL), actor)
    return schools.annotate(
        majors_filed=_count(MajorOffering, status="filed"),
        classes_count=_count(SchoolClass),
        enrolled=_count(Registration, status="enrolled"),
        pending=_count(Registration, status="pending"),
        teachers_count=_count(Teacher, left_on__isnull=True),
    ).order_by("region_code", "code")


@dataclass(frozen=True)
class PendingIntake:
    """A school's registrations waiting for approval, decided together after an intake import."""

    school_code: str
    school_name: str
    count: int
    oldest_due_on: dt.date


def pending_intakes(*, actor: Actor) -> list[PendingIntake]:
    rows = (
        scoped(RegistrationEvent.objects.filter(decision=Decision.PENDING, kind="register"), actor)
        .values("registration__school__code", "registration__school__name")
        .annotate(n=Count("id"), due=Min("due_on"))
        .order_by("due", "registration__school__code")
    )
    return [
        PendingIntake(
            school_code=r["registration__school__code"],
            school_name=r["registration__school__name"],
            count=r["n"],
            oldest_due_on=r["due"],
        )
        for r in rows
    ]


def pending_intake_event_ids(*, actor: Actor, school_code: str) -> list[int]:
    return list(
        scoped(RegistrationEvent.objects.filter(decision=Decision.PENDING, kind="register"), actor)
        .filter(registration__school__code=school_code)
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class OpenClaim:
    """A claim waiting for the bureau, as its page shows it."""

    claim: Person
    masked_number: str
    records: dict[str, int]
    registered_name: str  # empty when the registered person is outside the bureau's own reach
    waits_for_registration: bool
    resubmitted: bool  # corrected by its writer after a return (ADR 0032)


def _record_counts(person_ids: list[int]) -> dict[int, dict[str, int]]:
    """How many records of each kind are filed under each person: one grouped count per kind."""
    counts: dict[int, dict[str, int]] = {pk: {} for pk in person_ids}
    for model, field in PERSON_RECORDS:
        label = str(model._meta.verbose_name)
        rows = (
            model._default_manager.filter(**{f"{field}_id__in": person_ids})
            .values_list(f"{field}_id")
            .annotate(n=Count("pk"))
        )
        for person_id, n in rows:
            counts[person_id][label] = n
    return counts


def open_claims(*, actor: Actor) -> list[OpenClaim]:
    """Claims the bureau has to decide, typed by organisations in its region, oldest first (ADR
    0023): those with another name than the registered one, and those their writer corrected after
    a return, whatever name they now carry (ADR 0032). A claim waiting for its writer's correction
    is not here, nor one that no record is filed under any longer (its records moved with a
    correction). Those behind a pending registration are decided in the approval queue and are
    marked so."""
    if actor.kind not in (ActorKind.BUREAU, ActorKind.OPERATOR):
        return []
    resubmitted_ids = ClaimReturn.objects.filter(corrected_to_id=OuterRef("pk"))
    has_records = Q()
    for model, field in PERSON_RECORDS:
        has_records |= Q(Exists(model._default_manager.filter(**{field: OuterRef("pk")})))
    claims = (
        Person.objects.filter(claims__isnull=False, merged_at__isnull=True)
        .annotate(resubmitted=Exists(resubmitted_ids))
        # A matching name waits only for its registration's approval, unless it is a correction.
        .filter(~Q(name=F("claims__name")) | Q(resubmitted=True))
        .filter(has_records)
        .exclude(Exists(ClaimReturn.objects.filter(claim_id=OuterRef("pk"), corrected_at__isnull=True)))
        .select_related("claims", "claimed_by")
    )
    if actor.kind == ActorKind.BUREAU:
        claims = claims.filter(claimed_by__region_code__startswith=region_prefix(actor.region_code))
    found = list(claims.order_by("created_at", "pk")[:500])
    ids = [c.pk for c in found]
    readable = persons_readable(actor, [c.claims_id for c in found if c.claims_id is not None])
    counts = _record_counts(ids)
    waiting = set(Registration.objects.filter(person_id__in=ids, status="pending").values_list("person_id", flat=True))
    result = []
    for claim in found:
        assert claim.claims is not None
        result.append(
            OpenClaim(
                claim=claim,
                masked_number=mask_id_number(claim.id_number),
                records=counts[claim.pk],
                registered_name=claim.claims.name if claim.claims_id in readable else "",
                waits_for_registration=claim.pk in waiting,
                resubmitted=bool(getattr(claim, "resubmitted", False)),
            )
        )
    return result


def open_claim_get(*, actor: Actor, claim_id: int) -> Person:
    """One claim of the bureau's list; 404 for any other (absent, decided, waiting for its writer,
    or outside the bureau's region)."""
    claim = next((c.claim for c in open_claims(actor=actor) if c.claim.pk == claim_id), None)
    if claim is None:
        raise Http404
    return claim


@dataclass(frozen=True)
class ReturnedClaim:
    """A claim the bureau returned, as its writer sees it: only what the writer typed, the
    bureau's reason and the writer's own records, never anything about the register."""

    claim_return: ClaimReturn
    name: str
    masked_number: str
    records: dict[str, int]


def returned_claims(*, actor: Actor) -> list[ReturnedClaim]:
    """The claims returned to the actor's organisation and not yet corrected, oldest first."""
    if actor.organisation_id is None or actor.kind in (ActorKind.LEARNER, ActorKind.PUBLIC):
        return []
    found = list(
        ClaimReturn.objects.filter(organisation_id=actor.organisation_id, corrected_at__isnull=True)
        .select_related("claim")
        .order_by("returned_at", "pk")[:500]
    )
    counts = _record_counts([r.claim_id for r in found])
    return [
        ReturnedClaim(
            claim_return=r,
            name=r.claim.name,
            masked_number=mask_id_number(r.claim.id_number),
            records=counts[r.claim_id],
        )
        for r in found
    ]


def returned_claim_get(*, actor: Actor, return_id: int) -> ClaimReturn:
    """One return waiting for the actor's organisation; 404 for any other."""
    if actor.organisation_id is None:
        raise Http404
    found = (
        ClaimReturn.objects.filter(pk=return_id, organisation_id=actor.organisation_id, corrected_at__isnull=True)
        .select_related("claim", "organisation")
        .first()
    )
    if found is None:
        raise Http404
    return found


def best_levels(*, person_ids: Iterable[int], occupation_code: str) -> dict[int, int]:
    """The highest skill level (lowest number) each person has passed in one occupation, for a
    service deciding eligibility; it answers only a level number, never the record, so it
    takes no actor."""
    rows = (
        SkillAssessment.objects.filter(
            person_id__in=list(person_ids), occupation_code=occupation_code, result=AssessmentResult.PASSED
        )
        .values("person_id")
        .annotate(best=Min("skill_level"))
    )
    return {row["person_id"]: row["best"] for row in rows}
