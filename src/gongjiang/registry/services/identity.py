"""Who a record is about, without telling the writer anything it may not read (ADR 0023).

A record names its person by 身份证号 and name. When the number is new, the person is registered.
When the writer may already read the registered person (one of its own records is about them), the
record is theirs, and a different name is an error the writer can see for itself. Otherwise the
writer may not learn whether the number is registered, under which name, or where, and a *claim* is
written: a person row holding exactly what the writer typed.

- A claim whose name differs from the registered one stays open; the record is filed under it, and
  the bureau confirms it (the records move to the registered person) or returns it.
- A registration always waits for the bureau, and its claim with it: the school reads a learner's
  contact details and history only once the bureau has approved the registration.
- For any other record (a teacher post, a training record, an award …), whose pages show only the
  name and number the writer typed, a claim with the registered name is confirmed at once, and
  kept as the history of who named whom.

Every path runs the same queries and writes one person row, so neither the answer, its status nor
its timing differs between a number that is new and one held elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import audit
from gongjiang.core.actors import Actor
from gongjiang.core.bounds import text_problem
from gongjiang.core.models import AuditEntry
from gongjiang.core.policies import require
from gongjiang.core.scope import ActorKind, scoped
from gongjiang.core.validators import parse_resident_id
from gongjiang.core.versions import require_version
from gongjiang.directory.models import IdType, Person
from gongjiang.directory.services import person_create
from gongjiang.registry.models import (
    Apprenticeship,
    ClaimReturn,
    CompetitionAward,
    Registration,
    SkillAssessment,
    StudyForm,
    Teacher,
    TrainingRecord,
)

# Every record that names a person directly, with the field that names them: what makes a person
# readable to an organisation, and what moves when a claim is confirmed.
PERSON_RECORDS: tuple[tuple[type[models.Model], str], ...] = (
    (Registration, "person"),
    (Teacher, "person"),
    (TrainingRecord, "person"),
    (Apprenticeship, "apprentice"),
    (SkillAssessment, "person"),
    (CompetitionAward, "person"),
)


def persons_readable(actor: Actor, person_ids: Iterable[int]) -> set[int]:
    """The persons among `person_ids` whom the actor may already read through a record in its scope."""
    wanted = set(person_ids)
    if actor.kind == ActorKind.OPERATOR:
        return wanted
    if actor.kind == ActorKind.LEARNER:
        return wanted & {actor.person_id} if actor.person_id is not None else set()
    found: set[int] = set()
    # Always the same queries, whatever was found: the time taken tells nothing either.
    for model, field in PERSON_RECORDS:
        rows = scoped(model._default_manager.filter(**{f"{field}_id__in": wanted or [0]}), actor)
        found.update(rows.values_list(f"{field}_id", flat=True).distinct())
    return found


def person_find_or_register(
    *, actor: Actor, name: str, id_number: str, phone: str = "", until_approved: bool = False
) -> Person:
    """The person a new record is about: the registered person when the actor may read them, a new
    person for a number not yet registered, else as the module's note says. `until_approved`: the
    record waits for the bureau's approval (a registration), and so does a claim with a matching name."""
    try:
        number = parse_resident_id(id_number).number
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from exc
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("姓名不能为空。")})
    problem = text_problem(name, max_length=Person._meta.get_field("name").max_length, multiline=False)
    if problem:
        raise ValidationError({"name": problem})
    registered = Person.objects.filter(id_type=IdType.RESIDENT_ID, id_number=number, claims__isnull=True).first()
    readable = persons_readable(actor, [registered.pk] if registered is not None else [])
    own_claim = (
        Person.objects.filter(
            claims_id=registered.pk if registered is not None else 0,
            claimed_by_id=actor.organisation_id,
            name=name,
            merged_at__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if registered is None:
        return person_create(actor=actor, name=name, id_number=number, phone=phone)
    if registered.pk in readable:
        if registered.name != name:
            raise ValidationError(
                {
                    "name": _("该身份证号在本单位记录中的姓名为“%(registered)s”，与填写的“%(given)s”不一致。")
                    % {"registered": registered.name, "given": name}
                }
            )
        return registered
    if own_claim is not None:
        return own_claim
    claim = person_create(
        actor=actor, name=name, id_number=number, phone=phone, claims=registered, claimed_by_id=actor.organisation_id
    )
    if until_approved or registered.name != name:
        return claim
    return claim_confirm(actor=actor, claim=claim)


def claim_problem(claim: Person, *, registration: Registration | None = None, names_checked: bool = False) -> str:
    """Why the claim cannot be confirmed as its registered person now (empty when it can), in words
    for the bureau: a different name (unless the bureau has checked the documents), or a second
    active full-time registration."""
    registered = claim.claims
    if registered is None or claim.merged_at is not None:
        return ""
    if registered.name != claim.name and not names_checked:
        return _("填报的姓名与该身份证号的已登记姓名不一致，请退回，由填报单位核对证件。")
    full_time = Registration.objects.filter(person=claim, form=StudyForm.FULL_TIME, is_active=True)
    if registration is not None and registration.form == StudyForm.FULL_TIME:
        full_time = full_time | Registration.objects.filter(pk=registration.pk)
    if (
        full_time.exists()
        and Registration.objects.filter(person=registered, form=StudyForm.FULL_TIME, is_active=True).exists()
    ):
        return full_time_held()
    return ""


def claim_decide(*, actor: Actor, claim: Person) -> Person:
    """The bureau, having checked the documents, confirms an open claim with another name: the
    writer's records move to the registered person under the registered name."""
    require(actor, "registry.claim.decide", claim.claimed_by)
    return claim_confirm(actor=actor, claim=claim, names_checked=True)


def full_time_held() -> str:
    """The bureau's reason a full-time registration cannot be approved while another is active."""
    return _("此人已有一个有效的全日制学籍，须先由原学校办理转学、退学或毕业，才能在此注册。")


def claim_confirm(
    *, actor: Actor, claim: Person, registration: Registration | None = None, names_checked: bool = False
) -> Person:
    """Confirm a claim: its records move to the registered person, and the claim stays as the
    history of what was typed. Refused with the reason of `claim_problem`. `names_checked`: the
    bureau has checked the documents and the registered name stands though the writer typed another."""
    registered = claim.claims
    if registered is None or claim.merged_at is not None:
        return registered or claim
    problem = claim_problem(claim, registration=registration, names_checked=names_checked)
    if problem:
        raise ValidationError(problem)
    with transaction.atomic():
        before = audit.snapshot(claim)
        moved: dict[str, list[int]] = {}
        for model, field in PERSON_RECORDS:
            rows = model._default_manager.filter(**{field: claim})
            ids = list(rows.values_list("pk", flat=True))
            if ids:
                rows.update(**{field: registered})
                moved[model._meta.label_lower] = ids
        claim.merged_at = timezone.now()
        claim.save(update_fields=["merged_at", "updated_at"])
        after = {**audit.snapshot(claim), "moved_to": registered.pk, "records": moved}
        # Kept for the bureaus over the writer's region, never shown to the writer's own
        # organisation: that a claim was confirmed says the number was registered.
        region = claim.claimed_by.region_code if claim.claimed_by is not None else actor.region_code
        audit.record(
            actor=actor, action="person.claim_confirm", entity=claim, entity_label=claim.name, before=before,
            after=after, scope_region_code=region,
        )  # fmt: skip
    return registered


# Sent inside the bureau's transaction with `claim_return` when a claim is returned, so that the
# organisation's inbox (in `market`, an app above this one) can tell its staff without the register
# knowing the inbox.
claim_returned = Signal()

RETURN_REASON_MAX = ClaimReturn._meta.get_field("reason").max_length or 300


def claim_return(*, actor: Actor, claim: Person, reason: str) -> ClaimReturn:
    """The bureau returns an open claim with another name to the organisation that typed it, with
    a reason the organisation reads (ADR 0032). A claim behind a pending registration is returned
    with the registration, in the approval queue."""
    require(actor, "registry.claim.decide", claim.claimed_by)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回原因。")})
    problem = text_problem(reason, max_length=RETURN_REASON_MAX, multiline=False)
    if problem:
        raise ValidationError({"reason": problem})
    if claim.claims_id is None or claim.merged_at is not None or claim.claimed_by is None:
        raise ValidationError(_("该身份已核对完毕，无需退回。"))
    if Registration.objects.filter(person=claim, status="pending").exists():
        raise ValidationError(_("该身份随待审核的学籍一并处理，请在学籍审核中退回。"))
    if ClaimReturn.objects.filter(claim=claim, corrected_at__isnull=True).exists():
        raise ValidationError(_("该身份已退回，正等待填报单位更正。"))
    with transaction.atomic():
        returned = ClaimReturn.objects.create(claim=claim, organisation=claim.claimed_by, reason=reason)
        # The writer's own entry: it names only what the writer typed and the bureau's reason.
        audit.record(
            actor=actor, action="person.claim_return", entity=returned, entity_label=claim.name,
            after={"name": claim.name, "reason": reason}, owner=claim.claimed_by,
        )  # fmt: skip
        claim_returned.send(sender=ClaimReturn, claim_return=returned)
    return returned


def correction_refusal(*, actor: Actor) -> str:
    """Why the actor's organisation may not correct a returned claim now (empty when it may): too
    many corrections this hour. Each correction is a guess at a name checked against the register,
    so guesses are counted, as imports are."""
    if actor.kind == ActorKind.OPERATOR:
        return ""
    limit = settings.IDENTITY_CORRECTIONS_PER_HOUR
    since = timezone.now() - dt.timedelta(hours=1)
    done = AuditEntry.objects.filter(
        scope_organisation_id=actor.organisation_id, action="person.claim_correct", at__gte=since
    ).count()
    if done < limit:
        return ""
    return _("本单位一小时内已更正 %(n)d 次身份，已达上限，请稍后再试。") % {"n": done}


def claim_correct(
    *, actor: Actor, claim_return: ClaimReturn, name: str, id_number: str = "", expected_version: int | None
) -> None:
    """The organisation corrects the name (and, when given, the number) of the records it filed
    under a returned claim. The identity is checked exactly as a new write's is
    (`person_find_or_register`), held for the bureau as a registration's is, and the records move to
    whom it resolves to. It answers nothing: whether the name now matches the register is the
    bureau's to decide, so the writer learns nothing it could not read before (ADR 0032)."""
    require(actor, "registry.claim.correct", claim_return)
    require_version(claim_return.version, expected_version)
    if claim_return.corrected_at is not None:
        raise ValidationError(_("该退回已更正并重新提交，请刷新页面。"))
    refusal = correction_refusal(actor=actor)
    if refusal:
        raise ValidationError(refusal)
    claim = claim_return.claim
    number = id_number.strip() or claim.id_number
    with transaction.atomic():
        person = person_find_or_register(actor=actor, name=name, id_number=number, until_approved=True)
        moved: dict[str, list[int]] = {}
        if person.pk != claim.pk:
            try:
                with transaction.atomic():
                    for model, field in PERSON_RECORDS:
                        rows = model._default_manager.filter(**{field: claim})
                        ids = list(rows.values_list("pk", flat=True))
                        if ids:
                            rows.update(**{field: person})
                            moved[model._meta.label_lower] = ids
            except IntegrityError as exc:
                # Only a person the writer already reads can hold a full-time place it would clash with.
                raise ValidationError({"id_number": full_time_held()}) from exc
        before = {"name": claim.name, "id_number": claim.id_number}
        claim_return.corrected_at = timezone.now()
        claim_return.corrected_to = person
        claim_return.version += 1
        claim_return.save(update_fields=["corrected_at", "corrected_to", "version"])
        audit.record(
            actor=actor, action="person.claim_correct", entity=claim_return, entity_label=name.strip(),
            before=before, after={"name": name.strip(), "id_number": number, "records": moved},
            owner=claim_return.organisation,
        )  # fmt: skip
