"""Precise push: the postings and policies that concern a learner, in the site's inbox and, for
those who ask, by e-mail. Learners choose what they receive.

Recipients are found from the register: a posting goes to students in the province whose major
leads to its occupation; a policy notice to the students of the bureau's region, narrowed by
major category and class level. Messages are written in bulk; the act that caused them (the
publication) is the audited write, with the number of recipients.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import audit, tasks
from gongjiang.core.actors import Actor
from gongjiang.core.bulk import insert_many, insert_values
from gongjiang.core.masking import mask_id_number
from gongjiang.core.policies import require
from gongjiang.core.scope import ActorKind, region_prefix
from gongjiang.directory.models import Organisation, Person
from gongjiang.market.models import (
    APPLICABLE_KINDS,
    Application,
    ApplicationStatus,
    Notification,
    NotificationKind,
    OutgoingEmail,
    PolicyNotice,
    Posting,
    PostingStatus,
    PushPreference,
)
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concepts, crosswalk_sources
from gongjiang.registry.models import ClaimReturn, ClassLevel, Registration, SchoolClass

# The students nearest to leaving first; a posting is news to a few hundred, not a province.
MAX_POSTING_RECIPIENTS = 300
# Organisations with an inbox: those that publish and so hear of applications and moderation.
INBOX_ORGANISATIONS = (ActorKind.ENTERPRISE, ActorKind.SCHOOL)
SEND_MAIL = "market.send_mail"  # the task that sends waiting e-mails (market/tasks.py)
CLASSES_A_READ = 200
Progress = Callable[[int, int], None]


def preference_save(
    *,
    actor: Actor,
    person: Person,
    postings: bool,
    policies: bool,
    by_email: bool,
    email: str = "",
    discoverable: bool = False,
) -> PushPreference:
    require(actor, "market.push.preference", person)
    email = email.strip()
    if by_email:
        if not email:
            raise ValidationError({"email": _("选择邮件接收时请填写电子邮箱。")})
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError({"email": _("电子邮箱“%(value)s”格式不正确。") % {"value": email}}) from exc
    with transaction.atomic():
        preference = PushPreference.objects.filter(person=person).first()
        before = audit.snapshot(preference) if preference else None
        preference = preference or PushPreference(person=person)
        preference.postings, preference.policies, preference.by_email, preference.email = (
            postings, policies, by_email, email,
        )  # fmt: skip
        preference.discoverable = discoverable
        preference.save()
        audit.record(
            actor=actor, action="push_preference.save", entity=preference, before=before,
            after=audit.snapshot(preference),
        )  # fmt: skip
    return preference


def _deliver(
    person_ids: Iterable[int], kind: str, title: str, body: str, link: str, progress: Progress | None = None
) -> int:
    """Write the messages for the people who have not turned this kind off; e-mails for those
    who asked for them. Returns how many received it."""
    ids = sorted(set(person_ids))
    # News of one's own application always arrives; postings and policies as chosen.
    wanted = {NotificationKind.POSTING: "postings", NotificationKind.POLICY: "policies"}.get(NotificationKind(kind))
    preferences = {p.person_id: p for p in PushPreference.objects.filter(person_id__in=ids)}
    receiving = [i for i in ids if wanted is None or i not in preferences or getattr(preferences[i], wanted)]
    batch = 5000
    for start in range(0, len(receiving), batch):
        chunk = receiving[start : start + batch]
        # As values, not model objects: a posting tells hundreds, and nobody reads them back here.
        insert_values(
            Notification, [{"person_id": i, "kind": kind, "title": title, "body": body, "link": link} for i in chunk]
        )
        emails = [
            OutgoingEmail(person_id=i, to_address=preferences[i].email, subject=title, body=f"{body}\n\n{link}")
            for i in chunk
            if i in preferences and preferences[i].by_email and preferences[i].email
        ]
        insert_many(emails)
        if emails:
            # A worker sends them once this transaction commits (one waiting task for all).
            tasks.enqueue_on_commit(SEND_MAIL, unique_key=SEND_MAIL)
        if progress:
            progress(min(start + batch, len(receiving)), len(receiving))
    return len(receiving)


def _students_of(majors: list[str], province: str) -> list[int]:
    """Active students of those majors in the province, the classes nearest to leaving first.

    Classes are few and found through their offering; their active registrations are then read a
    few hundred classes at a time through the class index, so a province's hundreds of thousands
    are never joined and sorted, and classes that have left cost nothing but their index probe.
    """
    # By cohort, then school by school, each in its own order: the same people hear of a posting
    # however many processes loaded the register (`demo.parallel`: ids interleave across schools).
    classes = list(
        SchoolClass.objects.filter(offering__major_code__in=majors, school__region_code__startswith=province)
        .order_by("cohort_year", "school_id", "pk")
        .values_list("pk", flat=True)
    )
    found: list[int] = []
    for start in range(0, len(classes), CLASSES_A_READ):
        chunk = classes[start : start + CLASSES_A_READ]
        members: dict[int, list[int]] = defaultdict(list)
        # No ORDER BY: with one (and a LIMIT) the planner may walk the person index over the
        # whole table instead of reading these classes' rows through the class index.
        for class_id, person_id in (
            Registration.objects.filter(school_class_id__in=chunk, is_active=True)
            .order_by()
            .values_list("school_class_id", "person_id")
        ):
            members[class_id].append(person_id)
        for class_id in chunk:
            found.extend(sorted(members[class_id])[: MAX_POSTING_RECIPIENTS - len(found)])
            if len(found) >= MAX_POSTING_RECIPIENTS:
                return found
    return found


def push_posting(*, actor: Actor, posting: Posting) -> int:
    """Tell the students whose major leads to a newly published posting's occupation."""
    if posting.kind not in APPLICABLE_KINDS or not posting.occupation_code:
        return 0
    majors = crosswalk_sources(Scheme.MAJOR_OCCUPATION, posting.occupation_code)
    if not majors:
        return 0
    person_ids = _students_of(majors, posting.region_code[:2])
    count = _deliver(
        person_ids,
        NotificationKind.POSTING,
        _("与您专业对口的新%(kind)s：%(title)s") % {"kind": posting.get_kind_display(), "title": posting.title},
        _("%(owner)s发布，截止日期 %(deadline)s。") % {"owner": posting.owner.name, "deadline": posting.deadline},
        f"/market/postings/{posting.pk}/",
    )
    audit.record(actor=actor, action="posting.push", entity=posting, after={"recipients": count}, owner=posting.owner)
    return count


