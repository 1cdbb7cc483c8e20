"""Certificates in the JSON API: the caller's certificates (the holder's own, an issuer's issued,
the bureau's region), issuing one, changing its status and the holder's share links. Every
certificate is fetched through the caller's scope first, so another's number answers 404 like one
that does not exist. Public verification is `verify_api`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Schema

from gongjiang.core.api import Page, PageIn, actor_of, page_of, scoped_router
from gongjiang.credentials import selectors
from gongjiang.credentials.models import Certificate, CertificateKind, CertificateStatus, ShareLink
from gongjiang.credentials.services import certificates as issuing
from gongjiang.credentials.services import sharing
from gongjiang.directory import selectors as directory
from gongjiang.registry import selectors as registry

router = scoped_router(tags=["credentials"])


class CertificateOut(Schema):
    number: str
    kind: str
    basis: str
    status: str
    status_reason: str
    holder_name: str
    issuer_code: str
    occupation_code: str
    skill_level: int | None
    class_level: str
    major_code: str
    valid_from: dt.datetime


class CertificateDetailOut(CertificateOut):
    credential: dict[str, Any]


class StatusIn(Schema):
    status: str = Field(max_length=16, description="revoked（撤销，不可恢复）、suspended（暂停）或 active（恢复）")
    reason: str = Field(max_length=500)


class ShareIn(Schema):
    days: int = Field(ge=1, le=180)
    label: str = Field("", max_length=100)


class ShareOut(Schema):
    id: int
    label: str
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    url: str | None = Field(None, description="只在创建时给出一次；平台只保存其摘要")


def _out(c: Certificate) -> dict[str, Any]:
    return {
        "number": c.number, "kind": c.kind, "basis": c.basis, "status": c.status, "status_reason": c.status_reason,
        "holder_name": c.holder.name, "issuer_code": c.issuer.code, "occupation_code": c.occupation_code,
        "skill_level": c.skill_level, "class_level": c.class_level, "major_code": c.major_code,
        "valid_from": c.valid_from,
    }  # fmt: skip


def _share(link: ShareLink, url: str | None = None) -> ShareOut:
    return ShareOut(id=link.pk, label=link.label, expires_at=link.expires_at, revoked_at=link.revoked_at, url=url)


@router.get(
    "/certificates", response=Page[CertificateOut], summary="我可见的证书（持有人本人、签发机构、辖区人社部门）"
)
def certificate_list(
    request: HttpRequest,
    paging: Query[PageIn],
    kind: CertificateKind | None = None,
    status: CertificateStatus | None = None,
) -> Page[CertificateOut]:
    found = selectors.certificate_list(actor=actor_of(request), kind=kind, status=status)
    return page_of(found, lambda c: CertificateOut(**_out(c)), paging)


@router.get("/certificates/{number}", response=CertificateDetailOut, summary="一张证书及其可验证凭证")
def certificate_detail(request: HttpRequest, number: str) -> CertificateDetailOut:
    c = selectors.certificate_get(actor=actor_of(request), number=number)
    return CertificateDetailOut(**_out(c), credential=c.credential)


@router.post("/certificates/{number}/status", response=CertificateOut, summary="撤销、暂停或恢复（须填原因）")
def certificate_status(request: HttpRequest, number: str, body: StatusIn) -> CertificateOut:
    actor = actor_of(request)
    c = selectors.certificate_get(actor=actor, number=number)
    changed = issuing.certificate_set_status(actor=actor, certificate=c, status=body.status, reason=body.reason)
    return CertificateOut(**_out(changed))


@router.post(
    "/assessments/{assessment_id}/certificate", response=CertificateOut, summary="为认定合格的记录签发技能等级证书"
)
def certificate_for_assessment(request: HttpRequest, assessment_id: int) -> CertificateOut:
    actor = actor_of(request)
    evaluator = directory.organisation_of(actor=actor)
    if evaluator is None:
        raise Http404
    assessment = selectors.assessment_awaiting_get(actor=actor, evaluator=evaluator, pk=assessment_id)
    return CertificateOut(**_out(issuing.certificate_issue_for_assessment(actor=actor, assessment=assessment)))


@router.post(
    "/registrations/{registration_id}/diploma", response=CertificateOut, summary="为毕业已审核的学籍签发毕业证书"
)
def diploma_for_registration(request: HttpRequest, registration_id: int) -> CertificateOut:
    actor = actor_of(request)
    registration = registry.registration_get(actor=actor, registration_id=registration_id)
    return CertificateOut(**_out(issuing.certificate_issue_diploma(actor=actor, registration=registration)))


@router.get("/certificates/{number}/shares", response=list[ShareOut], summary="持有人的分享链接")
def share_list(request: HttpRequest, number: str) -> list[ShareOut]:
    actor = actor_of(request)
    c = selectors.certificate_get(actor=actor, number=number)
    return [_share(link) for link in selectors.share_links(actor=actor, certificate=c)]


@router.post("/certificates/{number}/shares", response=ShareOut, summary="新建分享链接（1 至 180 天）")
def share_create(request: HttpRequest, number: str, body: ShareIn) -> ShareOut:
    actor = actor_of(request)
    c = selectors.certificate_get(actor=actor, number=number)
    link, token = sharing.share_create(actor=actor, certificate=c, days=body.days, label=body.label)
    return _share(link, request.build_absolute_uri(reverse("credentials:shared", args=[token])))


@router.post("/shares/{share_id}/revoke", response=ShareOut, summary="撤回分享链接")
def share_revoke(request: HttpRequest, share_id: int) -> ShareOut:
    actor = actor_of(request)
    link = selectors.share_link_get(actor=actor, pk=share_id)
    return _share(sharing.share_revoke(actor=actor, link=link))
