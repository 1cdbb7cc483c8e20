"""Adding and checking ``DataIntegrityProof``s."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import CredentialError
from .keys import SigningKey
from .loader import StaticLoader
from .suites import SUITES

DEFAULT_SUITE = "eddsa-rdfc-2022"


def xsd_datetime(moment: datetime) -> str:
    """``2026-12-07T21:00:00Z``: UTC, whole seconds, as the test vectors and JS libraries write."""
    if moment.tzinfo is None:
        raise ValueError("a time zone is required")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(
    credential: dict[str, Any],
    *,
    key: SigningKey,
    verification_method: str,
    created: datetime,
    cryptosuite: str = DEFAULT_SUITE,
    proof_purpose: str = "assertionMethod",
    loader: StaticLoader | None = None,
) -> dict[str, Any]:
    """A copy of ``credential`` with a Data Integrity proof; the input is left unchanged."""
    suite = SUITES[cryptosuite]
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    proof_config: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": suite.name,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    proof_value = suite.create_proof_value(
        unsecured, {**proof_config, "@context": unsecured.get("@context")}, key, loader
    )
    signed = copy.deepcopy(unsecured)
    signed["proof"] = {**proof_config, "proofValue": proof_value}
    return signed


def single_proof(document: dict[str, Any]) -> dict[str, Any]:
    """The document's one proof; none, several or a malformed one are refused in words."""
    proof = document.get("proof")
    if proof is None:
        raise CredentialError("proof.missing", _("凭证没有签名（缺少 proof）。"))
    if isinstance(proof, list):
        if len(proof) != 1:
            raise CredentialError("proof.several", _("凭证必须恰好带有一个签名。"))
        proof = proof[0]
    if not isinstance(proof, dict):
        raise CredentialError("proof.malformed", _("签名（proof）格式不正确。"))
    if proof.get("type") != "DataIntegrityProof":
        raise CredentialError("proof.unsupported_type", _("签名类型不受支持：只接受 DataIntegrityProof。"))
    if proof.get("cryptosuite") not in SUITES:
        raise CredentialError(
            "proof.unsupported_suite",
            _("签名算法套件不受支持：%(suite)s。"),
            suite=str(proof.get("cryptosuite"))[:60],
        )
    for field in ("verificationMethod", "proofValue", "proofPurpose", "created"):
        if not isinstance(proof.get(field), str):
            raise CredentialError("proof.malformed", _("签名缺少字段 %(field)s。"), field=field)
    return proof


def verify_proof(document: dict[str, Any], public_key_multibase: str, *, loader: StaticLoader | None = None) -> bool:
    """True when the document's proof was made by this key over exactly this content."""
    proof = single_proof(document)
    if proof["proofPurpose"] != "assertionMethod":
        return False
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof_config = {k: v for k, v in proof.items() if k != "proofValue"}
    proof_config["@context"] = unsecured.get("@context")
    suite = SUITES[proof["cryptosuite"]]
    return suite.verify_proof_value(unsecured, proof_config, proof["proofValue"], public_key_multibase, loader)
