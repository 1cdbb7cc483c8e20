"""The round trip the import page promises: export, change classes in the workbook, import back
(issue 18, items 1, 3 and 12; ADR 0028)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.directory.models import Organisation
from gongjiang.registry import services
from gongjiang.registry.models import (
    Decision,
    EventKind,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    SchoolClass,
    StudyForm,
)
from gongjiang.registry.services.imports import registrations_export
from tests.registry.test_import_export import MESSY, rid, run_import, school, xlsx

__all__ = ["school"]  # the fixture, imported for these tests


def _approve_all(actor_of: Callable[[str], Actor], school: Organisation) -> None:
    ids = list(
        RegistrationEvent.objects.filter(registration__school=school, decision=Decision.PENDING).values_list(
            "pk", flat=True
        )
    )
    services.registration_decide_many(actor=actor_of("bureau"), event_ids=ids, approve=True)


def _export_edited(actor: Actor, school: Organisation, tmp_path: Path) -> io.BytesIO:
    """The school's export with three learners moved and one new learner added, as a clerk does it
    in Excel: 李娜 to a new class of her major, 王芳 to another major's class, 赵强 from a part-time
    class to a full-time one."""
    out = tmp_path / "本校学籍.xlsx"
    registrations_export(actor=actor, school=school, target=out)
    workbook = load_workbook(out)
    sheet = workbook.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) for name in header}
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    moved = ("专业代码", "专业名称", "班级", "班级层次", "学习形式", "学制")
    for name in moved:  # 王芳 joins 李娜's class (another major); 赵强 王芳's class (another form)
        rows["赵强"][col[name]].value = rows["王芳"][col[name]].value
        rows["王芳"][col[name]].value = rows["李娜"][col[name]].value
    rows["李娜"][col["班级"]].value = "2025级数控2班"
    new_learner = [rows["李娜"][col[name]].value for name in header]
    new_learner[col["姓名"]], new_learner[col["身份证号"]] = "韩梅梅", rid("20090303", 402)
    new_learner[col["性别"]], new_learner[col["出生日期"]], new_learner[col["联系电话"]] = "女", None, None
    sheet.append(new_learner)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_an_export_with_changed_classes_imports_as_status_changes(
    actor_of: Callable[[str], Actor], school: Organisation, tmp_path: Path
) -> None:
    clerk = actor_of("school")
    assert run_import(clerk, school, xlsx(MESSY)).errors == []
    _approve_all(actor_of, school)
    edited = _export_edited(clerk, school, tmp_path)

    dry = run_import(clerk, school, edited, dry_run=True)
    assert (dry.errors, dry.created, dry.updated, dry.unchanged) == ([], 1, 3, 1)
    assert dry.new_classes == ["2025级数控2班（2025级）"]
    report = run_import(clerk, school, edited)
    assert (report.errors, report.created, report.updated, report.unchanged) == ([], 1, 3, 1)

    pending = {
        e.registration.person.name: e
        for e in RegistrationEvent.objects.filter(decision=Decision.PENDING).select_related(
            "registration__person", "from_class", "target_class"
        )
    }
    assert pending["韩梅梅"].kind == EventKind.REGISTER
    assert (pending["李娜"].kind, pending["李娜"].from_class.name, pending["李娜"].target_class.name) == (
        EventKind.CHANGE_CLASS,
        "2025级数控1班",
        "2025级数控2班",
    )
    assert pending["王芳"].kind == EventKind.CHANGE_MAJOR
    assert (pending["赵强"].kind, pending["赵强"].target_class.form) == (EventKind.CHANGE_CLASS, StudyForm.FULL_TIME)
    # Until the bureau approves, the learners stay where they were ...
    assert Registration.objects.get(person__name="李娜").school_class.name == "2025级数控1班"
    # ... and the same file again asks for nothing new.
    again = run_import(clerk, school, edited)
    assert (again.errors, again.created, again.updated, again.unchanged) == ([], 0, 0, 5)

    _approve_all(actor_of, school)
    moved = {r.person.name: r for r in Registration.objects.filter(school=school).select_related("school_class")}
    assert moved["李娜"].school_class.name == "2025级数控2班"
    assert moved["王芳"].school_class.name == "2025级数控1班"
    assert (moved["赵强"].school_class.name, moved["赵强"].form) == ("2025级汽修1班", StudyForm.FULL_TIME)
    assert all(r.status == RegistrationStatus.ENROLLED for r in moved.values())
    # The export now holds the new classes and imports back unchanged.
    assert run_import(clerk, school, _reexport(clerk, school, tmp_path)).unchanged == 5


def _reexport(actor: Actor, school: Organisation, tmp_path: Path) -> io.BytesIO:
    out = tmp_path / "again.xlsx"
    registrations_export(actor=actor, school=school, target=out)
    return io.BytesIO(out.read_bytes())


def test_a_change_waiting_for_the_bureau_is_not_asked_for_twice(
    actor_of: Callable[[str], Actor], school: Organisation, tmp_path: Path
) -> None:
    clerk = actor_of("school")
    run_import(clerk, school, xlsx(MESSY))
    _approve_all(actor_of, school)
    li_na = Registration.objects.get(person__name="李娜")
    services.registration_request(
        actor=clerk, registration=li_na, kind=EventKind.SUSPEND, effective_on=clock.today(), reason="病休"
    )
    report = run_import(clerk, school, _export_edited(clerk, school, tmp_path))
    assert [(e.column, e.message) for e in report.errors] == [
        ("班级", "该学籍已有一项“休学”正在审核，审核后再调整班级")
    ]


def test_the_summary_counts_the_good_rows_beside_the_errors(
    actor_of: Callable[[str], Actor], school: Organisation
) -> None:
    clerk = actor_of("school")
    run_import(clerk, school, xlsx(MESSY))
    rows = [list(r) for r in MESSY]
    rows[1][8] = "13600000000"  # a changed phone: an update
    rows.append(["韩梅梅", rid("20090303", 401), "0102", "", "2025级数控1班", "高级", "全日制", "2025-09-01", "", ""])
    rows.append(["错一", rid("20090303", 403), "0102", "", "2025级数控1班", "高级", "全日制", "2025-13-01", "", ""])
    report = run_import(clerk, school, xlsx(rows), dry_run=True)
    assert [e.row for e in report.errors] == [7]
    assert (report.rows, report.created, report.updated, report.unchanged) == (6, 1, 1, 3)


def test_the_import_refuses_classes_and_dates_the_services_refuse(
    actor_of: Callable[[str], Actor], school: Organisation
) -> None:
    rows = [
        ["古人", rid("19640101", 501), "0102", "", "1980级数控班", "高级", "全日制", "1980-09-01", "", ""],
        ["来者", rid("20150101", 503), "0102", "", "2031级数控班", "高级", "全日制", "2031-09-01", "", ""],
    ]
    report = run_import(actor_of("school"), school, xlsx(rows))
    found = {(e.row, e.column): e.message for e in report.errors}
    assert found[(2, "入学日期")] == "入学年份“1980”不合理。"
    assert found[(3, "入学日期")] == "入学年份“2031”不合理。"
    assert not SchoolClass.objects.filter(school=school).exists()
    assert not Registration.objects.filter(school=school).exists()


def test_a_length_of_study_is_checked_by_the_class_rule(actor_of: Callable[[str], Actor], school: Organisation) -> None:
    header = ["姓名", "身份证号", "专业代码", "班级", "班级层次", "学习形式", "入学日期", "学制"]
    rows = [
        ["甲", rid("20080101", 511), "0102", "数控3班", "高级", "全日制", "2025-09-01", "nan"],
        ["乙", rid("20080101", 513), "0401", "汽修夜班", "中级", "非全日制", "2025-09-01", "0.5"],
        ["丙", rid("20080101", 515), "0401", "汽修2班", "中级", "全日制", "2025-09-01", "7"],
    ]
    report = run_import(actor_of("school"), school, xlsx(rows, header=header))
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "学制", "学制应在 0 到 6 年之间。"),
        (3, "学制", "非全日制学制不少于1年。"),
        (4, "学制", "学制应在 0 到 6 年之间。"),
    ]
