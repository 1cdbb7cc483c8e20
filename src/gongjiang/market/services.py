"""Writes to the marketplace: enterprise profiles, postings and their moderation, applications
(whose accepted offers land in the register), order-class agreements.

Every refusal is a ValidationError with a Chinese message on the field concerned; nothing is
written when one is raised. Every write is audited; every edit of a posting keeps the version
before it.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import audit, clock
from gongjiang.core.actors import Actor, on_behalf
from gongjiang.core.policies import require
from gongjiang.core.validators import PHONE, validate_uscc
from gongjiang.core.versions import require_version
from gongjiang.directory.models import Organisation, OrganisationKind
from gongjiang.market import policies as _policies  # noqa: F401  (registers the rules)
from gongjiang.market import push
from gongjiang.market.models import (
    APPLICABLE_KINDS,
    ENTERPRISE_KINDS,
    POSTING_LEVELS,
    SCHOOL_KINDS,
    Application,
    ApplicationStatus,
    EnterpriseProfile,
    EnterpriseSize,
    OrderClassAgreement,
    Posting,
    PostingKind,
    PostingRevision,
    PostingStatus,
)
from gongjiang.market.push import preference_save as preference_save
from gongjiang.market.recommend import final_year_starts as final_year_starts
from gongjiang.market.recommend import job_start as job_start
from gongjiang.market.search import search_text
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import (
    CodingResult,
    OccupationCoder,
    concept_get,
    current_version,
    region_ever_existed,
)
from gongjiang.registry import services as registry
from gongjiang.registry.models import Apprenticeship, Consent, Registration

MAX_PAY = 1_000_000
MAX_HEADCOUNT = 100_000
PROFILE_FIELDS = (
    "industry_code", "size", "is_integration_enterprise", "is_rural", "description", "contact_name",
    "contact_phone", "contact_email", "address",
)  # fmt: skip
POSTING_FIELDS = (
    "title", "description", "occupation_code", "industry_code", "region_code", "level", "headcount", "pay_min",
    "pay_max", "starts_on", "ends_on", "requirements", "benefits", "deadline",
)  # fmt: skip


def _uscc(organisation: Organisation) -> None:
    try:
        validate_uscc(organisation.uscc)
    except ValidationError as exc:
        raise ValidationError(
            {"uscc": _("%(name)s的统一社会信用代码“%(code)s”无效：%(reason)s")
             % {"name": organisation.name, "code": organisation.uscc, "reason": exc.messages[0]}}
        ) from exc  # fmt: skip


def _industry(code: str) -> None:
    if code and concept_get(Scheme.INDUSTRY, code) is None:
        raise ValidationError({"industry_code": _("行业代码“%(code)s”不在国民经济行业分类中。") % {"code": code}})


# -- enterprise profiles ----------------------------------------------------------------------


def profile_save(
    *, actor: Actor, organisation: Organisation, expected_version: int | None, **values: Any
) -> EnterpriseProfile:
    """Create or update an enterprise's profile; an update names the version it read (None only
    for the first save)."""
    require(actor, "market.profile.write", organisation)
    if organisation.kind != OrganisationKind.ENTERPRISE:
        raise ValidationError(_("只有企业可以填写企业档案。"))
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    _uscc(organisation)
    with transaction.atomic():
        profile = EnterpriseProfile.objects.select_for_update().filter(organisation=organisation).first()
        before = audit.snapshot(profile) if profile is not None else None
        if profile is None:
            profile = EnterpriseProfile(organisation=organisation)
        else:
            require_version(profile.version, expected_version)
        for field, value in values.items():
            setattr(profile, field, value.strip() if isinstance(value, str) else value)
        if not profile.industry_code:
            raise ValidationError({"industry_code": _("请填写行业代码。")})
        phone = "".join(profile.contact_phone.split())
        if phone and not PHONE.fullmatch(phone):
            raise ValidationError(
                {
                    "contact_phone": _("联系电话“%(value)s”不是有效的手机或固定电话号码。")
                    % {"value": profile.contact_phone}
                }
            )
        profile.contact_phone = phone
        _industry(profile.industry_code)
        if profile.size not in EnterpriseSize.values:
            raise ValidationError({"size": _("企业规模“%(value)s”未知。") % {"value": profile.size}})
        if before is not None:
            profile.version += 1
        profile.save()
        audit.record(
            actor=actor,
            action="enterprise_profile.update" if before else "enterprise_profile.create",
            entity=profile,
            before=before,
            after=audit.snapshot(profile),
            owner=organisation,
        )
    return profile


# -- postings ---------------------------------------------------------------------------------


def _check_posting(posting: Posting, today: dt.date) -> None:
    """Every rule a posting's values must meet, each refusal on its own field."""
    if posting.owner.kind == OrganisationKind.ENTERPRISE:
        if posting.kind not in ENTERPRISE_KINDS:
            raise ValidationError({"kind": _("企业不能发布“%(kind)s”。") % {"kind": PostingKind(posting.kind).label}})
        _uscc(posting.owner)
    elif posting.owner.kind == OrganisationKind.SCHOOL:
        if posting.kind not in SCHOOL_KINDS:
            raise ValidationError({"kind": _("院校不能发布“%(kind)s”。") % {"kind": PostingKind(posting.kind).label}})
    else:
        raise ValidationError(_("只有企业和技工院校可以发布供需信息。"))
    posting.level = normalise_level(posting.level)
    if posting.level and posting.level not in POSTING_LEVELS:
        raise ValidationError(
            {
                "level": _("层次“%(value)s”无法识别，应为%(levels)s之一。")
                % {"value": posting.level, "levels": "、".join(POSTING_LEVELS)}
            }
        )
    posting.title = " ".join(posting.title.split())
    if not posting.title:
        raise ValidationError({"title": _("请填写标题。")})
    if len(posting.title) > 120:
        raise ValidationError({"title": _("标题不能超过120个字。")})
    if not posting.description.strip():
        raise ValidationError({"description": _("请填写描述。")})
    if posting.occupation_code and concept_get(Scheme.OCCUPATION, posting.occupation_code) is None:
        raise ValidationError(
            {"occupation_code": _("职业代码“%(code)s”不在职业分类大典中。") % {"code": posting.occupation_code}}
        )
    _industry(posting.industry_code)
    if not posting.region_code or not region_ever_existed(posting.region_code):
        raise ValidationError({"region_code": _("地区代码“%(code)s”无效。") % {"code": posting.region_code}})
    for field in ("pay_min", "pay_max"):
        value = getattr(posting, field)
        if value is not None and not 0 <= value <= MAX_PAY:
            raise ValidationError({field: _("月薪应在 0 到 %(max)d 元之间。") % {"max": MAX_PAY}})
    if posting.pay_min is not None and posting.pay_max is not None and posting.pay_min > posting.pay_max:
        raise ValidationError({"pay_max": _("月薪上限不能低于下限。")})
    if posting.headcount is not None and not 1 <= posting.headcount <= MAX_HEADCOUNT:
        raise ValidationError({"headcount": _("人数应在 1 到 %(max)d 之间。") % {"max": MAX_HEADCOUNT}})
    if posting.starts_on and posting.ends_on and posting.ends_on < posting.starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
    if posting.deadline < today:
        raise ValidationError({"deadline": _("截止日期不能早于今天。")})


