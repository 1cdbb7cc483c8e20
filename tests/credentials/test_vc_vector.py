"""The W3C eddsa-rdfc-2022 test vector, reproduced byte for byte (read from ../shared)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from gongjiang.credentials.vc import keys, proofs
from gongjiang.credentials.vc.canon import canonicalize
from gongjiang.credentials.vc.loader import StaticLoader
from tests.conftest import SHARED

VECTORS = SHARED / "vc-test-vectors"
SUITE = VECTORS / "eddsa-rdfc-2022"
# The examples context the vector names, as W3C publishes it at that URL (one @vocab line);
# only the test's loader knows it, never the library's.
LOADER = StaticLoader(
    {
        "https://www.w3.org/ns/credentials/examples/v2": {
            "@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}
        }
    }
)


def _read(path: Path) -> str:
    if not path.exists():
        pytest.skip(f"the W3C vectors are not at {VECTORS}")
    return path.read_text(encoding="utf-8")


def test_key_pair_round_trips() -> None:
    pair = json.loads(_read(VECTORS / "keyPair.json"))
    key = keys.key_from_secret_multibase(pair["privateKeyMultibase"])
    assert key.public_multibase == pair["publicKeyMultibase"]
    assert key.secret_multibase() == pair["privateKeyMultibase"]
    assert pair["privateKeyMultibase"] not in repr(key)


def test_canonical_document_and_proof_configuration() -> None:
    unsigned = json.loads(_read(VECTORS / "unsigned.json"))
    assert canonicalize(unsigned, loader=LOADER) == _read(SUITE / "canonDocDataInt.txt")
    config = json.loads(_read(SUITE / "proofConfigDataInt.json"))
    assert canonicalize(config, loader=LOADER) == _read(SUITE / "proofCanonDataInt.txt")


def test_signed_credential_is_reproduced_byte_for_byte() -> None:
    pair = json.loads(_read(VECTORS / "keyPair.json"))
    config = json.loads(_read(SUITE / "proofConfigDataInt.json"))
    signed = proofs.sign(
        json.loads(_read(VECTORS / "unsigned.json")),
        key=keys.key_from_secret_multibase(pair["privateKeyMultibase"]),
        verification_method=config["verificationMethod"],
        created=datetime.fromisoformat(config["created"]),
        loader=LOADER,
    )
    expected = _read(SUITE / "signedDataInt.json")
    assert json.dumps(signed, indent=2, ensure_ascii=False) == expected.rstrip("\n")
    assert signed["proof"]["proofValue"] == _read(SUITE / "sigBTC58DataInt.txt").strip()


def test_signed_vector_verifies_and_a_changed_copy_does_not() -> None:
    pair = json.loads(_read(VECTORS / "keyPair.json"))
    signed = json.loads(_read(SUITE / "signedDataInt.json"))
    assert proofs.verify_proof(signed, pair["publicKeyMultibase"], loader=LOADER)
    signed["credentialSubject"]["alumniOf"] = "Another School"
    assert not proofs.verify_proof(signed, pair["publicKeyMultibase"], loader=LOADER)
