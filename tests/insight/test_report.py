"""The annual quality report: its sentences worked out by hand, and the page and Word file made
from the generated region's register."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from gongjiang.insight.catalogue import catalogue
from gongjiang.insight.compute import IndicatorValue
from gongjiang.insight.models import Target
from gongjiang.insight.report import Chapter, Line, change_words
from gongjiang.insight.selectors import TargetCheck, target_goal


def _value(code: str, year: int, value: float | None) -> IndicatorValue:
    status = "ok" if value is not None else "no_data"
    return IndicatorValue(code, year, "all", value, value, None, catalogue()[code].unit, status)  # type: ignore[arg-type]


def test_changes_are_said_in_points_for_shares_and_in_per_cent_for_counts() -> None:
    rate, count = catalogue()["employment_rate"], catalogue()["graduates"]
    assert change_words(rate, 91.9, 89.8) == "比上年提高 2.1 个百分点"
    assert change_words(rate, 88.0, 90.0) == "比上年下降 2.0 个百分点"
    assert change_words(rate, 90.02, 90.0) == "与上年持平"
    assert change_words(count, 110, 100) == "比上年增长 10.0%"
    assert change_words(count, 90, 100) == "比上年减少 10.0%"
    assert change_words(count, 100, 100) == "与上年持平"
    # No year before, or nothing the year before: no change is said.
    assert change_words(count, 100, None) == "" and change_words(count, 5, 0) == ""
    # Two figures written alike are not a change, whatever their digits beyond those shown.
    assert change_words(rate, 91.94, 91.86) == "与上年持平"
    assert change_words(count, 5345.4, 5344.6) == "与上年持平"


def test_a_year_before_recorded_only_in_part_is_shown_but_not_compared() -> None:
    graduates = catalogue()["graduates"]
    line = Line(graduates, _value("graduates", 2025, 5345.0), _value("graduates", 2024, 283.0), [], before_whole=False)
    assert line.shown_before == "283"
    assert line.sentence == "毕业生人数 5,345，上年记录不完整，不作比较"
    assert line.judged == "" and line.before_incomplete
    # Nothing the year before: nothing to call incomplete either.
    empty = Line(graduates, _value("graduates", 2025, 5345.0), _value("graduates", 2024, None), [], before_whole=False)
    assert empty.sentence == "毕业生人数 5,345" and not empty.before_incomplete


def test_a_line_says_its_figure_change_and_targets_and_a_chapter_names_what_has_no_data() -> None:
    rate, pay = catalogue()["employment_rate"], catalogue()["pay_six_months"]
    target = Target(indicator_code="employment_rate", comparator="ge", value=Decimal("97"), level="provincial")
    check = TargetCheck(target=target, year=2025, value=91.9, status="missed")
    line = Line(rate, _value(rate.code, 2025, 91.9), _value(rate.code, 2024, 89.8), [check])
    # A target is written with its indicator's unit.
    assert target_goal(target) == "不低于 97%"
    assert line.sentence == "就业率 91.9%，比上年提高 2.1 个百分点（省级目标 不低于 97%：未达成）"
    paid = Line(pay, _value(pay.code, 2025, 4791.0), None, [])
    assert paid.sentence == "毕业半年平均月收入 4,791 元"
    empty = Line(catalogue()["further_study_rate"], _value("further_study_rate", 2025, None), None, [])
    chapter = Chapter("毕业生就业质量", [line, paid, empty])
    assert chapter.summary == f"{line.sentence}；{paid.sentence}。暂无数据：升学率。"
    ranged = Target(
        indicator_code="student_teacher_ratio", comparator="range", value=Decimal("15"), value_high=Decimal("20")
    )
    assert target_goal(ranged) == "介于 15–20"
    paid_goal = Target(indicator_code="pay_six_months", comparator="ge", value=Decimal("4500"))
    assert target_goal(paid_goal) == "不低于 4,500 元"


def test_the_overview_names_what_worsened_by_each_indicators_direction() -> None:
    import datetime as dt

    from gongjiang.insight.compute import Scope
    from gongjiang.insight.report import Report

    def line(code: str, value: float, before: float) -> Line:
        return Line(catalogue()[code], _value(code, 2025, value), _value(code, 2024, before), [])

    lines = [
        line("employment_rate", 91.9, 89.8),  # higher is better: improved
        line("dropout_rate", 0.6, 0.4),  # lower is better: worsened
        line("graduates", 5353, 286),  # neutral: neither
        line("dual_qualified_share", 62.62, 62.6),  # within 0.05 points: unchanged
    ]
    made = Report(Scope(), "全区", 2025, dt.datetime(2026, 3, 1), [Chapter("x", lines)])
    assert made.overview == "与上年相比，1 项指标改善，1 项变差。变差的指标：学生流失率（比上年提高 0.2 个百分点）。"
    assert not made.partial
    calm = Report(Scope(), "全区", 2025, dt.datetime(2026, 3, 1), [Chapter("x", lines[2:])])
    assert calm.overview.startswith("本年度与上年可比的指标没有明显变化")


@pytest.mark.django_db
@pytest.mark.usefixtures("populated")
def test_the_report_page_and_its_word_file(client_for: Callable[[str], Client], world: dict[str, Any]) -> None:
    from docx import Document

    client = client_for("bureau")
    page = client.get("/insight/report/?year=2025")
    body = page.content.decode()
    assert page.status_code == 200 and "内蒙古自治区技工教育质量年度报告（2025 年）" in body
    made = page.context["report"]
    # Every indicator of the catalogue is in one chapter; every chapter has its paragraph.
    assert sum(len(chapter.lines) for chapter in made.chapters) == len(catalogue())
    assert all(chapter.summary for chapter in made.chapters)
    graduates = next(line for chapter in made.chapters for line in chapter.lines if line.indicator.code == "graduates")
    dashboard = client.get("/insight/?year=2025").context["sections"]
    shown = next(row["shown"] for _title, rows in dashboard for row in rows if row["indicator"].code == "graduates")
    assert graduates.shown == shown  # the same figure as the dashboard
    assert 'data-testid="report-targets"' in body and 'data-testid="report-warnings"' in body
    word = client.get("/insight/report/?year=2025&format=docx")
    assert word["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    document = Document(io.BytesIO(word.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == made.title and any(graduates.sentence in t for t in texts)
    assert len(document.tables) == len(made.chapters)
    assert document.tables[0].rows[0].cells[1].text == "2025 年"
    # The text is declared Chinese, not the Japanese of python-docx's template.
    from docx.oxml.ns import qn

    lang = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang")[0]
    assert (lang.get(qn("w:val")), lang.get(qn("w:eastAsia"))) == ("zh-CN", "zh-CN")
    # A school gets its own report, and cannot ask for the province's.
    school = client_for("school").get("/insight/report/?year=2025")
    assert school.status_code == 200 and world["school"].name in school.content.decode()
    assert client_for("school").get("/insight/report/?scope=region:150000").status_code == 404
    assert client_for("student").get("/insight/report/").status_code == 403


def test_a_broken_rule_that_must_find_none_is_reported_in_people_not_in_schools() -> None:
    from gongjiang.insight.quality import rules
    from gongjiang.insight.report import Problem

    by_code = {rule.code: rule for rule in rules()}
    insured = Problem(by_code["internships_insured"], schools=3, offences=23)
    assert insured.words == "实习均已投保：3 所学校，未投保实习的学生 23 人"
    compared = Problem(by_code["dual_qualified_within_specialists"], schools=2, offences=2)
    assert compared.words == "“双师型”教师不多于专业课教师：2 所学校"
