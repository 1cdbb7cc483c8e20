"""Issuing certificates, changing their status, and 双证书 records.

A certificate is issued once per assessment, award or graduation, by the organisation entitled to
issue it (a skill certificate only under a filing that covers its occupation and level on the
day), signed with the issuer's key, and given two random entries on the issuer's status lists:
revocation first, suspension second.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Mod
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import audit, tasks
from gongjiang.core.actors import Actor
from gongjiang.core.policies import require
from gongjiang.credentials import documents, issuers, numbers
from gongjiang.credentials import policies as _policies  # noqa: F401  (registers the rules)
from gongjiang.credentials.models import (
    STATUS_LIST_SIZE,
    BatchState,
    Certificate,
    CertificateBasis,
    CertificateEvent,
    CertificateKind,
    CertificateStatus,
    DualCertificate,
    Filing,
    IssuerKey,
    IssuingBatch,
    StatusList,
    StatusPurpose,
)
from gongjiang.credentials.selectors import equivalence_in_force, filing_covers, graduates_without_diploma
from gongjiang.credentials.vc import proofs
from gongjiang.directory.models import Organisation, Person
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concept_get, crosswalk_targets
from gongjiang.registry.models import (
    AssessmentResult,
    ClassLevel,
    CompetitionLevel,
    Decision,
    EventKind,
    Registration,
    RegistrationStatus,
    SkillAssessment,
)

# A list is filled to half at most: a random free index is then found at once, and each index
# still hides among at least 65,536 others.
LIST_FILL = STATUS_LIST_SIZE // 2
# The level a class level's graduates reach under the 一体化 rule (002 §18).
CLASS_LEVEL_SKILL = {ClassLevel.INTERMEDIATE: 4, ClassLevel.SENIOR: 3, ClassLevel.PREPARATORY_TECHNICIAN: 2}
REASON_LENGTH = 500


# -- keys and status lists ----------------------------------------------------------------------


def issuer_key_ensure(*, actor: Actor, organisation: Organisation) -> IssuerKey:
    """The organisation's public key row, made with its key file on first use. The audit entry
    holds the public key only."""
    existing = IssuerKey.objects.filter(organisation=organisation).first()
    if existing is not None:
        return existing
    key = issuers.load_or_create_key(organisation)
    try:
        with transaction.atomic():
            row = IssuerKey.objects.create(organisation=organisation, public_key_multibase=key.public_multibase)
            audit.record(
                actor=actor, action="issuer_key.create", entity=row, after=audit.snapshot(row), owner=organisation
            )
    except IntegrityError:
        # Another process (the other worker of a batch) made the row meanwhile, from the same key
        # file: the file is created once (O_EXCL) and read by everyone after.
        return IssuerKey.objects.get(organisation=organisation)
    return row


def _allocate(actor: Actor, issuer: Organisation, purpose: str, count: int) -> list[tuple[StatusList, int]]:
    """`count` random free entries on the issuer's lists of `purpose`, opening lists as needed.
    Called inside the issuing transaction; the lists are locked until it ends."""
    slots: list[tuple[StatusList, int]] = []
    index_field = f"{purpose}_index"
    # Lists another transaction holds are skipped, not waited for: two worker processes issuing
    # for one school (a batch in parts) then fill different lists instead of taking turns, and a
    # list is only ever counted and filled by the one transaction that holds it.
    open_lists = StatusList.objects.select_for_update(skip_locked=True).filter(
        issuer=issuer, purpose=purpose, used__lt=LIST_FILL
    )
    for status_list in [*open_lists.order_by("created_at", "id"), None]:
        while len(slots) < count:
            if status_list is None:
                status_list = StatusList.objects.create(
                    issuer=issuer, purpose=purpose, slug=secrets.token_hex(12),
                    bits=bytes(STATUS_LIST_SIZE // 8),
                )  # fmt: skip
                audit.record(
                    actor=actor, action="status_list.create", entity=status_list,
                    after={"issuer_id": issuer.pk, "purpose": purpose, "slug": status_list.slug}, owner=issuer,
                )  # fmt: skip
            used = set(
                Certificate.objects.filter(**{f"{purpose}_list": status_list}).values_list(index_field, flat=True)
            )
            room = min(LIST_FILL - len(used), count - len(slots))
            if room <= 0:
                break
            free = [i for i in range(status_list.size) if i not in used]
            chosen = secrets.SystemRandom().sample(free, room)
            slots.extend((status_list, index) for index in chosen)
            status_list.used = len(used) + room
            status_list.save(update_fields=["used", "updated_at"])
            if status_list.used < LIST_FILL:
                break
            status_list = None
        if len(slots) >= count:
            break
    return slots


# -- building one certificate -------------------------------------------------------------------


@dataclass(frozen=True)
class _Signer:
    organisation: Organisation
    key: IssuerKey
    did: str
    method: str

    @classmethod
    def of(cls, actor: Actor, organisation: Organisation) -> _Signer:
        key = issuer_key_ensure(actor=actor, organisation=organisation)
        return cls(
            organisation, key, issuers.issuer_did(organisation, key), issuers.verification_method(organisation, key)
        )

    def sign(self, document: dict[str, Any], created: dt.datetime) -> dict[str, Any]:
        private = issuers.load_or_create_key(self.organisation)
        return proofs.sign(document, key=private, verification_method=self.method, created=created)


def _status(revocation: tuple[StatusList, int], suspension: tuple[StatusList, int]) -> documents.Status:
    return documents.Status(
        revocation_url=issuers.status_list_url(revocation[0].slug),
        revocation_index=revocation[1],
        suspension_url=issuers.status_list_url(suspension[0].slug),
        suspension_index=suspension[1],
    )


@dataclass(frozen=True)
class _Draft:
    """What varies between certificates; `build` makes the unsigned document from the number,
    the issuer, the holder's name, the time and the status entries."""

    kind: str
    basis: str
    holder: Person
    filing: Filing | None
    build: Callable[[str, documents.Issuer, str, dt.datetime, documents.Status], dict[str, Any]]
    fields: dict[str, Any]


