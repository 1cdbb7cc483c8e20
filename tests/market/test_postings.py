"""Postings: published after moderation, found by Chinese search with facets and highlighting,
refused with a clear message when wrong, edited with history, owned by their publisher only."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from gongjiang.core import clock
from gongjiang.core.actors import PUBLIC, Actor
from gongjiang.core.bulk import insert_many
from gongjiang.core.models import AuditEntry
from gongjiang.directory.models import Organisation
from gongjiang.market import services
from gongjiang.market.models import EnterpriseProfile, Posting, PostingRevision, PostingStatus
from gongjiang.market.search import _VectorSQL, newest_matches, search_text
from gongjiang.market.selectors import Filters, SearchResult, apply_filters, posting_search, public_postings


def _values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "数控车工（包头）急招",
        "description": "负责数控车床的编程与操作，加工轴类零件。",
        "occupation_code": "6-18-01-01",
        "region_code": "150203",
        "headcount": 5,
        "pay_min": 5000,
        "pay_max": 8000,
        "requirements": "持中级工以上职业技能等级证书",
        "deadline": clock.today() + dt.timedelta(days=30),
    }
    return {**values, **overrides}


def _published(actor_of: Callable[[str], Actor], world: dict[str, Organisation], **overrides: Any) -> Posting:
    posting = services.posting_create(
        actor=actor_of("enterprise"), owner=world["enterprise"], kind="job", **_values(**overrides)
    )
    return services.posting_moderate(actor=actor_of("bureau"), posting=posting, publish=True)


def test_a_posting_is_public_only_after_moderation(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    posting = services.posting_create(actor=actor_of("enterprise"), owner=world["enterprise"], kind="job", **_values())
    assert posting.status == PostingStatus.PENDING
    anonymous = client_for("anonymous")
    assert "共 0 条" in anonymous.get("/market/?q=数控").content.decode()
    assert anonymous.get(f"/market/postings/{posting.pk}/").status_code == 404
    queue = client_for("bureau").get("/market/moderation/").content.decode()
    assert posting.title in queue
    assert client_for("bureau_other").get(f"/market/postings/{posting.pk}/").status_code == 404
    returned = client_for("bureau").post(f"/market/postings/{posting.pk}/", {"decision": "return", "reason": ""})
    assert "退回时请填写原因" in returned.content.decode()
    response = client_for("bureau").post(f"/market/postings/{posting.pk}/", {"decision": "publish"})
    assert response.status_code == 302
    page = anonymous.get("/market/?q=数控 车工").content.decode()
    assert "<mark>数控</mark>" in page and "共 1 条" in page
    assert AuditEntry.objects.filter(action="posting.publish", entity_id=str(posting.pk)).exists()
    # The work region by its name, not its code.
    detail = anonymous.get(f"/market/postings/{posting.pk}/").content.decode()
    assert "昆都仑区" in detail and "<dd>150203</dd>" not in detail


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"pay_min": 9000, "pay_max": 5000}, "pay_max", "月薪上限不能低于下限"),
        ({"deadline": dt.date(2020, 1, 1)}, "deadline", "截止日期不能早于今天"),
        ({"occupation_code": "9-99-99-99"}, "occupation_code", "不在职业分类大典中"),
        ({"region_code": "999999"}, "region_code", "地区代码"),
        ({"title": "   "}, "title", "请填写标题"),
        ({"headcount": 0}, "headcount", "人数应在"),
        ({"level": "超级工"}, "level", "层次“超级工”无法识别"),
    ],
)
def test_bad_postings_are_refused_on_their_field(
    actor_of: Callable[[str], Actor],
    world: dict[str, Organisation],
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.posting_create(
            actor=actor_of("enterprise"), owner=world["enterprise"], kind="job", **_values(**overrides)
        )
    assert message in " ".join(refused.value.message_dict[field])
    assert not Posting.objects.exists()


def test_levels_written_the_usual_ways_are_stored_one_way(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    for written, stored in (
        ("三级", "高级工"), ("国家职业资格四级", "中级工"), ("高级工及以上", "高级工"), ("不限", ""), ("", ""),
    ):  # fmt: skip
        posting = services.posting_create(
            actor=actor_of("enterprise"), owner=world["enterprise"], kind="job", **_values(level=written)
        )
        assert posting.level == stored, written


def test_an_invalid_credit_code_refuses_the_posting(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    enterprise = world["enterprise"]
    Organisation.objects.filter(pk=enterprise.pk).update(uscc="91150200MA0N0000X1")
    enterprise.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.posting_create(actor=actor_of("enterprise"), owner=enterprise, kind="job", **_values())
    assert "统一社会信用代码" in refused.value.message_dict["uscc"][0]


def test_the_form_shows_refusals_and_writes_nothing(client_for: Any) -> None:
    form = {**_values(pay_min=9000, pay_max=100), "kind": "job"}
    response = client_for("enterprise").post("/market/mine/", form)
    assert response.status_code == 200 and "月薪上限不能低于下限" in response.content.decode()
    # The level is chosen from a list, and the page opens at the form with its errors.
    assert '<optgroup label="职业技能等级">' in response.content.decode()
    assert 'action="#posting-form"' in response.content.decode()
    assert not Posting.objects.exists()
    assert client_for("enterprise").post("/market/mine/", {**form, "pay_max": 9500}).status_code == 302
    assert Posting.objects.get().status == PostingStatus.PENDING
    # A title too vague to code: saved, and the publisher is told to fill the occupation in.
    vague = {**form, "pay_max": 9500, "title": "综合岗位", "description": "负责日常工作。", "occupation_code": ""}
    saved = client_for("enterprise").post("/market/mine/", vague, follow=True).content.decode()
    assert "还没有职业代码" in saved and not Posting.objects.get(title="综合岗位").occupation_code


def test_the_form_takes_names_for_codes_without_javascript(client_for: Any) -> None:
    """The pickers' fields also take a name when no script runs: one match becomes its code, several
    are named with their codes for the publisher to choose, none is said plainly; nothing is written."""
    client = client_for("enterprise")
    form = {**_values(region_code="昆都仑区", industry_code="金属加工机械制造"), "kind": "job"}
    assert client.post("/market/mine/", form).status_code == 302
    posting = Posting.objects.get()
    assert (posting.region_code, posting.industry_code) == ("150203", "342")
    several = client.post("/market/mine/", {**form, "title": "另一个", "industry_code": "金属"}).content.decode()
    assert "“金属”对应多个行业" in several and "金属加工机械制造（342）" in several
    missing = client.post("/market/mine/", {**form, "title": "另一个", "region_code": "火星"}).content.decode()
    assert "没有找到名为“火星”的地区" in missing
    assert Posting.objects.count() == 1
    # The page shows the name of the code a field holds, and the picker finds entries as one types.
    edit = client.get(f"/market/postings/{posting.pk}/edit/").content.decode()
    assert 'data-testid="chosen-region_code">内蒙古自治区 › 包头市 › 昆都仑区<' in edit
    options = client.get("/market/pick/region/", {"name": "region_code", "region_code": "kdl"}).content.decode()
    assert "昆都仑区" in options and "150203" in options
    chosen = client.get("/market/pick/industry/", {"name": "industry_code", "value": "342"}).content.decode()
    assert 'value="342"' in chosen and "金属加工机械制造" in chosen
    assert client.get("/market/pick/region/", {"name": "title", "title": "x"}).status_code == 404


def test_odd_queries_answer_calmly(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    _published(actor_of, world)
    client = client_for("anonymous")
    for q in ("!!!@@@###", "%' OR 1=1 --", "数" * 10_000, "&:*|!()", "<script>alert(1)</script>"):
        response = client.get("/market/", {"q": q})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()
    # Symbols only: said so, and the list is the unfiltered one; a very long query is cut, and said.
    assert 'data-testid="ignored-query"' in client.get("/market/", {"q": "!!!@@@###"}).content.decode()
    assert "搜索词过长" in client.get("/market/", {"q": "数" * 10_000}).content.decode()
    assert client.get("/market/", {"pay_min": "abc", "page": "x", "sort": "evil"}).status_code == 200


def test_published_text_is_escaped(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    posting = _published(actor_of, world, title="焊工<script>alert(1)</script>", description="<b>包吃住</b>")
    body = client_for("anonymous").get(f"/market/postings/{posting.pk}/").content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body and "<b>包吃住" not in body


def test_edits_keep_history_and_go_back_to_moderation(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    posting = _published(actor_of, world)
    edited = services.posting_update(
        actor=actor_of("enterprise"), posting=posting, expected_version=1, title="数控车工（包头）", pay_max=9000
    )
    assert edited.status == PostingStatus.PENDING and edited.version == 2
    revision = PostingRevision.objects.get(posting=posting)
    assert revision.values["title"] == "数控车工（包头）急招" and revision.values["pay_max"] == 8000
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.posting_update(actor=actor_of("enterprise"), posting=posting, expected_version=1, title="旧版")
    # The edit form opens with its dates in the form a browser's date box shows (not 2027/01/20).
    form = client_for("enterprise").get(f"/market/postings/{posting.pk}/edit/").content.decode()
    assert f'value="{edited.deadline.isoformat()}"' in form
    # Nobody else edits it: another enterprise's staff, a school, the bureau.
    assert client_for("school").get(f"/market/postings/{posting.pk}/edit/").status_code in (403, 404)
    assert client_for("bureau").get(f"/market/postings/{posting.pk}/edit/").status_code == 403


def test_schools_publish_their_own_kinds(actor_of: Callable[[str], Actor], world: dict[str, Organisation]) -> None:
    with pytest.raises(ValidationError, match="院校不能发布"):
        services.posting_create(actor=actor_of("school"), owner=world["school"], kind="job", **_values())
    talent = services.posting_create(
        actor=actor_of("school"), owner=world["school"], kind="talent",
        **_values(title="2026届数控加工专业毕业生60人", pay_min=None, pay_max=None),
    )  # fmt: skip
    assert talent.kind == "talent"
    with pytest.raises(PermissionDenied):
        services.posting_create(actor=actor_of("school2"), owner=world["school"], kind="talent", **_values())


def test_facets_count_the_matching_postings(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    _published(actor_of, world)
    _published(
        actor_of, world, title="焊工", description="焊接钢结构", occupation_code="6-18-02-04", region_code="150102"
    )
    page = client_for("anonymous").get("/market/").content.decode()
    assert "共 2 条" in page and '招聘岗位</a> <span class="muted">2' in page
    filtered = client_for("anonymous").get("/market/?occupation=6-18-02").content.decode()
    assert "共 1 条" in filtered and "焊工" in filtered


def test_suggestions_find_occupations_by_sound(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    page = client_for("anonymous").get("/market/suggest/", {"q": "hangong"}).content.decode()
    assert "焊工" in page and "条在招" not in page
    # What it belongs to is said, not its bare code; and how many places are open.
    assert ">6-18-02-04<" not in page and "机械热加工人员" in page
    _published(actor_of, world, title="焊工", description="焊接钢结构", occupation_code="6-18-02-04")
    again = client_for("anonymous").get("/market/suggest/", {"q": "hangong"}).content.decode()
    assert "1 条在招" in again


def test_the_form_asks_the_publisher_to_confirm_a_low_confidence_code(client_for: Any) -> None:
    """车间机床操作 is coded 车工 with a confidence well under 0.8 (about 0.4): the form comes back
    with the code filled in and the reason, and saves nothing until the publisher confirms."""
    form = {**_values(title="车间机床操作", description="负责车间日常工作。", occupation_code=""), "kind": "job"}
    asked = client_for("enterprise").post("/market/mine/", form)
    page = asked.content.decode()
    assert asked.status_code == 200 and 'data-testid="occupation-confirm"' in page
    assert 'name="occupation_code" value="6-18-01-01"' in page and "请确认或修改" in page
    assert not Posting.objects.exists()
    confirmed = {**form, "occupation_code": "6-18-01-01", "occupation_confirmed": "1"}
    assert client_for("enterprise").post("/market/mine/", confirmed).status_code == 302
    assert Posting.objects.get().occupation_code == "6-18-01-01"
    # Cleared on purpose: saved as it is (too unsure to code without the publisher).
    cleared = {**form, "title": "车间机床操作岗", "occupation_confirmed": "1"}
    assert client_for("enterprise").post("/market/mine/", cleared).status_code == 302
    assert not Posting.objects.get(title="车间机床操作岗").occupation_code
    # A confident code is saved without asking.
    sure = {**form, "title": "急招电焊工（包头）"}
    assert client_for("enterprise").post("/market/mine/", sure).status_code == 302
    assert Posting.objects.get(title="急招电焊工（包头）").occupation_code == "6-18-02-04"


def test_a_posting_without_an_occupation_is_coded_from_its_title(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    posting = services.posting_create(
        actor=actor_of("enterprise"), owner=world["enterprise"], kind="job",
        **_values(title="急招电焊工（包头）月薪6000-8000 包吃住", occupation_code=""),
    )  # fmt: skip
    assert posting.occupation_code.startswith("6-18-02"), posting.occupation_code  # 焊工 and kin
    assert posting.occupation_confidence is not None and posting.occupation_evidence


def test_a_search_orders_counts_and_facets_its_matches(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    welder = _published(
        actor_of,
        world,
        title="焊工",
        description="焊接钢结构，使用焊条、焊丝",
        occupation_code="6-18-02-04",
        pay_max=9000,
    )
    unpaid = _published(actor_of, world, title="焊工学徒", description="跟师傅学习", pay_min=None, pay_max=None)
    turner = _published(actor_of, world, title="数控车工（焊接件）", description="加工焊接件", pay_max=12000)
    _published(actor_of, world, title="厨师", description="中餐烹饪", occupation_code="4-03-02-01")
    newest = [turner, unpaid, welder]  # published in that order, the last first

    def search(**filters: Any) -> SearchResult:
        return posting_search(actor=PUBLIC, filters=Filters(q="焊", **filters))

    found = search(sort="date")
    assert list(found.postings) == newest and found.count == 3 and not found.capped
    assert {f.value: f.count for f in found.facets["occupation"]} == {"6-18": 3}
    assert list(search(sort="pay").postings) == [turner, welder, unpaid]  # no stated pay last
    if connection.vendor == "postgresql":
        # ts_rank: the posting with the most words that begin with 焊 first.
        assert search().postings[0] == welder
    else:
        assert list(search().postings) == newest  # SQLite: relevance is newest first
    assert search(occupation="4-03").count == 0 and search(occupation="4-03").facets["kind"] == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="day slices are lexemes of PostgreSQL's search vector")
def test_a_frequent_word_reads_recent_days_first_and_widens_when_they_hold_too_few(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    now = timezone.now()
    ages = {"今天焊工": 0, "五个月前焊工": 150, "两年前焊工": 730, "三年前焊工": 1100}
    for title, days in ages.items():
        posting = _published(actor_of, world, title=title)
        Posting.objects.filter(pk=posting.pk).update(published_at=now - dt.timedelta(days=days))
    tsquery = "'焊工':*"

    def titles(limit: int) -> list[str]:
        rows = newest_matches(public_postings(), tsquery, ("title",), limit, now=now)
        return [title for title, _rank in rows]

    assert titles(1) == ["今天焊工"]  # the first days hold enough
    assert titles(2) == ["今天焊工", "五个月前焊工"]  # older slices, each read after the newer
    assert titles(5) == list(ages)  # past two years, the rest of time


def _bulk_postings(world: dict[str, Organisation], ages_and_texts: list[tuple[dt.timedelta, str]]) -> None:
    """Published postings written at once (not through the services: many, and only searched)."""
    now = timezone.now()
    insert_many(
        [
            Posting(
                owner=world["enterprise"], kind="job", status=PostingStatus.PUBLISHED, published_at=now - age,
                search_text=search_text(text), **_values(title=text),
            )
            for age, text in ages_and_texts
        ]
    )  # fmt: skip


def _reference(tsquery: str, facts: list[str], limit: int) -> list[tuple[Any, ...]]:
    """One query over all of time: what the slices must give."""
    within = _VectorSQL("@@", tsquery, facts=facts)
    found = public_postings().filter(within).annotate(search_rank=_VectorSQL("rank", tsquery))
    return list(found.order_by("-published_at", "-pk").values_list("pk", "search_rank")[:limit])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="day slices are lexemes of PostgreSQL's search vector")
def test_slices_find_the_newest_matches_one_query_over_all_time_finds(world: dict[str, Organisation]) -> None:
    """Postings bunched in the last hours, spread over weeks and over years, across the ends of
    days and months: whatever the limit and filters, the slices give the same rows in the same
    order as one query over every match."""
    rng = random.Random(7)
    words = ["焊工", "焊工 数控", "数控 车工", "电工", "护理 学徒"]
    ages = [dt.timedelta(minutes=rng.randrange(0, 600)) for _ in range(60)]
    ages += [dt.timedelta(hours=rng.randrange(0, 24 * 60)) for _ in range(150)]
    ages += [dt.timedelta(days=rng.randrange(0, 1500), seconds=rng.randrange(86400)) for _ in range(150)]
    _bulk_postings(world, [(age, rng.choice(words)) for age in ages])
    for word in ("焊工", "数控", "车工", "护理"):
        tsquery = f"'{word}'"
        for facts in ([], ["_kjob"], ["_r1502"]):
            for limit in (1, 5, 40, 150, 2001):
                found = newest_matches(public_postings(), tsquery, ("pk",), limit, facts=facts)
                assert found == _reference(tsquery, facts, limit), (word, facts, limit)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="day slices are lexemes of PostgreSQL's search vector")
def test_a_frequent_word_reads_about_as_many_rows_as_it_keeps(world: dict[str, Organisation]) -> None:
    """Three hundred postings of one word in the last 25 days, forty wanted: the rows read through
    the word index stay near forty (the last three months, read at once, held all three hundred).
    Twelve a day: the first two days hold 13 to 24 of them, whatever the time of day, and the next
    slice, sized from that rate, 24 to 72."""
    _bulk_postings(world, [(dt.timedelta(hours=2 * n), "焊工") for n in range(300)])

    def fetched() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0) FROM pg_stat_xact_user_tables"
                " WHERE relname = 'market_posting'"
            )
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    with connection.cursor() as cursor:
        # The plan a word of a few percent gets among a million postings (the word index, then the
        # rows it found), which a table this small would not get by itself.
        cursor.execute("ANALYZE market_posting")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    before = fetched()
    found = newest_matches(public_postings(), "'焊工'", ("pk",), 40)
    assert len(found) == 40
    assert fetched() - before <= 100


def test_filters_mean_the_same_with_or_without_words(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    _published(actor_of, world, title="焊工", occupation_code="6-18-02-04", region_code="150102", pay_max=9000)
    _published(actor_of, world, title="焊工学徒", pay_min=None, pay_max=None, level="中级工")
    _published(actor_of, world, title="数控焊工", region_code="150203", pay_max=12000)
    cases = [
        Filters(kind="job"), Filters(kind="internship"), Filters(region="150100"), Filters(region="150203"),
        Filters(occupation="6-18-02"), Filters(industry="C"), Filters(level="中级工"), Filters(pay_min=10000),
        Filters(pay_min=0), Filters(region="150200", occupation="6-18", pay_min=5000),
    ]  # fmt: skip
    for filters in cases:
        indexed = set(apply_filters(public_postings(), filters, indexed=True))
        assert indexed == set(apply_filters(public_postings(), filters, indexed=False)), filters
        # And a search with a word gives those of them that have it.
        words = set(posting_search(actor=PUBLIC, filters=replace(filters, q="焊工")).postings)
        assert words == {p for p in indexed if "焊工" in p.title}, filters


def test_a_word_search_pages_through_its_matches_page_and_api(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    postings = [_published(actor_of, world, title=f"焊工第{n}岗") for n in range(23)]
    client = client_for("anonymous")
    first = client.get("/market/", {"q": "焊工", "sort": "date"}).content.decode()
    second = client.get("/market/", {"q": "焊工", "sort": "date", "page": "2"}).content.decode()
    # Newest first: the last three published are on the second page (titles are highlighted).
    assert "共 23 条" in first and "第22岗" in first and "第2岗" not in first
    assert "第2岗" in second and "第0岗" in second and "第22岗" not in second
    answer = client.get("/api/v1/market/postings", {"q": "焊工", "sort": "date", "offset": 20, "limit": 10}).json()
    assert answer["count"] == 23
    assert [p["id"] for p in answer["results"]] == [p.pk for p in reversed(postings[:3])]


def test_industries_are_grouped_and_filtered_by_their_section(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    # 3421 (金属切削机床制造) and 3491 (工业机器人制造) are manufacturing, section C; 5431 (普通货物道路运输) is G.
    machine = _published(actor_of, world, title="焊工", industry_code="3421")
    frames = _published(actor_of, world, title="焊工助理", industry_code="3491")
    bus = _published(actor_of, world, title="焊工（公交维修）", industry_code="5431")

    def search(**filters: Any) -> SearchResult:
        return posting_search(actor=PUBLIC, filters=Filters(q="焊工", **filters))

    assert {f.value: f.count for f in search().facets["industry"]} == {"C": 2, "G": 1}
    assert set(search(industry="C").postings) == {machine, frames}
    assert set(search(industry="G").postings) == {bus}
    assert set(search(industry="3421").postings) == {machine}  # a class still filters by its own code


def test_the_section_table_follows_the_reference_file(raw_refdata: Path) -> None:
    import csv

    from gongjiang.market.search import industry_section

    with (raw_refdata / "gbt4754-2017" / "gbt4754_2017_flat.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(industry_section(row["code"]) == row["section"] for row in rows)


def test_pinyin_or_a_homophone_finds_the_occupation_it_spells(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    _published(actor_of, world, title="焊工", description="焊接钢结构", occupation_code="6-18-02-04")
    client = client_for("anonymous")
    for typed in ("hangong", "焊功"):
        page = client.get("/market/", {"q": typed}).content.decode()
        assert 'data-testid="searched-instead"' in page and "共 1 条" in page, typed
        assert "<mark>焊工</mark>" in page
    # Words that spell nothing known stay as they are: no results, no substitute.
    nothing = client.get("/market/", {"q": "xyzxyz"}).content.decode()
    assert "共 0 条" in nothing and 'data-testid="searched-instead"' not in nothing


def test_ordinary_words_typed_in_pinyin_are_searched_as_the_words_they_spell(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    _published(actor_of, world, title="数控铣工", description="数控铣床操作", occupation_code="6-18-01-02")
    client = client_for("anonymous")
    page = client.get("/market/", {"q": "shukong"}).content.decode()
    assert 'data-testid="searched-instead"' in page and "共 1 条" in page and "“数控”" in page
    # A word learnt from a posting's own text, as soon as the posting is published.
    assert "共 0 条" in client.get("/market/", {"q": "qixiu"}).content.decode()
    _published(actor_of, world, title="汽修学徒", description="汽修门店招学徒", occupation_code="4-12-01-01")
    spelled = client.get("/market/", {"q": "qixiu"}).content.decode()
    assert 'data-testid="searched-instead"' in spelled and "共 1 条" in spelled
    # Two words, each spelled; a part that spells nothing known leaves the query as it is.
    assert "共 1 条" in client.get("/market/", {"q": "ShuKong xiGong"}).content.decode()
    assert "共 0 条" in client.get("/market/", {"q": "shukong xyzq"}).content.decode()


def test_words_no_posting_holds_together_are_searched_alone_and_said(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    _published(actor_of, world, title="数控铣工", description="数控铣床操作", occupation_code="6-18-01-02")
    _published(actor_of, world, title="数控机床维修", description="数控设备维修", occupation_code="6-31-01-03")
    _published(actor_of, world, title="焊工", description="焊接钢结构", occupation_code="6-18-02-04")
    client = client_for("anonymous")
    page = client.get("/market/", {"q": "数控 车工"}).content.decode()
    # 车工 alone finds nothing, 数控 alone two: those are shown, and the page says so.
    assert 'data-testid="searched-instead"' in page and "共 2 条" in page and "“数控”的结果" in page
    both = client.get("/market/", {"q": "数控 铣工"}).content.decode()
    assert "共 1 条" in both and 'data-testid="searched-instead"' not in both


def test_the_search_vector_groups_industries_by_the_same_sections() -> None:
    import importlib

    from gongjiang.market.search import SECTION_DIVISIONS

    migration = importlib.import_module("gongjiang.market.migrations.0009_industry_section_lexeme")
    for letter, divisions in SECTION_DIVISIONS.items():
        assert f"BETWEEN {divisions.start} AND {divisions.stop - 1} THEN '{letter}'" in migration.SECTION


def test_an_enterprise_keeps_its_profile_from_the_page(client_for: Any, world: dict[str, Organisation]) -> None:
    client = client_for("enterprise")
    form = {"industry_code": "C", "size": "small", "contact_name": "李经理", "contact_phone": "abc"}
    refused = client.post("/market/profile/", form).content.decode()
    assert "联系电话“abc”不是有效的手机或固定电话号码" in refused
    assert not EnterpriseProfile.objects.filter(organisation=world["enterprise"]).exists()
    assert client.post("/market/profile/", {**form, "contact_phone": "0472 512 3456"}).status_code == 302
    profile = EnterpriseProfile.objects.get(organisation=world["enterprise"])
    assert (profile.contact_phone, profile.size) == ("04725123456", "small")
    # A save based on the version before someone else's is refused.
    stale = client.post("/market/profile/", {**form, "contact_phone": "13912345678", "version": "0"})
    assert "已被他人修改" in stale.content.decode()
    assert client.post("/market/profile/", {**form, "contact_phone": "400-800-1234", "version": "1"}).status_code == 302
