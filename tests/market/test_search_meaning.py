"""Search by meaning: a query word reaches the occupations the catalogue gives it (电焊 finds 焊工
postings), a word shares no meaning with another because they share a character (护理 is not
烹调), and the words of a kind (实习, 学徒, 招聘) put postings of that kind first. Measured on a
set of queries with the postings each must and must not find."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from gongjiang.core import clock
from gongjiang.core.actors import PUBLIC, Actor
from gongjiang.directory.models import Organisation
from gongjiang.market import services
from gongjiang.market.selectors import Filters, posting_search

# title, kind, occupation code ("" leaves it to the coder), description
POSTINGS = [
    ("招聘焊工", "job", "6-18-02-04", "二氧化碳气体保护焊，持焊工证上岗。"),
    ("氩弧焊师傅", "job", "", "不锈钢管道氩弧焊，有经验者优先。"),
    ("焊工学徒", "apprenticeship", "6-18-02-04", "企业新型学徒制，师傅带教，考取焊工证书。"),
    ("维修电工", "job", "6-31-01-03", "负责车间配电和电气设备维修，电工证。"),
    ("中式烹调师", "job", "4-03-02-01", "负责川菜炒锅，熟悉烹调技法，理解菜品成本。"),
    ("厨房帮工", "job", "", "协助厨师切配，清洁厨房。"),
    ("养老护理员", "job", "4-10-01-05", "照料院内老人起居，协助康复训练。"),
    ("护工（医院）", "job", "", "病区陪护，协助护士。"),
    ("数控车工实习", "internship", "6-18-01-01", "数控车床操作，学校推荐的毕业班学生。"),
    ("数控车工实习期", "job", "6-18-01-01", "实习期满转正。实习生、实习学生欢迎，实习补贴，实习实习。"),
    ("电工岗位实习", "internship", "6-31-01-03", "配电房巡检，带教师傅指导。"),
    ("车间跟岗见习", "internship", "", "跟岗见习，带教师傅指导。"),
]

# query → (titles it must find, titles it must not find, the kind its first results must be)
EXPECTED: dict[str, tuple[set[str], set[str], str]] = {
    "电焊": ({"招聘焊工", "氩弧焊师傅", "焊工学徒"}, {"维修电工", "电工岗位实习", "中式烹调师"}, ""),
    "焊工": ({"招聘焊工", "氩弧焊师傅", "焊工学徒"}, {"维修电工"}, ""),
    "护理": ({"养老护理员", "护工（医院）"}, {"中式烹调师", "厨房帮工"}, ""),
    "烹调": ({"中式烹调师", "厨房帮工"}, {"养老护理员", "护工（医院）"}, ""),
    "厨师": ({"中式烹调师", "厨房帮工"}, {"养老护理员"}, ""),
    "实习": ({"数控车工实习", "电工岗位实习", "车间跟岗见习"}, {"招聘焊工", "养老护理员"}, "internship"),
    "学徒": ({"焊工学徒"}, {"维修电工", "中式烹调师"}, "apprenticeship"),
    "电工 实习": ({"电工岗位实习"}, {"数控车工实习", "招聘焊工"}, "internship"),
}


def _publish(actor_of: Callable[[str], Actor], world: dict[str, Organisation]) -> None:
    deadline = clock.today() + dt.timedelta(days=30)
    for title, kind, code, description in POSTINGS:
        posting = services.posting_create(
            actor=actor_of("enterprise"), owner=world["enterprise"], kind=kind, title=title,
            description=description, occupation_code=code, region_code="150203", deadline=deadline,
            starts_on=clock.today() + dt.timedelta(days=40) if kind != "job" else None,
            ends_on=clock.today() + dt.timedelta(days=200) if kind != "job" else None,
        )  # fmt: skip
        services.posting_moderate(actor=actor_of("bureau"), posting=posting, publish=True)


def _titles(q: str) -> list[str]:
    found = posting_search(actor=PUBLIC, filters=Filters(q=q))
    return [p.title for p in found.postings]


@pytest.mark.django_db
def test_queries_find_what_they_mean_and_nothing_they_do_not(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    _publish(actor_of, world)
    kinds = {title: kind for title, kind, _code, _d in POSTINGS}
    misses: list[str] = []
    found_relevant = wanted = wrong = 0
    for q, (relevant, irrelevant, first_kind) in EXPECTED.items():
        titles = _titles(q)
        found_relevant += len(relevant & set(titles))
        wanted += len(relevant)
        wrong += len(irrelevant & set(titles))
        if not relevant <= set(titles) or irrelevant & set(titles):
            misses.append(f"{q}: found {titles}")
        if first_kind:
            firsts = [kinds[t] for t in titles[: len([t for t in titles if kinds[t] == first_kind])]]
            if set(firsts) != {first_kind}:
                misses.append(f"{q}: {first_kind} not first in {titles}")
    # Recall over the relevant postings of every query, and no irrelevant one found.
    assert (found_relevant, wrong) == (wanted, 0), misses
    assert not misses, misses
