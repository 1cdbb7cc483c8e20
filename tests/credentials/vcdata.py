"""Credentials for tests: an Open Badges 3.0 certificate in Gongjiang's shape, signed status
lists, and an in-memory TrustSource."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from gongjiang.credentials.documents import OCCUPATION_FRAMEWORK
from gongjiang.credentials.selectors import Authorisation
from gongjiang.credentials.vc import proofs, status_list
from gongjiang.credentials.vc.keys import SigningKey
from gongjiang.credentials.vc.loader import OB_V3, VC_V2

LIST_BASE = "https://gongjiang.example/credentials/status"
SIGNED_AT = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


def skill_certificate(
    issuer: str,
    *,
    holder: str = "张三",
    occupation: str = "6-18-01-01",
    level: str = "四级/中级工",
    valid_from: datetime = SIGNED_AT,
    valid_until: datetime | None = None,
    status: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [VC_V2, OB_V3],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "某市职业技能评价中心"},
        "validFrom": proofs.xsd_datetime(valid_from),
        "name": "职业技能等级证书",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": holder,
            "achievement": {
                "id": f"urn:gongjiang:achievement:{occupation}:{level}",
                "type": ["Achievement"],
                "name": f"车工 {level}",
                "achievementType": "Certificate",
                "description": "职业技能等级证书",
                "criteria": {"narrative": "经职业技能等级认定，理论和技能考核合格。"},
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "车工",
                        "targetUrl": f"https://gongjiang.example/occupations/{occupation}",
                        "targetCode": occupation,
                        "targetFramework": OCCUPATION_FRAMEWORK,
                    }
                ],
            },
            "result": [{"type": ["Result"], "value": level}],
        },
    }
    if valid_until is not None:
        doc["validUntil"] = proofs.xsd_datetime(valid_until)
    if status:
        doc["credentialStatus"] = status
    return doc


@dataclass
class Issuer:
    """An issuer with a did:key, two status lists and a signing helper."""

    key: SigningKey
    revoked: status_list.Bitstring = field(default_factory=status_list.Bitstring)
    suspended: status_list.Bitstring = field(default_factory=status_list.Bitstring)

    @property
    def did(self) -> str:
        return self.key.did_key

    def list_url(self, purpose: str) -> str:
        return f"{LIST_BASE}/{self.key.public_multibase[-8:]}/{purpose}"

    def status(self, index: int) -> list[dict[str, Any]]:
        return [
            status_list.status_entry(list_url=self.list_url(p), index=index, purpose=p) for p in status_list.PURPOSES
        ]

    def sign(self, doc: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return proofs.sign(
            doc, key=self.key, verification_method=self.key.did_key_verification_method, created=SIGNED_AT, **kw
        )

    def list_credential(self, purpose: str, *, now: datetime | None = None) -> dict[str, Any]:
        now = now or datetime.now(UTC)
        bits = self.revoked if purpose == "revocation" else self.suspended
        return self.sign(
            status_list.status_list_credential(
                list_url=self.list_url(purpose),
                issuer=self.did,
                purpose=purpose,
                bits=bits,
                valid_from=now - timedelta(hours=1),
                valid_until=now + timedelta(days=1),
            )
        )


@dataclass
class MemoryTrust:
    """A TrustSource built in the test: DID documents, status lists and filings in dicts."""

    did_documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    filings: dict[str, tuple[date, date]] = field(default_factory=dict)
    has_registry: bool = True

    def did_document(self, did: str) -> dict[str, Any] | None:
        return self.did_documents.get(did)

    def status_list_credential(self, url: str) -> dict[str, Any] | None:
        return self.lists.get(url)

    def issuer_authorisation(self, did: str, credential: dict[str, Any], on_date: date) -> Authorisation | None:
        window = self.filings.get(did)
        if window is None:
            return None
        if window[0] <= on_date <= window[1]:
            return Authorisation("某市职业技能评价中心", True, filing_number="备-2026-001")
        return Authorisation("某市职业技能评价中心", False, reason="备案不在有效期内。")

    def publish(self, issuer: Issuer) -> None:
        for purpose in status_list.PURPOSES:
            self.lists[issuer.list_url(purpose)] = issuer.list_credential(purpose)
