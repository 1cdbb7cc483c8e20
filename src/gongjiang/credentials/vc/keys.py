"""Ed25519 keys as Multikey strings (multibase base58btc over a multicodec prefix)."""

from __future__ import annotations

from dataclasses import dataclass

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.utils.translation import gettext_lazy as _

from .errors import CredentialError

# Multicodec prefixes (varint-encoded): ed25519-pub 0xed, ed25519-priv 0x1300.
ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc (prefix ``z``)."""
    return "z" + base58.b58encode(data).decode("ascii")


def multibase_decode(value: str) -> bytes:
    """Decode a base58btc multibase string; anything else is refused."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) > 200:
        raise CredentialError("key.malformed", _("密钥或签名不是 base58btc 多重编码（应以 z 开头）。"))
    try:
        return base58.b58decode(value[1:])
    except ValueError:
        raise CredentialError("key.malformed", _("密钥或签名的 base58btc 编码无效。")) from None


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_multibase(key: Ed25519PublicKey) -> str:
    """The Multikey ``publicKeyMultibase`` of an Ed25519 public key (``z6Mk…``)."""
    return multibase_encode(ED25519_PUB_PREFIX + _raw_public(key))


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """The Ed25519 public key of a ``publicKeyMultibase``; other key types are refused."""
    data = multibase_decode(value)
    if len(data) != 34 or not data.startswith(ED25519_PUB_PREFIX):
        raise CredentialError("key.unsupported", _("公钥不是 Ed25519 Multikey。"))
    return Ed25519PublicKey.from_public_bytes(data[2:])


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key. ``repr`` never shows the secret."""

    private: Ed25519PrivateKey

    def __repr__(self) -> str:
        return f"SigningKey(public={self.public_multibase})"

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def public_multibase(self) -> str:
        return public_key_multibase(self.public)

    @property
    def did_key(self) -> str:
        """The ``did:key`` identifier of this key."""
        return "did:key:" + self.public_multibase

    @property
    def did_key_verification_method(self) -> str:
        """The verification method id of this key inside its ``did:key`` document."""
        return f"{self.did_key}#{self.public_multibase}"

    def secret_multibase(self) -> str:
        """The ``secretKeyMultibase`` (``z3u2…``): the only serialised form; keep it secret."""
        seed = self.private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return multibase_encode(ED25519_PRIV_PREFIX + seed)

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def generate_key() -> SigningKey:
    """A new random Ed25519 key."""
    return SigningKey(Ed25519PrivateKey.generate())


def key_from_secret_multibase(value: str) -> SigningKey:
    """Load a key written by :meth:`SigningKey.secret_multibase`."""
    data = multibase_decode(value.strip())
    if len(data) != 34 or not data.startswith(ED25519_PRIV_PREFIX):
        raise CredentialError("key.unsupported", _("私钥不是 Ed25519 Multikey。"))
    return SigningKey(Ed25519PrivateKey.from_private_bytes(data[2:]))