def _issue(actor: Actor, signer: _Signer, drafts: Sequence[_Draft], action: str) -> list[Certificate]:
    """Number, place on the status lists, sign and save `drafts`, with one audit entry each."""
    now = timezone.now().replace(microsecond=0)
    revocations = _allocate(actor, signer.organisation, StatusPurpose.REVOCATION, len(drafts))
    suspensions = _allocate(actor, signer.organisation, StatusPurpose.SUSPENSION, len(drafts))
    made = []
    for draft, revocation, suspension in zip(drafts, revocations, suspensions, strict=True):
        number = numbers.new_number(draft.kind, now.year)
        issuer = documents.Issuer(
            did=signer.did, name=signer.organisation.name, uscc=signer.organisation.uscc,
            filing_number=draft.filing.number if draft.filing else "",
        )  # fmt: skip
        unsigned = draft.build(number, issuer, draft.holder.name, now, _status(revocation, suspension))
        made.append(
            Certificate(
                number=number, kind=draft.kind, basis=draft.basis, holder=draft.holder,
                issuer=signer.organisation, filing=draft.filing, credential=signer.sign(unsigned, now),
                revocation_list=revocation[0], revocation_index=revocation[1],
                suspension_list=suspension[0], suspension_index=suspension[1], valid_from=now, **draft.fields,
            )
        )  # fmt: skip
    try:
        with transaction.atomic():
            Certificate.objects.bulk_create(made)
    except IntegrityError as exc:
        raise ValidationError(_("证书已签发过，不能重复签发。")) from exc
    audit.record_many(
        audit.entry_values(
            actor=actor, action=action, entity=cert,
            after={k: v for k, v in audit.snapshot(cert).items() if k != "credential"}, owner=signer.organisation,
        )
        for cert in made
    )  # fmt: skip
    return made


# -- skill certificates -------------------------------------------------------------------------


def _occupation_name(code: str, on_date: dt.date) -> str:
    concept = concept_get(Scheme.OCCUPATION, code, on_date)
    if concept is None:
        raise ValidationError({"occupation_code": _("职业代码“%(code)s”不在职业分类大典中。") % {"code": code}})
    return concept.name


def _covering_filing(issuer: Organisation, occupation_code: str, level: int, on_date: dt.date) -> Filing:
    filing = filing_covers(issuer, occupation_code, level, on_date)
    if filing is None:
        raise ValidationError(
            {"filing": _("“%(name)s”在%(date)s没有覆盖职业%(code)s %(level)s的有效备案，不能签发。")
             % {"name": issuer.name, "date": on_date.isoformat(), "code": occupation_code,
                "level": documents.LEVEL_NAMES.get(level, str(level))}}
        )  # fmt: skip
    return filing


