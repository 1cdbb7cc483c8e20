"""Writes to the register: validated, atomic, audited; status changes wait for the bureau.

Records that two clerks may edit at once carry a `version`; a save based on an older version is
refused with a message instead of overwriting the other clerk's work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
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
    ACTIVE_STATUSES,
    ApplicationKind,
    ClassLevel,
    Decision,
    EventKind,
    MajorApplication,
    MajorOffering,
    OfferingStatus,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    SchoolClass,
    SchoolProfile,
    StudyForm,
)
from gongjiang.registry.services.identity import claim_confirm, full_time_held

M = TypeVar("M", bound=models.Model)

# event kind → (statuses it may start from, status after approval)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    EventKind.REGISTER: ((RegistrationStatus.PENDING,), RegistrationStatus.ENROLLED),
    EventKind.SUSPEND: ((RegistrationStatus.ENROLLED,), RegistrationStatus.SUSPENDED),
    EventKind.RESUME: ((RegistrationStatus.SUSPENDED,), RegistrationStatus.ENROLLED),
    EventKind.TRANSFER_OUT: (
        (RegistrationStatus.ENROLLED, RegistrationStatus.SUSPENDED),
        RegistrationStatus.TRANSFERRED_OUT,
    ),
    EventKind.WITHDRAW: ((RegistrationStatus.ENROLLED, RegistrationStatus.SUSPENDED), RegistrationStatus.WITHDRAWN),
    EventKind.COMPLETE: ((RegistrationStatus.ENROLLED,), RegistrationStatus.COMPLETED),
    EventKind.GRADUATE: ((RegistrationStatus.ENROLLED,), RegistrationStatus.GRADUATED),
    EventKind.EXPEL: ((RegistrationStatus.ENROLLED, RegistrationStatus.SUSPENDED), RegistrationStatus.EXPELLED),
    # A move inside the school keeps the learner in school; the class changes on approval.
    EventKind.CHANGE_CLASS: ((RegistrationStatus.ENROLLED,), RegistrationStatus.ENROLLED),
    EventKind.CHANGE_MAJOR: ((RegistrationStatus.ENROLLED,), RegistrationStatus.ENROLLED),
}
# Status changes that name a class the registration moves into.
MOVES = (EventKind.TRANSFER_OUT, EventKind.CHANGE_CLASS, EventKind.CHANGE_MAJOR)
MIN_PART_TIME_YEARS = Decimal("1")  # a part-time channel lasts at least one year (002 §24)


def approval_days() -> int:
    return int(getattr(settings, "GONGJIANG_APPROVAL_DAYS", 15))


def _due_on() -> dt.date:
    return clock.today() + dt.timedelta(days=approval_days())


def _record(actor: Actor, action: str, obj: models.Model, school: Organisation, before: dict[str, Any] | None) -> None:
    audit.record(actor=actor, action=action, entity=obj, before=before, after=audit.snapshot(obj), owner=school)


def _entry(
    actor: Actor, action: str, obj: models.Model, school: Organisation, before: dict[str, Any] | None
) -> dict[str, Any]:
    """An audit entry of the school's, as values for `audit.record_many` (services that write in bulk)."""
    return audit.entry_values(
        actor=actor,
        action=action,
        entity=obj,
        before=before,
        after=audit.snapshot(obj),
        owner=school,
    )


def _lock(queryset: models.QuerySet[M], pk: int, expected_version: int | None, *, edit: bool = False) -> M:
    """Lock a row for update; for an `edit`, refuse it unless it names the version it read."""
    row = queryset.select_for_update().get(pk=pk)
    if edit:
        require_version(int(getattr(row, "version")), expected_version)  # noqa: B009
    return row


def _require_school(org: Organisation) -> None:
    if org.kind != OrganisationKind.SCHOOL:
        raise ValidationError(_("“%(name)s”不是技工院校。") % {"name": org.name})


# ---------------------------------------------------------------------------------------------
# School facts

PROFILE_FIELDS = (
    "land_area_m2",
    "floor_area_m2",
    "training_floor_area_m2",
    "equipment_value_wan",
    "books",
    "address",
    "contact_name",
    "contact_phone",
)


