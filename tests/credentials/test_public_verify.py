"""The public verify page and `POST /api/v1/credentials/verify`: anyone, bounded, rate-limited,
each check in words and unchecked never shown as passed."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from gongjiang.core.actors import Actor
from gongjiang.credentials import services
from gongjiang.credentials.models import Certificate, Filing
from gongjiang.credentials.services import certificates as issue
from gongjiang.credentials.trust import claims_of
from gongjiang.credentials.vc import keys
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry.models import Registration

from .conftest import LATHE
from .test_certificates import _assessment
from .vcdata import Issuer, skill_certificate

pytestmark = pytest.mark.django_db
API = "/api/v1/credentials/verify"
PAGE = "/credentials/verify/"


@pytest.fixture
def diploma(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], graduates: list[Registration]
) -> dict[str, Any]:
    issue.certificate_issue_diplomas(actor=actor_of("school"), school=world["school"], registrations=graduates)
    certificate = Certificate.objects.filter(kind="diploma").order_by("number").first()
    assert certificate is not None
    return dict(certificate.credential)


def outcomes(page: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'data-check="(\w+)" data-outcome="(\w+)"', page))


def test_page_shows_a_platform_diploma_as_valid_and_a_tampered_one_as_forged(diploma: dict[str, Any]) -> None:
    anonymous = Client()
    assert anonymous.get(PAGE).status_code == 200
    page = anonymous.post(PAGE, {"credential": json.dumps(diploma, ensure_ascii=False)}).content.decode()
    assert set(outcomes(page).values()) == {"passed"}, outcomes(page)
    assert 'data-verified="true"' in page
    forged = copy.deepcopy(diploma)
    forged["credentialSubject"]["name"] = "冒名者"
    page = anonymous.post(PAGE, {"credential": json.dumps(forged, ensure_ascii=False)}).content.decode()
    assert outcomes(page)["proof"] == "failed"
    assert 'data-verified="false"' in page
    assert "签名无效" in page


def test_page_upload_and_refusals(diploma: dict[str, Any]) -> None:
    anonymous = Client()
    upload = SimpleUploadedFile("credential.json", json.dumps(diploma).encode(), content_type="application/json")
    page = anonymous.post(PAGE, {"file": upload}).content.decode()
    assert outcomes(page)["proof"] == "passed"
    big = SimpleUploadedFile("big.json", b"{" + b" " * (1024 * 1024) + b"}", content_type="application/json")
    refused = anonymous.post(PAGE, {"file": big})
    assert refused.status_code == 400
    assert "文件过大" in refused.content.decode()
    empty = anonymous.post(PAGE, {"credential": "  "})
    assert empty.status_code == 400


def test_a_foreign_credential_shows_what_could_not_be_checked() -> None:
    issuer = Issuer(keys.generate_key())
    doc = issuer.sign(skill_certificate(issuer.did, status=issuer.status(5)))
    page = Client().post(PAGE, {"credential": json.dumps(doc, ensure_ascii=False)}).content.decode()
    found = outcomes(page)
    assert found["proof"] == "passed"
    assert found["revocation"] == found["suspension"] == "unchecked"  # its lists are not ours
    assert found["issuer_filed"] == "failed"
    assert 'data-outcome="unchecked"' in page and "status no_data" in page  # grey, never green


def test_api_in_the_vc_api_shape(diploma: dict[str, Any]) -> None:
    anonymous = Client()
    ok = anonymous.post(API, {"verifiableCredential": diploma}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["verified"] is True and "proof" in body["checks"] and body["errors"] == []
    assert {r["outcome"] for r in body["results"]} == {"passed"}
    revoked = copy.deepcopy(diploma)
    revoked["validUntil"] = "2000-01-01T00:00:00Z"
    bad = anonymous.post(API, {"verifiableCredential": revoked}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["verified"] is False


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b'{"verifiableCredential": {"a": "' + b"x" * (11 * 1024 * 1024) + b'"}}', 413, "请求过大"),
        (b'{"verifiableCredential": ' + b'{"a":' * 3000 + b"1" + b"}" * 3001, 400, "嵌套层数过深"),
        (b"not json", 400, "不是有效的 JSON"),
        (b'{"credential": {}}', 400, "verifiableCredential"),
        (b'{"verifiableCredential": {"@context": ["https://evil.example/ctx"]}}', 400, "W3C"),
    ],
    ids=["10 MB", "deep", "not json", "no credential", "unknown context"],
)
def test_api_bad_input_in_words(body: bytes, status: int, words: str) -> None:
    answer = Client().post(API, body, content_type="application/json")
    assert answer.status_code == status
    assert words in json.dumps(answer.json(), ensure_ascii=False)


@override_settings(CREDENTIALS_VERIFY_PER_MINUTE=2)
def test_rate_limited_per_client() -> None:
    anonymous = Client()
    for _ in range(2):
        assert anonymous.post(API, {"verifiableCredential": {}}, content_type="application/json").status_code == 400
    assert anonymous.post(API, {"verifiableCredential": {}}, content_type="application/json").status_code == 429
    assert anonymous.post(PAGE, {"credential": "{}"}).status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(API, {"verifiableCredential": {}}, content_type="application/json").status_code == 400


def test_a_skill_certificate_is_checked_against_its_filing(
    actor_of: Callable[[str], Actor],
    world: dict[str, Organisation],
    evaluator_filing: Filing,
    new_person: Callable[..., Person],
) -> None:
    """The registry is asked for the occupation and level the certificate states: the filing
    covers 车工 up to level 3, so the level-4 certificate passes; once the filing is suspended,
    the check fails in words while the signature still holds."""
    assessment = _assessment(actor_of, world, new_person(name="王师傅"))
    cert = issue.certificate_issue_for_assessment(actor=actor_of("u-v150000001"), assessment=assessment)
    claimed = claims_of(cert.credential)
    assert (claimed.kind, claimed.occupation_code, claimed.level) == ("skill", LATHE, 4)
    answer = Client().post(API, {"verifiableCredential": cert.credential}, content_type="application/json").json()
    outcomes = {r["check"]: r["outcome"] for r in answer["results"]}
    assert outcomes["issuer_filed"] == "passed", answer
    assert evaluator_filing.number in json.dumps(answer, ensure_ascii=False)
    services.filing_suspend(
        actor=actor_of("bureau"), filing=evaluator_filing, version=evaluator_filing.version, reason="整改"
    )
    answer = Client().post(API, {"verifiableCredential": cert.credential}, content_type="application/json").json()
    outcomes = {r["check"]: r["outcome"] for r in answer["results"]}
    assert outcomes["issuer_filed"] == "failed" and outcomes["proof"] == "passed"
    assert answer["verified"] is True  # the verdict needs a filing only when asked (--require-filed)


def test_an_unchanged_status_list_is_signed_once_and_a_revocation_shows_at_once(
    actor_of: Callable[[str], Actor], diploma: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from gongjiang.credentials import selectors
    from gongjiang.credentials.public_verify import verify_public

    signed: list[str] = []
    sign = selectors.proofs.sign
    monkeypatch.setattr(selectors.proofs, "sign", lambda doc, **kw: signed.append(doc["id"]) or sign(doc, **kw))
    url = diploma["credentialStatus"][0]["statusListCredential"]
    first = selectors.status_list_credential(url)
    assert first is not None and selectors.status_list_credential(url) == first
    assert verify_public(diploma).ok() and verify_public(diploma).ok()
    assert signed.count(url) == 1  # the same state of the list is signed once, not per verification
    valid_from = datetime.fromisoformat(first["validFrom"].replace("Z", "+00:00"))
    assert (datetime.now(UTC) - valid_from).total_seconds() >= 59  # a verifier's slow clock is allowed for
    certificate = Certificate.objects.get(number=diploma["id"].rsplit(":", 1)[-1])
    issue.certificate_set_status(actor=actor_of("school"), certificate=certificate, status="revoked", reason="错发")
    report = verify_public(diploma)
    assert {c.name: c.outcome.value for c in report.checks}["revocation"] == "failed"
    assert signed.count(url) == 2
