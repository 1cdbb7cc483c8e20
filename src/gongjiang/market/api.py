"""The marketplace in the JSON API: the public search answers anyone; writing needs the owner's
staff, moderating the bureau over the owner's region."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Query, Schema

from gongjiang.core.api import Page, PageIn, actor_of, anyone, page_of, scoped_router
from gongjiang.core.policies import allowed
from gongjiang.directory import selectors as directory
from gongjiang.directory.models import Person
from gongjiang.market import partners, push, recommend, search, selectors, services
from gongjiang.market.models import EnterpriseProfile, Notification, PolicyNotice, Posting

router = scoped_router(tags=["market"])


class PostingIn(Schema):
    kind: str
    title: str
    description: str
    occupation_code: str = ""
    industry_code: str = ""
    region_code: str
    level: str = ""
    headcount: int | None = None
    pay_min: int | None = None
    pay_max: int | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    requirements: str = ""
    benefits: str = ""
    deadline: dt.date


class PostingUpdateIn(Schema):
    version: int
    title: str | None = None
    description: str | None = None
    occupation_code: str | None = None
    industry_code: str | None = None
    region_code: str | None = None
    level: str | None = None
    headcount: int | None = None
    pay_min: int | None = None
    pay_max: int | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    requirements: str | None = None
    benefits: str | None = None
    deadline: dt.date | None = None


class PostingOut(Schema):
    id: int
    owner_code: str
    owner_name: str
    kind: str
    title: str
    description: str
    occupation_code: str
    industry_code: str
    region_code: str
    level: str
    headcount: int | None
    pay_min: int | None
    pay_max: int | None
    deadline: dt.date
    status: str
    version: int


class SearchOut(Schema):
    count: int
    results: list[PostingOut]
    facets: dict[str, list[dict[str, Any]]]


class ModerateIn(Schema):
    publish: bool
    reason: str = ""


class ProfileIn(Schema):
    version: int | None = None
    industry_code: str
    size: str
    is_integration_enterprise: bool = False
    is_rural: bool = False
    description: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    address: str = ""


class ProfileOut(Schema):
    organisation_code: str
    industry_code: str
    size: str
    is_integration_enterprise: bool
    is_rural: bool
    description: str
    version: int


def _posting(p: Posting) -> PostingOut:
    return PostingOut(
        id=p.pk, owner_code=p.owner.code, owner_name=p.owner.name, kind=p.kind, title=p.title,
        description=p.description, occupation_code=p.occupation_code, industry_code=p.industry_code,
        region_code=p.region_code, level=p.level, headcount=p.headcount, pay_min=p.pay_min, pay_max=p.pay_max,
        deadline=p.deadline, status=p.status, version=p.version,
    )  # fmt: skip


def _profile(p: EnterpriseProfile) -> ProfileOut:
    return ProfileOut(
        organisation_code=p.organisation.code, industry_code=p.industry_code, size=p.size,
        is_integration_enterprise=p.is_integration_enterprise, is_rural=p.is_rural, description=p.description,
        version=p.version,
    )  # fmt: skip


class SearchParams(Schema):
    q: str = ""
    kind: str = ""
    region: str = ""
    occupation: str = ""
    industry: str = ""
    level: str = ""
    pay_min: int | None = None
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20


@router.get("/postings", response=SearchOut, auth=anyone, summary="搜索已发布的供需信息")
def posting_search(request: HttpRequest, params: Query[SearchParams]) -> SearchOut:
    filters = selectors.Filters(
        q=params.q[: search.MAX_QUERY_CHARS], kind=params.kind, region=params.region[:6],
        occupation=params.occupation[:16], industry=params.industry[:8], level=params.level[:32],
        pay_min=params.pay_min if params.pay_min is not None and 0 <= params.pay_min < 10**7 else None,
        sort=params.sort if params.sort in selectors.SORTS else "relevance",
    )  # fmt: skip
    found = selectors.posting_search(actor=actor_of(request), filters=filters)
    offset, limit = max(0, min(params.offset, 10_000)), max(1, min(params.limit, 100))
    return SearchOut(
        count=found.count,
        results=[_posting(p) for p in found.postings[offset : offset + limit]],
        facets={
            name: [{"value": f.value, "count": f.count} for f in entries] for name, entries in found.facets.items()
        },
    )


@router.get("/postings/mine", response=Page[PostingOut], summary="本机构发布的信息（各状态，分页）")
def my_postings(request: HttpRequest, paging: Query[PageIn]) -> Page[PostingOut]:
    actor = actor_of(request)
    if actor.organisation_id is None:
        raise PermissionDenied
    found = selectors.posting_list(actor=actor).filter(owner_id=actor.organisation_id).order_by("-created_at", "-pk")
    return page_of(found, _posting, paging)


@router.get("/postings/{posting_id}", response=PostingOut, auth=anyone, summary="一条供需信息")
def posting_detail(request: HttpRequest, posting_id: int) -> PostingOut:
    return _posting(selectors.posting_get(actor=actor_of(request), posting_id=posting_id))


@router.post("/postings", response={201: PostingOut}, summary="发布供需信息（提交审核）")
def posting_create(request: HttpRequest, payload: PostingIn) -> tuple[int, PostingOut]:
    actor = actor_of(request)
    owner = directory.acting_organisation(actor)
    values = payload.dict()
    kind = values.pop("kind")
    return 201, _posting(services.posting_create(actor=actor, owner=owner, kind=kind, **values))


@router.post("/postings/{posting_id}", response=PostingOut, summary="修改供需信息（重新提交审核）")
def posting_update(request: HttpRequest, posting_id: int, payload: PostingUpdateIn) -> PostingOut:
    actor = actor_of(request)
    posting = selectors.posting_get(actor=actor, posting_id=posting_id)
    changes = {k: v for k, v in payload.dict(exclude={"version"}).items() if v is not None}
    return _posting(services.posting_update(actor=actor, posting=posting, expected_version=payload.version, **changes))


@router.post("/postings/{posting_id}/moderate", response=PostingOut, summary="审核供需信息")
def posting_moderate(request: HttpRequest, posting_id: int, payload: ModerateIn) -> PostingOut:
    actor = actor_of(request)
    posting = selectors.posting_get(actor=actor, posting_id=posting_id)
    return _posting(
        services.posting_moderate(actor=actor, posting=posting, publish=payload.publish, reason=payload.reason)
    )


@router.post("/postings/{posting_id}/close", response=PostingOut, summary="关闭供需信息")
def posting_close(request: HttpRequest, posting_id: int) -> PostingOut:
    actor = actor_of(request)
    return _posting(
        services.posting_close(actor=actor, posting=selectors.posting_get(actor=actor, posting_id=posting_id))
    )


class ContributionOut(Schema):
    feature: str
    label: str
    value: float
    weight: float
    points: float


class RecommendationOut(Schema):
    posting_id: int
    title: str
    score: float
    sentence: str
    path: list[str]
    matched: list[str]
    missing: list[str]
    adjustments: list[str]
    contributions: list[ContributionOut]


@router.get(
    "/recommendations",
    response=list[RecommendationOut],
    summary="为学生推荐的岗位（附推荐理由；得分最高的 20 条，不分页）",
)
def recommendations(request: HttpRequest) -> list[dict[str, Any]]:
    actor = actor_of(request)
    if actor.person_id is None or actor.kind != "learner":
        raise PermissionDenied
    registration = recommend.current_registration(actor.person_id)
    if registration is None:
        return []
    return recommend.explain(recommend.recommend_for_learner(recommend.learner_of(registration)))


class MatchOut(Schema):
    """A class, school or learner recommended to a posting's publisher, with its reason."""

    kind: str
    id: int
    name: str
    students: int
    score: float
    sentence: str
    contributions: list[ContributionOut]


