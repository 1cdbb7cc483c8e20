"""The one API base. Every endpoint authenticates to an `Actor` (never a bare user), so a handler
has nothing else to pass to selectors, and scoping cannot be skipped by forgetting it.

`signed_in` is the default for every router; `anyone` opens an endpoint to the public actor,
which selectors scope to published data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Router, Schema
from ninja.security import APIKeyCookie

from gongjiang.core import selectors
from gongjiang.core.actors import PUBLIC, Actor
from gongjiang.core.masking import mask_values
from gongjiang.core.models import AuditEntry
from gongjiang.core.paging import COUNT_CAP, capped_count
from gongjiang.core.policies import require
from gongjiang.core.transactions import SAFE_METHODS


class ActorAuth(APIKeyCookie):
    """Session authentication (with CSRF on writes) that yields the request's actor."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, *, allow_public: bool = False) -> None:
        self.allow_public = allow_public
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        actor: Actor = getattr(request, "actor", PUBLIC)
        if actor.is_authenticated or self.allow_public:
            return actor
        return None


signed_in = ActorAuth()
anyone = ActorAuth(allow_public=True)


def actor_of(request: HttpRequest) -> Actor:
    return cast(Actor, request.auth)  # type: ignore[attr-defined]


def scoped_router(**kwargs: Any) -> Router:
    """Every app's router comes from here, so it inherits the actor authentication."""
    kwargs.setdefault("auth", signed_in)
    return Router(**kwargs)


# -- lists, one page at a time (ADR 0030) -------------------------------------------------------

API_PAGE_SIZE = 100
MAX_API_PAGE_SIZE = 500
# Deep enough for any list in a province (fifty million rows at the largest page), small enough
# that the offset it makes stays a number the database accepts.
MAX_API_PAGE = 100_000

Row = TypeVar("Row")
Item = TypeVar("Item")
RowOut = TypeVar("RowOut", covariant=True)


class Rows(Protocol[RowOut]):
    """A list read a slice at a time (a list, or a selector's merged queue)."""

    def __len__(self) -> int: ...
    def __getitem__(self, index: slice) -> Sequence[RowOut]: ...


class PageIn(Schema):
    page: int = Field(1, ge=1, le=MAX_API_PAGE, description="页码，从 1 开始")
    size: int = Field(API_PAGE_SIZE, ge=1, le=MAX_API_PAGE_SIZE, description="每页条数")


class Page(Schema, Generic[Item]):
    """One page of a list. Every row is reachable by following `next_page`; `count` is the
    number of rows, counted up to COUNT_CAP, and `count_capped` says there are more than that."""

    items: list[Item]
    page: int
    size: int
    count: int
    count_capped: bool
    next_page: int | None


def page_of(rows: QuerySet[Any] | Rows[Row], to_out: Callable[[Row], Item], paging: PageIn) -> Page[Item]:
    """The page `paging` asks for of `rows` (in their order; by id when they have none), each row
    turned into its output by `to_out`. One row past the page is read to know whether another
    follows, so pages beyond the counted cap are still reached."""
    ordered: QuerySet[Any] | Rows[Row] = rows
    if isinstance(rows, QuerySet):
        ordered = rows if rows.ordered else rows.order_by("pk")
        counted = capped_count(rows, COUNT_CAP)
    else:
        counted = len(rows)
    start = (paging.page - 1) * paging.size
    window = list(ordered[start : start + paging.size + 1])
    return Page[Item](
        items=[to_out(row) for row in window[: paging.size]],
        page=paging.page,
        size=paging.size,
        count=min(counted, COUNT_CAP),
        count_capped=counted > COUNT_CAP,
        next_page=paging.page + 1 if len(window) > paging.size else None,
    )


class _Api(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        """`<module>_<function>` as ninja makes it, but an app whose `api` grew into a package of
        modules (`registry.api.records`) keeps the ids of `registry.api`: clients generated from the
        OpenAPI document keep their method names when endpoints move between those modules."""
        module = operation.view_func.__module__.split(".")
        if len(module) > 3 and module[2] == "api":
            module = module[:3]
        return "_".join([*module, operation.view_func.__name__])


def new_api() -> NinjaAPI:
    api = _Api(
        title="工匠 Gongjiang API",
        version="1",
        description=_("技工教育与产教融合开放平台接口。所有数据按调用者的权限范围返回。"),
        urls_namespace="api-v1",
        auth=signed_in,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )

    # Writes run in one transaction per request (core.transactions). A refusal becomes a response
    # here rather than an exception, so roll back explicitly: a write refused half-way (the
    # person registered, then the placement refused) leaves nothing behind. Reads run in no
    # transaction of their own: a block around one is someone else's (a test's) to end.
    def refuse(request: HttpRequest, detail: Any, status: int) -> HttpResponse:
        if request.method not in SAFE_METHODS and transaction.get_connection().in_atomic_block:
            transaction.set_rollback(True)
        return api.create_response(request, {"detail": detail}, status=status)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return refuse(request, _("未找到。"), 404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return refuse(request, str(exc) or _("没有权限。"), 403)

    @api.exception_handler(DataError)
    def out_of_range(request: HttpRequest, exc: DataError) -> HttpResponse:
        # The database's own refusal of a value (a number beyond its column, an offset too large):
        # the caller's input, so a 422, not a server error.
        return refuse(request, {"__all__": [_("输入的数值或文本超出允许的范围。")]}, 422)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return refuse(request, exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}, 422)

    return api


# ---------------------------------------------------------------------------------------------
# Core's own endpoints: the audit trail.

router = scoped_router(tags=["audit"])


class AuditEntryOut(Schema):
    at: str
    actor_username: str
    actor_kind: str
    action: str
    entity_type: str
    entity_id: str
    entity_label: str
    organisation_code: str
    region_code: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("/audit", response=Page[AuditEntryOut], summary="审计记录（分页）")
def audit_list(
    request: HttpRequest,
    paging: Query[PageIn],
    action: str = "",
    entity_type: str = "",
    username: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Page[AuditEntryOut]:
    actor = actor_of(request)
    require(actor, "audit.view")
    entries = selectors.audit_list(
        actor=actor, action=action, entity_type=entity_type, username=username, since=since, until=until
    )
    return page_of(entries, _audit_entry, paging)


def _audit_entry(e: AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(
        at=e.at.isoformat(),
        actor_username=e.actor_username,
        actor_kind=e.actor_kind,
        action=e.action,
        entity_type=e.entity_type,
        entity_id=e.entity_id,
        entity_label=e.entity_label,
        organisation_code=e.scope_organisation_code,
        region_code=e.scope_region_code,
        before=mask_values(e.before),
        after=mask_values(e.after),
    )
