"""Reads of the credentials app, scoped by the actor. The trust registry (filings) is public."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from gongjiang.core.actors import Actor
from gongjiang.core.policies import allowed
from gongjiang.core.scope import get_scoped_or_404, region_prefix, scoped
from gongjiang.credentials import issuers
from gongjiang.credentials.models import (
    Certificate,
    CertificateBasis,
    CertificateKind,
    CertificateStatus,
    DualCertificate,
    Filing,
    FilingEvent,
    FilingOccupation,
    FilingStatus,
    IntegratedEquivalence,
    IssuerKey,
    IssuingBatch,
    ShareLink,
    StatusList,
)
from gongjiang.credentials.vc import proofs
from gongjiang.credentials.vc import status_list as vc_status_list
from gongjiang.directory.models import Organisation, OrganisationKind
from gongjiang.registry.models import AssessmentResult, Registration, RegistrationStatus, SkillAssessment


def filing_covers(organisation: Organisation, occupation_code: str, level: int, on_date: dt.date) -> Filing | None:
    """The filing under which `organisation` may assess `occupation_code` at `level` on `on_date`
    (active, within its window, the occupation filed up to that level or higher), or None.

    Levels run 1 (高级技师) to 5 (初级工): a filing up to level 3 covers levels 3, 4 and 5.
    """
    return (
        Filing.objects.filter(
            organisation=organisation,
            status=FilingStatus.ACTIVE,
            valid_from__lte=on_date,
            valid_until__gte=on_date,
            occupations__occupation_code=occupation_code,
            occupations__highest_level__lte=level,
        )
        .order_by("-valid_from", "-id")
        .first()
    )


def filing_list(*, actor: Actor, organisation_id: int | None = None, status: str | None = None) -> QuerySet[Filing]:
    """The trust registry as `actor` reads it (everyone reads all of it), newest first."""
    found = scoped(Filing.objects.all(), actor).select_related("organisation", "filed_by")
    if organisation_id is not None:
        found = found.filter(organisation_id=organisation_id)
    if status:
        found = found.filter(status=status)
    return found.prefetch_related(
        Prefetch("occupations", queryset=FilingOccupation.objects.order_by("occupation_code"))
    ).order_by("-created_at", "-id")


def filing_get(*, actor: Actor, number: str) -> Filing:
    return get_scoped_or_404(
        Filing.objects.select_related("organisation", "filed_by").prefetch_related("occupations", "events"),
        actor,
        number=number,
    )


def filing_events(*, actor: Actor, filing: Filing) -> QuerySet[FilingEvent]:
    return scoped(FilingEvent.objects.filter(filing=filing), actor).order_by("recorded_at", "id")


def filed_bodies_covering(occupation_code: str, level: int, on_date: dt.date) -> QuerySet[Organisation]:
    """The organisations filed to assess `occupation_code` at `level` on `on_date` (the registry is
    public, so anyone may ask): the bodies a conferred level may be recorded by."""
    return (
        Organisation.objects.filter(
            filings__status=FilingStatus.ACTIVE,
            filings__valid_from__lte=on_date,
            filings__valid_until__gte=on_date,
            filings__occupations__occupation_code=occupation_code,
            filings__occupations__highest_level__lte=level,
        )
        .distinct()
        .order_by("code")
    )


# -- the 一体化 rule ----------------------------------------------------------------------------


def _regions_over(region_code: str) -> list[str]:
    """The region itself and the city and province containing it (GB/T 2260 codes)."""
    return sorted({region_code[:2] + "0000", region_code[:4] + "00", region_code})


def equivalence_in_force(region_code: str, on_date: dt.date) -> IntegratedEquivalence | None:
    """The switch that decides the 一体化 rule for a school in `region_code` on `on_date`: the
    latest one in force by then of a bureau whose region contains it (None: never switched, off)."""
    return (
        IntegratedEquivalence.objects.filter(
            bureau__region_code__in=_regions_over(region_code), effective_on__lte=on_date
        )
        .select_related("bureau")
        .order_by("-effective_on", "-id")
        .first()
    )


def equivalence_list(*, actor: Actor, region_code: str | None = None) -> QuerySet[IntegratedEquivalence]:
    """The switches as `actor` reads them (they are public), newest first; with `region_code`, those
    that bear on it: of the bureaus over it and of those under it."""
    found = scoped(IntegratedEquivalence.objects.select_related("bureau"), actor)
    if region_code:
        prefix = region_prefix(region_code)
        found = found.filter(
            Q(bureau__region_code__in=_regions_over(region_code)) | Q(bureau__region_code__startswith=prefix)
        )
    return found.order_by("-recorded_at", "-id")


# -- issuers, DID documents and status lists (read by the verifier, h1's `vc.verify`) -------------


def _issuer_by_did(did: str) -> tuple[Organisation, IssuerKey] | None:
    if not isinstance(did, str) or len(did) > 300:
        return None
    if did.startswith("did:key:"):
        key = IssuerKey.objects.select_related("organisation").filter(public_key_multibase=did[8:]).first()
        return (key.organisation, key) if key else None
    host = settings.CREDENTIALS_HOST
    prefix = f"did:web:{quote(host, safe='')}:issuers:" if host else None
    if prefix and did.startswith(prefix):
        key = IssuerKey.objects.select_related("organisation").filter(organisation__code=did[len(prefix) :]).first()
        return (key.organisation, key) if key else None
    return None


def did_document(did: str) -> dict[str, Any] | None:
    """The DID document of an issuer of this platform, or None for any other DID."""
    found = _issuer_by_did(did)
    if found is None or issuers.issuer_did(*found) != did:
        return None
    return issuers.did_document(*found)


def did_document_for(organisation: Organisation) -> dict[str, Any] | None:
    key = IssuerKey.objects.filter(organisation=organisation).first()
    return issuers.did_document(organisation, key) if key else None


def _list_slug(url: str) -> str | None:
    prefix = issuers.status_list_url("")
    if not isinstance(url, str) or not url.startswith(prefix) or len(url) > 300:
        return None
    return url[len(prefix) :]


# Signed status-list credentials, kept for a few minutes per list *state* in this process. The bits
# are read from the database on every call, and a changed bit (a revocation, a suspension) is a new
# state signed at once; an unchanged list is not signed again for every certificate verified (the
# signature was most of a verification's time, and an unchanged document lets the verifier's cache
# of checked list proofs answer). A kept one has most of its validity left.
_SIGNED_LISTS: dict[tuple[bytes, str, int, str, str, int], tuple[float, dict[str, Any]]] = {}
SIGNED_LIST_REUSE_SECONDS = 300


def status_list_credential(url: str) -> dict[str, Any] | None:
    """The signed status-list credential at `url`, as the site serves it now (signed with a short
    validity from the list's current bits, so revocations show at once), or None when the URL is not
    one of ours."""
    slug = _list_slug(url)
    found = StatusList.objects.select_related("issuer__issuer_key").filter(slug=slug) if slug else None
    status_list = found.first() if found is not None else None
    if status_list is None:
        return None
    key = status_list.issuer.issuer_key
    hours = settings.STATUS_LIST_VALID_HOURS
    # Everything the signed document is made from, but the time.
    state = (
        hashlib.sha256(bytes(status_list.bits)).digest(), status_list.purpose, status_list.size,
        issuers.status_list_url(status_list.slug), issuers.verification_method(status_list.issuer, key), hours,
    )  # fmt: skip
    kept = _SIGNED_LISTS.get(state)
    clock = time.monotonic()
    if kept is not None and clock - kept[0] < min(SIGNED_LIST_REUSE_SECONDS, hours * 3600 / 4):
        return copy.deepcopy(kept[1])
    signed = _sign_status_list(status_list, key)
    if len(_SIGNED_LISTS) > 1024:
        _SIGNED_LISTS.clear()
    _SIGNED_LISTS[state] = (clock, signed)
    return copy.deepcopy(signed)


# A status list is valid from a minute before it is signed: a verifier whose clock is a little
# behind (or one that took its time before signing, within the same second) must not find it "not
# yet valid" and so leave the status unchecked.
STATUS_LIST_CLOCK_SKEW = dt.timedelta(minutes=1)


def _sign_status_list(status_list: StatusList, key: IssuerKey) -> dict[str, Any]:
    now = timezone.now().replace(microsecond=0)
    unsigned = vc_status_list.status_list_credential(
        list_url=issuers.status_list_url(status_list.slug),
        issuer=issuers.issuer_did(status_list.issuer, key),
        purpose=status_list.purpose,
        bits=vc_status_list.Bitstring(status_list.size, data=bytes(status_list.bits)),
        valid_from=now - STATUS_LIST_CLOCK_SKEW,
        valid_until=now + dt.timedelta(hours=settings.STATUS_LIST_VALID_HOURS),
    )
    return proofs.sign(
        unsigned,
        key=issuers.load_or_create_key(status_list.issuer),
        verification_method=issuers.verification_method(status_list.issuer, key),
        created=now,
    )


@dataclass(frozen=True)
class Authorisation:
    """What the trust registry says of an issuer for one credential."""

    issuer_name: str
    authorised: bool
    filing_number: str = ""
    reason: str = ""


def issuer_authorisation(
    did: str, kind: str, occupation_code: str | None, level: int | None, on_date: dt.date
) -> Authorisation | None:
    """Was `did` authorised to issue a `kind` ("diploma" or "skill") credential for that occupation
    and level on `on_date`? None when the DID is not an issuer of this platform at all."""
    found = _issuer_by_did(did)
    if found is None or issuers.issuer_did(*found) != did:
        return None
    organisation = found[0]
    if kind == CertificateKind.DIPLOMA:
        # Schools issue their graduates' diplomas by being schools of the register.
        ok = organisation.kind == OrganisationKind.SCHOOL and organisation.is_active
        return Authorisation(organisation.name, ok, reason="" if ok else gettext("签发机构不是在册的技工院校。"))
    if kind == CertificateKind.SKILL and occupation_code and level is not None:
        filing = filing_covers(organisation, occupation_code, level, on_date)
        if filing is not None:
            return Authorisation(organisation.name, True, filing_number=filing.number)
        return Authorisation(organisation.name, False, reason=gettext("签发当日该机构没有覆盖该职业和等级的有效备案。"))
    return Authorisation(organisation.name, False, reason=gettext("无法确定凭证的类型、职业或等级。"))


# -- certificates ------------------------------------------------------------------------------------


def certificate_list(*, actor: Actor, kind: str | None = None, status: str | None = None) -> QuerySet[Certificate]:
    found = scoped(Certificate.objects.all(), actor).select_related("holder", "issuer")
    if kind:
        found = found.filter(kind=kind)
    if status:
        found = found.filter(status=status)
    return found.order_by("-issued_at", "-id")


def certificate_get(*, actor: Actor, number: str) -> Certificate:
    return get_scoped_or_404(
        Certificate.objects.select_related("holder", "issuer", "filing", "revocation_list", "suspension_list"),
        actor,
        number=number[:24],
    )


@dataclass(frozen=True)
class Bundle:
    """Everything an offline verifier needs for one credential."""

    credential: dict[str, Any]
    did_documents: dict[str, dict[str, Any]]
    status_lists: dict[str, dict[str, Any]]


def certificate_bundle(*, actor: Actor, number: str) -> Bundle:
    certificate = certificate_get(actor=actor, number=number)
    issuer_id = certificate.credential["issuer"]["id"]
    documents = {issuer_id: doc} if (doc := did_document(issuer_id)) else {}
    lists = {}
    for entry in certificate.credential.get("credentialStatus", []):
        url = entry["statusListCredential"]
        if (signed := status_list_credential(url)) is not None:
            lists[entry["statusPurpose"]] = signed
    return Bundle(certificate.credential, documents, lists)


# -- 双证书 ----------------------------------------------------------------------------------------


def dual_list(*, actor: Actor, linked: bool | None = None) -> QuerySet[Certificate]:
    """Diplomas as `actor` reads them, with their 双证书 record when there is one; `linked` keeps
    only the linked (True) or the not yet linked (False)."""
    found = (
        scoped(Certificate.objects.filter(kind=CertificateKind.DIPLOMA), actor)
        .select_related("holder", "issuer", "dual")
        .prefetch_related("dual__skills")
    )
    if linked is not None:
        found = found.filter(dual__isnull=not linked)
    return found.order_by("-issued_at", "-id")


def dual_map(certificates: Sequence[Certificate]) -> dict[int, list[Certificate]]:
    """For each certificate, those it is linked with as 双证书: a diploma's skill certificates, a
    skill certificate's diplomas. Read only for certificates the caller already holds in scope: the
    link is part of what those certificates say."""
    found: dict[int, list[Certificate]] = {c.pk: [] for c in certificates}
    diplomas = {c.pk for c in certificates if c.kind == CertificateKind.DIPLOMA}
    skills = {c.pk for c in certificates if c.kind == CertificateKind.SKILL}
    through = DualCertificate.skills.through.objects.select_related(
        "dualcertificate__diploma__issuer", "certificate__issuer"
    )
    pairs = through.filter(Q(dualcertificate__diploma_id__in=diplomas) | Q(certificate_id__in=skills))
    for pair in pairs.order_by("id"):
        diploma, skill = pair.dualcertificate.diploma, pair.certificate
        if diploma.pk in diplomas:
            found[diploma.pk].append(skill)
        if skill.pk in skills:
            found[skill.pk].append(diploma)
    return found


def dual_of(*, actor: Actor, certificate: Certificate) -> list[Certificate]:
    """What `certificate` (which `actor` reads) is linked with, as far as `actor` may know: the
    certificates it reads itself, and for the school that linked a diploma, the skill certificates
    it chose."""
    linked = dual_map([certificate])[certificate.pk]
    if certificate.kind == CertificateKind.DIPLOMA and allowed(actor, "credentials.certificate.link", certificate):
        return linked
    readable = set(
        scoped(Certificate.objects.filter(pk__in=[c.pk for c in linked]), actor).values_list("pk", flat=True)
    )
    return [c for c in linked if c.pk in readable]


def dual_candidates_for(*, actor: Actor, diplomas: Sequence[Certificate]) -> dict[int, list[Certificate]]:
    """For each diploma `actor` may link (its school's staff), the skill certificates in force of
    its holder, by diploma id. Outside the school's scope by design: the school holds the
    graduate's registration, and 双证书 is its record of which certificates go with its diploma;
    only those who may link a diploma see any."""
    mine = [d for d in diplomas if allowed(actor, "credentials.certificate.link", d)]
    held: dict[int, list[Certificate]] = {}
    skills = Certificate.objects.filter(
        holder_id__in={d.holder_id for d in mine}, kind=CertificateKind.SKILL, status=CertificateStatus.ACTIVE
    )
    for skill in skills.select_related("issuer").order_by("issued_at", "id"):
        held.setdefault(skill.holder_id, []).append(skill)
    return {d.pk: held.get(d.holder_id, []) for d in mine}


def dual_candidates(*, actor: Actor, diploma: Certificate) -> list[Certificate]:
    return dual_candidates_for(actor=actor, diplomas=[diploma]).get(diploma.pk, [])


def graduates_without_diploma(*, actor: Actor, school: Organisation) -> QuerySet[Registration]:
    """The school's graduates (graduation approved) who have no diploma yet, for a batch."""
    return (
        scoped(Registration.objects.filter(school=school, status=RegistrationStatus.GRADUATED), actor)
        .exclude(certificates__kind=CertificateKind.DIPLOMA)
        .select_related("person", "school", "school_class__offering")
        .order_by("id")
    )


def integrated_waiting(*, actor: Actor, school: Organisation) -> QuerySet[Registration]:
    """The school's graduates without a skill certificate under the 一体化 rule, newest first."""
    return (
        scoped(Registration.objects.filter(school=school, status=RegistrationStatus.GRADUATED), actor)
        .exclude(certificates__basis=CertificateBasis.INTEGRATED)
        .select_related("person", "school_class__offering")
        .order_by("-id")
    )


def assessments_awaiting_certificate(*, actor: Actor, evaluator: Organisation) -> QuerySet[SkillAssessment]:
    """The evaluator's passed assessments that have no certificate yet."""
    return (
        scoped(SkillAssessment.objects.filter(evaluator=evaluator, result=AssessmentResult.PASSED), actor)
        .filter(certificate__isnull=True)
        .select_related("person")
        .order_by("-assessed_on", "-id")
    )


def share_links(*, actor: Actor, certificate: Certificate) -> QuerySet[ShareLink]:
    """The holder's links for a certificate, each with how often and when last it was used."""
    return (
        scoped(ShareLink.objects.filter(certificate=certificate), actor)
        .annotate(use_count=Count("uses"), last_used=Max("uses__used_at"))
        .order_by("-created_at", "-id")
    )


def share_link_get(*, actor: Actor, pk: int) -> ShareLink:
    return get_scoped_or_404(ShareLink.objects.select_related("certificate__issuer"), actor, pk=pk)


def batch_latest(*, actor: Actor, school: Organisation) -> IssuingBatch | None:
    return scoped(IssuingBatch.objects.filter(school=school), actor).order_by("-created_at", "-id").first()


def batch_get(*, actor: Actor, pk: int) -> IssuingBatch:
    return get_scoped_or_404(IssuingBatch.objects.all(), actor, pk=pk)


def assessment_awaiting_get(*, actor: Actor, evaluator: Organisation, pk: int) -> SkillAssessment:
    return get_scoped_or_404(
        SkillAssessment.objects.filter(evaluator=evaluator, result=AssessmentResult.PASSED).select_related(
            "person", "evaluator"
        ),
        actor,
        pk=pk,
    )


def did_web_document(code: str) -> dict[str, Any] | None:
    """The `did:web` document the site serves at /issuers/<code>/did.json (None without a host
    name, where issuers are `did:key`, or for an organisation that has issued nothing)."""
    if not settings.CREDENTIALS_HOST:
        return None
    key = IssuerKey.objects.select_related("organisation").filter(organisation__code=code).first()
    return issuers.did_document(key.organisation, key) if key else None
