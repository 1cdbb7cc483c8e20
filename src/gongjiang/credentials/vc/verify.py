"""Verifying a credential as a list of named checks, each passed, failed or unchecked.

Nothing here fetches anything: DID documents, status lists and the trust registry come from a
:class:`TrustSource` (the database, an offline bundle, a test). No exception escapes
:func:`verify_credential`; every problem becomes a check with a message in words.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Protocol

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import ob3
from .did import assertion_key, did_key_document
from .errors import CredentialError, Message
from .limits import parse_json
from .loader import DEFAULT_LOADER, VC_V2, StaticLoader
from .proofs import single_proof, verify_proof
from .status_list import PURPOSES, read_status


class Authorisation(Protocol):
    """What the trust registry says of an issuer for one credential (``selectors.Authorisation``)."""

    @property
    def issuer_name(self) -> str: ...

    @property
    def authorised(self) -> bool: ...

    @property
    def filing_number(self) -> str: ...

    @property
    def reason(self) -> str: ...


class TrustSource(Protocol):
    """Where a verifier learns what it cannot compute: DID documents, status lists, filings.

    ``has_registry`` is False for sources that know nothing of filings (an offline bundle), so
    the authorisation check is reported as unchecked rather than failed.
    """

    has_registry: bool

    def did_document(self, did: str) -> dict[str, Any] | None: ...

    def status_list_credential(self, url: str) -> dict[str, Any] | None: ...

    def issuer_authorisation(self, did: str, credential: dict[str, Any], on_date: date) -> Authorisation | None:
        """The registry's answer for ``credential`` issued by ``did`` on ``on_date``; None when
        ``did`` is not an issuer the platform has filed at all."""
        ...


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNCHECKED = "unchecked"


CHECK_NAMES = {
    "format": _("格式与上下文"),
    "proof": _("签名"),
    "issuer_key": _("签发机构公布的密钥"),
    "issuer_filed": _("签发机构备案与授权"),
    "validity": _("有效期"),
    "revocation": _("撤销状态"),
    "suspension": _("暂停状态"),
}


@dataclass
class Check:
    name: str
    outcome: Outcome
    message: Message

    @property
    def label(self) -> str:
        return str(CHECK_NAMES[self.name])

    def as_dict(self) -> dict[str, str]:
        with translation.override("zh-hans"):
            zh_label, zh = self.label, self.message.text()
        with translation.override("en"):
            en_label, en = self.label, self.message.text()
        return {
            "check": self.name,
            "outcome": self.outcome.value,
            "label": zh_label,
            "label_en": en_label,
            "message": zh,
            "message_en": en,
        }


@dataclass
class VerificationReport:
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None

    def outcome(self, name: str) -> Outcome:
        for check in self.checks:
            if check.name == name:
                return check.outcome
        return Outcome.UNCHECKED

    def ok(self, *, require_filed: bool = False) -> bool:
        """Valid proof by a key the issuer lists, within validity, not revoked or suspended as
        far as can be checked (and, when required, issued under a filing)."""
        if any(self.outcome(n) != Outcome.PASSED for n in ("format", "proof", "issuer_key", "validity")):
            return False
        if any(self.outcome(n) == Outcome.FAILED for n in ("revocation", "suspension")):
            return False
        return not require_filed or self.outcome("issuer_filed") == Outcome.PASSED

    def as_dict(self, *, require_filed: bool = False) -> dict[str, Any]:
        return {"verified": self.ok(require_filed=require_filed), "checks": [c.as_dict() for c in self.checks]}


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        raise CredentialError("validity.malformed", _("日期时间格式不正确：%(value)s。"), value=str(value)[:40])
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CredentialError("validity.malformed", _("日期时间格式不正确：%(value)s。"), value=value) from None
    if moment.tzinfo is None:
        raise CredentialError("validity.malformed", _("日期时间缺少时区：%(value)s。"), value=value)
    return moment


def _window(doc: dict[str, Any], now: datetime) -> Check:
    try:
        start = _when(doc["validFrom"]) if "validFrom" in doc else None
        end = _when(doc["validUntil"]) if "validUntil" in doc else None
    except CredentialError as exc:
        return Check("validity", Outcome.FAILED, exc.message)
    if start is not None and now < start:
        return Check("validity", Outcome.FAILED, Message(_("尚未生效：生效时间为 %(at)s。"), at=doc["validFrom"]))
    if end is not None and now > end:
        return Check("validity", Outcome.FAILED, Message(_("已过期：有效期至 %(at)s。"), at=doc["validUntil"]))
    if end is None:
        return Check("validity", Outcome.PASSED, Message(_("已生效，长期有效。")))
    return Check("validity", Outcome.PASSED, Message(_("在有效期内（至 %(at)s）。"), at=doc["validUntil"]))


def _resolve(did: str, trust: TrustSource) -> dict[str, Any] | None:
    if did.startswith("did:key:"):
        return did_key_document(did)
    return trust.did_document(did)


def _format_check(doc: dict[str, Any], contexts_known: frozenset[str]) -> Check:
    contexts = doc.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] != VC_V2:
        return Check(
            "format",
            Outcome.FAILED,
            Message(_("不是 W3C 可验证凭证 2.0：第一个 @context 必须是 %(url)s。"), url=VC_V2),
        )
    unknown = [c for c in contexts if not isinstance(c, str) or c not in contexts_known]
    if unknown:
        shown = unknown[0] if isinstance(unknown[0], str) else "{…}"
        return Check(
            "format",
            Outcome.FAILED,
            Message(_("凭证引用了未知的上下文：%(url)s（只接受本地保存的标准上下文）。"), url=shown[:200]),
        )
    types = doc.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        return Check("format", Outcome.FAILED, Message(_("凭证的类型中没有 VerifiableCredential。")))
    if ob3.issuer_id(doc) is None:
        return Check("format", Outcome.FAILED, Message(_("凭证没有签发机构（issuer）。")))
    return Check("format", Outcome.PASSED, Message(_("W3C 可验证凭证 2.0，使用标准上下文。")))


# Status-list credentials are shared by many credentials and re-read on every verification;
# the proof of one exact list document is checked once.
_LIST_CACHE: OrderedDict[str, bool] = OrderedDict()
_LIST_CACHE_SIZE = 256


def _list_proof_ok(list_doc: dict[str, Any], public_key: str, loader: StaticLoader | None) -> bool:
    digest = hashlib.sha256(
        (public_key + json.dumps(list_doc, sort_keys=True, ensure_ascii=False)).encode()
    ).hexdigest()
    if digest in _LIST_CACHE:
        _LIST_CACHE.move_to_end(digest)
        return _LIST_CACHE[digest]
    ok = verify_proof(list_doc, public_key, loader=loader)
    _LIST_CACHE[digest] = ok
    if len(_LIST_CACHE) > _LIST_CACHE_SIZE:
        _LIST_CACHE.popitem(last=False)
    return ok


def _status_check(
    purpose: str,
    doc: dict[str, Any],
    issuer: str,
    trust: TrustSource,
    now: datetime,
    loader: StaticLoader | None,
) -> Check:
    raw = doc.get("credentialStatus")
    entries = raw if isinstance(raw, list) else [raw] if raw is not None else []
    mine = [e for e in entries if isinstance(e, dict) and e.get("statusPurpose") == purpose]
    if not mine:
        return Check(purpose, Outcome.UNCHECKED, Message(_("凭证没有此项状态条目，无法检查。")))
    entry = mine[0]
    url = entry.get("statusListCredential")
    if entry.get("type") != "BitstringStatusListEntry" or not isinstance(url, str) or len(url) > 500:
        return Check(purpose, Outcome.UNCHECKED, Message(_("状态条目格式不正确，状态未知。")))
    try:
        list_doc = trust.status_list_credential(url)
        if list_doc is None:
            return Check(purpose, Outcome.UNCHECKED, Message(_("无法读取状态列表 %(url)s，状态未知。"), url=url))
        if ob3.issuer_id(list_doc) != issuer:
            return Check(purpose, Outcome.UNCHECKED, Message(_("状态列表不是由同一签发机构签发的，状态未知。")))
        proof = single_proof(list_doc)
        did_doc = _resolve(issuer, trust)
        key = assertion_key(did_doc, proof["verificationMethod"]) if did_doc else None
        if key is None or not _list_proof_ok(list_doc, key, loader):
            return Check(purpose, Outcome.UNCHECKED, Message(_("状态列表的签名无效，状态未知。")))
        window = _window(list_doc, now)
        if window.outcome != Outcome.PASSED:
            return Check(purpose, Outcome.UNCHECKED, Message(_("状态列表已过期或未生效，状态未知。")))
        is_set = read_status(list_doc, index=entry.get("statusListIndex"), purpose=purpose)
    except CredentialError as exc:
        return Check(purpose, Outcome.UNCHECKED, Message(_("状态未知：%(reason)s"), reason=exc.message))
    if purpose == "revocation":
        if is_set:
            return Check(purpose, Outcome.FAILED, Message(_("该凭证已被签发机构撤销。")))
        return Check(purpose, Outcome.PASSED, Message(_("未被撤销（状态列表已核对）。")))
    if is_set:
        return Check(purpose, Outcome.FAILED, Message(_("该凭证已被签发机构暂停。")))
    return Check(purpose, Outcome.PASSED, Message(_("未被暂停（状态列表已核对）。")))


def _filed_check(doc: dict[str, Any], issuer: str, trust: TrustSource) -> Check:
    if not trust.has_registry:
        return Check("issuer_filed", Outcome.UNCHECKED, Message(_("离线核验：未查询备案名录。")))
    try:
        start = _when(doc.get("validFrom")) if "validFrom" in doc else None
    except CredentialError as exc:
        return Check("issuer_filed", Outcome.UNCHECKED, exc.message)
    on_date = (start or datetime.now(UTC)).date()
    found = trust.issuer_authorisation(issuer, doc, on_date)
    if found is None:
        return Check("issuer_filed", Outcome.FAILED, Message(_("签发机构不是本平台备案或登记的机构。")))
    if not found.authorised:
        return Check(
            "issuer_filed",
            Outcome.FAILED,
            Message(
                _("%(name)s 在 %(date)s 未获授权签发此证书：%(reason)s"),
                name=found.issuer_name,
                date=on_date.isoformat(),
                reason=found.reason,
            ),
        )
    if found.filing_number:
        return Check(
            "issuer_filed",
            Outcome.PASSED,
            Message(
                _("%(name)s 已备案（备案号 %(number)s），%(date)s 时获授权签发此证书。"),
                name=found.issuer_name,
                number=found.filing_number,
                date=on_date.isoformat(),
            ),
        )
    return Check(
        "issuer_filed",
        Outcome.PASSED,
        Message(
            _("%(name)s 是本平台登记的机构，%(date)s 时可签发此证书。"),
            name=found.issuer_name,
            date=on_date.isoformat(),
        ),
    )


def verify_credential(
    doc: dict[str, Any] | bytes | str,
    trust: TrustSource,
    *,
    now: datetime | None = None,
    loader: StaticLoader | None = None,
) -> VerificationReport:
    """Verify a credential (parsed, or raw bytes/text which are bounded before parsing)."""
    report = VerificationReport()
    now = now or datetime.now(UTC)
    try:
        return _verify(doc, trust, now, loader, report)
    except CredentialError as exc:
        report.checks.append(Check("format", Outcome.FAILED, exc.message))
    except Exception:
        # A TrustSource or library bug must not become a server error on a public page.
        report.checks.append(Check("format", Outcome.FAILED, Message(_("核验过程出错，无法核验该凭证。"))))
    return report


def _verify(
    raw: dict[str, Any] | bytes | str,
    trust: TrustSource,
    now: datetime,
    loader: StaticLoader | None,
    report: VerificationReport,
) -> VerificationReport:
    doc = raw if isinstance(raw, dict) else parse_json(raw)
    fmt = _format_check(doc, (loader or DEFAULT_LOADER).urls())
    report.checks.append(fmt)
    if fmt.outcome != Outcome.PASSED:
        return report
    report.credential = doc
    issuer = ob3.issuer_id(doc) or ""
    try:
        proof = single_proof(doc)
    except CredentialError as exc:
        report.checks.append(Check("proof", Outcome.FAILED, exc.message))
        return report
    method = proof["verificationMethod"]
    did_doc = None
    if method.split("#", 1)[0] != issuer:
        key_check = Check("issuer_key", Outcome.FAILED, Message(_("签名所用密钥不属于凭证中的签发机构。")))
    else:
        did_doc = _resolve(issuer, trust)
        if did_doc is None:
            key_check = Check(
                "issuer_key",
                Outcome.UNCHECKED,
                Message(_("无法取得签发机构 %(did)s 的 DID 文档。"), did=issuer[:200]),
            )
        elif assertion_key(did_doc, method) is None:
            key_check = Check("issuer_key", Outcome.FAILED, Message(_("签发机构的 DID 文档中没有列出签名所用的密钥。")))
        else:
            key_check = Check("issuer_key", Outcome.PASSED, Message(_("签名密钥列于签发机构的 DID 文档中。")))
    public_key = assertion_key(did_doc, method) if did_doc else None
    if public_key is None:
        report.checks.append(Check("proof", Outcome.UNCHECKED, Message(_("没有可用的签发机构公钥，无法核对签名。"))))
    else:
        try:
            valid = verify_proof(doc, public_key, loader=loader)
        except CredentialError as exc:
            report.checks.append(Check("proof", Outcome.FAILED, exc.message))
            valid = None
        if valid is True:
            report.checks.append(Check("proof", Outcome.PASSED, Message(_("签名有效，内容未被改动。"))))
        elif valid is False:
            report.checks.append(
                Check("proof", Outcome.FAILED, Message(_("签名无效：凭证内容被改动，或不是用该密钥签名的。")))
            )
    report.checks.append(key_check)
    report.checks.append(_filed_check(doc, issuer, trust))
    report.checks.append(_window(doc, now))
    for purpose in PURPOSES:
        report.checks.append(_status_check(purpose, doc, issuer, trust, now, loader))
    return report
