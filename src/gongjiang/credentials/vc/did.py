"""DID documents built offline: ``did:key`` from the key itself, ``did:web`` from a host name."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote

from django.utils.translation import gettext_lazy as _

from .errors import CredentialError
from .keys import public_key_from_multibase
from .loader import DID_V1, MULTIKEY_V1

_RELATIONSHIPS = ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation")
_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$")


def _document(did: str, methods: list[tuple[str, str]]) -> dict[str, Any]:
    vms = [
        {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": multibase}
        for vm_id, multibase in methods
    ]
    doc: dict[str, Any] = {"@context": [DID_V1, MULTIKEY_V1], "id": did, "verificationMethod": vms}
    for rel in _RELATIONSHIPS:
        doc[rel] = [vm["id"] for vm in vms]
    return doc


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document of an Ed25519 ``did:key`` (resolved without any lookup)."""
    if not isinstance(did, str) or not did.startswith("did:key:") or "#" in did:
        raise CredentialError("did.malformed", _("不是有效的 did:key 标识。"))
    multibase = did.removeprefix("did:key:")
    public_key_from_multibase(multibase)  # refuses other key types
    return _document(did, [(f"{did}#{multibase}", multibase)])


def did_web_id(host: str, path: str = "") -> str:
    """``did:web`` for a host name (a port is percent-encoded) and an optional path."""
    if not _HOST.match(host):
        raise CredentialError("did.malformed", _("主机名无效，无法生成 did:web 标识。"))
    parts = [quote(host, safe="")] + [quote(p, safe="") for p in path.strip("/").split("/") if p]
    return "did:web:" + ":".join(parts)


def did_web_url(did: str) -> str:
    """Where a ``did:web`` document is published (``/.well-known/did.json`` for a bare host)."""
    if not did.startswith("did:web:"):
        raise CredentialError("did.malformed", _("不是有效的 did:web 标识。"))
    host, *path = did.removeprefix("did:web:").split(":")
    base = "https://" + unquote(host)
    return f"{base}/{'/'.join(path)}/did.json" if path else f"{base}/.well-known/did.json"


def did_web_document(did: str, public_keys_multibase: list[str]) -> dict[str, Any]:
    """The ``did:web`` document listing ``public_keys_multibase`` (newest last, for rotation)."""
    if not did.startswith("did:web:"):
        raise CredentialError("did.malformed", _("不是有效的 did:web 标识。"))
    for key in public_keys_multibase:
        public_key_from_multibase(key)
    return _document(did, [(f"{did}#{key}", key) for key in public_keys_multibase])


def assertion_key(did_document: dict[str, Any], verification_method: str) -> str | None:
    """The ``publicKeyMultibase`` of ``verification_method`` if the document lists it for
    assertions (signing credentials) under its own controller; otherwise None."""
    did = did_document.get("id")
    assertion = did_document.get("assertionMethod")
    if not isinstance(assertion, list):
        return None
    methods = [m for m in did_document.get("verificationMethod") or [] if isinstance(m, dict)]
    methods += [m for m in assertion if isinstance(m, dict)]
    listed = {m if isinstance(m, str) else m.get("id") for m in assertion}
    if verification_method not in listed:
        return None
    for method in methods:
        if method.get("id") == verification_method and method.get("controller") == did:
            value = method.get("publicKeyMultibase")
            return value if isinstance(value, str) else None
    return None
