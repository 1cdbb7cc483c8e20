"""`gongjiang credentials verify FILE`: offline bundles, the platform's registry, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gongjiang.cli import main
from gongjiang.core.actors import Actor
from gongjiang.credentials.models import Certificate
from gongjiang.credentials.services import certificates as issue
from gongjiang.credentials.vc import keys, status_list
from gongjiang.directory.models import Organisation
from gongjiang.registry.models import Registration

from .vcdata import Issuer, skill_certificate

pytestmark = pytest.mark.django_db
INDEX = 9_999


def write_bundle(folder: Path, credential: dict[str, Any], issuer: Issuer) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "credential.json").write_text(json.dumps(credential, ensure_ascii=False), encoding="utf-8")
    for purpose in status_list.PURPOSES:
        (folder / f"status-{purpose}.json").write_text(json.dumps(issuer.list_credential(purpose)), encoding="utf-8")
    return folder / "credential.json"


def verify(*args: str) -> Any:
    return CliRunner().invoke(main, ["credentials", "verify", *args])


def test_a_foreign_did_key_credential_verifies_offline(tmp_path: Path) -> None:
    issuer = Issuer(keys.generate_key())
    path = write_bundle(
        tmp_path / "ok", issuer.sign(skill_certificate(issuer.did, status=issuer.status(INDEX))), issuer
    )
    done = verify(str(path), "--json")
    assert done.exit_code == 0, done.output
    body = json.loads(done.output)
    outcomes = {c["check"]: c["outcome"] for c in body["checks"]}
    assert outcomes["proof"] == outcomes["revocation"] == outcomes["suspension"] == "passed"
    assert outcomes["issuer_filed"] == "failed"  # never filed here: reported, not fatal
    assert body["checks"][0]["message_en"]
    strict = verify(str(path), "--require-filed")
    assert strict.exit_code == 1
    assert "结论：无效" in strict.output


def test_revoked_tampered_and_oversized_files_fail(tmp_path: Path) -> None:
    issuer = Issuer(keys.generate_key())
    signed = issuer.sign(skill_certificate(issuer.did, status=issuer.status(INDEX)))
    issuer.revoked.set(INDEX)
    revoked = verify(str(write_bundle(tmp_path / "revoked", signed, issuer)))
    assert revoked.exit_code == 1
    assert "已被签发机构撤销" in revoked.output
    signed["credentialSubject"]["name"] = "李四"
    tampered = verify(str(write_bundle(tmp_path / "tampered", signed, Issuer(issuer.key))))
    assert tampered.exit_code == 1
    assert "签名无效" in tampered.output
    big = tmp_path / "big.json"
    big.write_bytes(b"{" + b" " * (10 * 1024 * 1024) + b"}")
    oversized = verify(str(big))
    assert oversized.exit_code == 1
    assert "凭证过大" in oversized.output


def test_a_platform_diploma_from_its_bundle(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], graduates: list[Registration], tmp_path: Path
) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["credentials", "issue-diplomas", "--school", world["school"].code]).exit_code == 0
    certificate = Certificate.objects.filter(kind="diploma").order_by("number").first()
    assert certificate is not None
    out = tmp_path / "bundle"
    assert runner.invoke(main, ["credentials", "bundle", certificate.number, "--out", str(out)]).exit_code == 0
    done = verify(str(out / "credential.json"), "--json", "--require-filed")
    assert done.exit_code == 0, done.output
    assert {c["outcome"] for c in json.loads(done.output)["checks"]} == {"passed"}

    issue.certificate_set_status(actor=actor_of("school"), certificate=certificate, status="suspended", reason="核查中")
    # the bundle written before the suspension says nothing of it; the platform's list does
    (out / "status-suspension.json").unlink()
    suspended = verify(str(out / "credential.json"))
    assert suspended.exit_code == 1
    assert "已被签发机构暂停" in suspended.output


def test_a_did_web_issuer_from_the_bundle(tmp_path: Path) -> None:
    """A did:web issuer's document is read from did-*.json beside the file, found by its id;
    a key the document does not list is refused."""
    from gongjiang.credentials.vc import did, proofs

    key = keys.generate_key()
    web = did.did_web_id("certs.example.org", "issuers/ORG1")
    signed = proofs.sign(
        skill_certificate(web),
        key=key,
        verification_method=f"{web}#{key.public_multibase}",
        created=datetime.now(UTC),
    )
    folder = tmp_path / "web"
    folder.mkdir()
    (folder / "credential.json").write_text(json.dumps(signed, ensure_ascii=False), encoding="utf-8")
    (folder / "did-1.json").write_text(json.dumps(did.did_web_document(web, [key.public_multibase])), encoding="utf-8")
    assert verify(str(folder / "credential.json")).exit_code == 0
    other = keys.generate_key()
    (folder / "did-1.json").write_text(
        json.dumps(did.did_web_document(web, [other.public_multibase])), encoding="utf-8"
    )
    refused = verify(str(folder / "credential.json"))
    assert refused.exit_code == 1
    assert "没有列出签名所用的密钥" in refused.output