# The coder's confidence is the learnt probability that its code is exactly right (ADR 0038).
# Where nobody can confirm (an archive import, the API), a code is kept from 0.6; on the form
# a code below 0.8 is shown to the publisher to confirm or change before it is saved. Projects
# and services are not jobs, and their titles mislead the coder, so only posts people fill are coded.
MIN_CODING_CONFIDENCE = 0.6
CONFIRM_BELOW_CONFIDENCE = 0.8
CODED_KINDS = (PostingKind.JOB, PostingKind.INTERNSHIP, PostingKind.APPRENTICESHIP, PostingKind.ORDER_CLASS)


@functools.cache
def _coder(catalogue_version: int) -> OccupationCoder:
    """One coder per occupation catalogue version (building it takes seconds)."""
    return OccupationCoder.from_database()


def occupation_suggestion(kind: str, title: str, description: str) -> CodingResult | None:
    """The coder's answer for a post people fill, left without an occupation; None for other
    kinds, an empty title or no occupation table."""
    version = current_version(Scheme.OCCUPATION)
    if version is None or kind not in CODED_KINDS or not title.strip():
        return None
    return _coder(version.pk).code(title, description)


def _suggest_occupation(posting: Posting) -> None:
    """Code a posting left without an occupation from its title and description; the publisher
    sees the suggestion, its confidence and evidence, and may change it."""
    result = occupation_suggestion(posting.kind, posting.title, posting.description)
    if result is not None and result.code and result.confidence >= MIN_CODING_CONFIDENCE:
        posting.occupation_code = result.code
        posting.occupation_confidence = round(result.confidence, 3)
        posting.occupation_evidence = result.evidence