def school_profile_update(
    *, actor: Actor, school: Organisation, expected_version: int | None, **facts: Any
) -> SchoolProfile:
    """Change a school's facts; `expected_version` is the version the clerk read (None only for a
    school whose facts were never entered)."""
    require(actor, "registry.profile.update", school)
    _require_school(school)
    unknown = set(facts) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    for field in ("land_area_m2", "floor_area_m2", "training_floor_area_m2", "equipment_value_wan", "books"):
        value = facts.get(field)
        if value is not None and Decimal(value) < 0:
            raise ValidationError({field: _("不能为负数。")})
    with transaction.atomic():
        _new, created = SchoolProfile.objects.get_or_create(school=school)
        profile = _lock(SchoolProfile.objects.all(), _new.pk, expected_version if not created else 1, edit=True)
        before = audit.snapshot(profile)
        for field, value in facts.items():
            setattr(profile, field, value)
        profile.full_clean()
        profile.version += 1
        profile.save()
        _record(actor, "school_profile.update", profile, school, before)
    return profile


# ---------------------------------------------------------------------------------------------
# Majors offered


def major_apply(
    *,
    actor: Actor,
    school: Organisation,
    major_code: str,
    kind: str,
    class_levels: list[str] | None = None,
    reason: str = "",
) -> MajorApplication:
    """Ask the bureau to add, adjust or stop a major. Levels beyond the school's tier may be asked
    for; filing them is the bureau's decision (a 技工学校 runs 高级工班 only where approved)."""
    require(actor, "registry.major.apply", school)
    _require_school(school)
    if kind not in ApplicationKind.values:
        raise ValidationError({"kind": _("申请类型“%(kind)s”未知。") % {"kind": kind}})
    major = concept_get(Scheme.MAJOR, major_code)
    if major is None or major.level < 2:
        raise ValidationError({"major_code": _("专业代码“%(code)s”不在专业目录中。") % {"code": major_code}})
    levels = list(dict.fromkeys(class_levels or []))
    if kind != ApplicationKind.STOP:
        if not levels:
            raise ValidationError({"class_levels": _("请至少选择一个班级层次。")})
        catalogue_levels = major.attrs.get("class_levels", [])
        outside = [lv for lv in levels if lv not in catalogue_levels]
        if outside:
            labels = "、".join(str(ClassLevel(lv).label) if lv in ClassLevel.values else lv for lv in outside)
            raise ValidationError({"class_levels": _("专业目录不允许该专业开设：%(levels)s。") % {"levels": labels}})
    with transaction.atomic():
        offering = MajorOffering.objects.select_for_update().filter(school=school, major_code=major.code).first()
        if kind == ApplicationKind.ADD:
            if offering is not None and offering.status in (OfferingStatus.FILED, OfferingStatus.APPLIED):
                raise ValidationError({"major_code": _("本校已开设或已申请该专业，请提交调整申请。")})
            if offering is None:
                offering = MajorOffering.objects.create(
                    school=school, major_code=major.code, major_name=major.name, status=OfferingStatus.APPLIED
                )
                _record(actor, "major_offering.create", offering, school, None)
            else:
                before = audit.snapshot(offering)
                offering.status, offering.version = OfferingStatus.APPLIED, offering.version + 1
                offering.save()
                _record(actor, "major_offering.reapply", offering, school, before)
        elif offering is None or offering.status != OfferingStatus.FILED:
            raise ValidationError({"major_code": _("只能调整或停办已备案的专业。")})
        try:
            with transaction.atomic():
                application = MajorApplication.objects.create(
                    offering=offering,
                    kind=kind,
                    class_levels=levels,
                    reason=reason.strip(),
                    submitted_by_id=actor.user_id,
                    due_on=_due_on(),
                )
        except IntegrityError as exc:
            raise ValidationError(_("该专业已有一项申请正在审核，请等待审核结果。")) from exc
        _record(actor, "major_application.submit", application, school, None)
    return application


