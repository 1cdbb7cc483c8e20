"""Identity claims in the JSON API (ADR 0023, 0032): the bureau returns a claim with a reason; the
organisation that typed it lists its returned claims and corrects them. A correction answers the
same whatever the register holds: the bureau decides."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from gongjiang.core.api import Page, PageIn, actor_of, page_of, scoped_router
from gongjiang.registry import selectors, services

router = scoped_router(tags=["registry"])


class ReturnIn(Schema):
    reason: str = Field(..., max_length=services.identity.RETURN_REASON_MAX)


class ReturnOut(Schema):
    id: int
    returned_at: dt.datetime


class ReturnedClaimOut(Schema):
    id: int
    version: int
    name: str
    id_number_masked: str
    reason: str
    returned_at: dt.datetime
    records: dict[str, int]


class CorrectionIn(Schema):
    name: str = Field(..., max_length=60)
    id_number: str = Field("", max_length=32, description="留空则不变")
    version: int | None = None


class CorrectionOut(Schema):
    status: str
    message: str


@router.post("/identities/claims/{claim_id}/return", response=ReturnOut, summary="退回身份核对（人社部门）")
def claim_return(request: HttpRequest, claim_id: int, payload: ReturnIn) -> ReturnOut:
    actor = actor_of(request)
    returned = services.claim_return(
        actor=actor, claim=selectors.open_claim_get(actor=actor, claim_id=claim_id), reason=payload.reason
    )
    return ReturnOut(id=returned.pk, returned_at=returned.returned_at)


def _returned(item: selectors.ReturnedClaim) -> ReturnedClaimOut:
    r = item.claim_return
    return ReturnedClaimOut(
        id=r.pk, version=r.version, name=item.name, id_number_masked=item.masked_number, reason=r.reason,
        returned_at=r.returned_at, records=item.records,
    )  # fmt: skip


@router.get("/identities/returned", response=Page[ReturnedClaimOut], summary="被退回待更正的身份（分页）")
def returned_list(request: HttpRequest, paging: Query[PageIn]) -> Page[ReturnedClaimOut]:
    return page_of(selectors.returned_claims(actor=actor_of(request)), _returned, paging)


@router.post("/identities/returned/{return_id}/correct", response=CorrectionOut, summary="更正被退回的身份")
def returned_correct(request: HttpRequest, return_id: int, payload: CorrectionIn) -> CorrectionOut:
    actor = actor_of(request)
    services.claim_correct(
        actor=actor,
        claim_return=selectors.returned_claim_get(actor=actor, return_id=return_id),
        name=payload.name,
        id_number=payload.id_number,
        expected_version=payload.version,
    )
    return CorrectionOut(status="resubmitted", message=_("已重新提交，由人社部门核对。"))
