"""The holder's share links: a random token shown once, an expiry the holder chooses, revocable,
each use recorded (when, nothing about who)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import audit
from gongjiang.core.actors import Actor
from gongjiang.core.policies import require
from gongjiang.credentials import policies as _policies  # noqa: F401  (registers the rules)
from gongjiang.credentials.models import Certificate, CertificateStatus, ShareLink, ShareUse

# As 学信网's reports: the holder picks between one month and half a year.
MIN_DAYS, MAX_DAYS = 1, 180
LABEL_LENGTH = 60
TOKEN_BYTES = 24


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "ignore")).hexdigest()


def share_create(*, actor: Actor, certificate: Certificate, days: int, label: str = "") -> tuple[ShareLink, str]:
    """A share link for `certificate`, valid `days` days; returns it and its token (shown once)."""
    require(actor, "credentials.share.write", certificate)
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ValidationError({"days": _("有效期应为%(a)d至%(b)d天。") % {"a": MIN_DAYS, "b": MAX_DAYS}})
    label = label.strip()
    if len(label) > LABEL_LENGTH:
        raise ValidationError({"label": _("用途说明最多%(n)d个字。") % {"n": LABEL_LENGTH}})
    if certificate.status == CertificateStatus.REVOKED:
        raise ValidationError({"certificate": _("证书已撤销，不能分享。")})
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        link = ShareLink.objects.create(
            certificate=certificate, token_hash=token_hash(token), label=label,
            expires_at=timezone.now() + dt.timedelta(days=days),
        )  # fmt: skip
        audit.record(
            actor=actor, action="share.create", entity=link,
            after={k: v for k, v in audit.snapshot(link).items() if k != "token_hash"}, owner=certificate.issuer,
        )  # fmt: skip
    return link, token


def share_revoke(*, actor: Actor, link: ShareLink) -> ShareLink:
    require(actor, "credentials.share.write", link.certificate)
    if link.revoked_at is not None:
        raise ValidationError({"link": _("该分享链接已撤回。")})
    with transaction.atomic():
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor, action="share.revoke", entity=link, after={"revoked_at": link.revoked_at},
            owner=link.certificate.issuer,
        )  # fmt: skip
    return link


def share_open(*, actor: Actor, token: str) -> ShareLink:
    """The link behind `token` if it is live, its use recorded; otherwise a refusal in words
    (unknown, expired and revoked links are told apart only as far as the holder would want)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        raise ValidationError(_("分享链接无效。"))
    link = ShareLink.objects.select_related("certificate__issuer").filter(token_hash=token_hash(token)).first()
    if link is None:
        raise ValidationError(_("分享链接无效。"))
    if link.revoked_at is not None:
        raise ValidationError(_("持证人已撤回该分享链接。"))
    if link.expires_at <= timezone.now():
        raise ValidationError(_("分享链接已过期。"))
    with transaction.atomic():
        use = ShareUse.objects.create(link=link)
        audit.record(
            actor=actor, action="share.use", entity=use, after={"link": link.pk}, owner=link.certificate.issuer
        )
    return link