def policy_publish(
    *,
    actor: Actor,
    bureau: Organisation,
    title: str,
    body: str,
    major_categories: list[str] | None = None,
    class_levels: list[str] | None = None,
    progress: Progress | None = None,
) -> PolicyNotice:
    """A bureau publishes a policy notice to the students of its region it concerns."""
    require(actor, "market.policy.publish", bureau)
    title, body = " ".join(title.split()), body.strip()
    if not title:
        raise ValidationError({"title": _("请填写标题。")})
    if not body:
        raise ValidationError({"body": _("请填写内容。")})
    categories = [c.strip() for c in major_categories or [] if c.strip()]
    known = set(concepts(Scheme.MAJOR).filter(level=1, code__in=categories).values_list("code", flat=True))
    if set(categories) - known:
        raise ValidationError(
            {
                "major_categories": _("专业大类代码“%(value)s”不在专业目录中。")
                % {"value": "、".join(c for c in categories if c not in known)}
            }
        )
    levels = [lv for lv in class_levels or [] if lv]
    unknown = [lv for lv in levels if lv not in ClassLevel.values]
    if unknown:
        raise ValidationError({"class_levels": _("班级层次“%(value)s”未知。") % {"value": "、".join(unknown)}})
    registrations = Registration.objects.filter(
        is_active=True, school__region_code__startswith=region_prefix(bureau.region_code)
    )
    if levels:
        registrations = registrations.filter(school_class__class_level__in=levels)
    person_ids = [
        person_id
        for person_id, major in registrations.values_list("person_id", "school_class__offering__major_code")
        if not categories or major[:2] in categories
    ]
    with transaction.atomic():
        notice = PolicyNotice.objects.create(
            bureau=bureau, title=title, body=body, major_categories=",".join(categories), class_levels=",".join(levels)
        )
        notice.recipients = _deliver(
            person_ids, NotificationKind.POLICY, title, body[:500], f"/market/policies/{notice.pk}/", progress
        )
        notice.save(update_fields=["recipients"])
        audit.record(
            actor=actor, action="policy_notice.publish", entity=notice, after=audit.snapshot(notice), owner=bureau
        )
    return notice


def notify_application(application: Application, note: str = "") -> None:
    """Tell the applicant their application moved on, with the publisher's note (the time and
    place of an interview, say)."""
    body = _("您的申请状态已更新为“%(status)s”。") % {"status": application.get_status_display()}
    if note:
        body += "\n" + _("招聘单位说明：%(note)s") % {"note": note}
    _deliver(
        [application.applicant_id],
        NotificationKind.APPLICATION,
        _("申请进展：%(title)s") % {"title": application.posting.title},
        body,
        "/market/applications/",
    )


