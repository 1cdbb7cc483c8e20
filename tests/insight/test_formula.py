"""The formula language: what parses, what is refused (with the problem and its position), and
how values combine; and the catalogue file's checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongjiang.insight.catalogue import CatalogueError, catalogue, indicator_from_entry, load_catalogue
from gongjiang.insight.facts import SCHEMAS
from gongjiang.insight.formula import FormulaError, evaluate, parse


@pytest.mark.parametrize(
    "text",
    [
        'count(graduates where destination in ("employed", "self_employed") and form = "full_time")',
        "mean(graduates.monthly_pay where working and monthly_pay is not null)",
        "sum(majors.full_time_students) / count(majors)",
        "(count(students where advanced) + 1) * 100 / (count(students) - -1)",
        'count(students where not (form != "full_time") or class_level not in ("senior"))',
        "count(teachers where practice_months >= 6.5 and practice_months * 2 < 100)",
        "count_distinct(majors.major_code where cooperating = true)",
        "max(graduates.monthly_pay) - min(graduates.monthly_pay)",
        'count(students WHERE new AND form = "full_time")',
    ],
)
def test_formulas_that_parse(text: str) -> None:
    formula = parse(text, SCHEMAS)
    assert formula.aggregates()
    assert formula.facts <= set(SCHEMAS)


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("count(graduates where destination = 3)", "不能用 = 比较文本和整数", 23),
        ("count(gradz)", "没有名为 gradz 的事实表", 7),
        ("sum(graduates.form)", "sum 只能汇总数值字段，form 是文本", 5),
        ("count(graduates where nope = 1)", "事实表 graduates 没有字段 nope", 23),
        ("count(graduates where", "此处不应出现 公式结尾", None),
        ("count(graduates where form)", "这里需要一个条件", 23),
        ("count(graduates where monthly_pay / form > 1)", "运算 / 只能用于数值，这里是文本", 37),
        ("count(graduates) # 3", "无法识别的字符 '#'", 18),
        ("mean(graduates)", "mean 需要写明字段", 1),
        ("count(graduates) / form", "此处不应出现 'form'", 20),
        ("count(graduates where in_field > true)", "是否字段不能比较大小", 23),
        ("count(graduates where destination in (form))", "in 后的括号里只能写常量", 39),
    ],
)
def test_formulas_that_are_refused_say_what_and_where(text: str, message: str, column: int | None) -> None:
    with pytest.raises(FormulaError) as caught:
        parse(text, SCHEMAS)
    assert message in caught.value.message
    assert caught.value.line == 1
    if column is not None:
        assert caught.value.column == column
    assert str(caught.value).startswith("第 1 行第")


def test_a_formula_is_never_evaluated_as_python() -> None:
    for text in ['__import__("os").system("true")', "count(students.__class__)", "open('x')"]:
        with pytest.raises(FormulaError):
            parse(text, SCHEMAS)


def test_nulls_and_division_by_zero_give_null() -> None:
    formula = parse("count(graduates where working) / count(graduates) * 100", SCHEMAS)
    working, every = formula.aggregates()
    assert evaluate(formula.tree, {working: 3, every: 4}) == 75.0
    assert evaluate(formula.tree, {working: 0, every: 0}) is None
    mean = parse("mean(graduates.monthly_pay)", SCHEMAS)
    assert evaluate(mean.tree, {mean.aggregates()[0]: None}) is None


def test_the_shipped_catalogue() -> None:
    every = catalogue()
    assert len(every) >= 30
    for indicator in every.values():
        assert indicator.name_zh and indicator.name_en and indicator.source and indicator.description
        assert "year" in indicator.disaggregations
    for code in ("employment_rate", "in_field_employment_rate", "pay_six_months", "further_study_rate",
                 "dual_certificate_rate", "advanced_class_share", "training_to_students_ratio", "dual_qualified_share",
                 "enterprise_practice_compliance", "student_teacher_ratio", "cooperation_major_share",
                 "internship_insurance_coverage", "internship_fee_violations", "apprenticeships_started",
                 "setting_standard_compliance", "data_completeness"):  # fmt: skip
        assert code in every, code


ENTRY = {
    "code": "x",
    "name_zh": "某指标",
    "name_en": "Some indicator",
    "numerator": "count(postings)",
    "unit": "count",
    "direction": "higher",
    "source": "测试",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"numerator": "count(postings where kind = 1)"}, "指标 x 的 numerator：第 1 行第 22 列"),
        ({"unit": "km"}, "单位 km"),
        ({"direction": "up"}, "方向"),
        ({"disaggregations": ["year", "school"]}, "不能按 school 分组：事实表 postings 没有这个维度"),
        ({"disaggregations": ["colour"]}, "未知的分组维度 colour"),
        ({"source": ""}, "缺少 source"),
    ],
)
def test_catalogue_entries_that_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        indicator_from_entry({**ENTRY, **change})
    assert message in str(caught.value)


def test_a_code_twice_is_refused(tmp_path: Path) -> None:
    entry = "\n".join(f"{k} = {v!r}" for k, v in ENTRY.items())
    path = tmp_path / "c.toml"
    path.write_text(f"[[indicator]]\n{entry}\n\n[[indicator]]\n{entry}\n".replace("'", '"'), encoding="utf-8")
    with pytest.raises(CatalogueError, match="重复"):
        load_catalogue(path)


def test_the_guide_shows_the_catalogue_and_every_fact() -> None:
    from gongjiang.insight.catalogue import catalogue_markdown

    root = Path(__file__).resolve().parents[2] / "docs" / "guide"
    assert (root / "indicators.md").read_text(encoding="utf-8") == catalogue_markdown(), (
        "regenerate: gongjiang indicators --catalogue > docs/guide/indicators.md"
    )
    formulas = (root / "indicator-formulas.md").read_text(encoding="utf-8")
    for name, schema in SCHEMAS.items():
        assert f"`{name}`" in formulas
        for field in schema.fields:
            assert f"`{field}`" in formulas, (name, field)


def _schools_meeting(rows: list[dict[str, object]]) -> int:
    """The setting-standard indicator's numerator over hand-made school rows, on DuckDB in memory."""
    import ibis

    from gongjiang.insight.formula import compile_aggregate

    indicator = catalogue()["setting_standard_compliance"]
    (aggregate,) = indicator.numerator.aggregates()
    columns = SCHEMAS["schools"].fields
    table = ibis.memtable(
        {name: [row.get(name) for row in rows] for name in columns},
        schema={name: {"int": "int64", "float": "float64", "string": "string"}[kind] for name, kind in columns.items()},
    )
    backend = ibis.duckdb.connect()
    return int(backend.execute(table.aggregate(n=compile_aggregate(aggregate, table)))["n"][0])


