"""An offline bundle as a TrustSource: one directory holding ``credential.json``, the issuer's
DID documents (``did-*.json``) and status-list credentials (``status-*.json``), each found by
the ``id`` inside it (the layout ``gongjiang credentials bundle`` writes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import CredentialError
from .limits import MAX_BYTES, parse_json
from .verify import Authorisation

# A status list of 131,072 entries is a few hundred bytes compressed; a DID document a few KB.
MAX_FILES = 20


def read_limited(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """Read at most ``max_bytes`` (+1 to tell that there was more) of a file."""
    with path.open("rb") as f:
        return f.read(max_bytes + 1)


@dataclass
class BundleTrust:
    """DID documents and status lists from files; it knows nothing of filings."""

    did_documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    status_lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    has_registry: bool = False

    @classmethod
    def beside(cls, credential_file: Path) -> BundleTrust:
        """The bundle in the directory of ``credential_file``; unreadable files are skipped
        (what they would have answered stays unchecked)."""
        found = cls()
        folder = credential_file.resolve().parent
        files = sorted(folder.glob("did-*.json"))[:MAX_FILES] + sorted(folder.glob("status-*.json"))[:MAX_FILES]
        for path in files:
            try:
                doc = parse_json(read_limited(path))
            except (OSError, CredentialError):
                continue
            ident = doc.get("id")
            if not isinstance(ident, str):
                continue
            if path.name.startswith("did-"):
                found.did_documents[ident] = doc
            else:
                found.status_lists[ident] = doc
        return found

    def did_document(self, did: str) -> dict[str, Any] | None:
        return self.did_documents.get(did)

    def status_list_credential(self, url: str) -> dict[str, Any] | None:
        return self.status_lists.get(url)

    def issuer_authorisation(self, did: str, credential: dict[str, Any], on_date: date) -> Authorisation | None:
        return None


def read_credential_file(path: Path) -> dict[str, Any]:
    """A credential file, bounded before parsing."""
    try:
        data = read_limited(path)
    except OSError:
        raise CredentialError("input.unreadable", _("无法读取文件。")) from None
    return parse_json(data)
