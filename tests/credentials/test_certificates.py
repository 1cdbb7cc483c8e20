"""Issuing, signing, status lists, 双证书: what is refused, what the credential says, and that the
signature and status lists check out with the standards library."""

from __future__ import annotations

import datetime as dt
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjiang.assessment.services import award_confer
from gongjiang.core.actors import PUBLIC, Actor
from gongjiang.core.models import AuditEntry
from gongjiang.credentials import numbers, selectors, services
from gongjiang.credentials.models import Certificate, Filing, StatusList
from gongjiang.credentials.services import certificates as issue
from gongjiang.credentials.vc import did as vc_did
from gongjiang.credentials.vc.proofs import verify_proof
from gongjiang.credentials.vc.status_list import read_status
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry import services as registry
from gongjiang.registry.models import Registration, SkillAssessment
from tests.credentials.conftest import LATHE

pytestmark = pytest.mark.django_db


def _assessment(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], person: Person, **over: object
) -> SkillAssessment:
    values: dict[str, object] = {
        "evaluator": world["evaluator"], "person": person, "occupation_code": LATHE, "skill_level": 4,
        "assessed_on": dt.date(2026, 5, 20), "result": "passed", "certificate_no": "S000000000001",
    }  # fmt: skip
    values.update(over)
    return registry.assessment_record(actor=actor_of("u-v150000001"), **values)  # type: ignore[arg-type]


def _key_of(credential: dict[str, object]) -> str:
    issuer = credential["issuer"]
    issuer = issuer["id"] if isinstance(issuer, dict) else issuer
    document = selectors.did_document(issuer)
    assert document is not None
    key = vc_did.assertion_key(document, credential["proof"]["verificationMethod"])  # type: ignore[index]
    assert key is not None
    return key


def test_a_passed_assessment_gets_one_signed_skill_certificate(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], evaluator_filing: Filing,
    new_person: Callable[..., Person], key_dir: Path,
) -> None:  # fmt: skip
    evaluator = actor_of("u-v150000001")
    assessment = _assessment(actor_of, world, new_person(name="王师傅"))
    cert = issue.certificate_issue_for_assessment(actor=evaluator, assessment=assessment)
    assert numbers.is_valid(cert.number) and cert.number.startswith("Z")
    doc = cert.credential
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    achievement = doc["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Certificate"
    assert achievement["alignment"][0]["targetCode"] == LATHE
    assert doc["credentialSubject"]["result"][0]["achievedLevel"].endswith(":4")
    assert doc["issuer"]["otherIdentifier"][-1]["identifier"] == evaluator_filing.number
    assert [s["statusPurpose"] for s in doc["credentialStatus"]] == ["revocation", "suspension"]
    assert doc["issuer"]["id"].startswith("did:key:z6Mk")
    assert verify_proof(doc, _key_of(doc))
    # The private key: a file of mode 600 in the data directory, nowhere in the audit trail.
    (key_file,) = key_dir.iterdir()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    secret = key_file.read_text()
    assert not AuditEntry.objects.filter(after__icontains=secret[:20]).exists()
    # Issuing twice is refused, named, and changes nothing.
    with pytest.raises(ValidationError, match="已签发过证书"):
        issue.certificate_issue_for_assessment(actor=evaluator, assessment=assessment)
    assert Certificate.objects.filter(assessment=assessment).count() == 1
    # The authorisation the verifier asks for.
    ok = selectors.issuer_authorisation(doc["issuer"]["id"], "skill", LATHE, 4, dt.date(2026, 5, 20))
    assert ok is not None and ok.authorised and ok.filing_number == evaluator_filing.number
    too_high = selectors.issuer_authorisation(doc["issuer"]["id"], "skill", LATHE, 1, dt.date(2026, 5, 20))
    assert too_high is not None and not too_high.authorised
    assert selectors.issuer_authorisation("did:key:z6MkNotOurs", "skill", LATHE, 4, dt.date(2026, 5, 20)) is None


def test_issuing_outside_a_filing_or_for_a_failed_assessment_is_refused(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], evaluator_filing: Filing,
    new_person: Callable[..., Person],
) -> None:  # fmt: skip
    evaluator = actor_of("u-v150000001")
    person = new_person(name="赵师傅")
    above = _assessment(actor_of, world, person, skill_level=2)
    with pytest.raises(ValidationError, match="没有覆盖职业6-18-01-07 二级/技师的有效备案"):
        issue.certificate_issue_for_assessment(actor=evaluator, assessment=above)
    failed = _assessment(actor_of, world, person, result="failed", certificate_no="")
    with pytest.raises(ValidationError, match="不合格"):
        issue.certificate_issue_for_assessment(actor=evaluator, assessment=failed)
    before_filing = _assessment(actor_of, world, person, assessed_on=dt.date(2024, 6, 1))
    with pytest.raises(ValidationError, match="有效备案"):
        issue.certificate_issue_for_assessment(actor=evaluator, assessment=before_filing)
    ok = _assessment(actor_of, world, person)
    with pytest.raises(PermissionDenied):
        issue.certificate_issue_for_assessment(actor=actor_of("school"), assessment=ok)
    assert not Certificate.objects.exists() and not StatusList.objects.exists()