@pytest.mark.parametrize(
    ("tier", "at_threshold"),
    [
        ("technical_school", {"full_time_students": 800, "land_area_m2": 30000, "floor_area_m2": 18000,
                              "equipment_value_wan": 300}),
        ("senior_school", {"full_time_students": 1200, "land_area_m2": 66000, "floor_area_m2": 30000,
                           "equipment_value_wan": 1000}),
        ("technician_college", {"full_time_students": 3000, "advanced_students": 1800, "land_area_m2": 66700,
                                "floor_area_m2": 50000, "equipment_value_wan": 3000}),
    ],
)  # fmt: skip
def test_a_school_at_each_threshold_meets_its_tier_standard_and_one_short_of_any_does_not(
    tier: str, at_threshold: dict[str, float]
) -> None:
    base: dict[str, object] = {"year": 2025, "tier": tier, "advanced_students": 0, "books": 0, **at_threshold}
    assert _schools_meeting([base]) == 1  # books are not judged: the standards set no number of them
    for field, value in at_threshold.items():
        short = {**base, field: value - 1}
        assert _schools_meeting([short]) == 0, field
    # A school whose conditions are not filled in does not meet the standard.
    assert _schools_meeting([{**base, "land_area_m2": None}]) == 0
    # The thresholds are those of the school's own tier: a 技工学校's figures do not make a 技师学院.
    if tier != "technical_school":
        small = {"year": 2025, "tier": tier, "full_time_students": 800, "advanced_students": 800,
                 "land_area_m2": 30000, "floor_area_m2": 18000, "equipment_value_wan": 300}  # fmt: skip
        assert _schools_meeting([small]) == 0
