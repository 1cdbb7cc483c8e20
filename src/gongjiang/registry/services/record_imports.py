"""Importing and exporting teachers, training records and graduate destinations.

Each row goes through the same service a form would use, so the rules live in one place. The
whole file runs in one transaction: any row error rolls everything back, and a dry run is the
same run rolled back at the end, so its report is exactly what the import would do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from gongjiang.core import audit
from gongjiang.core.actors import Actor
from gongjiang.core.imports import CellError, ImportReport, Progress, RowError, cell_date, import_rows
from gongjiang.core.policies import require
from gongjiang.core.sheets import (
    clean_name,
    clean_text,
    compact_text,
    write_template,
    write_xlsx,
)
from gongjiang.directory.models import Organisation, OrganisationKind
from gongjiang.directory.selectors import organisation_by_code
from gongjiang.registry import services
from gongjiang.registry.import_guard import import_audit, import_refusal
from gongjiang.registry.models import (
    Destination,
    DestinationKind,
    Registration,
    RegistrationStatus,
    Teacher,
    TeacherCategory,
    TrainingOutcome,
    TrainingProgramme,
    TrainingRecord,
)
from gongjiang.registry.services.imports import HEADERS, REQUIRED

YES = ("是", "有", "Y", "y", "1", "true", "√")
NO = ("否", "无", "N", "n", "0", "false", "")


@dataclass(frozen=True)
class Kind:
    """One kind of record: its headers (first one written on export), required fields, and how a
    row is applied and a record exported."""

    name: str
    headers: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    apply: Callable[[Actor, Organisation, dict[str, Any]], str]  # returns created / updated / unchanged
    export: Callable[[Organisation], Iterable[list[Any]]]


def _flag(value: Any, field: str) -> bool:
    text = compact_text(value)
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(field, _("应填“是”或“否”，实际为“%(value)s”") % {"value": text})


def _choice(value: Any, field: str, words: dict[str, tuple[str, ...]]) -> str:
    text = compact_text(value)
    for key, spellings in words.items():
        if text == key or text in spellings:
            return key
    raise CellError(
        field,
        _("“%(value)s”无法识别，可填：%(known)s") % {"value": text, "known": "、".join(s[0] for s in words.values())},
    )


def _person(actor: Actor, row: dict[str, Any]) -> Any:
    try:
        return services.person_find_or_register(
            actor=actor, name=clean_name(row["name"]), id_number=compact_text(row["id_number"])
        )
    except ValidationError as exc:
        field = next(iter(exc.message_dict), "id_number") if hasattr(exc, "error_dict") else "id_number"
        raise CellError(field, exc.messages[0]) from exc


def _enterprise(code: Any, field: str) -> Organisation | None:
    text = compact_text(code)
    if not text:
        return None
    try:
        return organisation_by_code(code=text)
    except Http404 as exc:
        raise CellError(field, _("没有机构代码为“%(code)s”的单位") % {"code": text}) from exc


# -- teachers ---------------------------------------------------------------------------------

CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    TeacherCategory.SPECIALIST: ("专业课教师", "专业课", "专业"),
    TeacherCategory.GENERAL: ("文化课教师", "文化课", "文化", "公共课"),
}


def _apply_teacher(actor: Actor, school: Organisation, row: dict[str, Any]) -> str:
    person = _person(actor, row)
    wanted: dict[str, Any] = {
        "category": _choice(row["category"], "category", CATEGORY_WORDS),
        "full_time": _flag(row.get("full_time") or "是", "full_time"),
        "from_enterprise": _enterprise(row.get("from_enterprise"), "from_enterprise"),
        "dual_qualified": _flag(row.get("dual_qualified"), "dual_qualified"),
        "dual_evidence": clean_text(row.get("dual_evidence")),
        "integrated": _flag(row.get("integrated"), "integrated"),
        "major_code": compact_text(row.get("major_code")),
        "hired_on": cell_date(row["hired_on"], "hired_on"),
    }
    existing = Teacher.objects.filter(school=school, person=person).first()
    if existing is None:
        services.teacher_add(actor=actor, school=school, person=person, **wanted)
        return "created"
    if all(getattr(existing, k) == v for k, v in wanted.items()):
        return "unchanged"
    # The row is read and written in the import's one transaction: its version is the one read.
    services.teacher_update(actor=actor, teacher=existing, expected_version=existing.version, **wanted)
    return "updated"


def _export_teachers(school: Organisation) -> Iterable[list[Any]]:
    for t in (
        Teacher.objects.filter(school=school).select_related("person", "from_enterprise").order_by("person__name", "pk")
    ):
        yield [
            t.person.name, t.person.id_number, str(TeacherCategory(t.category).label), "是" if t.full_time else "否",
            t.from_enterprise.code if t.from_enterprise else "", "是" if t.dual_qualified else "否", t.dual_evidence,
            "是" if t.integrated else "否", t.major_code, t.hired_on,
        ]  # fmt: skip


TEACHERS = Kind(
    name="teachers",
    headers={
        "name": ("姓名", "教师姓名"),
        "id_number": ("身份证号", "身份证号码", "证件号码"),
        "category": ("教师类别", "类别"),
        "full_time": ("是否专任", "专任"),
        "from_enterprise": ("来源企业代码", "来源企业"),
        "dual_qualified": ("是否双师型", "双师型"),
        "dual_evidence": ("双师型依据", "双师依据"),
        "integrated": ("是否一体化教师", "一体化"),
        "major_code": ("所教专业代码", "专业代码"),
        "hired_on": ("聘用日期", "入职日期"),
    },
    required=("name", "id_number", "category", "hired_on"),
    apply=_apply_teacher,
    export=_export_teachers,
)


# -- training records -------------------------------------------------------------------------

OUTCOME_WORDS: dict[str, tuple[str, ...]] = {
    TrainingOutcome.ENROLLED: ("在训", "培训中"),
    TrainingOutcome.COMPLETED: ("结业", "完成"),
    TrainingOutcome.CERTIFIED: ("取证", "已取证", "获证"),
    TrainingOutcome.DROPPED: ("中途退出", "退出", "退训"),
}


def _apply_trainee(actor: Actor, school: Organisation, row: dict[str, Any]) -> str:
    name = clean_text(row["programme"])
    programme = TrainingProgramme.objects.filter(provider=school, name=name).order_by("-starts_on").first()
    if programme is None:
        raise CellError("programme", _("本校没有名为“%(name)s”的培训项目，请先开设") % {"name": name})
    person = _person(actor, row)
    outcome = _choice(row.get("outcome") or "在训", "outcome", OUTCOME_WORDS)
    finished = cell_date(row["finished_on"], "finished_on") if clean_text(row.get("finished_on")) else None
    certificate = clean_text(row.get("certificate_no"))
    existing = TrainingRecord.objects.filter(programme=programme, person=person).first()
    if existing is not None and (existing.outcome, existing.certificate_no, existing.finished_on) == (
        outcome,
        certificate,
        finished,
    ):
        return "unchanged"
    services.trainee_record(
        actor=actor,
        programme=programme,
        person=person,
        outcome=outcome,
        certificate_no=certificate,
        finished_on=finished,
    )
    return "updated" if existing is not None else "created"


def _export_trainees(school: Organisation) -> Iterable[list[Any]]:
    records = TrainingRecord.objects.filter(programme__provider=school).select_related("programme", "person")
    for r in records.order_by("programme__name", "person__name", "pk"):
        yield [
            r.programme.name,
            r.person.name,
            r.person.id_number,
            str(TrainingOutcome(r.outcome).label),
            r.certificate_no,
            r.finished_on,
        ]


TRAINEES = Kind(
    name="training",
    headers={
        "programme": ("培训项目", "培训项目名称", "项目名称"),
        "name": ("姓名", "学员姓名"),
        "id_number": ("身份证号", "身份证号码", "证件号码"),
        "outcome": ("培训结果", "结果"),
        "certificate_no": ("证书编号", "证书号"),
        "finished_on": ("结束日期", "结业日期"),
    },
    required=("programme", "name", "id_number"),
    apply=_apply_trainee,
    export=_export_trainees,
)


# -- destinations -----------------------------------------------------------------------------

DESTINATION_WORDS: dict[str, tuple[str, ...]] = {
    DestinationKind.EMPLOYED: ("就业", "已就业", "签约就业"),
    DestinationKind.FURTHER_STUDY: ("升学",),
    DestinationKind.SELF_EMPLOYED: ("自主创业", "创业"),
    DestinationKind.ENLISTED: ("应征入伍", "参军", "入伍"),
    DestinationKind.NOT_EMPLOYED: ("待就业", "未就业"),
}


def _apply_destination(actor: Actor, school: Organisation, row: dict[str, Any]) -> str:
    number = compact_text(row["id_number"]).upper()
    registration = (
        Registration.objects.filter(
            school=school,
            person__id_number=number,
            status__in=(RegistrationStatus.GRADUATED, RegistrationStatus.COMPLETED),
        )
        .order_by("-enrolled_on")
        .first()
    )
    if registration is None:
        raise CellError("id_number", _("本校没有该身份证号的毕业或结业学生"))
    if registration.person.name != clean_name(row["name"]):
        raise CellError("name", _("姓名与本校登记的“%(name)s”不一致") % {"name": registration.person.name})
    pay_text = compact_text(row.get("monthly_pay"))
    try:
        pay = Decimal(pay_text) if pay_text else None
    except InvalidOperation as exc:
        raise CellError("monthly_pay", _("月收入“%(value)s”不是数字") % {"value": pay_text}) from exc
    in_field_text = compact_text(row.get("in_field"))
    wanted: dict[str, Any] = {
        "census_date": cell_date(row["census_date"], "census_date"),
        "kind": _choice(row["kind"], "kind", DESTINATION_WORDS),
        "employer_name": clean_text(row.get("employer_name")),
        "occupation_code": compact_text(row.get("occupation_code")),
        "in_field": _flag(in_field_text, "in_field") if in_field_text else None,
        "monthly_pay": pay,
    }
    existing = Destination.objects.filter(registration=registration, census_date=wanted["census_date"]).first()
    if existing is not None and all(getattr(existing, k) == v for k, v in wanted.items() if k not in ("census_date",)):
        return "unchanged"
    services.destination_record(actor=actor, registration=registration, **wanted)
    return "updated" if existing is not None else "created"


def _export_destinations(school: Organisation) -> Iterable[list[Any]]:
    rows = Destination.objects.filter(registration__school=school).select_related("registration__person")
    for d in rows.order_by("census_date", "registration__person__name", "pk"):
        person = d.registration.person
        yield [
            person.name, person.id_number, d.census_date, str(DestinationKind(d.kind).label), d.employer_name,
            d.occupation_code, "" if d.in_field is None else ("是" if d.in_field else "否"),
            "" if d.monthly_pay is None else str(d.monthly_pay),
        ]  # fmt: skip


DESTINATIONS = Kind(
    name="destinations",
    headers={
        "name": ("姓名",),
        "id_number": ("身份证号", "身份证号码", "证件号码"),
        "census_date": ("统计时点", "统计日期"),
        "kind": ("去向", "毕业去向"),
        "employer_name": ("就业单位", "单位名称"),
        "occupation_code": ("职业代码",),
        "in_field": ("是否对口", "对口"),
        "monthly_pay": ("月收入", "月收入（元）", "月薪"),
    },
    required=("name", "id_number", "census_date", "kind"),
    apply=_apply_destination,
    export=_export_destinations,
)

KINDS = {kind.name: kind for kind in (TEACHERS, TRAINEES, DESTINATIONS)}


def records_import(
    *,
    actor: Actor,
    kind: Kind,
    school: Organisation,
    source: IO[bytes],
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    if school.kind != OrganisationKind.SCHOOL:
        report.errors.append(RowError(row=0, column="", message=_("“%(name)s”不是技工院校。") % {"name": school.name}))
        return report
    refusal = import_refusal(actor=actor, school=school)
    if refusal:
        report.errors.append(RowError(row=0, column="", message=refusal))
    else:
        import_rows(
            report, source=source, filename=filename, headers=kind.headers, required=kind.required,
            required_any=kind.headers["id_number"], apply=lambda row: kind.apply(actor, school, row),
            progress=progress,
        )  # fmt: skip
    import_audit(
        actor=actor, school=school, kind=kind.name, filename=filename, summary=report.summary(refused=bool(refusal))
    )
    return report


def records_export(*, actor: Actor, kind: Kind, school: Organisation, target: Path | IO[bytes]) -> int:
    """Write the school's records with the headers the import takes; identity numbers are written
    in full for re-import, so the read is audited."""
    require(actor, "registry.registration.request", school)
    rows = list(kind.export(school))
    write_xlsx([names[0] for names in kind.headers.values()], rows, target)
    audit.record(
        actor=actor,
        action=f"{kind.name}.export",
        entity=school,
        after={"rows": len(rows), "unmasked": True},
        owner=school,
    )
    return len(rows)


# -- blank templates --------------------------------------------------------------------------


def template_write(kind_name: str, target: Path | IO[bytes]) -> None:
    """The blank workbook for one kind of import: the headers the import reads first, the required
    ones marked, what the values may be and the other spellings each column accepts."""
    headers: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    if kind_name == "registrations":
        headers, required = HEADERS, REQUIRED
    else:
        kind = KINDS[kind_name]
        headers, required = kind.headers, kind.required
    values = _value_notes()
    columns = []
    for field, names in headers.items():
        notes = [values[field]] if field in values else []
        if len(names) > 1:
            notes.append(_("表头也可写作：%(names)s") % {"names": "、".join(names[1:])})
        columns.append((names[0], field in required, "；".join(notes)))
    write_template(columns, target)


def _value_notes() -> dict[str, str]:
    return {
        "id_number": _("18位居民身份证号，末位X大小写均可"),
        "major_code": _("专业代码或专业名称至少填一项，须为本校已备案专业"),
        "major_name": _("专业代码或专业名称至少填一项，须为本校已备案专业"),
        "class_level": _("中级工班、高级工班或预备技师（技师）班，也可简写为中级、高级、技师"),
        "form": _("全日制或非全日制"),
        "enrolled_on": _("日期，如 2025-09-01、2025.9.1、2025年9月1日"),
        "hired_on": _("日期，如 2015-09-01"),
        "census_date": _("日期，如 2025-12-31"),
        "category": _("专业课教师或文化课教师"),
        "full_time": _("是或否"),
        "dual_qualified": _("是或否；填“是”时须填写双师型依据"),
        "integrated": _("是或否"),
        "from_enterprise": _("企业兼职教师填写来源企业的机构代码"),
        "kind": _("就业、升学、自主创业、应征入伍或待就业"),
        "in_field": _("是或否"),
        "outcome": _("在训、结业、取证或中途退出；取证须填证书编号"),
        "programme": _("本校已开设的培训项目名称（先在“培训”页开设）"),
    }
