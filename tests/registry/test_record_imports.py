"""Teachers, training records and destinations from spreadsheets, and back."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gongjiang.core.actors import Actor
from gongjiang.directory.models import Organisation
from gongjiang.registry import services
from gongjiang.registry.models import Destination, Registration, SchoolClass, Teacher, TrainingRecord
from gongjiang.registry.services.record_imports import KINDS, records_export, records_import
from tests.registry.test_import_export import rid, xlsx
from tests.registry.test_registrations import SEPT, approve_latest


def run(actor: Actor, kind: str, school: Organisation, data: io.BytesIO, **kw: Any) -> Any:
    data.seek(0)
    return records_import(actor=actor, kind=KINDS[kind], school=school, source=data, filename="表.xlsx", **kw)


TEACHER_HEADER = [
    "姓名",
    "身份证号",
    "教师类别",
    "是否专任",
    "来源企业代码",
    "是否双师型",
    "双师型依据",
    "是否一体化教师",
    "所教专业代码",
    "聘用日期",
]


def test_teachers_import_idempotently_and_export_back(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], tmp_path: Path
) -> None:
    school = world["school"]
    rows = [
        ["刘 洋", rid("19850303", 11), "专业课", "是", "", "是", "数控车工技师", "是", "0102", "2012.09.01"],
        ["陈静", rid("19900101", 12), "文化课", "是", "", "否", "", "否", "", 41153],
        ["赵师傅", rid("19750505", 13), "专业课教师", "否", world["enterprise"].code, "否", "", "否", "0106", "2023/3/1"],
    ]  # fmt: skip
    data = xlsx(rows, header=TEACHER_HEADER)
    assert run(actor_of("school"), "teachers", school, data, dry_run=True).created == 3
    assert not Teacher.objects.filter(school=school).exists()
    report = run(actor_of("school"), "teachers", school, data)
    assert (report.created, report.errors) == (3, [])
    assert Teacher.objects.get(person__name="赵师傅").from_enterprise == world["enterprise"]
    assert run(actor_of("school"), "teachers", school, data).unchanged == 3
    out = tmp_path / "teachers.xlsx"
    assert records_export(actor=actor_of("school"), kind=KINDS["teachers"], school=school, target=out) == 3
    with out.open("rb") as handle:
        again = records_import(
            actor=actor_of("school"), kind=KINDS["teachers"], school=school, source=handle, filename="t.xlsx"
        )
    assert (again.unchanged, again.errors) == (3, [])
    rows[1][5:7] = ["是", "教师资格证"]
    changed = run(actor_of("school"), "teachers", school, xlsx(rows, header=TEACHER_HEADER))
    assert "双师型只适用于专业课教师" in changed.errors[0].message and changed.errors[0].row == 3


def test_a_bad_teacher_row_names_row_and_column_and_writes_nothing(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    rows = [
        ["好老师", rid("19850303", 21), "专业课", "是", "", "否", "", "否", "", "2012-09-01"],
        ["坏老师", rid("19850303", 23), "体育", "是", "", "否", "", "否", "", "2012-09-01"],
        ["无日期", rid("19850303", 25), "专业课", "也许", "", "否", "", "否", "", "昨天"],
    ]  # fmt: skip
    report = run(actor_of("school"), "teachers", world["school"], xlsx(rows, header=TEACHER_HEADER))
    found = {(e.row, e.column): e.message for e in report.errors}
    assert "“体育”无法识别" in found[(3, "教师类别")]
    assert "应填“是”或“否”" in found[(4, "是否专任")]
    # The faultless row is counted as what it would have done; nothing is written.
    assert report.created == 1 and not Teacher.objects.filter(school=world["school"]).exists()


def test_training_records_and_destinations(
    actor_of: Callable[[str], Actor],
    world: dict[str, Organisation],
    cnc_class: SchoolClass,
    new_person: Callable[..., Any],
) -> None:
    clerk, school = actor_of("school"), world["school"]
    services.training_programme_create(
        actor=clerk, provider=school, name="焊工中级培训", occupation_code="6-18-02-04", skill_level=4, hours=120,
        funding="market", starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 4, 1),
    )  # fmt: skip
    header = ["培训项目", "姓名", "身份证号", "培训结果", "证书编号", "结束日期"]
    rows = [
        ["焊工中级培训", "社会学员甲", rid("19900101", 31), "取证", "S-1", "2025-04-01"],
        ["焊工中级培训", "社会学员乙", rid("19910101", 33), "在训", "", ""],
        ["钳工培训", "社会学员丙", rid("19920101", 35), "在训", "", ""],
    ]  # fmt: skip
    report = run(clerk, "training", school, xlsx(rows, header=header))
    assert report.errors[0].row == 4 and "没有名为“钳工培训”的培训项目" in report.errors[0].message
    report = run(clerk, "training", school, xlsx(rows[:2], header=header))
    assert (report.created, report.errors) == (2, [])
    assert TrainingRecord.objects.get(person__name="社会学员甲").outcome == "certified"

    graduate = services.registration_create(
        actor=clerk, school_class=cnc_class, person=new_person(name="毕业生"), enrolled_on=SEPT
    )
    approve_latest(actor_of, graduate)
    services.registration_request(
        actor=clerk, registration=graduate, kind="graduate", effective_on=dt.date(2028, 6, 30)
    )
    approve_latest(actor_of, graduate)
    header = ["姓名", "身份证号", "统计时点", "去向", "就业单位", "职业代码", "是否对口", "月收入"]
    rows = [["毕业生", graduate.person.id_number, "2028-12-31", "就业", "北方重工", "6-18-01-01", "是", "5200"]]
    assert (run(clerk, "destinations", school, xlsx(rows, header=header)).created, Destination.objects.count()) == (
        1,
        1,
    )
    assert run(clerk, "destinations", school, xlsx(rows, header=header)).unchanged == 1
    rows[0][7] = "5600"
    assert run(clerk, "destinations", school, xlsx(rows, header=header)).updated == 1
    stranger = [["陌生人", rid("20080101", 41), "2028-12-31", "就业", "x", "6-18-01-01", "是", "1"]]
    report = run(clerk, "destinations", school, xlsx(stranger, header=header))
    assert "没有该身份证号的毕业或结业学生" in report.errors[0].message
    assert Registration.objects.filter(pk=graduate.pk, status="graduated").exists()