def major_decide(
    *,
    actor: Actor,
    application: MajorApplication,
    approve: bool,
    reason: str = "",
    filed_on: dt.date | None = None,
) -> MajorApplication:
    """File (备案) the request or return it with a reason; the history stays in the applications.

    `filed_on` records a filing made earlier (a major offered for years before the platform);
    by default a major is filed today. Adjusting a filed major keeps the day it was first filed,
    which is when the school began to offer it."""
    school = application.offering.school
    require(actor, "registry.major.decide", school)
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("退回申请时必须说明理由。")})
    if filed_on is not None and filed_on > clock.today():
        raise ValidationError({"filed_on": _("备案日期不能晚于今天。")})
    with transaction.atomic():
        application = _lock(MajorApplication.objects.all(), application.pk, None)
        if application.decision != Decision.PENDING:
            raise ValidationError(_("该申请已审核，不能重复审核。"))
        before = audit.snapshot(application)
        application.decision = Decision.APPROVED if approve else Decision.RETURNED
        application.decided_by_id = actor.user_id
        application.decided_at = timezone.now()
        application.decision_reason = reason.strip()
        application.save()
        _record(actor, "major_application.decide", application, school, before)
        offering = _lock(MajorOffering.objects.all(), application.offering_id, None)
        offering_before = audit.snapshot(offering)
        if approve and application.kind == ApplicationKind.STOP:
            offering.status = OfferingStatus.STOPPED
        elif approve:
            offering.status, offering.class_levels = OfferingStatus.FILED, application.class_levels
            if application.kind == ApplicationKind.ADD or offering.filed_on is None:
                offering.filed_on = filed_on or clock.today()
        elif application.kind == ApplicationKind.ADD:
            offering.status = OfferingStatus.RETURNED
        else:
            return application  # a returned adjustment or stop leaves the major as it was filed
        offering.version += 1
        offering.save()
        _record(actor, "major_offering.update", offering, school, offering_before)
    return application


# ---------------------------------------------------------------------------------------------
# Classes


def class_create(
    *,
    actor: Actor,
    school: Organisation,
    major_code: str,
    name: str,
    class_level: str,
    form: str,
    cohort_year: int,
    planned_years: Decimal | int | str,
    partner: Organisation | None = None,
) -> SchoolClass:
    require(actor, "registry.class.create", school)
    _require_school(school)
    offering = MajorOffering.objects.filter(school=school, major_code=major_code, status=OfferingStatus.FILED).first()
    if offering is None:
        raise ValidationError({"major_code": _("专业“%(code)s”未在本校备案，不能开班。") % {"code": major_code}})
    years = class_check(
        offering=offering, class_level=class_level, form=form, cohort_year=cohort_year, planned_years=planned_years
    )
    if partner is not None and partner.kind != OrganisationKind.ENTERPRISE:
        raise ValidationError({"partner": _("订单班的合作方必须是企业。")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("班级名称不能为空。")})
    with transaction.atomic():
        if SchoolClass.objects.filter(school=school, cohort_year=cohort_year, name=name).exists():
            raise ValidationError(
                {"name": _("%(year)d级已有名为“%(name)s”的班级。") % {"year": cohort_year, "name": name}}
            )
        school_class = SchoolClass.objects.create(
            school=school,
            offering=offering,
            name=name,
            class_level=class_level,
            form=form,
            cohort_year=cohort_year,
            planned_years=years,
            partner=partner,
        )
        _record(actor, "class.create", school_class, school, None)
    return school_class


def class_check(
    *, offering: MajorOffering, class_level: str, form: str, cohort_year: int, planned_years: Decimal | int | str
) -> Decimal:
    """The rules a class must meet, whoever makes it (the class form or an import): raises
    ValidationError by field, returns the length as a Decimal."""
    if class_level not in ClassLevel.values:
        raise ValidationError({"class_level": _("班级层次“%(level)s”未知。") % {"level": class_level}})
    if class_level not in offering.class_levels:
        raise ValidationError(
            {
                "class_level": _("“%(major)s”专业未备案%(level)s，不能开设该层次的班级。")
                % {"major": offering.major_name, "level": ClassLevel(class_level).label}
            }
        )
    if form not in StudyForm.values:
        raise ValidationError({"form": _("学习形式“%(form)s”未知。") % {"form": form}})
    years = length_check(form=form, planned_years=planned_years)
    this_year = clock.today().year
    if not 1990 <= cohort_year <= this_year + 1:
        raise ValidationError({"cohort_year": _("入学年份“%(year)s”不合理。") % {"year": cohort_year}})
    return years