def test_revoke_suspend_reinstate_show_in_the_served_status_list_at_once(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], evaluator_filing: Filing,
    new_person: Callable[..., Person],
) -> None:  # fmt: skip
    evaluator = actor_of("u-v150000001")
    cert = issue.certificate_issue_for_assessment(
        actor=evaluator, assessment=_assessment(actor_of, world, new_person(name="钱师傅"))
    )
    revocation, suspension = cert.credential["credentialStatus"]

    def bit(entry: dict[str, str]) -> bool:
        served = selectors.status_list_credential(entry["statusListCredential"])
        assert served is not None and verify_proof(served, _key_of(served))
        assert len(served["credentialSubject"]["encodedList"]) > 10
        return read_status(served, index=entry["statusListIndex"], purpose=entry["statusPurpose"])

    assert not bit(revocation) and not bit(suspension)
    with pytest.raises(ValidationError, match="原因"):
        issue.certificate_set_status(actor=evaluator, certificate=cert, status="suspended", reason=" ")
    cert = issue.certificate_set_status(actor=evaluator, certificate=cert, status="suspended", reason="核查身份信息")
    assert bit(suspension) and not bit(revocation)
    cert = issue.certificate_set_status(actor=evaluator, certificate=cert, status="active", reason="核查无误")
    assert not bit(suspension)
    with pytest.raises(PermissionDenied):
        issue.certificate_set_status(actor=actor_of("school2"), certificate=cert, status="revoked", reason="x")
    cert = issue.certificate_set_status(actor=actor_of("bureau"), certificate=cert, status="revoked", reason="冒名顶替")
    assert bit(revocation) and cert.status == "revoked"
    with pytest.raises(ValidationError, match="不能改为"):
        issue.certificate_set_status(actor=evaluator, certificate=cert, status="active", reason="撤回")
    assert AuditEntry.objects.filter(action="certificate.revoked", entity_id=str(cert.pk)).exists()
    assert selectors.status_list_credential("https://elsewhere.example/credentials/status/x") is None


def test_diplomas_state_class_level_and_major_and_link_as_dual_certificates(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], evaluator_filing: Filing,
    graduates: list[Registration],
) -> None:  # fmt: skip
    school = actor_of("school")
    assert issue.certificate_issue_diplomas(actor=school, school=world["school"], registrations=graduates[:2]) == 2
    diploma = Certificate.objects.get(registration=graduates[0], kind="diploma")
    achievement = diploma.credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Diploma" and "高级工班" in achievement["name"]
    assert achievement["otherIdentifier"][0]["identifier"] == "0102" and achievement["fieldOfStudy"]
    assert verify_proof(diploma.credential, _key_of(diploma.credential))
    with pytest.raises(ValidationError, match="毕业证书已签发"):
        issue.certificate_issue_diploma(actor=school, registration=graduates[0])
    with pytest.raises(PermissionDenied):
        issue.certificate_issue_diploma(actor=actor_of("school2"), registration=graduates[2])
    skill = issue.certificate_issue_for_assessment(
        actor=actor_of("u-v150000001"), assessment=_assessment(actor_of, world, graduates[0].person)
    )
    other = issue.certificate_issue_for_assessment(
        actor=actor_of("u-v150000001"), assessment=_assessment(actor_of, world, graduates[1].person)
    )
    with pytest.raises(ValidationError, match="不是该毕业生"):
        services.certificates.dual_link(actor=school, diploma=diploma, skills=[other])
    dual = services.certificates.dual_link(actor=school, diploma=diploma, skills=[skill])
    assert list(dual.skills.all()) == [skill]
    # The learner sees their own certificates; another school and the public see none of them.
    student_like = Actor(kind="learner", person_id=graduates[0].person_id)  # type: ignore[arg-type]
    assert set(selectors.certificate_list(actor=student_like)) == {diploma, skill}
    assert not selectors.certificate_list(actor=actor_of("school2")).exists()
    assert not selectors.certificate_list(actor=PUBLIC).exists()