def _index(posting: Posting) -> None:
    occupation = concept_get(Scheme.OCCUPATION, posting.occupation_code) if posting.occupation_code else None
    posting.search_text = search_text(
        posting.title, posting.description, posting.requirements, posting.benefits, posting.owner.name,
        occupation.name if occupation else "",
    )  # fmt: skip


# How levels are also written: a bare grade, the 等级 number, the old 国家职业资格 wording.
LEVEL_SPELLINGS = {
    "初级": "初级工", "五级": "初级工", "中级": "中级工", "四级": "中级工", "高级": "高级工", "三级": "高级工",
    "二级": "技师", "一级": "高级技师", "预备技师": "预备技师班", "预备技师（技师）班": "预备技师班",
    # No level asked, as old lists write it.
    "不限": "", "无": "", "无要求": "", "-": "", "—": "", "/": "",
}  # fmt: skip


def normalise_level(text: str) -> str:
    """A level as `POSTING_LEVELS` writes it: 三级 and 高级 are 高级工; 国家职业资格 and 证书 dropped.
    Anything else is returned as written (and refused by the caller)."""
    level = "".join((text or "").split()).replace("国家职业资格", "").replace("职业技能等级", "")
    level = level.removesuffix("证书").removesuffix("及以上").removesuffix("以上")
    return LEVEL_SPELLINGS.get(level, level)


