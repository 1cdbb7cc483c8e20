"""Data Integrity cryptosuites, kept pluggable: a deployment may need another suite (SM2/SM3
has no registered suite yet), so proofs look their suite up by name here."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature

from .canon import canonicalize
from .keys import SigningKey, multibase_decode, multibase_encode, public_key_from_multibase
from .loader import StaticLoader


class Cryptosuite(Protocol):
    """What a suite does: turn a document and a proof configuration into a proof value."""

    name: str

    def create_proof_value(
        self,
        document: dict[str, Any],
        proof_config: dict[str, Any],
        key: SigningKey,
        loader: StaticLoader | None,
    ) -> str: ...

    def verify_proof_value(
        self,
        document: dict[str, Any],
        proof_config: dict[str, Any],
        proof_value: str,
        public_key_multibase: str,
        loader: StaticLoader | None,
    ) -> bool: ...


@lru_cache(maxsize=64)
def _proof_config_hash(config_json: str, loader: StaticLoader | None) -> bytes:
    # A batch signs thousands of credentials with one proof configuration (same key, same
    # time, same contexts): its canonical form is computed once.
    config = json.loads(config_json)
    return hashlib.sha256(canonicalize(config, loader=loader).encode()).digest()


class EddsaRdfc2022:
    """``eddsa-rdfc-2022``: Ed25519 over SHA-256(canon(proof config)) ‖ SHA-256(canon(doc))."""

    name = "eddsa-rdfc-2022"

    def hash_data(self, document: dict[str, Any], proof_config: dict[str, Any], loader: StaticLoader | None) -> bytes:
        proof_hash = _proof_config_hash(json.dumps(proof_config, sort_keys=True), loader)
        doc_hash = hashlib.sha256(canonicalize(document, loader=loader).encode()).digest()
        return proof_hash + doc_hash

    def create_proof_value(
        self,
        document: dict[str, Any],
        proof_config: dict[str, Any],
        key: SigningKey,
        loader: StaticLoader | None,
    ) -> str:
        return multibase_encode(key.sign(self.hash_data(document, proof_config, loader)))

    def verify_proof_value(
        self,
        document: dict[str, Any],
        proof_config: dict[str, Any],
        proof_value: str,
        public_key_multibase: str,
        loader: StaticLoader | None,
    ) -> bool:
        public_key = public_key_from_multibase(public_key_multibase)
        signature = multibase_decode(proof_value)
        if len(signature) != 64:
            return False
        try:
            public_key.verify(signature, self.hash_data(document, proof_config, loader))
        except InvalidSignature:
            return False
        return True


SUITES: dict[str, Cryptosuite] = {}


def register_suite(suite: Cryptosuite) -> None:
    SUITES[suite.name] = suite


register_suite(EddsaRdfc2022())