# ---------------------------------------------------------------------------------------------
# Registrations


def _active_full_time_elsewhere(person: Person, exclude: Registration | None = None) -> Registration | None:
    qs = Registration.objects.filter(person=person, form=StudyForm.FULL_TIME, is_active=True).select_related(
        "school", "school_class"
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.first()


def length_check(*, form: str, planned_years: Decimal | int | str) -> Decimal:
    """A class's length of study: more than 0 and at most 6 years, a part-time one at least a year."""
    try:
        years = Decimal(str(planned_years))
    except InvalidOperation:
        years = Decimal("NaN")
    if not years.is_finite() or years <= 0 or years > 6:
        raise ValidationError({"planned_years": _("学制应在 0 到 6 年之间。")})
    if form == StudyForm.PART_TIME and years < MIN_PART_TIME_YEARS:
        raise ValidationError({"planned_years": _("非全日制学制不少于1年。")})
    return years


def registration_create(
    *, actor: Actor, school_class: SchoolClass, person: Person, enrolled_on: dt.date, reason: str = ""
) -> Registration:
    """Register a person in a class; the registration waits for the bureau's approval."""
    school = school_class.school
    require(actor, "registry.registration.request", school)
    enrolment_check(enrolled_on=enrolled_on, cohort_year=school_class.cohort_year)
    if Registration.objects.filter(person=person, school_class=school_class, is_active=True).exists():
        raise ValidationError({"person": _("%(name)s已在该班级注册。") % {"name": person.name}})
    # A full-time place held at another school is not this school's to see: the request is filed
    # without holding a place, and the bureau resolves the clash when it decides (ADR 0023).
    holds_place = True
    if school_class.form == StudyForm.FULL_TIME:
        holder = _active_full_time_elsewhere(person)
        if holder is not None and holder.school_id == school.pk:
            raise ValidationError(
                {
                    "person": _("%(name)s已在本校%(cls)s有全日制学籍，同一人只能有一个全日制学籍。")
                    % {"name": person.name, "cls": holder.school_class.name}
                }
            )
        holds_place = holder is None
    with transaction.atomic():
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    person=person,
                    school=school,
                    school_class=school_class,
                    form=school_class.form,
                    enrolled_on=enrolled_on,
                    status=RegistrationStatus.PENDING,
                    is_active=holds_place,
                )
        except IntegrityError as exc:  # a concurrent registration took the full-time place first
            raise ValidationError({"person": _("%(name)s已有全日制学籍。") % {"name": person.name}}) from exc
        _record(actor, "registration.create", registration, school, None)
        event = RegistrationEvent.objects.create(
            registration=registration,
            kind=EventKind.REGISTER,
            effective_on=enrolled_on,
            reason=reason.strip(),
            requested_by_id=actor.user_id,
            due_on=_due_on(),
        )
        _record(actor, "registration_event.request", event, school, None)
    return registration


def enrolment_check(*, enrolled_on: dt.date, cohort_year: int) -> None:
    """The rules an entry date must meet, whoever registers (the form, the API or an import)."""
    if enrolled_on > clock.today() + dt.timedelta(days=366):
        raise ValidationError({"enrolled_on": _("入学日期不能晚于明年。")})
    if abs(enrolled_on.year - cohort_year) > 1:
        raise ValidationError(
            {
                "enrolled_on": _("入学日期%(date)s与班级的入学年份（%(year)d级）相差超过一年，请核对。")
                % {"date": enrolled_on.isoformat(), "year": cohort_year}
            }
        )


def registration_request(
    *,
    actor: Actor,
    registration: Registration,
    kind: str,
    effective_on: dt.date,
    reason: str = "",
    target_class: SchoolClass | None = None,
) -> RegistrationEvent:
    """Ask for a status change (休学, 复学, 转学, 转班, 转专业, 退学, 结业, 毕业, 开除); it takes
    effect when approved."""
    school = registration.school
    require(actor, "registry.registration.request", school)
    event = registration_request_check(
        actor=actor, registration=registration, kind=kind, effective_on=effective_on, reason=reason,
        target_class=target_class,
    )  # fmt: skip
    with transaction.atomic():
        try:
            with transaction.atomic():
                event.save()
        except IntegrityError as exc:
            raise ValidationError(_("该学籍已有一项异动正在审核，请等待审核结果。")) from exc
        _record(actor, "registration_event.request", event, school, None)
    return event