def posting_create(*, actor: Actor, owner: Organisation, kind: str, **values: Any) -> Posting:
    """A new posting, waiting for the bureau's moderation."""
    require(actor, "market.posting.write", owner)
    if kind not in PostingKind.values:
        raise ValidationError({"kind": _("类型“%(value)s”未知。") % {"value": kind}})
    unknown = set(values) - set(POSTING_FIELDS) - {"occupation_confidence", "occupation_evidence"}
    if unknown:
        raise ValidationError(_("不能填写这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    posting = Posting(owner=owner, kind=kind, **{k: v.strip() if isinstance(v, str) else v for k, v in values.items()})
    if not posting.occupation_code:
        _suggest_occupation(posting)
    _check_posting(posting, clock.today())
    _index(posting)
    with transaction.atomic():
        posting.save()
        audit.record(actor=actor, action="posting.create", entity=posting, after=audit.snapshot(posting), owner=owner)
    return posting


def posting_archive(
    *, actor: Actor, owner: Organisation, kind: str, published_on: dt.date, closed_on: dt.date, **values: Any
) -> Posting:
    """Record a posting that was published and closed before the region's postings came to this
    platform (its earlier system, job-fair lists), so that demand history and forecasts reach back
    further than the platform's first day. The bureau over the owner records it, as it moderated
    such postings then; it is closed from the start, never public, and pushes nothing. Its
    deadline is the day it closed."""
    require(actor, "market.posting.moderate", owner)
    require(actor, "market.posting.archive", str(values.get("region_code") or owner.region_code))
    if kind not in PostingKind.values:
        raise ValidationError({"kind": _("类型“%(value)s”未知。") % {"value": kind}})
    unknown = set(values) - set(POSTING_FIELDS) - {"deadline"}
    if unknown or "deadline" in values:
        raise ValidationError(
            _("不能填写这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown | ({"deadline"} & set(values))))}
        )
    today = clock.today()
    if published_on > today:
        raise ValidationError({"published_on": _("发布日期不能晚于今天。")})
    if closed_on < published_on:
        raise ValidationError({"deadline": _("截止日期不能早于发布日期。")})
    if closed_on > today:
        raise ValidationError({"deadline": _("历史信息须已截止：截止日期不能晚于今天。")})
    posting = Posting(
        owner=owner, kind=kind, deadline=closed_on, status=PostingStatus.CLOSED,
        published_at=dt.datetime.combine(published_on, dt.time(9), tzinfo=timezone.get_current_timezone()),
        **{k: v.strip() if isinstance(v, str) else v for k, v in values.items()},
    )  # fmt: skip
    if not posting.occupation_code:
        _suggest_occupation(posting)
    # Judged as on the day it was published: its deadline was not yet past then.
    _check_posting(posting, published_on)
    _index(posting)
    with transaction.atomic():
        posting.save()
        audit.record(actor=actor, action="posting.archive", entity=posting, after=audit.snapshot(posting), owner=owner)
    return posting


def posting_update(*, actor: Actor, posting: Posting, expected_version: int | None, **values: Any) -> Posting:
    """Edit a posting; the version before is kept, and a published posting goes back to moderation."""
    require(actor, "market.posting.write", posting.owner)
    unknown = set(values) - set(POSTING_FIELDS) - {"occupation_confidence", "occupation_evidence"}
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    with transaction.atomic():
        current = Posting.objects.select_for_update().select_related("owner").get(pk=posting.pk)
        require_version(current.version, expected_version)
        if current.status == PostingStatus.CLOSED:
            raise ValidationError(_("已关闭的信息不能修改。"))
        before = audit.snapshot(current, exclude=(*audit.DEFAULT_EXCLUDE, "search_text"))
        for field, value in values.items():
            setattr(current, field, value.strip() if isinstance(value, str) else value)
        _check_posting(current, clock.today())
        _index(current)
        revision = PostingRevision.objects.create(
            posting=current, version=current.version, values=before, edited_by=actor.username or "system"
        )
        audit.record(
            actor=actor, action="posting_revision.create", entity=revision, after={"version": revision.version},
            owner=current.owner,
        )  # fmt: skip
        current.version += 1
        current.status, current.return_reason, current.published_at = PostingStatus.PENDING, "", None
        current.save()
        audit.record(
            actor=actor,
            action="posting.update",
            entity=current,
            before=before,
            after=audit.snapshot(current, exclude=(*audit.DEFAULT_EXCLUDE, "search_text")),
            owner=current.owner,
        )
    return current


def posting_moderate(*, actor: Actor, posting: Posting, publish: bool, reason: str = "") -> Posting:
    """The bureau over the owner's region publishes a pending posting or returns it with a reason."""
    require(actor, "market.posting.moderate", posting.owner)
    reason = reason.strip()
    if not publish and not reason:
        raise ValidationError({"reason": _("退回时请填写原因。")})
    with transaction.atomic():
        current = Posting.objects.select_for_update().select_related("owner").get(pk=posting.pk)
        if current.status != PostingStatus.PENDING:
            raise ValidationError(
                _("该信息已处理，当前状态为“%(status)s”。") % {"status": current.get_status_display()}
            )
        if publish and current.deadline < clock.today():
            raise ValidationError(_("该信息已过截止日期，不能发布。"))
        before = {"status": current.status}
        if publish:
            current.status, current.published_at = PostingStatus.PUBLISHED, timezone.now()
        else:
            current.status, current.return_reason = PostingStatus.RETURNED, reason
        current.save(update_fields=["status", "published_at", "return_reason", "updated_at"])
        audit.record(
            actor=actor,
            action="posting.publish" if publish else "posting.return",
            entity=current,
            before=before,
            after={"status": current.status, "reason": reason},
            owner=current.owner,
        )
        push.notify_publisher_of_moderation(current, reason)
        if publish:
            push.push_posting(actor=actor, posting=current)
    return current


def posting_close(*, actor: Actor, posting: Posting) -> Posting:
    """The owner withdraws a posting (filled, cancelled); it leaves the public list."""
    require(actor, "market.posting.write", posting.owner)
    with transaction.atomic():
        current = Posting.objects.select_for_update().get(pk=posting.pk)
        before = {"status": current.status}
        current.status = PostingStatus.CLOSED
        current.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor, action="posting.close", entity=current, before=before, after={"status": current.status},
            owner=posting.owner,
        )  # fmt: skip
    return current


# -- applications -----------------------------------------------------------------------------

# What the owner may move an application to, from each status.
OWNER_STEPS: dict[str, tuple[str, ...]] = {
    ApplicationStatus.APPLIED: (ApplicationStatus.VIEWED, ApplicationStatus.INTERVIEW, ApplicationStatus.OFFER,
                                ApplicationStatus.REJECTED),
    ApplicationStatus.VIEWED: (ApplicationStatus.INTERVIEW, ApplicationStatus.OFFER, ApplicationStatus.REJECTED),
    ApplicationStatus.INTERVIEW: (ApplicationStatus.OFFER, ApplicationStatus.REJECTED),
}  # fmt: skip
OPEN_STATUSES = (
    ApplicationStatus.APPLIED,
    ApplicationStatus.VIEWED,
    ApplicationStatus.INTERVIEW,
    ApplicationStatus.OFFER,
)


def _open_for_applications(posting: Posting, today: dt.date) -> None:
    if posting.kind not in APPLICABLE_KINDS:
        raise ValidationError(_("“%(kind)s”不接受个人申请。") % {"kind": posting.get_kind_display()})
    if posting.status != PostingStatus.PUBLISHED:
        raise ValidationError(_("该信息未发布或已关闭，不能申请。"))
    if posting.deadline < today:
        raise ValidationError(_("该信息已过截止日期（%(date)s），不能申请。") % {"date": posting.deadline})


def application_submit(*, actor: Actor, posting: Posting, message: str = "") -> Application:
    """A learner applies to a job, internship or apprenticeship place, once; an application they
    withdrew may be made again while the posting is open (the same record, its history kept)."""
    require(actor, "market.application.submit", posting)
    assert actor.person_id is not None  # the rule admits learners bound to a person only
    _open_for_applications(posting, clock.today())
    earlier = Application.objects.filter(posting=posting, applicant_id=actor.person_id).first()
    if earlier is not None and earlier.status == ApplicationStatus.WITHDRAWN:
        with transaction.atomic():
            before = {"status": earlier.status, "message": earlier.message}
            earlier.status, earlier.message = ApplicationStatus.APPLIED, message.strip()[:1000]
            earlier.save(update_fields=["status", "message", "updated_at"])
            audit.record(
                actor=actor, action="application.resubmit", entity=earlier, before=before,
                after={"status": earlier.status, "message": earlier.message}, owner=posting.owner,
            )  # fmt: skip
            push.notify_publisher_of_application(earlier)
        return earlier
    if earlier is not None:
        raise ValidationError(_("您已申请过该岗位。"))
    application = Application(posting=posting, applicant_id=actor.person_id, message=message.strip()[:1000])
    with transaction.atomic():
        application.save()
        audit.record(
            actor=actor, action="application.submit", entity=application, after=audit.snapshot(application),
            owner=posting.owner,
        )  # fmt: skip
        push.notify_publisher_of_application(application)
    return application


def application_advance(*, actor: Actor, application: Application, to: str, note: str = "") -> Application:
    """The publisher moves an application on: viewed, interview, offer, or not selected; a note
    (an interview's time and place) goes to the applicant with the news and into the audit."""
    require(actor, "market.posting.write", application.posting.owner)
    if to not in OWNER_STEPS.get(application.status, ()):
        raise ValidationError(
            _("申请当前为“%(status)s”，不能改为“%(to)s”。")
            % {"status": application.get_status_display(), "to": ApplicationStatus(to).label if to in ApplicationStatus.values else to}
        )  # fmt: skip
    return _set_status(actor, application, to, note=" ".join(note.split())[:500])


def application_withdraw(*, actor: Actor, application: Application) -> Application:
    require(actor, "market.application.respond", application)
    if application.status not in OPEN_STATUSES:
        raise ValidationError(_("申请已结束，不能撤回。"))
    return _set_status(actor, application, ApplicationStatus.WITHDRAWN)


def application_respond(*, actor: Actor, application: Application, accept: bool) -> Application:
    """The learner accepts or declines an offer. Accepting an internship records the internship
    at the learner's school; accepting an apprenticeship place records the apprenticeship."""
    require(actor, "market.application.respond", application)
    if application.status != ApplicationStatus.OFFER:
        raise ValidationError(_("只有收到录用意向后才能接受或婉拒。"))
    with transaction.atomic():
        result = _set_status(actor, application, ApplicationStatus.ACCEPTED if accept else ApplicationStatus.DECLINED)
        if accept:
            _land_in_register(actor, application)
    return result


def _set_status(actor: Actor, application: Application, to: str, note: str = "") -> Application:
    with transaction.atomic():
        before = {"status": application.status}
        application.status = to
        application.save(update_fields=["status", "updated_at"])
        after = {"status": to, "note": note} if note else {"status": to}
        audit.record(
            actor=actor, action=f"application.{to}", entity=application, before=before, after=after,
            owner=application.posting.owner,
        )  # fmt: skip
        if to in OWNER_STEPS.get(before["status"], ()):
            push.notify_application(application, note)  # the publisher moved it: the applicant hears
        else:
            push.notify_publisher_of_application(application)  # the learner moved it: the publisher hears
    return application


def _land_in_register(actor: Actor, application: Application) -> None:
    posting = application.posting
    starts_on = max(posting.starts_on or clock.today(), clock.today())
    ends_on = posting.ends_on if posting.ends_on and posting.ends_on > starts_on else starts_on + dt.timedelta(days=180)
    platform = on_behalf(actor, _("接受录用"))
    if posting.kind == PostingKind.INTERNSHIP:
        registration = (
            Registration.objects.filter(person_id=application.applicant_id, is_active=True)
            .select_related("school")
            .order_by("-enrolled_on")
            .first()
        )
        if registration is None:
            raise ValidationError(_("实习须有在籍学籍；您目前没有在籍记录，请联系学校。"))
        # The enterprise offered and the learner accepted; the school answers for its student.
        registry.internship_create(
            actor=platform, registration=registration, enterprise=posting.owner, post=posting.title,
            starts_on=starts_on, ends_on=ends_on, awaiting=registration.school,
        )  # fmt: skip
    elif posting.kind == PostingKind.APPRENTICESHIP:
        school = _partner_school(posting)
        registry.apprenticeship_create(
            actor=platform, enterprise=posting.owner, school=school, apprentice=application.applicant,
            occupation_code=posting.occupation_code or "", enterprise_tutor=_("待定"), school_tutor=_("待定"),
            plan=posting.requirements or posting.description, starts_on=starts_on, ends_on=ends_on,
            awaiting=school,
        )  # fmt: skip


def _partner_school(posting: Posting) -> Organisation:
    """The school an apprenticeship place trains with: the school of the enterprise's most recent
    apprenticeship (an enterprise trains its apprentices with a partner school it already has)."""
    # A school that declined is no partner; one that has not answered yet will be asked again.
    previous = (
        Apprenticeship.objects.filter(enterprise=posting.owner)
        .exclude(consent=Consent.DECLINED)
        .order_by("-starts_on")
        .first()
    )
    if previous is None:
        raise ValidationError(_("该学徒岗位尚未确定合作院校，请联系企业。"))
    return previous.school


def order_class_agree(
    *,
    actor: Actor,
    posting: Posting,
    school: Organisation,
    major_code: str,
    name: str,
    class_level: str,
    cohort_year: int,
    planned_years: int,
) -> OrderClassAgreement:
    """A school agrees to an enterprise's order class by opening the class with the enterprise as
    its partner."""
    require(actor, "market.order_class.agree", school)
    if posting.kind != PostingKind.ORDER_CLASS:
        raise ValidationError(_("这不是订单班信息。"))
    if posting.status != PostingStatus.PUBLISHED or posting.deadline < clock.today():
        raise ValidationError(_("该订单班信息未发布或已过截止日期。"))
    with transaction.atomic():
        school_class = registry.class_create(
            actor=actor, school=school, major_code=major_code, name=name, class_level=class_level, form="full_time",
            cohort_year=cohort_year, planned_years=planned_years, partner=posting.owner,
        )  # fmt: skip
        agreement = OrderClassAgreement.objects.create(posting=posting, school=school, school_class=school_class)
        audit.record(
            actor=actor, action="order_class.agree", entity=agreement, after=audit.snapshot(agreement), owner=school
        )
    return agreement
