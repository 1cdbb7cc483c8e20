"""Targets as records: who may set them, what is refused (naming the field), how a status is
judged, and which targets a school sees."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjiang.core.actors import Actor
from gongjiang.core.models import AuditEntry
from gongjiang.directory.models import Organisation, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.insight import selectors, services
from gongjiang.insight.compute import Scope
from gongjiang.insight.engines import DatabaseEngine
from gongjiang.insight.models import KeyIndustry, Target
from tests.conftest import PERSONA_USERS

GOOD: dict[str, Any] = {
    "indicator_code": "employment_rate",
    "scope_kind": "region",
    "scope_code": "150000",
    "from_year": 2021,
    "to_year": 2025,
    "comparator": "ge",
    "value": "97",
    "tolerance": "2",
    "level": "provincial",
    "source": "DOMAIN.md：内蒙古就业率不低于 97%",
}


@pytest.fixture
def actor_of(db: None) -> Callable[[str], Actor]:
    return lambda persona: actor_for_user(User.objects.get(username=PERSONA_USERS[persona]))


def test_a_bureau_sets_edits_and_withdraws_a_target_with_history(actor_of: Callable[[str], Actor]) -> None:
    bureau = actor_of("bureau")
    target = services.target_create(actor=bureau, **GOOD)
    assert target.scope_region_code == "150000"
    changed = services.target_update(actor=bureau, target=target, expected_version=1, value="98")
    assert changed.value == Decimal("98") and changed.version == 2
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.target_update(actor=bureau, target=target, expected_version=1, value="99")
    services.target_withdraw(actor=bureau, target=changed)
    assert Target.objects.get(pk=target.pk).withdrawn_on is not None
    actions = list(
        AuditEntry.objects.filter(entity_type="insight.target", entity_id=str(target.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["target.create", "target.update", "target.withdraw"]
    update = AuditEntry.objects.get(entity_id=str(target.pk), action="target.update")
    assert update.before["value"] == "97.0000" and update.after["value"] == "98.0000"
    with pytest.raises(ValidationError, match="已撤销"):
        services.target_update(actor=bureau, target=changed, expected_version=2, value="90")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"indicator_code": "happiness"}, "indicator_code", "指标目录中没有 happiness"),
        ({"scope_code": "159999"}, "scope_code", "没有行政区划代码 159999"),
        ({"scope_kind": "school", "scope_code": "NOPE"}, "scope_code", "没有代码为 NOPE 的学校"),
        ({"to_year": 2020}, "to_year", "截止年度不能早于起始年度"),
        ({"comparator": "range"}, "value_high", "必须填写"),
        ({"comparator": "range", "value_high": "90"}, "value_high", "区间上限不能小于目标值"),
        ({"value": "九十七"}, "value", "应为数字"),
        ({"tolerance": "-1"}, "tolerance", "容差不能为负数"),
        ({"level": ""}, "level", "请选择目标层级"),
        ({"source": " "}, "source", "请写明目标的依据"),
        ({"from_year": "今年"}, "from_year", "应为四位年份"),
        ({"from_year": "25"}, "from_year", "应在 1949 至 2100 年之间，而不是 25"),
        ({"from_year": "1900"}, "from_year", "应在 1949 至 2100 年之间"),
        ({"value": "150"}, "value", "百分比，不能超过 100"),
        ({"indicator_code": "dropout_rate", "comparator": "le", "value": "-5"}, "value", "不能为负数"),
        ({"baseline": "-1"}, "baseline", "不能为负数"),
    ],
)
def test_bad_targets_are_refused_naming_the_field(
    actor_of: Callable[[str], Actor], change: dict[str, Any], field: str, message: str
) -> None:
    before = Target.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.target_create(actor=actor_of("bureau"), **{**GOOD, **change})
    assert field in caught.value.message_dict
    assert message in " ".join(caught.value.message_dict[field])
    assert Target.objects.count() == before


def test_a_second_target_of_the_same_level_scope_and_years_is_refused(actor_of: Callable[[str], Actor]) -> None:
    bureau = actor_of("bureau")
    first = services.target_create(actor=bureau, **GOOD)
    with pytest.raises(ValidationError, match="已有一条同层级的目标（2021—2025 年，不低于"):
        services.target_create(actor=bureau, **{**GOOD, "value": "90", "from_year": 2025, "to_year": 2027})
    # Another level, or years that do not meet, may stand beside it; editing the first is no clash.
    services.target_create(actor=bureau, **{**GOOD, "level": "national", "value": "90"})
    services.target_create(actor=bureau, **{**GOOD, "from_year": 2026, "to_year": 2030})
    services.target_update(actor=bureau, target=first, expected_version=first.version, value="95")
    services.target_withdraw(actor=bureau, target=first)
    services.target_create(actor=bureau, **{**GOOD, "value": "96"})  # the first no longer stands


def test_only_a_bureau_over_the_scope_sets_a_target(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    with pytest.raises(PermissionDenied):  # the city bureau of 150400 over the province
        services.target_create(actor=actor_of("bureau_other"), **GOOD)
    with pytest.raises(PermissionDenied):
        services.target_create(
            actor=actor_of("school"), **{**GOOD, "scope_kind": "school", "scope_code": world["school"].code}
        )
    services.target_create(actor=actor_of("bureau_other"), **{**GOOD, "scope_code": "150400", "level": "city"})


@pytest.mark.parametrize(
    ("comparator", "value", "high", "tolerance", "figure", "status"),
    [
        ("ge", "97", None, "2", 97.0, "achieved"),
        ("ge", "97", None, "2", 95.5, "near"),
        ("ge", "97", None, "2", 94.9, "missed"),
        ("le", "20", None, "1", 20.5, "near"),
        ("le", "20", None, "0", 20.5, "missed"),
        ("range", "1", "2", "0.1", 2.05, "near"),
        ("range", "1", "2", "0.1", 1.5, "achieved"),
        ("ge", "97", None, "2", None, "no_data"),
    ],
)
def test_status(
    comparator: str, value: str, high: str | None, tolerance: str, figure: float | None, status: str
) -> None:
    target = Target(
        comparator=comparator,
        value=Decimal(value),
        value_high=Decimal(high) if high else None,
        tolerance=Decimal(tolerance),
    )
    assert selectors.target_status(target, figure) == status


def test_a_school_sees_its_own_and_its_regions_targets_but_not_anothers(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    bureau = actor_of("bureau")
    school, other = world["school"], world["school2"]
    province = services.target_create(actor=bureau, **GOOD)
    own = services.target_create(actor=bureau, **{**GOOD, "scope_kind": "school", "scope_code": school.code})
    theirs = services.target_create(actor=bureau, **{**GOOD, "scope_kind": "school", "scope_code": other.code})
    seen = set(selectors.target_list(actor=actor_of("school")))
    assert province in seen and own in seen and theirs not in seen
    checks = selectors.target_checks(actor=actor_of("school"), engine=DatabaseEngine(), year=2025)
    assert {c.target for c in checks} == {province, own}
    # The province's target is judged on the province's figure, the school's on the school's.
    assert all(c.status == "no_data" for c in checks)  # the plain world has no graduates
    with pytest.raises(Exception, match="无权"):
        selectors.target_checks(
            actor=actor_of("school"), engine=DatabaseEngine(), year=2025, scope=Scope("school", other.code)
        )


def test_key_industries(actor_of: Callable[[str], Actor]) -> None:
    bureau = actor_of("bureau")
    key = services.key_industry_add(actor=bureau, industry_code="c", note="制造业")
    assert key.industry_code == "C" and key.region_code == "150000"
    with pytest.raises(ValidationError, match="已在重点产业名单中"):
        services.key_industry_add(actor=bureau, industry_code="C")
    with pytest.raises(ValidationError, match="国民经济行业分类中没有代码 ZZ"):
        services.key_industry_add(actor=bureau, industry_code="ZZ")
    with pytest.raises(PermissionDenied):
        services.key_industry_add(actor=actor_of("school"), industry_code="34")
    assert selectors.key_industries_for(actor=bureau, scope=Scope("region", "150203")) == [key]
    services.key_industry_remove(actor=bureau, key=key)
    assert not KeyIndustry.objects.exists()


def test_the_snapshot_knows_when_the_register_has_changed(actor_of: Callable[[str], Actor], tmp_path: Any) -> None:
    from gongjiang.insight.engines import DuckDBEngine, build_snapshot

    engine = DuckDBEngine(build_snapshot(tmp_path / "s.duckdb"))
    try:
        assert engine.is_current()
        services.key_industry_add(actor=actor_of("bureau"), industry_code="34")
        assert not engine.is_current()
    finally:
        engine.close()


def test_the_demo_enters_the_plan_targets_as_the_bureau(actor_of: Callable[[str], Actor]) -> None:
    from gongjiang.demo.generator import set_demo_targets

    assert set_demo_targets(bureau=actor_of("bureau")) == 3
    kept = {(t.indicator_code, t.scope_code, t.level, t.value) for t in Target.objects.all()}
    assert ("employment_rate", "150000", "provincial", Decimal("97")) in kept
    assert ("employment_rate", "150200", "city", Decimal("95")) in kept  # a city's beside the province's
    assert AuditEntry.objects.filter(action="target.create").count() == 3