def _skill_draft(
    *, basis: str, holder: Person, filing: Filing, occupation_code: str, level: int, on_date: dt.date,
    evidence: list[documents.Evidence], fields: dict[str, Any],
) -> _Draft:  # fmt: skip
    facts = documents.SkillFacts(
        occupation_code=occupation_code, occupation_name=_occupation_name(occupation_code, on_date),
        occupation_url=issuers.occupation_url(occupation_code), level=level, evidence=evidence,
    )  # fmt: skip

    def build(
        number: str, issuer: documents.Issuer, name: str, at: dt.datetime, status: documents.Status
    ) -> dict[str, Any]:
        return documents.skill_credential(
            number=number, issuer=issuer, holder_name=name, valid_from=at, status=status, facts=facts
        )

    return _Draft(
        kind=CertificateKind.SKILL, basis=basis, holder=holder, filing=filing, build=build,
        fields={"occupation_code": occupation_code, "skill_level": level, **fields},
    )  # fmt: skip


def certificate_issue_for_assessment(*, actor: Actor, assessment: SkillAssessment) -> Certificate:
    """The 职业技能等级证书 of a passed assessment, by the evaluation body that assessed it. A level
    conferred on a competition winner (the assessment app's `award_confer`, by the bureau's award
    rules) is such an assessment too; its certificate carries the award as evidence."""
    require(actor, "credentials.certificate.issue", assessment.evaluator)
    if assessment.result != AssessmentResult.PASSED:
        raise ValidationError({"assessment": _("该次认定结果为不合格，不能签发证书。")})
    if Certificate.objects.filter(assessment=assessment).exists():
        raise ValidationError({"assessment": _("该次认定已签发过证书，不能重复签发。")})
    filing = _covering_filing(
        assessment.evaluator, assessment.occupation_code, assessment.skill_level, assessment.assessed_on
    )
    award = assessment.award
    evidence = (
        []
        if award is None
        else [
            documents.Evidence(
                name=award.competition,
                description=f"{CompetitionLevel(award.level).label} {award.rank} {award.awarded_on}",
            )
        ]
    )
    draft = _skill_draft(
        basis=CertificateBasis.ASSESSMENT if award is None else CertificateBasis.AWARD, holder=assessment.person,
        filing=filing, occupation_code=assessment.occupation_code, level=assessment.skill_level,
        on_date=assessment.assessed_on, evidence=evidence,
        fields={"assessment": assessment} if award is None else {"assessment": assessment, "award": award},
    )  # fmt: skip
    with transaction.atomic():
        return _issue(actor, _Signer.of(actor, assessment.evaluator), [draft], "certificate.issue")[0]


# -- graduation ---------------------------------------------------------------------------------


def _graduated_on(registration: Registration) -> dt.date:
    if registration.status != RegistrationStatus.GRADUATED:
        raise ValidationError(
            {"registration": _("%(name)s的学籍不是“毕业”，不能签发。") % {"name": registration.person.name}}
        )
    event = (
        registration.events.filter(kind=EventKind.GRADUATE, decision=Decision.APPROVED)
        .order_by("-effective_on")
        .first()
    )
    if event is None:
        raise ValidationError(
            {"registration": _("%(name)s的毕业尚未经审核通过。") % {"name": registration.person.name}}
        )
    return event.effective_on


def _diploma_draft(registration: Registration) -> _Draft:
    _graduated_on(registration)
    school_class = registration.school_class
    offering = school_class.offering
    facts = documents.DiplomaFacts(
        major_code=offering.major_code, major_name=offering.major_name, class_level=school_class.class_level,
        class_level_name=str(ClassLevel(school_class.class_level).label),
        class_level_url=f"{issuers.base_url()}/refdata/major/{offering.major_code}/",
    )  # fmt: skip

    def build(
        number: str, issuer: documents.Issuer, name: str, at: dt.datetime, status: documents.Status
    ) -> dict[str, Any]:
        return documents.diploma_credential(
            number=number, issuer=issuer, holder_name=name, valid_from=at, status=status, facts=facts
        )

    return _Draft(
        kind=CertificateKind.DIPLOMA, basis=CertificateBasis.GRADUATION, holder=registration.person, filing=None,
        build=build, fields={"registration": registration, "class_level": school_class.class_level,
                             "major_code": offering.major_code},
    )  # fmt: skip