@router.get(
    "/postings/{posting_id}/matches",
    response=list[MatchOut],
    summary="为岗位推荐的毕业班、院校和学生（各取得分最高的 20、10、20 个，不分页）",
)
def posting_matches(request: HttpRequest, posting_id: int) -> list[dict[str, Any]]:
    """Only for the publisher; learners appear only if they agreed to be found."""
    actor = actor_of(request)
    posting = selectors.posting_get(actor=actor, posting_id=posting_id)
    if not allowed(actor, "market.posting.write", posting.owner):
        raise PermissionDenied
    cohorts = [
        {"kind": "class", "id": m.school_class.pk, "name": f"{m.school_class.school.name}{m.school_class.name}",
         "students": m.students, "score": m.score, "sentence": m.sentence, "contributions": recommend.contributions_data(m.contributions)}
        for m in recommend.recommend_for_posting(posting)
    ]  # fmt: skip
    schools = [
        {"kind": "school", "id": m.school.pk, "name": m.school.name, "students": m.students, "score": m.score,
         "sentence": m.sentence, "contributions": []}
        for m in recommend.recommend_schools_for_posting(posting)
    ]  # fmt: skip
    learners = [
        {"kind": "learner", "id": m.registration.person_id, "name": m.registration.person.name, "students": 1,
         "score": m.score, "sentence": m.sentence, "contributions": recommend.contributions_data(m.contributions)}
        for m in recommend.recommend_learners_for_posting(posting)
    ]  # fmt: skip
    return cohorts + schools + learners


