from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Schema

from gongjiang.core.api import Page, PageIn, actor_of, page_of, scoped_router
from gongjiang.directory import selectors
from gongjiang.directory.models import Organisation

router = scoped_router(tags=["directory"])


class OrganisationOut(Schema):
    code: str
    kind: str
    name: str
    region_code: str
    tier: str
    ownership: str
    parent_code: str | None = None


class MeOut(Schema):
    username: str
    kind: str
    organisation_code: str
    organisation_name: str
    region_code: str
    role: str


def _out(org: Organisation) -> OrganisationOut:
    return OrganisationOut(
        code=org.code,
        kind=org.kind,
        name=org.name,
        region_code=org.region_code,
        tier=org.tier,
        ownership=org.ownership,
        parent_code=org.parent.code if org.parent is not None else None,
    )


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> MeOut:
    actor = actor_of(request)
    return MeOut(
        username=actor.username,
        kind=str(actor.kind),
        organisation_code=actor.organisation_code,
        organisation_name=actor.organisation_name,
        region_code=actor.region_code,
        role=actor.role,
    )


@router.get("/organisations", response=Page[OrganisationOut], summary="机构列表（分页）")
def organisation_list(
    request: HttpRequest, paging: Query[PageIn], kind: str | None = None, q: str = ""
) -> Page[OrganisationOut]:
    orgs = selectors.organisation_list(actor=actor_of(request), kind=kind, q=q[:100]).select_related("parent")
    return page_of(orgs, _out, paging)


@router.get("/organisations/{code}", response=OrganisationOut, summary="机构详情")
def organisation_detail(request: HttpRequest, code: str) -> OrganisationOut:
    return _out(selectors.organisation_get(actor=actor_of(request), code=code))
