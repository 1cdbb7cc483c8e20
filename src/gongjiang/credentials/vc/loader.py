"""A JSON-LD document loader with static entries only.

pyld's default loader fetches URLs from the network; it must never run here. Every context a
credential may name is a local copy in ``contexts/`` (see ``contexts/README.md``); any other
URL fails loudly with :class:`UnknownDocumentError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"
STATUS_LIST_V1 = "https://www.w3.org/ns/credentials/status/v1"

_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-context-3.0.3.json",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
    DID_V1: "did-v1.jsonld",
    STATUS_LIST_V1: "vc-bitstring-status-list-v1.jsonld",
}


class UnknownDocumentError(Exception):
    """A URL the loader has no static entry for (nothing is ever fetched)."""

    def __init__(self, url: str) -> None:
        super().__init__(f"no local copy of {url!r}; documents are never fetched")
        self.url = url


# Ids of every object inside the loaded fixed contexts. They are kept for the life of the
# process (``_context`` is cached and never mutated), so an id here names that object for good:
# canonicalisation keys its cache of processed scoped contexts on them.
STATIC_OBJECT_IDS: set[int] = set()


@cache
def _context(url: str) -> dict[str, Any]:
    with (CONTEXTS_DIR / _FILES[url]).open(encoding="utf-8") as f:
        doc: dict[str, Any] = json.load(f)
    stack: list[Any] = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            STATIC_OBJECT_IDS.add(id(item))
            stack.extend(item.values())
        elif isinstance(item, list):
            STATIC_OBJECT_IDS.add(id(item))
            stack.extend(item)
    return doc


def known_contexts() -> frozenset[str]:
    """The context URLs this library serves from local copies."""
    return frozenset(_FILES)


class StaticLoader:
    """A pyld ``documentLoader``: local contexts plus any ``extra`` entries given (tests)."""

    def __init__(self, extra: Mapping[str, dict[str, Any]] | None = None) -> None:
        self._extra = dict(extra or {})

    def urls(self) -> frozenset[str]:
        return known_contexts() | frozenset(self._extra)

    def __call__(self, url: str, options: object = None) -> dict[str, Any]:
        if url in self._extra:
            return {"contextUrl": None, "documentUrl": url, "document": self._extra[url]}
        if url in _FILES:
            # "static" lets pyld keep the processed context across calls (it caches by URL
            # process-wide, so only the library's fixed contexts are tagged, never extras).
            return {"contextUrl": None, "documentUrl": url, "document": _context(url), "tag": "static"}
        raise UnknownDocumentError(url)


DEFAULT_LOADER = StaticLoader()
