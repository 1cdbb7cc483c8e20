"""The trust registry and the 一体化 rule in the JSON API: filings are public to read (as the
registry page and `registry.json` are) and written by the bureau over the organisation; the
一体化 switches are public to read and switched by a bureau's administrators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from gongjiang.core.api import Page, PageIn, actor_of, anyone, page_of, scoped_router
from gongjiang.credentials import selectors
from gongjiang.credentials.models import BodyKind, Filing, FilingStatus, IntegratedEquivalence
from gongjiang.credentials.services import filing as services
from gongjiang.directory import selectors as directory

router = scoped_router(tags=["credentials"])


class FilingOccupationIO(Schema):
    code: str = Field(max_length=16, description="职业分类大典代码")
    highest_level: int = Field(ge=1, le=5, description="最高可评等级：1 高级技师 … 5 初级工")


class FilingEventOut(Schema):
    kind: str
    reason: str
    effective_on: dt.date
    recorded_at: dt.datetime


class FilingOut(Schema):
    number: str
    organisation_code: str
    organisation_name: str
    body_kind: str
    status: str
    status_reason: str
    valid_from: dt.date
    valid_until: dt.date
    filed_by: str
    occupations: list[FilingOccupationIO]
    version: int


class FilingDetailOut(FilingOut):
    events: list[FilingEventOut]


class FilingIn(Schema):
    organisation: str = Field(max_length=32, description="机构代码")
    body_kind: BodyKind
    occupations: list[FilingOccupationIO] = Field(max_length=services.MAX_OCCUPATIONS)
    valid_from: dt.date
    valid_until: dt.date


class FilingChangeIn(Schema):
    version: int = Field(ge=1, description="读取时的版本号")
    reason: str = Field(max_length=services.REASON_LENGTH)


class FilingFilter(Schema):
    status: FilingStatus | None = None
    organisation: str = Field("", max_length=32, description="机构代码")


class EquivalenceOut(Schema):
    id: int
    bureau_code: str
    bureau_name: str
    enabled: bool
    effective_on: dt.date
    reason: str
    recorded_at: dt.datetime


class EquivalenceIn(Schema):
    enabled: bool
    effective_on: dt.date
    reason: str = Field(max_length=services.REASON_LENGTH)


def _filing(f: Filing) -> dict[str, Any]:
    return {
        "number": f.number, "organisation_code": f.organisation.code, "organisation_name": f.organisation.name,
        "body_kind": f.body_kind, "status": f.status, "status_reason": f.status_reason, "valid_from": f.valid_from,
        "valid_until": f.valid_until, "filed_by": f.filed_by.name, "version": f.version,
        "occupations": [
            FilingOccupationIO(code=o.occupation_code, highest_level=o.highest_level) for o in f.occupations.all()
        ],
    }  # fmt: skip


def _detail(request: HttpRequest, number: str) -> FilingDetailOut:
    actor = actor_of(request)
    f = selectors.filing_get(actor=actor, number=number[:24])
    events = [
        FilingEventOut(kind=e.kind, reason=e.reason, effective_on=e.effective_on, recorded_at=e.recorded_at)
        for e in selectors.filing_events(actor=actor, filing=f)
    ]
    return FilingDetailOut(**_filing(f), events=events)


@router.get("/filings", response=Page[FilingOut], auth=anyone, summary="评价机构备案名录（公开）")
def filing_list(request: HttpRequest, paging: Query[PageIn], params: Query[FilingFilter]) -> Page[FilingOut]:
    found = selectors.filing_list(actor=actor_of(request), status=params.status)
    if params.organisation:
        found = found.filter(organisation__code=params.organisation)
    return page_of(found, lambda f: FilingOut(**_filing(f)), paging)


@router.get("/filings/{number}", response=FilingDetailOut, auth=anyone, summary="一项备案及其变更记录（公开）")
def filing_detail(request: HttpRequest, number: str) -> FilingDetailOut:
    return _detail(request, number)


@router.post("/filings", response={201: FilingDetailOut}, summary="备案评价机构（辖区人社部门）")
def filing_create(request: HttpRequest, body: FilingIn) -> tuple[int, FilingDetailOut]:
    actor = actor_of(request)
    organisation = directory.organisation_get(actor=actor, code=body.organisation)
    occupations: dict[str, int] = {}
    for item in body.occupations:
        if item.code in occupations:
            raise ValidationError({"occupations": _("职业代码“%(code)s”重复填写。") % {"code": item.code}})
        occupations[item.code] = item.highest_level
    filing = services.filing_create(
        actor=actor, organisation=organisation, body_kind=body.body_kind, occupations=occupations,
        valid_from=body.valid_from, valid_until=body.valid_until,
    )  # fmt: skip
    return 201, _detail(request, filing.number)


def _change(request: HttpRequest, number: str, body: FilingChangeIn, change: Any) -> FilingDetailOut:
    actor = actor_of(request)
    f = selectors.filing_get(actor=actor, number=number[:24])
    change(actor=actor, filing=f, version=body.version, reason=body.reason)
    return _detail(request, f.number)


@router.post("/filings/{number}/suspend", response=FilingDetailOut, summary="暂停备案（须填原因）")
def filing_suspend(request: HttpRequest, number: str, body: FilingChangeIn) -> FilingDetailOut:
    return _change(request, number, body, services.filing_suspend)


@router.post("/filings/{number}/reinstate", response=FilingDetailOut, summary="恢复暂停的备案（须填原因）")
def filing_reinstate(request: HttpRequest, number: str, body: FilingChangeIn) -> FilingDetailOut:
    return _change(request, number, body, services.filing_reinstate)


@router.post("/filings/{number}/end", response=FilingDetailOut, summary="终止备案（须填原因，不可恢复）")
def filing_end(request: HttpRequest, number: str, body: FilingChangeIn) -> FilingDetailOut:
    return _change(request, number, body, services.filing_end)


def _switch(s: IntegratedEquivalence) -> EquivalenceOut:
    return EquivalenceOut(
        id=s.pk, bureau_code=s.bureau.code, bureau_name=s.bureau.name, enabled=s.enabled,
        effective_on=s.effective_on, reason=s.reason, recorded_at=s.recorded_at,
    )  # fmt: skip


@router.get("/equivalence", response=Page[EquivalenceOut], auth=anyone, summary="一体化等效认定规则的切换记录（公开）")
def equivalence_list(request: HttpRequest, paging: Query[PageIn]) -> Page[EquivalenceOut]:
    return page_of(selectors.equivalence_list(actor=actor_of(request)), _switch, paging)


@router.post("/equivalence", response={201: EquivalenceOut}, summary="启用或停用本辖区的一体化等效认定规则（须填原因）")
def equivalence_switch(request: HttpRequest, body: EquivalenceIn) -> tuple[int, EquivalenceOut]:
    switch = services.equivalence_switch(
        actor=actor_of(request), enabled=body.enabled, effective_on=body.effective_on, reason=body.reason
    )
    return 201, _switch(switch)