def registration_request_many(*, actor: Actor, requests: Sequence[Mapping[str, Any]]) -> list[RegistrationEvent]:
    """Ask for many status changes at once (a class's graduation), each with the keyword arguments
    of `registration_request` and checked the same way. Transfers are asked one by one, since
    each names a class at another school."""
    events = [registration_request_check(actor=actor, **fields) for fields in requests]
    if any(e.kind == EventKind.TRANSFER_OUT for e in events):
        raise ValidationError(_("转学须逐项申请。"))
    for school in {e.registration.school_id: e.registration.school for e in events}.values():
        require(actor, "registry.registration.request", school)
    with transaction.atomic():
        try:
            with transaction.atomic():
                created = list(insert_many(events))
        except IntegrityError as exc:
            raise ValidationError(_("有学籍已有一项异动正在审核，请等待审核结果。")) from exc
        audit.record_many(_entry(actor, "registration_event.request", e, e.registration.school, None) for e in created)
    return created


def registration_request_check(
    *,
    actor: Actor,
    registration: Registration,
    kind: str,
    effective_on: dt.date,
    reason: str = "",
    target_class: SchoolClass | None = None,
) -> RegistrationEvent:
    """An unsaved, checked status-change request: the rules of `registration_request`, its bulk
    variant and the registrations import (a changed class in a file). The target class may be
    unsaved (one the import will make)."""
    school = registration.school
    if kind not in TRANSITIONS or kind == EventKind.REGISTER:
        raise ValidationError({"kind": _("学籍异动事项“%(kind)s”未知。") % {"kind": kind}})
    allowed_from, _after = TRANSITIONS[kind]
    if registration.status not in allowed_from:
        raise ValidationError(
            {
                "kind": _("当前学籍状态为“%(status)s”，不能办理“%(event)s”。")
                % {"status": RegistrationStatus(registration.status).label, "event": EventKind(kind).label}
            }
        )
    if kind in (EventKind.WITHDRAW, EventKind.EXPEL, EventKind.SUSPEND) and not reason.strip():
        raise ValidationError({"reason": _("办理“%(event)s”必须填写原因。") % {"event": EventKind(kind).label}})
    if kind == EventKind.TRANSFER_OUT:
        if target_class is None:
            raise ValidationError({"target_class": _("转学须指定转入的班级。")})
        if target_class.school_id == school.pk:
            raise ValidationError({"target_class": _("转学须转入另一所学校；校内调班不属于转学。")})
        if target_class.form != registration.form:
            raise ValidationError({"target_class": _("转入班级的学习形式与原学籍不同。")})
    elif kind in (EventKind.CHANGE_CLASS, EventKind.CHANGE_MAJOR):
        _check_move_inside(registration, kind, target_class)
    elif target_class is not None:
        raise ValidationError({"target_class": _("只有转学、转班和转专业需要指定转入班级。")})
    if effective_on < registration.enrolled_on:
        raise ValidationError({"effective_on": _("生效日期不能早于入学日期。")})
    return RegistrationEvent(
        registration=registration,
        kind=kind,
        effective_on=effective_on,
        reason=reason.strip(),
        target_class=target_class,
        from_class_id=registration.school_class_id if kind in MOVES else None,
        requested_by_id=actor.user_id,
        due_on=_due_on(),
    )