def _diplomas_of(school: Organisation, registrations: Iterable[Registration]) -> list[_Draft]:
    drafts = []
    for registration in registrations:
        if registration.school_id != school.pk:
            raise ValidationError({"registration": _("只能为本校毕业生签发毕业证书。")})
        drafts.append(_diploma_draft(registration))
    issued = Certificate.objects.filter(
        kind=CertificateKind.DIPLOMA, registration__in=[d.fields["registration"] for d in drafts]
    ).select_related("holder")
    for certificate in issued[:1]:
        raise ValidationError(
            {"registration": _("%(name)s的毕业证书已签发（%(number)s），不能重复签发。")
             % {"name": certificate.holder.name, "number": certificate.number}}
        )  # fmt: skip
    return drafts


def certificate_issue_diploma(*, actor: Actor, registration: Registration) -> Certificate:
    """The 毕业证书 of an approved graduation, by the school, stating the class level and major."""
    school = registration.school
    require(actor, "credentials.certificate.issue", school)
    drafts = _diplomas_of(school, [registration])
    with transaction.atomic():
        return _issue(actor, _Signer.of(actor, school), drafts, "certificate.issue")[0]


def certificate_issue_diplomas(
    *,
    actor: Actor,
    school: Organisation,
    registrations: Sequence[Registration],
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 1000,
) -> int:
    """The diplomas of many graduates, in chunks of `chunk` (each its own transaction, so a long
    batch shows progress and a refusal stops it where it stands); returns how many were issued.
    `progress` is called inside each chunk's transaction, so what it writes commits with the
    chunk's certificates or not at all."""
    require(actor, "credentials.certificate.issue", school)
    signer = _Signer.of(actor, school)
    done = 0
    for start in range(0, len(registrations), chunk):
        part = registrations[start : start + chunk]
        with transaction.atomic():
            _issue(actor, signer, _diplomas_of(school, part), "certificate.issue")
            done += len(part)
            if progress is not None:
                progress(done, len(registrations))
    return done


def certificate_issue_integrated(*, actor: Actor, registration: Registration, occupation_code: str) -> Certificate:
    """Under the 一体化 rule the bureau switched on: a graduate of an integrated course whose grades
    passed counts as having passed the level evaluation of the class level; the school, filed for
    the occupation, issues the skill certificate with the graduation as evidence."""
    school = registration.school
    require(actor, "credentials.certificate.issue", school)
    graduated_on = _graduated_on(registration)
    switch = equivalence_in_force(school.region_code, graduated_on)
    if switch is None or not switch.enabled:
        raise ValidationError({"rule": _("一体化毕业等效认定规则未由人社部门启用，不能据此签发。")})
    offering = registration.school_class.offering
    if occupation_code not in crosswalk_targets(Scheme.MAJOR_OCCUPATION, offering.major_code):
        raise ValidationError(
            {
                "occupation_code": _("职业%(code)s不对应%(major)s专业。")
                % {"code": occupation_code, "major": offering.major_name}
            }
        )
    if Certificate.objects.filter(registration=registration, basis=CertificateBasis.INTEGRATED).exists():
        raise ValidationError({"registration": _("该毕业生已按一体化规则签发过证书，不能重复签发。")})
    level = CLASS_LEVEL_SKILL[ClassLevel(registration.school_class.class_level)]
    filing = _covering_filing(school, occupation_code, level, graduated_on)
    evidence = documents.Evidence(
        name="一体化课程毕业",
        description=f"{offering.major_name}专业 {ClassLevel(registration.school_class.class_level).label} {graduated_on}",
    )
    draft = _skill_draft(
        basis=CertificateBasis.INTEGRATED, holder=registration.person, filing=filing,
        occupation_code=occupation_code, level=level, on_date=graduated_on, evidence=[evidence],
        fields={"registration": registration},
    )  # fmt: skip
    with transaction.atomic():
        return _issue(actor, _Signer.of(actor, school), [draft], "certificate.issue")[0]


# -- status ---------------------------------------------------------------------------------------

_MOVES = {
    # to: (allowed from, the list whose bit changes, the bit's new value)
    CertificateStatus.REVOKED: ({CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED}, "revocation", True),
    CertificateStatus.SUSPENDED: ({CertificateStatus.ACTIVE}, "suspension", True),
    CertificateStatus.ACTIVE: ({CertificateStatus.SUSPENDED}, "suspension", False),
}


