"""`gongjiang credentials list | bundle | issue-diplomas`, run in-process on the test database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from gongjiang.cli import main
from gongjiang.core.actors import Actor
from gongjiang.credentials.services import certificates as issue
from gongjiang.credentials.vc import did as vc_did
from gongjiang.credentials.vc.proofs import verify_proof
from gongjiang.credentials.vc.status_list import read_status
from gongjiang.directory.models import Organisation
from gongjiang.registry.models import Registration

pytestmark = pytest.mark.django_db


def test_issue_list_and_bundle(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], graduates: list[Registration], tmp_path: Path
) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["credentials", "issue-diplomas", "--school", world["school"].code, "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["issued"] == 3
    again = runner.invoke(main, ["credentials", "issue-diplomas", "--school", world["school"].code, "--json"])
    assert json.loads(again.output)["issued"] == 0  # nobody is issued twice

    listed = runner.invoke(main, ["credentials", "list", "--kind", "diploma", "--json"])
    rows = json.loads(listed.output)
    assert len(rows) == 3 and {r["kind"] for r in rows} == {"diploma"} and {r["status"] for r in rows} == {"active"}
    number = rows[0]["number"]
    from gongjiang.credentials.models import Certificate

    issue.certificate_set_status(
        actor=actor_of("school"),
        certificate=Certificate.objects.get(number=number),
        status="revoked",
        reason="学籍造假",
    )
    revoked = json.loads(runner.invoke(main, ["credentials", "list", "--status", "revoked", "--json"]).output)
    assert [r["number"] for r in revoked] == [number]

    out = tmp_path / "bundle"
    bundled = runner.invoke(main, ["credentials", "bundle", number.lower(), "--out", str(out)])
    assert bundled.exit_code == 0, bundled.output
    assert sorted(p.name for p in out.iterdir()) == [
        "credential.json", "did-1.json", "status-revocation.json", "status-suspension.json",
    ]  # fmt: skip
    credential = json.loads((out / "credential.json").read_text())
    did_document = json.loads((out / "did-1.json").read_text())
    key = vc_did.assertion_key(did_document, credential["proof"]["verificationMethod"])
    assert key is not None and verify_proof(credential, key)
    revocation = json.loads((out / "status-revocation.json").read_text())
    entry = credential["credentialStatus"][0]
    assert read_status(revocation, index=entry["statusListIndex"], purpose="revocation")

    missing = runner.invoke(main, ["credentials", "bundle", "Z26AAAAAAAAAAAAX", "--out", str(out)])
    assert missing.exit_code != 0 and "没有编号" in missing.output