def _check_move_inside(registration: Registration, kind: str, target_class: SchoolClass | None) -> None:
    """转班 stays in the major (the level or study form may change); 转专业 leaves it."""
    if target_class is None:
        raise ValidationError({"target_class": _("%(event)s须指定转入的本校班级。") % {"event": EventKind(kind).label}})
    if target_class.school_id != registration.school_id:
        raise ValidationError({"target_class": _("转班、转专业只能转入本校的班级；转入其他学校请办理转学。")})
    if target_class.pk is not None and target_class.pk == registration.school_class_id:
        raise ValidationError({"target_class": _("转入班级就是现在的班级。")})
    same_major = target_class.offering_id == registration.school_class.offering_id
    if kind == EventKind.CHANGE_CLASS and not same_major:
        raise ValidationError({"target_class": _("转入班级属于另一个专业，请办理转专业。")})
    if kind == EventKind.CHANGE_MAJOR and same_major:
        raise ValidationError({"target_class": _("转入班级属于同一专业，请办理转班。")})
    if abs(registration.enrolled_on.year - target_class.cohort_year) > 1:
        raise ValidationError(
            {
                "target_class": _("转入班级为%(year)d级，与入学日期%(date)s相差超过一年，请核对。")
                % {"year": target_class.cohort_year, "date": registration.enrolled_on.isoformat()}
            }
        )
    if target_class.form == StudyForm.FULL_TIME and registration.form != StudyForm.FULL_TIME:
        holder = _active_full_time_elsewhere(registration.person, exclude=registration)
        if holder is not None and holder.school_id == registration.school_id:
            raise ValidationError(
                {
                    "target_class": _("%(name)s已在本校%(cls)s有全日制学籍，同一人只能有一个全日制学籍。")
                    % {"name": registration.person.name, "cls": holder.school_class.name}
                }
            )


def _move(registration: Registration, event: RegistrationEvent) -> None:
    """An approved 转班 or 转专业: the registration joins the target class and takes its study form.
    A full-time place held elsewhere stops it (that school's record is not named)."""
    target = event.target_class
    assert target is not None  # checked when the change was asked for
    if (
        target.form == StudyForm.FULL_TIME
        and registration.form != StudyForm.FULL_TIME
        and _active_full_time_elsewhere(registration.person, exclude=registration) is not None
    ):
        raise ValidationError(full_time_held())
    registration.school_class, registration.form = target, target.form


def registration_decide(*, actor: Actor, event: RegistrationEvent, approve: bool, note: str = "") -> RegistrationEvent:
    """Approve or reject a pending event; approval moves the registration to its new status.
    An approved transfer closes the old registration and opens one in the target class."""
    registration = event.registration
    school = registration.school
    require(actor, "registry.registration.decide", school)
    if event.kind == EventKind.TRANSFER_OUT and event.target_class is not None:
        require(actor, "registry.registration.decide", event.target_class.school)
    if not approve and not note.strip():
        raise ValidationError({"note": _("不予通过时必须填写审核意见。")})
    with transaction.atomic():
        event = _lock(RegistrationEvent.objects.all(), event.pk, None)
        if event.decision != Decision.PENDING:
            raise ValidationError(_("该事项已审核，不能重复审核。"))
        event_before = audit.snapshot(event)
        event.decision = Decision.APPROVED if approve else Decision.RETURNED
        event.decided_by_id = actor.user_id
        event.decided_at = timezone.now()
        event.decision_note = note.strip()
        event.save()
        _record(actor, "registration_event.decide", event, school, event_before)
        registration = _lock(Registration.objects.all(), registration.pk, None)
        allowed_from, after = TRANSITIONS[event.kind]
        if approve and registration.status not in allowed_from:
            raise ValidationError(_("学籍状态已变化，该事项不能再生效，请驳回后重新申请。"))
        if not approve and event.kind != EventKind.REGISTER:
            return event
        if approve and event.kind == EventKind.REGISTER:
            _settle_identity(actor, registration)
        before = audit.snapshot(registration)
        if approve and event.kind in (EventKind.CHANGE_CLASS, EventKind.CHANGE_MAJOR):
            _move(registration, event)
        registration.status = after if approve else RegistrationStatus.REJECTED
        registration.is_active = registration.status in ACTIVE_STATUSES
        registration.version += 1
        registration.save()
        _record(actor, "registration.status", registration, school, before)
        if approve and event.kind == EventKind.TRANSFER_OUT and event.target_class is not None:
            target = event.target_class
            incoming = Registration.objects.create(
                person=registration.person,
                school=target.school,
                school_class=target,
                form=target.form,
                enrolled_on=event.effective_on,
                status=RegistrationStatus.ENROLLED,
                is_active=True,
                transferred_from=registration,
            )
            _record(actor, "registration.transfer_in", incoming, target.school, None)
    return event


