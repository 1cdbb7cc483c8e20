"""Certificates in the JSON API: the caller's certificates (the holder's own, an issuer's issued,
the bureau's region), issuing one, changing its status and the holder's share links. Every
certificate is fetched through the caller's scope first, so another's number answers 404 like one
that does not exist. Public verification is `verify_api`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from gongjiang.core.actors import Actor
from gongjiang.core.api import Page, PageIn, actor_of, page_of, scoped_router
from gongjiang.core.policies import allowed
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
    dual_with: list[str] = Field(description="双证书：毕业证书所登记的技能等级证书，或技能等级证书所属的毕业证书的编号")


class DualSkillOut(Schema):
    number: str
    occupation_code: str
    skill_level: int | None
    issuer_name: str
    status: str


class DualOut(Schema):
    diploma_number: str
    holder_name: str
    major_code: str
    class_level: str
    linked: bool
    skills: list[DualSkillOut]
    candidates: list[DualSkillOut] = Field(description="可登记的技能等级证书（仅签发毕业证书的学校可见）")


class DualIn(Schema):
    skills: list[Annotated[str, Field(max_length=24)]] = Field(
        max_length=issuing.MAX_DUAL_SKILLS, description="技能等级证书编号"
    )


class DualFilter(Schema):
    linked: bool | None = Field(None, description="true 只看已登记，false 只看未登记")


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
    actor = actor_of(request)
    c = selectors.certificate_get(actor=actor, number=number)
    linked = [d.number for d in selectors.dual_of(actor=actor, certificate=c)]
    return CertificateDetailOut(**_out(c), credential=c.credential, dual_with=linked)


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


class IntegratedIn(Schema):
    occupation_code: str = Field(max_length=16, description="专业对应、本校备案覆盖的职业代码")


@router.post(
    "/registrations/{registration_id}/integrated",
    response=CertificateOut,
    summary="按一体化毕业等效认定规则为毕业生签发技能等级证书（学校）",
)
def integrated_for_registration(request: HttpRequest, registration_id: int, body: IntegratedIn) -> CertificateOut:
    actor = actor_of(request)
    registration = registry.registration_get(actor=actor, registration_id=registration_id)
    made = issuing.certificate_issue_integrated(
        actor=actor, registration=registration, occupation_code=body.occupation_code.strip()
    )
    return CertificateOut(**_out(made))


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


def _dual_skill(c: Certificate) -> DualSkillOut:
    return DualSkillOut(
        number=c.number, occupation_code=c.occupation_code, skill_level=c.skill_level, issuer_name=c.issuer.name,
        status=c.status,
    )  # fmt: skip


def _dual(actor: Actor, diploma: Certificate) -> DualOut:
    dual = getattr(diploma, "dual", None)
    skills = list(dual.skills.all()) if dual else []
    candidates = [] if dual else list(selectors.dual_candidates(actor=actor, diploma=diploma))
    return DualOut(
        diploma_number=diploma.number, holder_name=diploma.holder.name, major_code=diploma.major_code,
        class_level=diploma.class_level, linked=dual is not None, skills=[_dual_skill(c) for c in skills],
        candidates=[_dual_skill(c) for c in candidates],
    )  # fmt: skip


@router.get("/duals", response=Page[DualOut], summary="毕业证书及其双证书登记（学校本校的、辖区人社部门、持证人本人）")
def dual_list(request: HttpRequest, paging: Query[PageIn], params: Query[DualFilter]) -> Page[DualOut]:
    actor = actor_of(request)
    return page_of(selectors.dual_list(actor=actor, linked=params.linked), lambda d: _dual(actor, d), paging)


@router.post(
    "/certificates/{number}/dual", response={201: DualOut}, summary="登记双证书：毕业证书与同一持证人的技能等级证书"
)
def dual_link(request: HttpRequest, number: str, body: DualIn) -> tuple[int, DualOut]:
    actor = actor_of(request)
    diploma = selectors.certificate_get(actor=actor, number=number)
    # Only the holder's own certificates in force can be named; any other number, whether it
    # exists or not, gets the same answer.
    held = {c.number: c for c in selectors.dual_candidates(actor=actor, diploma=diploma)}
    skills = []
    for typed in dict.fromkeys(n.strip().upper() for n in body.skills):
        if typed not in held:
            if not allowed(actor, "credentials.certificate.link", diploma):
                raise PermissionDenied(_("您没有执行此操作的权限。"))
            raise ValidationError({"skills": _("%(number)s不是该毕业生的职业技能等级证书。") % {"number": typed[:24]}})
        skills.append(held[typed])
    issuing.dual_link(actor=actor, diploma=diploma, skills=skills)
    return 201, _dual(actor, selectors.dual_list(actor=actor).get(pk=diploma.pk))
