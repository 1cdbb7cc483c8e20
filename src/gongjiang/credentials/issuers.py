"""Issuers' keys, identifiers and URLs (ADR 0026).

Each issuing organisation has one Ed25519 key. The private half is a file in the data directory
(`issuer-keys/<organisation id>.key`, mode 600), read only here, never shown, logged, exported
or put in an audit entry; the public half is `IssuerKey`. The issuer is `did:web:<host>:issuers:
<code>` when `CREDENTIALS_HOST` is set (the key can then rotate under a stable id) and the key's
own `did:key` otherwise.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

from gongjiang.credentials.models import IssuerKey
from gongjiang.credentials.vc import did
from gongjiang.credentials.vc.keys import SigningKey, generate_key, key_from_secret_multibase
from gongjiang.directory.models import Organisation

# Used for URLs in credentials when no host name is configured: a server on this machine.
LOCAL_BASE = "http://localhost:8000"
_KEY_FILE_MAX_BYTES = 256
_loaded: dict[Path, SigningKey] = {}
_lock = threading.Lock()


def key_dir() -> Path:
    return Path(settings.DATA_DIR) / "issuer-keys"


def _key_path(organisation: Organisation) -> Path:
    # The database id, not the code: a code is typed by people and may hold any character.
    return key_dir() / f"{int(organisation.pk)}.key"


def load_or_create_key(organisation: Organisation) -> SigningKey:
    """The organisation's private key, created (mode 600) on first use. Kept in memory once read,
    so a batch of 100,000 certificates reads the file once."""
    path = _key_path(organisation)
    with _lock:
        if path in _loaded:
            return _loaded[path]
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            key = generate_key()
            # O_EXCL: two processes creating the same issuer's key cannot overwrite each other.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w", encoding="ascii") as handle:
                    handle.write(key.secret_multibase())
        with path.open("r", encoding="ascii") as handle:
            key = key_from_secret_multibase(handle.read(_KEY_FILE_MAX_BYTES))
        _loaded[path] = key
        return key


def base_url() -> str:
    host = settings.CREDENTIALS_HOST
    return f"https://{host}" if host else LOCAL_BASE


def issuer_did(organisation: Organisation, key: IssuerKey) -> str:
    if settings.CREDENTIALS_HOST:
        return did.did_web_id(settings.CREDENTIALS_HOST, f"issuers/{organisation.code}")
    return "did:key:" + key.public_key_multibase


def verification_method(organisation: Organisation, key: IssuerKey) -> str:
    return f"{issuer_did(organisation, key)}#{key.public_key_multibase}"


def did_document(organisation: Organisation, key: IssuerKey) -> dict[str, Any]:
    identifier = issuer_did(organisation, key)
    if identifier.startswith("did:web:"):
        return did.did_web_document(identifier, [key.public_key_multibase])
    return did.did_key_document(identifier)


def did_web_path(organisation: Organisation) -> str:
    """Where the site serves the `did:web` document of the organisation."""
    return f"/issuers/{organisation.code}/did.json"


def status_list_url(slug: str) -> str:
    return f"{base_url()}/credentials/status/{slug}"


def occupation_url(code: str) -> str:
    return f"{base_url()}/refdata/occupation/{code}/"