def _with_bit(data: bytes, index: int, value: bool) -> bytes:
    # Bitstring Status List order: index 0 is the most significant bit of the first byte.
    changed = bytearray(data)
    mask = 0x80 >> (index % 8)
    changed[index // 8] = (changed[index // 8] | mask) if value else (changed[index // 8] & ~mask & 0xFF)
    return bytes(changed)


def certificate_set_status(*, actor: Actor, certificate: Certificate, status: str, reason: str) -> Certificate:
    """Revoke (for good), suspend or reinstate a certificate, with a reason; the status list the
    site serves shows it at once."""
    require(actor, "credentials.certificate.status", certificate)
    if status not in _MOVES:
        raise ValidationError({"status": _("状态“%(value)s”未知。") % {"value": status}})
    reason = reason.strip()
    if not reason or len(reason) > REASON_LENGTH:
        raise ValidationError({"reason": _("请填写原因（最多%(n)d个字）。") % {"n": REASON_LENGTH}})
    allowed_from, purpose, bit = _MOVES[CertificateStatus(status)]
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status not in allowed_from:
            raise ValidationError(
                {"status": _("证书%(number)s当前为“%(status)s”，不能改为“%(to)s”。")
                 % {"number": locked.number, "status": CertificateStatus(locked.status).label,
                    "to": CertificateStatus(status).label}}
            )  # fmt: skip
        list_id, index = (
            (locked.revocation_list_id, locked.revocation_index)
            if purpose == "revocation"
            else (locked.suspension_list_id, locked.suspension_index)
        )
        status_list = StatusList.objects.select_for_update().get(pk=list_id)
        status_list.bits = _with_bit(bytes(status_list.bits), index, bit)
        status_list.save(update_fields=["bits", "updated_at"])
        before = {"status": locked.status, "status_reason": locked.status_reason}
        locked.status = status
        locked.status_reason = reason
        locked.save(update_fields=["status", "status_reason"])
        event = CertificateEvent.objects.create(certificate=locked, status=status, reason=reason)
        audit.record(
            actor=actor, action=f"certificate.{status}", entity=locked, before=before,
            after={"status": status, "status_reason": reason}, owner=locked.issuer,
        )  # fmt: skip
        audit.record(
            actor=actor, action="certificate.event", entity=event, after=audit.snapshot(event), owner=locked.issuer
        )
        audit.record(
            actor=actor, action="status_list.update", entity=status_list,
            after={"index": index, "value": bit}, owner=locked.issuer,
        )  # fmt: skip
    return locked


# -- 双证书 ---------------------------------------------------------------------------------------


MAX_DUAL_SKILLS = 20


def dual_link(*, actor: Actor, diploma: Certificate, skills: Sequence[Certificate]) -> DualCertificate:
    """Link a diploma and the same holder's skill certificates (in force) as one 双证书 record."""
    require(actor, "credentials.certificate.link", diploma)
    if diploma.kind != CertificateKind.DIPLOMA:
        raise ValidationError({"diploma": _("%(number)s不是毕业证书。") % {"number": diploma.number}})
    if diploma.status == CertificateStatus.REVOKED:
        raise ValidationError({"diploma": _("毕业证书%(number)s已撤销，不能登记双证书。") % {"number": diploma.number}})
    if not skills:
        raise ValidationError({"skills": _("请至少选择一张职业技能等级证书。")})
    if len(skills) > MAX_DUAL_SKILLS:
        raise ValidationError({"skills": _("一份双证书最多%(n)d张职业技能等级证书。") % {"n": MAX_DUAL_SKILLS}})
    for skill in skills:
        if skill.kind != CertificateKind.SKILL or skill.holder_id != diploma.holder_id:
            raise ValidationError(
                {"skills": _("%(number)s不是该毕业生的职业技能等级证书。") % {"number": skill.number}}
            )
        if skill.status != CertificateStatus.ACTIVE:
            raise ValidationError(
                {"skills": _("职业技能等级证书%(number)s当前为“%(status)s”，不能登记双证书。")
                 % {"number": skill.number, "status": CertificateStatus(skill.status).label}}
            )  # fmt: skip
    if DualCertificate.objects.filter(diploma=diploma).exists():
        raise ValidationError({"diploma": _("该毕业证书已登记双证书。")})
    try:
        with transaction.atomic():
            dual = DualCertificate.objects.create(diploma=diploma)
            dual.skills.set(skills)
            audit.record(
                actor=actor, action="dual.link", entity=dual,
                after={"diploma": diploma.number, "skills": [s.number for s in skills]}, owner=diploma.issuer,
            )  # fmt: skip
    except IntegrityError as exc:  # a second clerk linked it a moment ago
        raise ValidationError({"diploma": _("该毕业证书已登记双证书。")}) from exc
    return dual


# -- batches --------------------------------------------------------------------------------------


def batch_start(*, actor: Actor, school: Organisation, total: int, parts: int | None = None) -> IssuingBatch:
    """Record a batch of the school's diplomas for the workers to issue (`credentials.tasks`): one
    task for each part, up to `parts` (`CREDENTIALS_BATCH_PARTS` by default) and never more than
    there are chunks, so that as many `gongjiang worker` processes issue it at once."""
    require(actor, "credentials.certificate.issue", school)
    if total <= 0:
        raise ValidationError({"batch": _("没有待签发毕业证书的毕业生。")})
    if IssuingBatch.objects.filter(school=school, state__in=[BatchState.QUEUED, BatchState.RUNNING]).exists():
        raise ValidationError({"batch": _("本校已有一批毕业证书正在签发，请等待其完成。")})
    issuer_key_ensure(actor=actor, organisation=school)  # made once here, not by parts racing
    chunks = -(-total // max(1, settings.CREDENTIALS_BATCH_CHUNK))
    parts = max(1, min(parts or settings.CREDENTIALS_BATCH_PARTS, chunks, 64))
    with transaction.atomic():
        batch = IssuingBatch.objects.create(school=school, total=total, parts=parts)
        audit.record(actor=actor, action="batch.start", entity=batch, after=audit.snapshot(batch), owner=school)
        for part in range(parts):
            # Attempts left after a killed worker: the part is run again and issues only what is
            # still missing (each chunk commits with its progress; a diploma is one per graduate).
            tasks.enqueue(
                "credentials.issue_diplomas",
                {"batch": batch.pk, "part": part, "user": actor.username, "user_id": actor.user_id},
                reference=f"credentials.batch:{batch.pk}",
                max_attempts=3,
            )
    return batch


def batch_run_part(*, actor: Actor, batch: IssuingBatch, part: int) -> IssuingBatch:
    """Issue one part of a batch: the school's graduates still without a diploma whose
    registration id is `part` modulo the batch's parts. Each chunk commits with its certificates
    and the batch's progress, so a part run again after its worker was killed issues only what is
    missing and counts nothing twice. The batch is done when every part has finished once."""
    started = IssuingBatch.objects.filter(pk=batch.pk, state__in=[BatchState.QUEUED, BatchState.RUNNING])
    if not started.update(state=BatchState.RUNNING):
        batch.refresh_from_db()
        return batch  # failed meanwhile (another part was refused): nothing more is issued
    waiting = graduates_without_diploma(actor=actor, school=batch.school)
    registrations = list(waiting.alias(part=Mod("id", batch.parts)).filter(part=part))
    counted = 0

    def progress(done: int, total: int) -> None:
        nonlocal counted
        IssuingBatch.objects.filter(pk=batch.pk).update(done=F("done") + (done - counted))
        counted = done

    try:
        certificate_issue_diplomas(
            actor=actor, school=batch.school, registrations=registrations, progress=progress,
            chunk=settings.CREDENTIALS_BATCH_CHUNK,
        )  # fmt: skip
    except ValidationError as exc:
        IssuingBatch.objects.filter(pk=batch.pk).update(
            state=BatchState.FAILED, error="；".join(exc.messages)[:500], finished_at=timezone.now()
        )
    else:
        with transaction.atomic():
            locked = IssuingBatch.objects.select_for_update().get(pk=batch.pk)
            if part not in locked.parts_finished:
                locked.parts_finished = sorted([*locked.parts_finished, part])
            if len(locked.parts_finished) >= locked.parts and locked.state == BatchState.RUNNING:
                locked.state = BatchState.DONE
                locked.finished_at = timezone.now()
            locked.save(update_fields=["parts_finished", "state", "finished_at"])
    batch.refresh_from_db()
    return batch