def test_integrated_equivalence_only_once_the_bureau_switches_it_on(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], graduates: list[Registration]
) -> None:
    school, bureau = actor_of("school"), actor_of("bureau")
    services.filing_create(
        actor=bureau, organisation=world["school"], body_kind="school", occupations={LATHE: 3},
        valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2030, 12, 31),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="未由人社部门启用"):
        issue.certificate_issue_integrated(actor=school, registration=graduates[0], occupation_code=LATHE)
    services.equivalence_switch(actor=bureau, enabled=True, effective_on=dt.date(2026, 1, 1), reason="依002号文第18条")
    cert = issue.certificate_issue_integrated(actor=school, registration=graduates[0], occupation_code=LATHE)
    assert cert.skill_level == 3 and cert.basis == "integrated"
    assert cert.credential["evidence"][0]["name"] == "一体化课程毕业"
    with pytest.raises(ValidationError, match="重复签发"):
        issue.certificate_issue_integrated(actor=school, registration=graduates[0], occupation_code=LATHE)


def test_a_national_award_confers_a_level_with_the_award_as_evidence(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], evaluator_filing: Filing,
    new_person: Callable[..., Person],
) -> None:  # fmt: skip
    """One path for awards: the bureau confers the level the award rules give (a national 优胜奖:
    高级工, level 3) as an assessment, and its certificate names the award as evidence."""
    person = new_person(name="孙冠军")
    award = registry.award_record(
        actor=actor_of("school"), recorded_by=world["school"], person=person, competition="全国技能大赛",
        level="national", rank="优胜奖", awarded_on=dt.date(2026, 4, 1), occupation_code=LATHE,
    )  # fmt: skip
    assessment = award_confer(actor=actor_of("bureau"), award=award, evaluator=world["evaluator"])
    evaluator = actor_of("u-v150000001")
    cert = issue.certificate_issue_for_assessment(actor=evaluator, assessment=assessment)
    assert cert.basis == "award" and cert.award == award
    assert cert.credential["evidence"][0]["name"] == "全国技能大赛"
    with pytest.raises(ValidationError, match="重复签发"):
        issue.certificate_issue_for_assessment(actor=evaluator, assessment=assessment)
    local = registry.award_record(
        actor=actor_of("school"), recorded_by=world["school"], person=person, competition="市技能大赛",
        level="city", rank="一等奖", awarded_on=dt.date(2026, 4, 1), occupation_code=LATHE,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="不属于可直接认定等级"):
        award_confer(actor=actor_of("bureau"), award=local, evaluator=world["evaluator"])


def test_an_issuer_key_made_meanwhile_by_another_process_is_used(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], monkeypatch: pytest.MonkeyPatch
) -> None:
    from gongjiang.core import audit
    from gongjiang.credentials import issuers
    from gongjiang.credentials.models import IssuerKey

    load = issuers.load_or_create_key

    def and_another_process_inserts_the_row(organisation: Organisation) -> Any:
        key = load(organisation)
        row = IssuerKey.objects.create(organisation=organisation, public_key_multibase=key.public_multibase)
        audit.record(actor=actor_of("school"), action="issuer_key.create", entity=row, owner=organisation)
        return key

    monkeypatch.setattr(issue.issuers, "load_or_create_key", and_another_process_inserts_the_row)
    row = issue.issuer_key_ensure(actor=actor_of("school"), organisation=world["school"])
    assert row == IssuerKey.objects.get(organisation=world["school"])