def _settle_identity(actor: Actor, registration: Registration) -> None:
    """Before a registration is approved: its person, if a claim, is confirmed as the registered
    person, and no other full-time place may be active. Refusals are worded for the bureau."""
    registration.person.refresh_from_db()
    if registration.person.claims_id is not None and registration.person.merged_at is None:
        claim_confirm(actor=actor, claim=registration.person, registration=registration)
        registration.refresh_from_db()
    if (
        registration.form == StudyForm.FULL_TIME
        and not registration.is_active
        and _active_full_time_elsewhere(registration.person, exclude=registration) is not None
    ):
        raise ValidationError(full_time_held())


def registration_decide_many(*, actor: Actor, event_ids: list[int], approve: bool, note: str = "") -> int:
    """Decide many pending registration events at once (a school's intake after an import).
    Transfers are decided one by one, since each opens a registration at another school."""
    if not approve and not note.strip():
        raise ValidationError({"note": _("不予通过时必须填写审核意见。")})
    decided = 0
    with transaction.atomic():
        events = list(
            # Only the events and their registrations are locked: without `of`, FOR UPDATE would
            # lock (and write to) every joined person and class row too.
            RegistrationEvent.objects.select_for_update(of=("self", "registration"))
            .filter(pk__in=event_ids, decision=Decision.PENDING)
            .select_related("registration", "registration__person", "registration__school_class", "target_class")
            .order_by("pk")
        )
        # Each school read once, not joined into every row (an intake is thousands of rows).
        schools = Organisation.objects.in_bulk({e.registration.school_id for e in events})
        for school in schools.values():
            require(actor, "registry.registration.decide", school)
        if any(e.kind == EventKind.TRANSFER_OUT for e in events):
            raise ValidationError(_("转学须逐项审核。"))
        now = timezone.now()
        entries = []
        changed: list[Registration] = []
        moved: list[Registration] = []
        for event in events:
            registration = event.registration
            allowed_from, after = TRANSITIONS[event.kind]
            if approve and registration.status not in allowed_from:
                raise ValidationError(
                    _("%(name)s的学籍状态已变化，“%(event)s”不能再生效。")
                    % {"name": registration.person.name, "event": EventKind(event.kind).label}
                )
            if approve and event.kind == EventKind.REGISTER:
                try:
                    _settle_identity(actor, registration)
                except ValidationError as exc:
                    raise ValidationError(
                        _("%(name)s：%(problem)s") % {"name": registration.person.name, "problem": exc.messages[0]}
                    ) from exc
            event.decision = Decision.APPROVED if approve else Decision.RETURNED
            event.decided_by_id, event.decided_at, event.decision_note = actor.user_id, now, note.strip()
            school = schools[registration.school_id]
            entries.append(_entry(actor, "registration_event.decide", event, school, None))
            if approve or event.kind == EventKind.REGISTER:
                before = audit.snapshot(registration)
                if approve and event.kind in (EventKind.CHANGE_CLASS, EventKind.CHANGE_MAJOR):
                    try:
                        _move(registration, event)
                    except ValidationError as exc:
                        raise ValidationError(
                            _("%(name)s：%(problem)s") % {"name": registration.person.name, "problem": exc.messages[0]}
                        ) from exc
                    moved.append(registration)
                registration.status = after if approve else RegistrationStatus.REJECTED
                registration.is_active = registration.status in ACTIVE_STATUSES
                registration.version += 1
                changed.append(registration)
                entries.append(_entry(actor, "registration.status", registration, school, before))
            decided += 1
        # Plain UPDATEs grouped by value: bulk_update's CASE expressions are slow for thousands of rows.
        RegistrationEvent.objects.filter(pk__in=[e.pk for e in events]).update(
            decision=Decision.APPROVED if approve else Decision.RETURNED,
            decided_by_id=actor.user_id,
            decided_at=now,
            decision_note=note.strip(),
        )
        for status in {r.status for r in changed}:
            Registration.objects.filter(pk__in=[r.pk for r in changed if r.status == status]).update(
                status=status, is_active=status in ACTIVE_STATUSES, version=F("version") + 1
            )
        # Moves are few beside an intake: one UPDATE each.
        for registration in moved:
            Registration.objects.filter(pk=registration.pk).update(
                school_class_id=registration.school_class_id, form=registration.form
            )
        audit.record_many(entries)
    return decided
