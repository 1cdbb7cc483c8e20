"""Writes to the records around the register: teachers and their enterprise practice, training,
apprenticeships, internships, graduate destinations, skill assessments and competition awards."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from gongjiang.core import audit, clock
from gongjiang.core.actors import Actor
from gongjiang.core.bulk import insert_many
from gongjiang.core.policies import require
from gongjiang.core.versions import require_version
from gongjiang.directory.models import Organisation, OrganisationKind, Person
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concept_get
from gongjiang.registry import policies as _policies  # noqa: F401  (registers the rules)
from gongjiang.registry.models import (
    Apprenticeship,
    AssessmentBasis,
    AssessmentResult,
    CompetitionAward,
    CompetitionLevel,
    Consent,
    Destination,
    DestinationKind,
    EnterprisePractice,
    Funding,
    Internship,
    PlacementStatus,
    Registration,
    RegistrationStatus,
    SkillAssessment,
    SkillLevel,
    Teacher,
    TeacherCategory,
    TrainingOutcome,
    TrainingProgramme,
    TrainingRecord,
)

MAX_MONTHLY_PAY = Decimal("200000")
M = TypeVar("M", bound=models.Model)
Occupation = Callable[[str], str]


def _ask_the_other(
    actor: Actor,
    record: Apprenticeship | Internship,
    parties: tuple[Organisation, Organisation],
    awaiting: Organisation | None,
) -> None:
    """A record naming two organisations is a request to the one that did not write it (ADR 0024):
    `awaiting` when the caller names it (the platform writing for a learner), else the party the
    actor does not act for; the operator at the command line writes for both."""
    if awaiting is None:
        first, second = parties
        if actor.organisation_id == first.pk:
            awaiting = second
        elif actor.organisation_id == second.pk:
            awaiting = first
    if awaiting is not None and actor.organisation_id != awaiting.pk:
        record.consent, record.awaiting = Consent.PENDING, awaiting
    else:
        record.consent, record.awaiting = Consent.AGREED, None


def _save(
    actor: Actor, action: str, obj: models.Model, owner: Organisation, before: dict[str, Any] | None = None
) -> None:
    with transaction.atomic():
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError as exc:
            raise ValidationError(_("该记录已存在，请勿重复登记。")) from exc
        audit.record(
            actor=actor,
            action=action,
            entity=obj,
            before=before,
            after=audit.snapshot(obj),
            owner=owner,
        )


def _save_many(actor: Actor, action: str, objs: Sequence[M], owner: Callable[[M], Organisation]) -> list[M]:
    """Insert checked new rows and their audit entries in one transaction, for the bulk variants
    of the services (a region's graduates, a year's trainees); a duplicate refuses the batch."""
    if not objs:
        return []
    with transaction.atomic():
        try:
            with transaction.atomic():
                created = list(insert_many(objs))
        except IntegrityError as exc:
            raise ValidationError(_("该记录已存在，请勿重复登记。")) from exc
        audit.record_many(
            audit.entry_values(actor=actor, action=action, entity=obj, after=audit.snapshot(obj), owner=owner(obj))
            for obj in created
        )
    return created


def _require_each(actor: Actor, permission: str, targets: Iterable[Organisation]) -> None:
    for target in {t.pk: t for t in targets}.values():
        require(actor, permission, target)


def _period(started: dt.date, ended: dt.date) -> None:
    if ended < started:
        raise ValidationError({"ended_on": _("结束日期不能早于开始日期。")})


def _occupation(code: str) -> str:
    occupation = concept_get(Scheme.OCCUPATION, code)
    if occupation is None:
        raise ValidationError({"occupation_code": _("职业代码“%(code)s”不在职业分类大典中。") % {"code": code}})
    return occupation.code


def _kind(org: Organisation | None, kind: str, field: str, message: str) -> None:
    if org is not None and org.kind != kind:
        raise ValidationError({field: message})


def _placement_status(status: str, ends_on: dt.date) -> None:
    if status not in PlacementStatus.values:
        raise ValidationError({"status": _("状态“%(value)s”未知。") % {"value": status}})
    if status != PlacementStatus.ACTIVE and ends_on > clock.today():
        # A finished or ended placement is recorded with the day it ended, which has passed.
        raise ValidationError({"status": _("已完成或已终止的，结束日期不能晚于今天。")})


# -- teachers ---------------------------------------------------------------------------------


def teacher_add(
    *,
    actor: Actor,
    school: Organisation,
    person: Person,
    category: str,
    hired_on: dt.date,
    full_time: bool = True,
    from_enterprise: Organisation | None = None,
    dual_qualified: bool = False,
    dual_evidence: str = "",
    integrated: bool = False,
    major_code: str = "",
) -> Teacher:
    require(actor, "registry.teacher.write", school)
    teacher = Teacher(
        school=school, person=person, category=category, full_time=full_time, from_enterprise=from_enterprise,
        dual_qualified=dual_qualified, dual_evidence=dual_evidence.strip(), integrated=integrated,
        major_code=major_code, hired_on=hired_on,
    )  # fmt: skip
    _check_teacher(teacher)
    _save(actor, "teacher.add", teacher, school)
    return teacher


def teacher_add_many(*, actor: Actor, teachers: Sequence[Mapping[str, Any]]) -> list[Teacher]:
    """Add many teachers at once (a school's staff when it joins), each checked as `teacher_add`
    checks one (the same keyword arguments but the actor); one invalid teacher refuses the batch."""
    built = [
        Teacher(**{**fields, "dual_evidence": str(fields.get("dual_evidence", "")).strip()}) for fields in teachers
    ]
    _require_each(actor, "registry.teacher.write", (t.school for t in built))
    for teacher in built:
        _check_teacher(teacher)
    return _save_many(actor, "teacher.add", built, lambda t: t.school)


TEACHER_FIELDS = (
    "category", "full_time", "from_enterprise", "dual_qualified", "dual_evidence", "integrated", "major_code", "hired_on",
)  # fmt: skip


def teacher_update(*, actor: Actor, teacher: Teacher, expected_version: int | None, **changes: Any) -> Teacher:
    """Change a teacher's facts (a new 双师型 certificate, a move to full time), checked like a new one."""
    require(actor, "registry.teacher.write", teacher.school)
    unknown = set(changes) - set(TEACHER_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    with transaction.atomic():
        current = Teacher.objects.select_for_update().get(pk=teacher.pk)
        require_version(current.version, expected_version)
        before = audit.snapshot(current)
        for field, value in changes.items():
            setattr(current, field, value)
        _check_teacher(current)
        current.version += 1
        _save(actor, "teacher.update", current, current.school, before)
    return current


def _check_teacher(teacher: Teacher) -> None:
    if teacher.category not in TeacherCategory.values:
        raise ValidationError({"category": _("教师类别“%(value)s”未知。") % {"value": teacher.category}})
    if teacher.dual_qualified and not teacher.dual_evidence.strip():
        raise ValidationError({"dual_evidence": _("认定为双师型教师须填写依据（如职业资格证书、企业工作经历）。")})
    if teacher.dual_qualified and teacher.category != TeacherCategory.SPECIALIST:
        raise ValidationError({"dual_qualified": _("双师型只适用于专业课教师。")})
    _kind(teacher.from_enterprise, OrganisationKind.ENTERPRISE, "from_enterprise", _("兼职教师的来源单位必须是企业。"))
    if teacher.from_enterprise is not None and teacher.full_time:
        raise ValidationError({"from_enterprise": _("来自企业的教师应登记为兼职教师。")})
    if teacher.hired_on > clock.today():
        raise ValidationError({"hired_on": _("聘用日期不能晚于今天。")})


def practice_record(
    *,
    actor: Actor,
    teacher: Teacher,
    enterprise_name: str,
    started_on: dt.date,
    ended_on: dt.date,
    enterprise: Organisation | None = None,
) -> EnterprisePractice:
    require(actor, "registry.teacher.write", teacher.school)
    practice = _new_practice(teacher, enterprise_name, started_on, ended_on, enterprise)
    _save(actor, "enterprise_practice.record", practice, teacher.school)
    return practice


def practice_record_many(*, actor: Actor, practices: Sequence[Mapping[str, Any]]) -> list[EnterprisePractice]:
    """Record many periods of enterprise practice at once, each checked as `practice_record` checks one."""
    built = [
        _new_practice(p["teacher"], p.get("enterprise_name", ""), p["started_on"], p["ended_on"], p.get("enterprise"))
        for p in practices
    ]
    _require_each(actor, "registry.teacher.write", (p.teacher.school for p in built))
    return _save_many(actor, "enterprise_practice.record", built, lambda p: p.teacher.school)


def _new_practice(
    teacher: Teacher, enterprise_name: str, started_on: dt.date, ended_on: dt.date, enterprise: Organisation | None
) -> EnterprisePractice:
    _period(started_on, ended_on)
    _kind(enterprise, OrganisationKind.ENTERPRISE, "enterprise", _("实践单位必须是企业。"))
    name = (enterprise.name if enterprise is not None else enterprise_name).strip()
    if not name:
        raise ValidationError({"enterprise_name": _("请填写实践企业。")})
    days = (ended_on - started_on).days + 1
    return EnterprisePractice(
        teacher=teacher, enterprise=enterprise, enterprise_name=name, started_on=started_on, ended_on=ended_on,
        months=(Decimal(days) / Decimal("30.4")).quantize(Decimal("0.1")),
    )  # fmt: skip


# -- training ---------------------------------------------------------------------------------


def training_programme_create(
    *,
    actor: Actor,
    provider: Organisation,
    name: str,
    occupation_code: str,
    skill_level: int,
    hours: int,
    funding: str,
    starts_on: dt.date,
    ends_on: dt.date,
    funding_source: str = "",
) -> TrainingProgramme:
    require(actor, "registry.training.write", provider)
    if not name.strip():
        raise ValidationError({"name": _("请填写培训项目名称。")})
    if skill_level not in SkillLevel.values:
        raise ValidationError({"skill_level": _("技能等级应为1（高级技师）到5（初级工）。")})
    if not 0 < hours <= 5000:
        raise ValidationError({"hours": _("学时应在1到5000之间。")})
    if funding not in Funding.values:
        raise ValidationError({"funding": _("培训性质应为补贴性或市场化。")})
    if funding == Funding.SUBSIDISED and not funding_source.strip():
        raise ValidationError({"funding_source": _("补贴性培训须填写资金来源。")})
    _period(starts_on, ends_on)
    programme = TrainingProgramme(
        provider=provider, name=name.strip(), occupation_code=_occupation(occupation_code), skill_level=skill_level,
        hours=hours, funding=funding, funding_source=funding_source.strip(), starts_on=starts_on, ends_on=ends_on,
    )  # fmt: skip
    _save(actor, "training_programme.create", programme, provider)
    return programme


def trainee_record(
    *,
    actor: Actor,
    programme: TrainingProgramme,
    person: Person,
    outcome: str = TrainingOutcome.ENROLLED,
    certificate_no: str = "",
    finished_on: dt.date | None = None,
) -> TrainingRecord:
    """Add a trainee, or record their outcome when they are already in the programme."""
    require(actor, "registry.training.write", programme.provider)
    _check_trainee(outcome, certificate_no, finished_on)
    record = TrainingRecord.objects.filter(programme=programme, person=person).first()
    before = audit.snapshot(record) if record is not None else None
    if record is None:
        record = TrainingRecord(programme=programme, person=person)
    record.outcome, record.certificate_no, record.finished_on = outcome, certificate_no.strip(), finished_on
    _save(actor, "training_record.update" if before else "training_record.create", record, programme.provider, before)
    return record


def trainee_record_many(*, actor: Actor, trainees: Sequence[Mapping[str, Any]]) -> list[TrainingRecord]:
    """Add many new trainees at once (a year of a school's classes), each with the keyword
    arguments of `trainee_record` and checked the same way. Only new ones: a trainee already in
    the programme refuses the batch; their outcome is corrected with `trainee_record`."""
    records = [_new_trainee(**fields) for fields in trainees]
    _require_each(actor, "registry.training.write", (r.programme.provider for r in records))
    return _save_many(actor, "training_record.create", records, lambda r: r.programme.provider)


def _new_trainee(
    *,
    programme: TrainingProgramme,
    person: Person,
    outcome: str = TrainingOutcome.ENROLLED,
    certificate_no: str = "",
    finished_on: dt.date | None = None,
) -> TrainingRecord:
    _check_trainee(outcome, certificate_no, finished_on)
    return TrainingRecord(
        programme=programme, person=person, outcome=outcome, certificate_no=certificate_no.strip(),
        finished_on=finished_on,
    )  # fmt: skip


def _check_trainee(outcome: str, certificate_no: str, finished_on: dt.date | None) -> None:
    if outcome not in TrainingOutcome.values:
        raise ValidationError({"outcome": _("培训结果“%(value)s”未知。") % {"value": outcome}})
    if outcome == TrainingOutcome.CERTIFIED and not certificate_no.strip():
        raise ValidationError({"certificate_no": _("取证须填写证书编号。")})
    if outcome != TrainingOutcome.ENROLLED and finished_on is None:
        raise ValidationError({"finished_on": _("请填写结束日期。")})


# -- apprenticeships and internships ----------------------------------------------------------


def apprenticeship_create(
    *,
    actor: Actor,
    enterprise: Organisation,
    school: Organisation,
    apprentice: Person,
    occupation_code: str,
    enterprise_tutor: str,
    school_tutor: str,
    plan: str,
    starts_on: dt.date,
    ends_on: dt.date,
    status: str = PlacementStatus.ACTIVE,
    awaiting: Organisation | None = None,
) -> Apprenticeship:
    """Record an apprenticeship; one entered after the fact carries its status (completed or
    terminated, with the day it ended). It stands once the other party agrees (`placement_answer`)."""
    require(actor, "registry.apprenticeship.write", (enterprise, school))
    apprenticeship = _new_apprenticeship(
        enterprise=enterprise, school=school, apprentice=apprentice, occupation_code=occupation_code,
        enterprise_tutor=enterprise_tutor, school_tutor=school_tutor, plan=plan, starts_on=starts_on,
        ends_on=ends_on, status=status,
    )  # fmt: skip
    _ask_the_other(actor, apprenticeship, (enterprise, school), awaiting)
    _save(actor, "apprenticeship.create", apprenticeship, school)
    return apprenticeship


def apprenticeship_create_many(*, actor: Actor, apprenticeships: Sequence[Mapping[str, Any]]) -> list[Apprenticeship]:
    """Record a class of apprentices at once (one plan per class, 002 §15), each with the keyword
    arguments of `apprenticeship_create` and checked the same way."""
    occupation = functools.cache(_occupation)
    built = [_new_apprenticeship(occupation=occupation, **fields) for fields in apprenticeships]
    for enterprise, school in {(a.enterprise_id, a.school_id): (a.enterprise, a.school) for a in built}.values():
        require(actor, "registry.apprenticeship.write", (enterprise, school))
    for apprenticeship in built:
        _ask_the_other(actor, apprenticeship, (apprenticeship.enterprise, apprenticeship.school), None)
    return _save_many(actor, "apprenticeship.create", built, lambda a: a.school)


def _new_apprenticeship(
    *,
    enterprise: Organisation,
    school: Organisation,
    apprentice: Person,
    occupation_code: str,
    enterprise_tutor: str,
    school_tutor: str,
    plan: str,
    starts_on: dt.date,
    ends_on: dt.date,
    status: str = PlacementStatus.ACTIVE,
    occupation: Occupation = _occupation,
) -> Apprenticeship:
    _kind(enterprise, OrganisationKind.ENTERPRISE, "enterprise", _("学徒的培养单位必须是企业。"))
    _kind(school, OrganisationKind.SCHOOL, "school", _("合作培养方必须是技工院校。"))
    if not enterprise_tutor.strip() or not school_tutor.strip():
        raise ValidationError({"enterprise_tutor": _("企业导师和学校导师都须填写（双导师制）。")})
    if not plan.strip():
        raise ValidationError({"plan": _("请填写培养计划。")})
    _period(starts_on, ends_on)
    _placement_status(status, ends_on)
    return Apprenticeship(
        enterprise=enterprise, school=school, apprentice=apprentice, occupation_code=occupation(occupation_code),
        enterprise_tutor=enterprise_tutor.strip(), school_tutor=school_tutor.strip(), plan=plan.strip(),
        starts_on=starts_on, ends_on=ends_on, status=status,
    )  # fmt: skip


def internship_create(
    *,
    actor: Actor,
    registration: Registration,
    enterprise: Organisation,
    post: str,
    starts_on: dt.date,
    ends_on: dt.date,
    insurance_policy_no: str = "",
    fee_charged: Decimal | int | str = 0,
    status: str = PlacementStatus.ACTIVE,
    awaiting: Organisation | None = None,
) -> Internship:
    """Record an internship. One without insurance or with a fee is kept, and flagged to the bureau.
    It stands once the other party agrees (`placement_answer`)."""
    require(actor, "registry.internship.write", registration.school)
    internship = _new_internship(
        registration=registration, enterprise=enterprise, post=post, starts_on=starts_on, ends_on=ends_on,
        insurance_policy_no=insurance_policy_no, fee_charged=fee_charged, status=status,
    )  # fmt: skip
    _ask_the_other(actor, internship, (registration.school, enterprise), awaiting)
    _save(actor, "internship.create", internship, registration.school)
    return internship


def internship_create_many(*, actor: Actor, internships: Sequence[Mapping[str, Any]]) -> list[Internship]:
    """Record many internships at once (a school's final-year students going out together), each
    with the keyword arguments of `internship_create` and checked the same way."""
    built = [_new_internship(**fields) for fields in internships]
    _require_each(actor, "registry.internship.write", (i.registration.school for i in built))
    for internship in built:
        _ask_the_other(actor, internship, (internship.registration.school, internship.enterprise), None)
    return _save_many(actor, "internship.create", built, lambda i: i.registration.school)


def _placement_school(record: Any) -> Organisation:
    """The school a placement belongs to, whose region scopes its audit entries."""
    return record.school if isinstance(record, Apprenticeship) else record.registration.school


def placement_answer(
    *, actor: Actor, record: Apprenticeship | Internship, agree: bool, note: str = ""
) -> Apprenticeship | Internship:
    """The organisation a record names answers its request: agreed, it stands (and counts);
    declined, it is kept with the reason and counts nowhere."""
    require(actor, "registry.placement.answer", record)
    note = note.strip()
    if not agree and not note:
        raise ValidationError({"consent_note": _("拒绝时请写明原因，以便对方核对。")})
    owner = _placement_school(record)
    with transaction.atomic():
        current = type(record)._default_manager.select_for_update().get(pk=record.pk)
        if current.consent != Consent.PENDING:
            raise ValidationError(_("该记录已确认或已拒绝，不能再次处理。"))
        before = audit.snapshot(current)
        current.consent = Consent.AGREED if agree else Consent.DECLINED
        current.consent_note = note[:200]
        current.save(update_fields=["consent", "consent_note"])
        audit.record(
            actor=actor, action=f"{current._meta.model_name}.{'agree' if agree else 'decline'}", entity=current,
            before=before, after=audit.snapshot(current), owner=owner,
        )  # fmt: skip
    return current


def placement_answer_many(*, actor: Actor, records: Sequence[Apprenticeship | Internship], agree: bool) -> int:
    """Agree to (or decline) many requests at once: an enterprise confirming a school's whole class
    of interns. Each must wait for the actor's organisation; declining many needs no reason here
    only because none is asked of a bulk agreement, so declining in bulk is refused."""
    if not agree:
        raise ValidationError(_("拒绝须逐条填写原因。"))
    entries = []
    with transaction.atomic():
        for model in {type(r) for r in records}:
            ids = [r.pk for r in records if type(r) is model]
            locked = list(
                model._default_manager.select_for_update(of=("self",))
                .filter(pk__in=ids, consent=Consent.PENDING)
                .select_related(*(("school",) if model is Apprenticeship else ("registration__school",)))
            )
            for record in locked:
                require(actor, "registry.placement.answer", record)
                before = audit.snapshot(record)
                record.consent = Consent.AGREED
                entry = audit.entry_values(
                    actor=actor,
                    action=f"{model._meta.model_name}.agree",
                    entity=record,
                    before=before,
                    after=audit.snapshot(record),
                    owner=_placement_school(record),
                )
                entries.append(entry)
            model._default_manager.filter(pk__in=[r.pk for r in locked]).update(consent=Consent.AGREED)
        audit.record_many(entries)
    return len(entries)


def internship_insure(*, actor: Actor, internship: Internship, insurance_policy_no: str) -> Internship:
    """The school adds the liability insurance policy of an internship recorded without one (an
    internship that came from an accepted offer, say); the bureau's flag goes with it."""
    require(actor, "registry.internship.write", internship.registration.school)
    number = insurance_policy_no.strip()
    if not number:
        raise ValidationError({"insurance_policy_no": _("请填写保单号。")})
    with transaction.atomic():
        before = audit.snapshot(internship)
        internship.insurance_policy_no = number[:50]
        internship.save(update_fields=["insurance_policy_no"])
        audit.record(
            actor=actor, action="internship.insure", entity=internship, before=before,
            after=audit.snapshot(internship), owner=internship.registration.school,
        )  # fmt: skip
    return internship


def _new_internship(
    *,
    registration: Registration,
    enterprise: Organisation,
    post: str,
    starts_on: dt.date,
    ends_on: dt.date,
    insurance_policy_no: str = "",
    fee_charged: Decimal | int | str = 0,
    status: str = PlacementStatus.ACTIVE,
) -> Internship:
    _kind(enterprise, OrganisationKind.ENTERPRISE, "enterprise", _("实习单位必须是企业。"))
    if registration.status not in (RegistrationStatus.ENROLLED,):
        raise ValidationError({"registration": _("只有在籍学生可以登记实习。")})
    if not post.strip():
        raise ValidationError({"post": _("请填写实习岗位。")})
    _period(starts_on, ends_on)
    _placement_status(status, ends_on)
    fee = Decimal(str(fee_charged))
    if fee < 0:
        raise ValidationError({"fee_charged": _("费用不能为负数。")})
    return Internship(
        registration=registration, enterprise=enterprise, post=post.strip(), starts_on=starts_on, ends_on=ends_on,
        insurance_policy_no=insurance_policy_no.strip(), fee_charged=fee, status=status,
    )  # fmt: skip


# -- destinations, assessments, awards --------------------------------------------------------


def destination_record(
    *,
    actor: Actor,
    registration: Registration,
    census_date: dt.date,
    kind: str,
    employer: Organisation | None = None,
    employer_name: str = "",
    occupation_code: str = "",
    in_field: bool | None = None,
    monthly_pay: Decimal | int | str | None = None,
) -> Destination:
    """Record (or correct) a graduate's destination at a census date."""
    require(actor, "registry.destination.write", registration.school)
    facts = _destination_facts(
        registration=registration, kind=kind, employer=employer, employer_name=employer_name,
        occupation_code=occupation_code, in_field=in_field, monthly_pay=monthly_pay,
    )  # fmt: skip
    destination = Destination.objects.filter(registration=registration, census_date=census_date).first()
    before = audit.snapshot(destination) if destination is not None else None
    if destination is None:
        destination = Destination(registration=registration, census_date=census_date)
    for field, value in facts.items():
        setattr(destination, field, value)
    _save(actor, "destination.update" if before else "destination.record", destination, registration.school, before)
    return destination


def destination_record_many(*, actor: Actor, destinations: Sequence[Mapping[str, Any]]) -> list[Destination]:
    """Record many graduates' destinations at once (a school's census), each with the keyword
    arguments of `destination_record` and checked the same way. Only new ones: a graduate already
    recorded at that census date refuses the batch; a correction goes through `destination_record`."""
    occupation = functools.cache(_occupation)
    built = []
    for fields in destinations:
        values = dict(fields)
        registration, census_date = values.pop("registration"), values.pop("census_date")
        facts = _destination_facts(registration=registration, occupation=occupation, **values)
        built.append(Destination(registration=registration, census_date=census_date, **facts))
    _require_each(actor, "registry.destination.write", (d.registration.school for d in built))
    return _save_many(actor, "destination.record", built, lambda d: d.registration.school)


def _destination_facts(
    *,
    registration: Registration,
    kind: str,
    employer: Organisation | None = None,
    employer_name: str = "",
    occupation_code: str = "",
    in_field: bool | None = None,
    monthly_pay: Decimal | int | str | None = None,
    occupation: Occupation = _occupation,
) -> dict[str, Any]:
    """The checked field values of a destination: the rules of `destination_record` and its bulk variant."""
    if registration.status not in (RegistrationStatus.GRADUATED, RegistrationStatus.COMPLETED):
        raise ValidationError({"registration": _("只能为毕业或结业学生登记去向。")})
    if kind not in DestinationKind.values:
        raise ValidationError({"kind": _("去向“%(value)s”未知。") % {"value": kind}})
    pay = Decimal(str(monthly_pay)) if monthly_pay not in (None, "") else None
    name = (employer.name if employer is not None else employer_name).strip()
    if kind == DestinationKind.EMPLOYED:
        if not name:
            raise ValidationError({"employer_name": _("就业须填写就业单位。")})
        if not occupation_code:
            raise ValidationError({"occupation_code": _("就业须填写职业代码。")})
        if in_field is None:
            raise ValidationError({"in_field": _("就业须说明是否对口。")})
    if pay is not None and not Decimal(0) <= pay <= MAX_MONTHLY_PAY:
        raise ValidationError({"monthly_pay": _("月收入应在0到200000元之间。")})
    return {
        "kind": kind,
        "employer": employer,
        "employer_name": name,
        "occupation_code": occupation(occupation_code) if occupation_code else "",
        "in_field": in_field if kind == DestinationKind.EMPLOYED else None,
        "monthly_pay": pay,
    }


def assessment_record(
    *,
    actor: Actor,
    evaluator: Organisation,
    person: Person,
    occupation_code: str,
    skill_level: int,
    assessed_on: dt.date,
    result: str,
    certificate_no: str = "",
) -> SkillAssessment:
    require(actor, "registry.assessment.write", evaluator)
    assessment = _new_assessment(
        evaluator=evaluator, person=person, occupation_code=occupation_code, skill_level=skill_level,
        assessed_on=assessed_on, result=result, certificate_no=certificate_no,
    )  # fmt: skip
    _save(actor, "assessment.record", assessment, evaluator)
    return assessment


def assessment_record_many(*, actor: Actor, assessments: Sequence[Mapping[str, Any]]) -> list[SkillAssessment]:
    """Record many assessments at once (a sitting of an evaluation body), each with the keyword
    arguments of `assessment_record` and checked the same way."""
    occupation = functools.cache(_occupation)
    built = [_new_assessment(occupation=occupation, **fields) for fields in assessments]
    _require_each(actor, "registry.assessment.write", (a.evaluator for a in built))
    return _save_many(actor, "assessment.record", built, lambda a: a.evaluator)


def assessment_results_record(
    *,
    actor: Actor,
    evaluator: Organisation,
    occupation_code: str,
    skill_level: int,
    assessed_on: dt.date,
    outcomes: Sequence[tuple[Person, bool]],
) -> list[SkillAssessment]:
    """The final results of one sitting of an assessment plan: one assessment per candidate who sat,
    passed or not. The certificate number is left empty: the certificate is issued afterwards
    (credentials) from the passed assessment, so a pass here needs none (ADR 0027)."""
    require(actor, "registry.assessment.write", evaluator)
    occupation = functools.cache(_occupation)
    built = [
        _new_assessment(
            evaluator=evaluator, person=person, occupation_code=occupation_code, skill_level=skill_level,
            assessed_on=assessed_on, result=AssessmentResult.PASSED if passed else AssessmentResult.FAILED,
            occupation=occupation, certificate_later=True,
        )
        for person, passed in outcomes
    ]  # fmt: skip
    for assessment in built:
        assessment.basis = AssessmentBasis.PLAN
    return _save_many(actor, "assessment.record", built, lambda a: a.evaluator)


def assessment_confer(
    *,
    actor: Actor,
    evaluator: Organisation,
    award: CompetitionAward,
    skill_level: int,
    assessed_on: dt.date,
) -> SkillAssessment:
    """A level conferred directly on a competition winner, with the award as its evidence; the
    award confers at most once (a second conferral is refused by the one-to-one link)."""
    require(actor, "registry.assessment.write", evaluator)
    if not award.occupation_code:
        raise ValidationError({"award": _("该获奖记录未登记职业代码，无法据以认定等级。")})
    if SkillAssessment.objects.filter(award=award).exists():
        raise ValidationError({"award": _("该获奖已据以认定过等级，请勿重复认定。")})
    assessment = _new_assessment(
        evaluator=evaluator, person=award.person, occupation_code=award.occupation_code, skill_level=skill_level,
        assessed_on=assessed_on, result=AssessmentResult.PASSED, certificate_later=True,
    )  # fmt: skip
    assessment.basis, assessment.award = AssessmentBasis.AWARD, award
    _save(actor, "assessment.confer", assessment, evaluator)
    return assessment


def _new_assessment(
    *,
    evaluator: Organisation,
    person: Person,
    occupation_code: str,
    skill_level: int,
    assessed_on: dt.date,
    result: str,
    certificate_no: str = "",
    occupation: Occupation = _occupation,
    certificate_later: bool = False,
) -> SkillAssessment:
    if skill_level not in SkillLevel.values:
        raise ValidationError({"skill_level": _("技能等级应为1（高级技师）到5（初级工）。")})
    if result not in AssessmentResult.values:
        raise ValidationError({"result": _("认定结果应为合格或不合格。")})
    if result == AssessmentResult.PASSED and not certificate_later and not certificate_no.strip():
        raise ValidationError({"certificate_no": _("认定合格须填写证书编号。")})
    if assessed_on > clock.today():
        raise ValidationError({"assessed_on": _("认定日期不能晚于今天。")})
    return SkillAssessment(
        evaluator=evaluator, person=person, occupation_code=occupation(occupation_code), skill_level=skill_level,
        assessed_on=assessed_on, result=result, certificate_no=certificate_no.strip(),
    )  # fmt: skip


def award_record(
    *,
    actor: Actor,
    recorded_by: Organisation,
    person: Person,
    competition: str,
    level: str,
    rank: str,
    awarded_on: dt.date,
    occupation_code: str = "",
) -> CompetitionAward:
    require(actor, "registry.award.write", recorded_by)
    if level not in CompetitionLevel.values:
        raise ValidationError({"level": _("竞赛级别应为世界技能大赛、国家级、省级或市级。")})
    if not competition.strip() or not rank.strip():
        raise ValidationError({"competition": _("请填写竞赛名称和名次。")})
    award = CompetitionAward(
        recorded_by=recorded_by, person=person, competition=competition.strip(), level=level, rank=rank.strip(),
        occupation_code=_occupation(occupation_code) if occupation_code else "", awarded_on=awarded_on,
    )  # fmt: skip
    _save(actor, "award.record", award, recorded_by)
    return award
