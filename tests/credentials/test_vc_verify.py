"""The verifier: named checks, each passed / failed / unchecked, and bad input in words."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from gongjiang.credentials.vc import did, keys, proofs, status_list
from gongjiang.credentials.vc.errors import CredentialError
from gongjiang.credentials.vc.loader import OB_V3, VC_V2
from gongjiang.credentials.vc.verify import Outcome, VerificationReport, verify_credential

from .vcdata import Issuer, MemoryTrust, skill_certificate

INDEX = 40_961


@pytest.fixture
def issuer() -> Issuer:
    return Issuer(keys.generate_key())


@pytest.fixture
def trust(issuer: Issuer) -> MemoryTrust:
    t = MemoryTrust()
    t.filings[issuer.did] = (date(2026, 1, 1), date(2028, 12, 31))
    t.publish(issuer)
    return t


@pytest.fixture
def signed(issuer: Issuer) -> dict[str, Any]:
    return issuer.sign(skill_certificate(issuer.did, status=issuer.status(INDEX)))


def outcomes(report: VerificationReport) -> dict[str, str]:
    return {c.name: c.outcome.value for c in report.checks}


def messages(report: VerificationReport) -> str:
    return " ".join(c.message.text() for c in report.checks)


def test_valid_credential_passes_every_check(signed: dict[str, Any], trust: MemoryTrust) -> None:
    report = verify_credential(signed, trust)
    assert outcomes(report) == {
        "format": "passed",
        "proof": "passed",
        "issuer_key": "passed",
        "issuer_filed": "passed",
        "validity": "passed",
        "revocation": "passed",
        "suspension": "passed",
    }
    assert report.ok(require_filed=True)
    body = report.as_dict()
    assert body["verified"] is True
    assert body["checks"][1]["message"] == "签名有效，内容未被改动。"


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["credentialSubject"].__setitem__("name", "李四"),
        lambda d: d["credentialSubject"]["result"][0].__setitem__("value", "三级/高级工"),
        lambda d: d.__setitem__("description", "added"),
        lambda d: d["proof"].__setitem__("created", "2026-07-02T08:00:00Z"),
    ],
    ids=["tampered name", "changed level", "added property", "changed proof"],
)
def test_forged_copies_fail_the_signature(signed: dict[str, Any], trust: MemoryTrust, change: Any) -> None:
    forged = copy.deepcopy(signed)
    change(forged)
    report = verify_credential(forged, trust)
    assert report.outcome("proof") == Outcome.FAILED
    assert not report.ok()


def test_wrong_key_is_refused(issuer: Issuer, trust: MemoryTrust) -> None:
    other = keys.generate_key()
    doc = skill_certificate(issuer.did)
    forged = Issuer(other).sign(doc)
    # claims the issuer but was signed by another key: the key is not the issuer's
    report = verify_credential(forged, trust)
    assert report.outcome("issuer_key") == Outcome.FAILED
    assert "不属于" in messages(report)
    # the issuer's verification method named, but the signature made with another key
    forged["proof"]["verificationMethod"] = issuer.key.did_key_verification_method
    report = verify_credential(forged, trust)
    assert report.outcome("proof") == Outcome.FAILED
    assert not report.ok()


def test_did_web_key_must_be_listed(issuer: Issuer) -> None:
    web = did.did_web_id("certs.example.org")
    listed = keys.generate_key()
    doc = skill_certificate(web)
    trust = MemoryTrust(did_documents={web: did.did_web_document(web, [listed.public_multibase])})
    good = proofs.sign(
        doc, key=listed, verification_method=f"{web}#{listed.public_multibase}", created=datetime.now(UTC)
    )
    assert verify_credential(good, trust).outcome("proof") == Outcome.PASSED
    unlisted = keys.generate_key()
    bad = proofs.sign(
        doc, key=unlisted, verification_method=f"{web}#{unlisted.public_multibase}", created=datetime.now(UTC)
    )
    report = verify_credential(bad, trust)
    assert report.outcome("issuer_key") == Outcome.FAILED
    assert report.outcome("proof") == Outcome.UNCHECKED
    unknown = verify_credential(good, MemoryTrust())
    assert unknown.outcome("issuer_key") == Outcome.UNCHECKED
    assert not unknown.ok()


def test_expired_and_not_yet_valid(issuer: Issuer, trust: MemoryTrust) -> None:
    past = datetime(2026, 1, 1, tzinfo=UTC)
    expired = issuer.sign(skill_certificate(issuer.did, valid_from=past, valid_until=past + timedelta(days=30)))
    report = verify_credential(expired, trust)
    assert report.outcome("validity") == Outcome.FAILED
    assert "已过期" in messages(report)
    assert not report.ok()
    early = verify_credential(expired, trust, now=past - timedelta(days=1))
    assert early.outcome("validity") == Outcome.FAILED
    assert "尚未生效" in messages(early)


@pytest.mark.parametrize("purpose", ["revocation", "suspension"])
def test_revoked_and_suspended(issuer: Issuer, signed: dict[str, Any], purpose: str) -> None:
    (issuer.revoked if purpose == "revocation" else issuer.suspended).set(INDEX)
    trust = MemoryTrust()
    trust.publish(issuer)
    report = verify_credential(signed, trust)
    assert report.outcome(purpose) == Outcome.FAILED
    assert report.outcome("proof") == Outcome.PASSED
    assert not report.ok()


def test_status_fails_closed(issuer: Issuer, signed: dict[str, Any]) -> None:
    trust = MemoryTrust()
    report = verify_credential(signed, trust)
    assert report.outcome("revocation") == Outcome.UNCHECKED  # list unreadable: unknown, not green
    trust.publish(issuer)
    forged_list = trust.lists[issuer.list_url("revocation")]
    forged_list["credentialSubject"]["encodedList"] = status_list.Bitstring().encode()
    forged_list["validUntil"] = "2099-01-01T00:00:00Z"  # a forged list: its proof no longer holds
    assert verify_credential(signed, trust).outcome("revocation") == Outcome.UNCHECKED
    trust.publish(issuer)
    trust.lists[issuer.list_url("suspension")]["credentialSubject"]["encodedList"] = "u!!!"
    assert verify_credential(signed, trust).outcome("suspension") == Outcome.UNCHECKED
    stale = MemoryTrust()
    stale.lists = {
        issuer.list_url(p): issuer.list_credential(p, now=datetime.now(UTC) - timedelta(days=5))
        for p in status_list.PURPOSES
    }
    assert verify_credential(signed, stale).outcome("revocation") == Outcome.UNCHECKED


def test_issuer_never_filed_fails_only_that_check(issuer: Issuer, signed: dict[str, Any]) -> None:
    trust = MemoryTrust()
    trust.publish(issuer)
    report = verify_credential(signed, trust)
    assert report.outcome("issuer_filed") == Outcome.FAILED
    assert report.ok() and not report.ok(require_filed=True)
    trust.filings[issuer.did] = (date(2026, 8, 1), date(2028, 1, 1))  # filed after validFrom
    report = verify_credential(signed, trust)
    assert report.outcome("issuer_filed") == Outcome.FAILED
    assert "未获授权" in messages(report)
    offline = MemoryTrust(has_registry=False, lists=trust.lists)
    assert verify_credential(signed, offline).outcome("issuer_filed") == Outcome.UNCHECKED


def deep(n: int) -> str:
    return '{"a":' * n + "1" + "}" * n


@pytest.mark.parametrize(
    ("raw", "code_words"),
    [
        (b"{" + b" " * (10 * 1024 * 1024) + b"}", "凭证过大"),
        (deep(5000), "嵌套层数过深"),
        (deep(40), "嵌套层数过深"),
        ("not json", "不是有效的 JSON"),
        ("[1, 2]", "必须是一个 JSON 对象"),
    ],
    ids=["10 MB", "very deep", "deep", "not json", "array"],
)
def test_bad_input_gets_words_not_exceptions(raw: bytes | str, code_words: str) -> None:
    report = verify_credential(raw, MemoryTrust())
    assert report.outcome("format") == Outcome.FAILED
    assert code_words in messages(report)


def test_unknown_context_missing_proof_and_undefined_terms(
    issuer: Issuer, signed: dict[str, Any], trust: MemoryTrust
) -> None:
    unknown = copy.deepcopy(signed)
    unknown["@context"].append("https://evil.example/context.json")
    report = verify_credential(json.dumps(unknown), trust)
    assert report.outcome("format") == Outcome.FAILED
    assert "未知的上下文" in messages(report)
    bare = {k: v for k, v in signed.items() if k != "proof"}
    report = verify_credential(bare, trust)
    assert report.outcome("proof") == Outcome.FAILED
    assert "缺少 proof" in messages(report)
    undefined = skill_certificate(issuer.did)
    undefined["credentialSubject"]["身份证号"] = "x"
    with pytest.raises(CredentialError, match=r"context\.undefined_term"):
        issuer.sign(undefined)  # safe mode: an undefined term would go unsigned
    report = verify_credential(undefined | {"proof": signed["proof"]}, trust)
    assert report.outcome("proof") == Outcome.FAILED
    assert "未定义的字段" in messages(report)


def test_status_list_round_trip_and_bounds() -> None:
    bits = status_list.Bitstring()
    assert bits.size == 131_072
    for i in (0, 7, 8, 131_071):
        bits.set(i)
    decoded = status_list.Bitstring.decode(bits.encode())
    assert [decoded.get(i) for i in (0, 1, 7, 8, 9, 131_071)] == [True, False, True, True, False, True]
    assert bits.encode().startswith("u")
    with pytest.raises(ValueError):
        status_list.Bitstring(1024)
    doc = {
        "credentialSubject": {
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bits.encode(),
        }
    }
    assert status_list.read_status(doc, index="8", purpose="revocation") is True
    for index in ("131072", "-1", "x", None):
        with pytest.raises(Exception, match="status"):
            status_list.read_status(doc, index=index, purpose="revocation")


def test_contexts_are_local_and_nothing_is_fetched() -> None:
    from gongjiang.credentials.vc.loader import DEFAULT_LOADER, UnknownDocumentError

    assert DEFAULT_LOADER(VC_V2)["document"]["@context"]
    assert DEFAULT_LOADER(OB_V3)["document"]["@context"]
    with pytest.raises(UnknownDocumentError):
        DEFAULT_LOADER("https://www.w3.org/2018/credentials/v1")


def test_did_documents_built_offline() -> None:
    key = keys.generate_key()
    doc = did.did_key_document(key.did_key)
    assert doc["assertionMethod"] == [key.did_key_verification_method]
    assert did.assertion_key(doc, key.did_key_verification_method) == key.public_multibase
    assert did.assertion_key(doc, f"{key.did_key}#other") is None
    web = did.did_web_id("certs.example.org:8443", "issuers/12345")
    assert web == "did:web:certs.example.org%3A8443:issuers:12345"
    assert did.did_web_url(web) == "https://certs.example.org:8443/issuers/12345/did.json"
    assert did.did_web_url("did:web:example.org") == "https://example.org/.well-known/did.json"
    with pytest.raises(CredentialError):
        did.did_web_id("bad host/..")
    with pytest.raises(CredentialError):
        did.did_key_document("did:key:zQ3notEd25519")
    with pytest.raises(CredentialError):
        keys.key_from_secret_multibase(key.public_multibase)  # a public key is not a secret one