def notify_publisher_of_application(application: Application) -> None:
    """Tell the posting's owner an application arrived (again), was withdrawn, or its offer was
    accepted or declined: the learner's moves, which the publisher would otherwise only find by
    looking."""
    posting, name = application.posting, application.applicant.name
    titles = {
        ApplicationStatus.APPLIED: _("新的申请：%(title)s"),
        ApplicationStatus.WITHDRAWN: _("申请已撤回：%(title)s"),
        ApplicationStatus.ACCEPTED: _("录用意向已接受：%(title)s"),
        ApplicationStatus.DECLINED: _("录用意向被婉拒：%(title)s"),
    }
    bodies = {
        ApplicationStatus.APPLIED: _("%(name)s 申请了“%(title)s”。"),
        ApplicationStatus.WITHDRAWN: _("%(name)s 撤回了对“%(title)s”的申请。"),
        ApplicationStatus.ACCEPTED: _("%(name)s 接受了“%(title)s”的录用意向。"),
        ApplicationStatus.DECLINED: _("%(name)s 婉拒了“%(title)s”的录用意向。"),
    }
    values = {"name": name, "title": posting.title}
    Notification.objects.create(
        organisation_id=posting.owner_id,
        kind=NotificationKind.APPLICANT,
        title=(titles[ApplicationStatus(application.status)] % values)[:200],
        body=bodies[ApplicationStatus(application.status)] % values,
        link=f"/market/postings/{posting.pk}/applications/",
    )


def notify_publisher_of_moderation(posting: Posting, reason: str = "") -> None:
    """Tell the posting's owner the bureau published it, or returned it with the reason."""
    values = {"title": posting.title}
    if posting.status == PostingStatus.PUBLISHED:
        title, body = _("信息已发布：%(title)s") % values, _("“%(title)s”已通过审核并发布。") % values
        link = f"/market/postings/{posting.pk}/"
    else:
        title = _("信息被退回：%(title)s") % values
        body = _("“%(title)s”未通过审核，已退回。退回原因：%(reason)s") % {**values, "reason": reason}
        link = f"/market/postings/{posting.pk}/edit/"
    Notification.objects.create(
        organisation_id=posting.owner_id, kind=NotificationKind.MODERATION, title=title[:200], body=body, link=link
    )


def notify_claim_returned(sender: object, *, claim_return: ClaimReturn, **kwargs: object) -> None:
    """Tell the organisation that typed an identity the bureau returned it, with the reason and
    nothing about the register (ADR 0032). Connected to `registry.services.claim_returned`."""
    claim = claim_return.claim
    values = {"name": claim.name, "number": mask_id_number(claim.id_number), "reason": claim_return.reason}
    Notification.objects.create(
        organisation_id=claim_return.organisation_id,
        kind=NotificationKind.MODERATION,
        title=(_("身份核对退回：%(name)s") % values)[:200],
        body=_("人社部门退回了本单位填报的身份“%(name)s”（%(number)s），请核对证件后更正。退回原因：%(reason)s")
        % values,
        link="/registry/identities/returned/",
    )


def _own_messages(actor: Actor) -> QuerySet[Notification] | None:
    """The actor's own inbox: a learner's, or the organisation's its staff share; None for
    anyone else (a bureau, an operator: they have no post here)."""
    if actor.kind == ActorKind.LEARNER and actor.person_id is not None:
        return Notification.objects.filter(person_id=actor.person_id)
    if actor.kind in INBOX_ORGANISATIONS and actor.organisation_id is not None:
        return Notification.objects.filter(organisation_id=actor.organisation_id)
    return None


def mark_read(*, actor: Actor, notification_ids: list[int] | None, up_to: int | None = None) -> int:
    """Mark the actor's own messages read: those given, or all of them when `notification_ids`
    is None, in either case none newer than `up_to` when given (the newest the reader saw). An
    organisation's message read by one of its staff is read for all of them.
    Returns how many were unread. (Not audited: reading one's inbox changes no record.)"""
    own = _own_messages(actor)
    if own is None:
        return 0
    unread = own.filter(read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    if up_to is not None:
        unread = unread.filter(pk__lte=up_to)
    return unread.update(read_at=timezone.now())


def send_outbox(*, limit: int = 1000) -> tuple[int, int]:
    """Send waiting e-mails through Django's mail backend; one that fails stays waiting for the
    next run. Returns (sent, failed)."""
    sent = failed = 0
    for message in OutgoingEmail.objects.filter(sent_at__isnull=True).order_by("pk")[:limit]:
        try:
            send_mail(message.subject, message.body, None, [message.to_address])
        except OSError:
            failed += 1
            continue
        OutgoingEmail.objects.filter(pk=message.pk).update(sent_at=timezone.now())
        sent += 1
    return sent, failed
