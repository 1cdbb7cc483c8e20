"""Bitstring Status List v1.0: revocation and suspension bits, GZIP + multibase base64url.

Bit ``i`` is the ``i``-th bit from the left of the uncompressed list (most significant bit of
byte 0 first), as the specification and the Digital Bazaar library number them.
"""

from __future__ import annotations

import base64
import gzip
import zlib
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import CredentialError
from .loader import VC_V2
from .proofs import xsd_datetime

# The specification's minimum, so one index says nothing about a person (16 KB uncompressed).
MIN_ENTRIES = 131_072
# The largest list a verifier will inflate: a gzip bomb must not exhaust memory.
MAX_ENTRIES = 8 * 1024 * 1024
PURPOSES = ("revocation", "suspension")


class Bitstring:
    """A fixed-length bitstring of at least :data:`MIN_ENTRIES` entries."""

    def __init__(self, size: int = MIN_ENTRIES, *, data: bytes | None = None) -> None:
        if size < MIN_ENTRIES or size > MAX_ENTRIES or size % 8:
            raise ValueError("size must be a multiple of 8 between 131072 and 8388608")
        self._bits = bytearray(data) if data is not None else bytearray(size // 8)
        if len(self._bits) * 8 != size:
            raise ValueError("data does not match size")

    @property
    def size(self) -> int:
        return len(self._bits) * 8

    def _check(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise IndexError(index)

    def get(self, index: int) -> bool:
        self._check(index)
        return bool(self._bits[index // 8] & (0x80 >> (index % 8)))

    def set(self, index: int, value: bool = True) -> None:
        self._check(index)
        if value:
            self._bits[index // 8] |= 0x80 >> (index % 8)
        else:
            self._bits[index // 8] &= ~(0x80 >> (index % 8)) & 0xFF

    def encode(self) -> str:
        """``u`` + base64url (no padding) of the GZIP-compressed bits."""
        packed = gzip.compress(bytes(self._bits), mtime=0)
        return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded: str) -> Bitstring:
        """Inflate an ``encodedList``, bounded; anything malformed raises ``CredentialError``."""
        bad = CredentialError("status.malformed", _("状态列表的编码无效。"))
        if not isinstance(encoded, str) or len(encoded) > MAX_ENTRIES // 4:
            raise bad
        # Multibase says 'u'; early drafts and some libraries wrote bare base64url.
        body = encoded[1:] if encoded.startswith("u") else encoded
        try:
            packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            inflater = zlib.decompressobj(wbits=31)
            data = inflater.decompress(packed, MAX_ENTRIES // 8 + 1)
        except (ValueError, zlib.error):
            raise bad from None
        if inflater.unconsumed_tail or not inflater.eof:
            raise bad
        try:
            return cls(len(data) * 8, data=data)
        except ValueError:
            raise bad from None


def status_entry(*, list_url: str, index: int, purpose: str) -> dict[str, Any]:
    """A ``credentialStatus`` entry pointing at ``index`` of the list at ``list_url``."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    *,
    list_url: str,
    issuer: str,
    purpose: str,
    bits: Bitstring,
    valid_from: datetime,
    valid_until: datetime,
) -> dict[str, Any]:
    """The unsigned status-list credential; sign it with the issuer's key (``proofs.sign``)."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    return {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": xsd_datetime(valid_from),
        "validUntil": xsd_datetime(valid_until),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bits.encode(),
        },
    }


def read_status(list_credential: dict[str, Any], *, index: Any, purpose: str) -> bool:
    """The bit at ``index`` of a status-list credential (already verified by the caller).

    Fail closed: a malformed list, a purpose that does not match, or an index the list does not
    hold raise ``CredentialError`` ("status unknown"), never "not revoked".
    """
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        raise CredentialError("status.malformed", _("状态列表凭证的格式不正确。"))
    if subject.get("statusPurpose") != purpose:
        raise CredentialError("status.purpose", _("状态列表的用途与凭证中的状态条目不符。"))
    try:
        position = int(index)
    except (TypeError, ValueError):
        raise CredentialError("status.index", _("状态条目的序号无效。")) from None
    bits = Bitstring.decode(subject.get("encodedList", ""))
    if not 0 <= position < bits.size:
        raise CredentialError("status.index", _("状态列表中没有该序号。"))
    return bits.get(position)