class PartnerOut(Schema):
    organisation_id: int
    name: str
    score: float
    sentence: str
    links: list[tuple[str, str, int]]
    adjustments: list[str]
    contributions: list[ContributionOut]


@router.get(
    "/partners", response=list[PartnerOut], summary="推荐合作企业（院校）或合作院校（企业）（得分最高的 20 个，不分页）"
)
def partner_recommendations(request: HttpRequest) -> list[dict[str, Any]]:
    actor = actor_of(request)
    own = directory.acting_organisation(actor, kinds=("school", "enterprise"))
    return [
        {"organisation_id": m.partner.pk, "name": m.partner.name, "score": m.score, "sentence": m.sentence,
         "links": m.links, "adjustments": m.adjustments, "contributions": recommend.contributions_data(m.contributions)}
        for m in partners.partners_for(own)
    ]  # fmt: skip


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: dt.datetime
    read: bool


class ReadIn(Schema):
    ids: list[int]


class PreferenceIn(Schema):
    postings: bool = True
    policies: bool = True
    by_email: bool = False
    email: str = ""
    discoverable: bool = False


class PolicyIn(Schema):
    title: str
    body: str
    major_categories: list[str] = []
    class_levels: list[str] = []


class PolicyOut(Schema):
    id: int
    bureau_code: str
    title: str
    body: str
    recipients: int
    published_at: dt.datetime


def _policy(n: PolicyNotice) -> PolicyOut:
    return PolicyOut(
        id=n.pk, bureau_code=n.bureau.code, title=n.title, body=n.body, recipients=n.recipients,
        published_at=n.published_at,
    )  # fmt: skip


@router.get("/inbox", response=Page[NotificationOut], summary="我的站内消息（分页）")
def inbox(request: HttpRequest, paging: Query[PageIn]) -> Page[NotificationOut]:
    return page_of(selectors.inbox(actor=actor_of(request)), _notification, paging)


def _notification(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.pk, kind=n.kind, title=n.title, body=n.body, link=n.link, created_at=n.created_at,
        read=n.read_at is not None,
    )  # fmt: skip


@router.post("/inbox/read", response=dict[str, int], summary="标为已读")
def inbox_read(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    return {"read": push.mark_read(actor=actor_of(request), notification_ids=payload.ids[:1000])}


@router.post("/preferences", response=PreferenceIn, summary="选择接收的消息")
def preferences(request: HttpRequest, payload: PreferenceIn) -> PreferenceIn:
    actor = actor_of(request)
    if actor.person_id is None:
        raise PermissionDenied
    person = Person.objects.get(pk=actor.person_id)
    saved = push.preference_save(actor=actor, person=person, **payload.dict())
    return PreferenceIn(
        postings=saved.postings,
        policies=saved.policies,
        by_email=saved.by_email,
        email=saved.email,
        discoverable=saved.discoverable,
    )


@router.get("/policies", response=Page[PolicyOut], auth=anyone, summary="政策通知（分页）")
def policy_list(request: HttpRequest, paging: Query[PageIn]) -> Page[PolicyOut]:
    return page_of(selectors.policy_list(actor=actor_of(request)), _policy, paging)


@router.post("/policies", response={201: PolicyOut}, summary="发布政策通知")
def policy_publish(request: HttpRequest, payload: PolicyIn) -> tuple[int, PolicyOut]:
    actor = actor_of(request)
    bureau = directory.acting_organisation(actor)
    notice = push.policy_publish(
        actor=actor, bureau=bureau, title=payload.title, body=payload.body,
        major_categories=payload.major_categories, class_levels=payload.class_levels,
    )  # fmt: skip
    return 201, _policy(notice)


@router.get("/moderation", response=Page[PostingOut], summary="待审核的供需信息（分页）")
def moderation_queue(request: HttpRequest, paging: Query[PageIn]) -> Page[PostingOut]:
    return page_of(selectors.moderation_queue(actor=actor_of(request)), _posting, paging)


@router.get("/profile", response=ProfileOut, summary="本企业的企业档案")
def profile_get(request: HttpRequest) -> ProfileOut:
    actor = actor_of(request)
    profile = selectors.profile_of(actor=actor, organisation_id=actor.organisation_id or 0)
    if profile is None or profile.organisation_id != actor.organisation_id:
        raise Http404
    return _profile(profile)


@router.post("/profile", response=ProfileOut, summary="填写或修改本企业的企业档案")
def profile_save(request: HttpRequest, payload: ProfileIn) -> ProfileOut:
    actor = actor_of(request)
    organisation = directory.acting_organisation(actor)
    if not allowed(actor, "market.profile.write", organisation):
        raise PermissionDenied
    values = payload.dict()
    version = values.pop("version")
    return _profile(services.profile_save(actor=actor, organisation=organisation, expected_version=version, **values))
