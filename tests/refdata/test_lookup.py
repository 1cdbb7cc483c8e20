from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjiang.refdata.models import Scheme
from gongjiang.refdata.pinyin import pinyin_of
from gongjiang.refdata.selectors import (
    ancestors,
    concept_get,
    concept_search,
    crosswalk_sources,
    crosswalk_targets,
    major_class_levels,
    remembered_lookups,
)
from gongjiang.refdata.text import dictionary_words, tokenizer


def names(found: list) -> list[str]:  # type: ignore[type-arg]
    return [c.name for c in found]


def test_pinyin_full_and_initials() -> None:
    assert pinyin_of("养老护理员") == ("yanglaohuliyuan", "ylhly")
    assert pinyin_of("3D打印") == ("3ddayin", "3ddy")


@pytest.mark.parametrize(
    ("scheme", "query", "expected"),
    [
        (Scheme.OCCUPATION, "6-18-01-01", "车工"),  # code
        (Scheme.OCCUPATION, "养老护理", "养老护理员"),  # part of the name
        (Scheme.OCCUPATION, "汽修工", "汽车维修工"),  # alias
        (Scheme.OCCUPATION, "ylhly", "养老护理员"),  # pinyin initials
        (Scheme.OCCUPATION, "YLHLY", "养老护理员"),  # initials in capitals
        (Scheme.OCCUPATION, "yanglao", "养老护理员"),  # full pinyin prefix
        (Scheme.REGION, "昆都仑", "昆都仑区"),
        (Scheme.REGION, "1502", "包头市"),
        (Scheme.MAJOR, "数控", "数控加工（数控车工）"),
        (Scheme.INDUSTRY, "3421", "金属切削机床制造"),
        (Scheme.OCCUPATION, "６－１８－０１－０１", "车工"),  # full-width as pasted
    ],
)
def test_lookup_by_code_name_alias_and_pinyin(db: None, scheme: Scheme, query: str, expected: str) -> None:
    assert names(concept_search(scheme, query))[0] == expected


def test_lookup_of_nonsense_or_huge_queries_finds_nothing_quietly(db: None) -> None:
    assert concept_search(Scheme.OCCUPATION, "@@@###") == []
    assert concept_search(Scheme.OCCUPATION, "车" * 10_000) == []


def test_hierarchy_and_crosswalks(db: None) -> None:
    lathe = concept_get(Scheme.OCCUPATION, "6-18-01-01")
    assert lathe is not None
    assert [a.code for a in ancestors(lathe)] == ["6-00-00-00", "6-18-00-00", "6-18-01-00"]
    assert "6-18-01-01" in crosswalk_targets(Scheme.MAJOR_OCCUPATION, "0101")
    assert "0101" in crosswalk_sources(Scheme.MAJOR_OCCUPATION, "6-18-01-01")
    assert "3421" in crosswalk_targets(Scheme.OCCUPATION_INDUSTRY, "6-18-01-01")
    assert major_class_levels("0111") == ["senior", "preparatory_technician"]


def test_jieba_user_dictionary_keeps_domain_words_whole(db: None) -> None:
    words = dict(dictionary_words())
    assert words["养老护理员"] == "occ"
    assert words["工业机器人系统操作员"] == "occ"
    tk = tokenizer()
    assert "工业机器人系统操作员" in tk.lcut("招聘工业机器人系统操作员两名")
    assert "养老护理员" in tk.lcut("急招养老护理员包吃住")


def test_lookups_are_remembered_only_inside_the_block(db: None) -> None:
    with CaptureQueriesContext(connection) as outside:
        assert concept_get(Scheme.OCCUPATION, "6-18-01-01") == concept_get(Scheme.OCCUPATION, "6-18-01-01")
    with remembered_lookups(), CaptureQueriesContext(connection) as inside:
        first = concept_get(Scheme.OCCUPATION, "6-18-01-01")
        assert first is not None and first.name == "车工"
        assert concept_get(Scheme.OCCUPATION, "6-18-01-01") is first
        assert concept_get(Scheme.OCCUPATION, "9-99-99-99") is None
        assert concept_get(Scheme.OCCUPATION, "9-99-99-99") is None  # an unknown code is remembered too
    assert len(outside.captured_queries) == 2 and len(inside.captured_queries) == 2


def test_an_id_region_outside_the_demo_subset_passes_only_while_the_subset_is_loaded(db: None) -> None:
    """A student born in 石家庄 (130102) or in a Baotou district the subset leaves out (150206)
    is real; a made-up province (99) or a province-level code is not. With the full tables
    loaded (no longer a demo subset), every code is checked against them."""
    from gongjiang.refdata.models import CatalogueVersion
    from gongjiang.refdata.selectors import id_region_valid, region_ever_existed

    assert id_region_valid("150203")  # in the subset
    assert id_region_valid("130102") and id_region_valid("150206")
    assert not id_region_valid("990101") and not id_region_valid("130000")
    assert not region_ever_existed("130102")  # a scope or an organisation must be in the tables
    CatalogueVersion.objects.filter(scheme=Scheme.REGION).update(demo_subset=False)
    assert id_region_valid("150203") and not id_region_valid("130102")
