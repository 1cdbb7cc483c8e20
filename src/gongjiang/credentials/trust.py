"""The platform as a TrustSource for ``vc.verify``: DID documents and status lists of its own
issuers, and the trust registry (filings), read through the selectors. An offline bundle given
beside a credential file is consulted first (``gongjiang credentials verify``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gongjiang.credentials import selectors
from gongjiang.credentials.documents import OCCUPATION_FRAMEWORK
from gongjiang.credentials.vc.bundle import BundleTrust
from gongjiang.credentials.vc.verify import Authorisation

KINDS = {"Diploma": "diploma", "Certificate": "skill"}


@dataclass(frozen=True)
class Claims:
    """What the issuer must have been authorised for, as the credential states it."""

    kind: str | None
    occupation_code: str | None
    level: int | None


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def claims_of(credential: dict[str, Any]) -> Claims:
    """Kind, occupation (大典 code) and skill level of a credential in ``documents``' shape."""
    subject = _first(credential.get("credentialSubject"))
    subject = subject if isinstance(subject, dict) else {}
    achievement = _first(subject.get("achievement"))
    achievement = achievement if isinstance(achievement, dict) else {}
    kind = KINDS.get(str(achievement.get("achievementType")))
    occupation = None
    alignments = achievement.get("alignment")
    for item in alignments if isinstance(alignments, list) else []:
        if isinstance(item, dict) and item.get("targetFramework") == OCCUPATION_FRAMEWORK:
            occupation = str(item.get("targetCode") or "")[:20] or None
    level = None
    result = _first(subject.get("result"))
    achieved = result.get("achievedLevel") if isinstance(result, dict) else None
    if isinstance(achieved, str) and achieved.rsplit(":", 1)[-1].isdigit():
        level = int(achieved.rsplit(":", 1)[-1])
    return Claims(kind=kind, occupation_code=occupation, level=level)


class DatabaseTrust:
    """The platform's own issuers and registry; ``bundle`` (files) answers first when given."""

    has_registry = True

    def __init__(self, bundle: BundleTrust | None = None) -> None:
        self.bundle = bundle or BundleTrust()
        # One verification asks for the issuer's DID document for the proof and again for each
        # status list; one instance serves one verification, so it reads the database once.
        self._did_documents: dict[str, dict[str, Any] | None] = {}

    def did_document(self, did: str) -> dict[str, Any] | None:
        if did not in self._did_documents:
            self._did_documents[did] = self.bundle.did_document(did) or selectors.did_document(did)
        return self._did_documents[did]

    def status_list_credential(self, url: str) -> dict[str, Any] | None:
        return self.bundle.status_list_credential(url) or selectors.status_list_credential(url)

    def issuer_authorisation(self, did: str, credential: dict[str, Any], on_date: dt.date) -> Authorisation | None:
        claimed = claims_of(credential)
        return selectors.issuer_authorisation(did, claimed.kind or "", claimed.occupation_code, claimed.level, on_date)
