"""Importing and exporting a school's registrations as spreadsheets.

Parse → validate every row → apply in batches inside one transaction. A dry run gives the same
report; a file with any error changes nothing; the same file imported twice changes nothing the
second time; an exported file imports back with every row unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongjiang.core import audit, clock
from gongjiang.core.actors import Actor
from gongjiang.core.bulk import gc_paused, insert_many
from gongjiang.core.imports import PROGRESS_EVERY, ImportReport, Progress, RowError
from gongjiang.core.policies import require
from gongjiang.core.sheets import (
    SheetError,
    Table,
    clean_name,
    clean_text,
    compact_text,
    parse_date,
    read_table,
    write_xlsx,
)
from gongjiang.core.validators import PHONE, parse_resident_id
from gongjiang.directory.models import IdType, Organisation, Person, Sex
from gongjiang.directory.services import PERSON_HIDDEN
from gongjiang.refdata.selectors import id_region_valid
from gongjiang.registry import services
from gongjiang.registry.import_guard import import_audit, import_refusal
from gongjiang.registry.models import (
    ClassLevel,
    Decision,
    EventKind,
    MajorOffering,
    OfferingStatus,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    SchoolClass,
    StudyForm,
)
from gongjiang.registry.services import approval_days, persons_readable

BATCH_SIZE = 1000

# field → the header written on export, then the aliases clerks use
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "学生姓名", "学员姓名"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证"),
    "major_code": ("专业代码", "专业编码"),
    "major_name": ("专业名称", "专业", "所学专业"),
    "class_name": ("班级", "班级名称", "所在班级"),
    "class_level": ("班级层次", "层次", "培养层次"),
    "form": ("学习形式", "学习方式", "办学形式"),
    "enrolled_on": ("入学日期", "入学时间", "入学年月"),
    "planned_years": ("学制", "学制（年）", "学制(年)"),
    "sex": ("性别",),
    "birth_date": ("出生日期", "出生年月"),
    "phone": ("联系电话", "手机号", "手机号码", "手机", "电话", "联系方式"),
    "ethnicity": ("民族",),
    "household": ("户籍地", "户籍所在地", "户口所在地"),
}
REQUIRED = ("name", "id_number", "class_name", "class_level", "form", "enrolled_on")
LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    ClassLevel.INTERMEDIATE: ("中级工班", "中级工", "中级", "中工", "中级班"),
    ClassLevel.SENIOR: ("高级工班", "高级工", "高级", "高工", "高级班"),
    ClassLevel.PREPARATORY_TECHNICIAN: (
        "预备技师（技师）班",
        "预备技师(技师)班",
        "预备技师班",
        "预备技师",
        "技师班",
        "技师",
    ),
}
FORM_WORDS: dict[str, tuple[str, ...]] = {
    StudyForm.FULL_TIME: ("全日制", "全日", "全"),
    StudyForm.PART_TIME: ("非全日制", "非全日", "非全", "业余", "在职", "半脱产"),
}
DEFAULT_YEARS: dict[tuple[str, str], Decimal] = {
    (StudyForm.FULL_TIME, ClassLevel.INTERMEDIATE): Decimal(3),
    (StudyForm.FULL_TIME, ClassLevel.SENIOR): Decimal(3),
    (StudyForm.FULL_TIME, ClassLevel.PREPARATORY_TECHNICIAN): Decimal(5),
}


# A service's field → the row's field whose column its refusal marks.
CHECKED_FIELDS = {
    "enrolled_on": "enrolled_on",
    "cohort_year": "enrolled_on",
    "class_level": "class_level",
    "form": "form",
    "planned_years": "planned_years",
    "target_class": "class_name",
    "kind": "class_name",
    "effective_on": "enrolled_on",
}


@dataclass
class Row:
    number: int
    name: str = ""
    id_number: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    phone: str = ""
    ethnicity: str = ""
    household: str = ""
    offering: MajorOffering | None = None
    class_name: str = ""
    class_level: str = ""
    form: str = ""
    enrolled_on: dt.date | None = None
    planned_years: Decimal | None = None


@dataclass(frozen=True)
class Move:
    """A learner of the school that the file names in another class: a 转班 or 转专业 to ask for."""

    row: Row
    request: dict[str, Any]


def _word(value: Any, words: dict[str, tuple[str, ...]]) -> str | None:
    text = compact_text(value)
    for key, spellings in words.items():
        if text in spellings or text == key:
            return key
    return None


class _Columns:
    """Which column of the file holds which field, and the header the clerk wrote for it."""

    def __init__(self, table: Table) -> None:
        self.index: dict[str, int] = {}
        self.header: dict[str, str] = {}
        for field_name, names in HEADERS.items():
            for position, header in enumerate(table.headers):
                if header in names and field_name not in self.index:
                    self.index[field_name], self.header[field_name] = position, header

    def missing(self) -> list[str]:
        missing = [HEADERS[f][0] for f in REQUIRED if f not in self.index]
        if "major_code" not in self.index and "major_name" not in self.index:
            missing.append(_("专业代码或专业名称"))
        return missing

    def cell(self, cells: list[Any], field_name: str) -> Any:
        position = self.index.get(field_name)
        return cells[position] if position is not None and position < len(cells) else None

    def name_of(self, field_name: str) -> str:
        return self.header.get(field_name, HEADERS[field_name][0])


class _Importer:
    def __init__(self, actor: Actor, school: Organisation) -> None:
        self.actor = actor
        self.school = school
        offerings = list(MajorOffering.objects.filter(school=school, status=OfferingStatus.FILED))
        self.by_code = {o.major_code: o for o in offerings}
        # Compared after the same normalisation as the cells: NFKC turns （） into ().
        self.by_name = {clean_text(o.major_name): o for o in offerings}
        self.errors: list[RowError] = []
        self.region_known: dict[str, bool] = {}  # a file holds thousands of numbers from few regions

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row=row, column=column, message=message))

    # -- one row ----------------------------------------------------------------------------

    def parse(self, number: int, cells: list[Any], cols: _Columns) -> Row:
        row = Row(number=number)
        row.name = clean_name(cols.cell(cells, "name"))
        if not row.name:
            self.error(number, cols.name_of("name"), _("姓名不能为空"))
        typed = cols.cell(cells, "id_number")
        raw_id = compact_text(typed).upper()
        try:
            parsed = parse_resident_id(raw_id)
        except ValidationError as exc:
            if isinstance(typed, int | float) and not isinstance(typed, bool):
                # Excel keeps 15 significant digits: the number's last digits are already lost.
                message = _("身份证号被 Excel 存成了数字，末几位已丢失：请把该列设为“文本”格式后重新输入")
            else:
                message = exc.messages[0] if raw_id else _("身份证号不能为空")
            self.error(number, cols.name_of("id_number"), message)
        else:
            row.id_number, row.birth_date, row.sex = parsed.number, parsed.birth_date, parsed.sex
            known = self.region_known.get(parsed.region_code)
            if known is None:
                known = self.region_known[parsed.region_code] = id_region_valid(parsed.region_code)
            if not known:
                self.error(
                    number,
                    cols.name_of("id_number"),
                    _("身份证号前六位“%(code)s”不是有效的行政区划代码") % {"code": parsed.region_code},
                )
            self._cross_check(row, cells, cols)
        row.offering = self._offering(number, cells, cols)
        row.class_name = clean_text(cols.cell(cells, "class_name"))
        if not row.class_name:
            self.error(number, cols.name_of("class_name"), _("班级不能为空"))
        level = _word(cols.cell(cells, "class_level"), LEVEL_WORDS)
        if level is None:
            self.error(
                number,
                cols.name_of("class_level"),
                _("班级层次“%(value)s”无法识别，应为中级工班、高级工班或预备技师（技师）班")
                % {"value": clean_text(cols.cell(cells, "class_level"))},
            )
        else:
            row.class_level = level
            if row.offering is not None and level not in row.offering.class_levels:
                self.error(
                    number,
                    cols.name_of("class_level"),
                    _("“%(major)s”专业未备案%(level)s")
                    % {"major": row.offering.major_name, "level": ClassLevel(level).label},
                )
        form = _word(cols.cell(cells, "form"), FORM_WORDS)
        if form is None:
            self.error(
                number,
                cols.name_of("form"),
                _("学习形式“%(value)s”无法识别，应为全日制或非全日制")
                % {"value": clean_text(cols.cell(cells, "form"))},
            )
        else:
            row.form = form
        try:
            row.enrolled_on = parse_date(cols.cell(cells, "enrolled_on"))
        except ValueError as exc:
            self.error(number, cols.name_of("enrolled_on"), str(exc))
        self._optional(row, cells, cols)
        return row

    def _cross_check(self, row: Row, cells: list[Any], cols: _Columns) -> None:
        given_sex = clean_text(cols.cell(cells, "sex"))
        if given_sex:
            sex = {"男": Sex.MALE, "女": Sex.FEMALE}.get(given_sex)
            if sex is None:
                self.error(row.number, cols.name_of("sex"), _("性别应为“男”或“女”"))
            elif sex != row.sex:
                self.error(row.number, cols.name_of("sex"), _("性别与身份证号不一致"))
        given_birth = cols.cell(cells, "birth_date")
        if clean_text(given_birth):
            try:
                birth = parse_date(given_birth)
            except ValueError as exc:
                self.error(row.number, cols.name_of("birth_date"), str(exc))
            else:
                # A month alone (2008.05) is accepted when it agrees with the number.
                same = birth == row.birth_date or (
                    birth.day == 1
                    and row.birth_date is not None
                    and (birth.year, birth.month) == (row.birth_date.year, row.birth_date.month)
                )
                if not same:
                    self.error(
                        row.number,
                        cols.name_of("birth_date"),
                        _("出生日期与身份证号不一致（身份证号为%(date)s）") % {"date": row.birth_date},
                    )

    def _offering(self, number: int, cells: list[Any], cols: _Columns) -> MajorOffering | None:
        code = compact_text(cols.cell(cells, "major_code"))
        name = clean_text(cols.cell(cells, "major_name"))
        if code:
            offering = self.by_code.get(code)
            if offering is None:
                self.error(number, cols.name_of("major_code"), _("专业代码“%(code)s”未在本校备案") % {"code": code})
            elif name and name != clean_text(offering.major_name):
                self.error(
                    number,
                    cols.name_of("major_name"),
                    _("专业名称“%(name)s”与专业代码%(code)s（%(expected)s）不一致")
                    % {"name": name, "code": code, "expected": offering.major_name},
                )
            return offering
        if name:
            offering = self.by_name.get(name)
            if offering is None:
                self.error(number, cols.name_of("major_name"), _("专业“%(name)s”未在本校备案") % {"name": name})
            return offering
        self.error(
            number, cols.name_of("major_code" if "major_code" in cols.index else "major_name"), _("专业不能为空")
        )
        return None

    def _optional(self, row: Row, cells: list[Any], cols: _Columns) -> None:
        phone = compact_text(cols.cell(cells, "phone"))
        if phone and not PHONE.fullmatch(phone):
            self.error(
                row.number,
                cols.name_of("phone"),
                _("联系电话“%(value)s”不是有效的手机或固定电话号码") % {"value": phone},
            )
        row.phone = phone
        row.ethnicity = clean_text(cols.cell(cells, "ethnicity"))[:20]
        row.household = clean_text(cols.cell(cells, "household"))[:100]
        years = compact_text(cols.cell(cells, "planned_years")).removesuffix("年")
        if years:
            try:
                row.planned_years = Decimal(years)
            except InvalidOperation:
                self.error(row.number, cols.name_of("planned_years"), _("学制“%(value)s”不是数字") % {"value": years})
                return
            self._refused(row, cols, services.length_check, form=row.form, planned_years=row.planned_years)

    # -- the file as a whole ----------------------------------------------------------------

    def plan(self, rows: list[Row], cols: _Columns) -> tuple[list[Row], list[Row], list[Row]]:
        """Split valid rows into (to create, to update the person's facts, unchanged), checking each
        against the file and the register."""
        first_seen: dict[str, int] = {}
        for row in rows:
            if not row.id_number:
                continue
            if row.id_number in first_seen:
                self.error(
                    row.number,
                    cols.name_of("id_number"),
                    _("身份证号与第%(n)d行重复") % {"n": first_seen[row.id_number]},
                )
            else:
                first_seen[row.id_number] = row.number
        ids = [r.id_number for r in rows if r.id_number]
        # Who each number is, as `identity.person_find_or_register` decides for one record: the
        # registered person where this school may read them, else the school's claim (ADR 0023).
        registered = {
            p.id_number: p
            for p in Person.objects.filter(id_type=IdType.RESIDENT_ID, id_number__in=ids, claims__isnull=True)
        }
        self.readable = persons_readable(self.actor, [p.pk for p in registered.values()])
        self.registered = {k: p for k, p in registered.items() if p.pk in self.readable}
        self.claimed = {k: p for k, p in registered.items() if p.pk not in self.readable}
        self.claims = {
            (p.id_number, p.name): p
            for p in Person.objects.filter(
                claims__in=list(self.claimed.values()), claimed_by_id=self.actor.organisation_id, merged_at__isnull=True
            )
        }
        self.persons: dict[str, Person] = {}
        for row in rows:
            if row.id_number in self.registered:
                self.persons[row.id_number] = self.registered[row.id_number]
            elif (row.id_number, row.name) in self.claims:
                self.persons[row.id_number] = self.claims[(row.id_number, row.name)]
        # Through the people found (none, for a new intake), not a join on their numbers: that
        # join read every active registration of a province.
        active = Registration.objects.filter(
            person_id__in=[p.pk for p in self.persons.values()], is_active=True
        ).select_related("person", "school", "school_class")
        self.active: dict[str, list[Registration]] = {}
        for registration in active:
            self.active.setdefault(registration.person.id_number, []).append(registration)
        # A registration of this school with a change waiting for the bureau takes no other.
        # The school's waiting events by registration, read in one query (not an IN list of a
        # re-imported export's every registration).
        self.pending = {
            e.registration_id: e
            for e in RegistrationEvent.objects.filter(registration__school=self.school, decision=Decision.PENDING).only(
                "registration_id", "kind", "target_class_id"
            )
        }
        # Rows whose full-time place is held at another school: filed without holding a place,
        # for the bureau to resolve (that school's registration is not this school's to see).
        self.deferred: set[str] = set()
        self.classes = {(c.cohort_year, c.name): c for c in SchoolClass.objects.filter(school=self.school)}
        planned_classes: dict[tuple[int, str], Row] = {}
        create: list[Row] = []
        update: list[Row] = []
        same: list[Row] = []
        self.moves: list[Move] = []
        for row in rows:
            if (
                row.enrolled_on is None
                or row.offering is None
                or not row.class_level
                or not row.form
                or not row.id_number
            ):
                continue
            key = (row.enrolled_on.year, row.class_name)
            existing_class = self.classes.get(key)
            if existing_class is None and key not in planned_classes:
                planned_classes[key] = row
                self._check_new_class(row, cols)
            reference = existing_class or planned_classes[key]
            self._check_class(row, reference, cols)
            person = self.persons.get(row.id_number)
            if person is not None and person.name != row.name:
                self.error(
                    row.number,
                    cols.name_of("name"),
                    _("该身份证号在本校记录中的姓名为“%(registered)s”，与本行“%(given)s”不一致")
                    % {"registered": person.name, "given": row.name},
                )
                continue
            held = self.active.get(row.id_number, [])
            here = next(
                (r for r in held if existing_class is not None and r.school_class_id == existing_class.pk), None
            )
            if here is not None:
                if here.enrolled_on != row.enrolled_on:
                    self.error(
                        row.number,
                        cols.name_of("enrolled_on"),
                        _("已登记的入学日期为%(date)s；更正请办理学籍异动") % {"date": here.enrolled_on},
                    )
                elif person is not None and self._person_changes(person, row):
                    update.append(row)
                else:
                    same.append(row)
                continue
            mine = [r for r in held if r.school_id == self.school.pk]
            if mine:
                # A learner of this school in another class: the file moves them (ADR 0028).
                if self._plan_move(row, mine, existing_class, cols):
                    same.append(row)
                continue
            self._refused(
                row,
                cols,
                services.enrolment_check,
                enrolled_on=row.enrolled_on,
                cohort_year=existing_class.cohort_year if existing_class else key[0],
            )
            if row.form == StudyForm.FULL_TIME and any(r.form == StudyForm.FULL_TIME for r in held):
                self.deferred.add(row.id_number)
            create.append(row)
        return create, update, same

    def _plan_move(
        self, row: Row, mine: list[Registration], existing_class: SchoolClass | None, cols: _Columns
    ) -> bool:
        """Plan a 转班 or 转专业 for a learner registered here in another class, checked by the
        service's own rules; True when the very change already waits for the bureau."""
        if len(mine) > 1:
            self.error(
                row.number,
                cols.name_of("class_name"),
                _("%(name)s在本校有%(n)d个学籍，无法判断要调整哪一个：请在学籍页面逐个办理转班或转专业")
                % {"name": row.name, "n": len(mine)},
            )
            return False
        registration = mine[0]
        if registration.enrolled_on != row.enrolled_on:
            self.error(
                row.number,
                cols.name_of("enrolled_on"),
                _("已登记的入学日期为%(date)s；更正请办理学籍异动") % {"date": registration.enrolled_on},
            )
            return False
        waiting = self.pending.get(registration.pk)
        if waiting is not None:
            if existing_class is not None and waiting.target_class_id == existing_class.pk:
                return True
            self.error(
                row.number,
                cols.name_of("class_name"),
                _("该学籍已有一项“%(event)s”正在审核，审核后再调整班级") % {"event": EventKind(waiting.kind).label},
            )
            return False
        assert row.offering is not None and row.enrolled_on is not None
        target = existing_class or SchoolClass(
            school=self.school,
            offering=row.offering,
            name=row.class_name,
            class_level=row.class_level,
            form=row.form,
            cohort_year=row.enrolled_on.year,
        )
        kind = (
            EventKind.CHANGE_MAJOR
            if row.offering.pk != registration.school_class.offering_id
            else EventKind.CHANGE_CLASS
        )
        request = {
            "registration": registration,
            "kind": kind,
            # Asked for today; a move before the term starts takes effect on the entry date.
            "effective_on": max(clock.today(), registration.enrolled_on),
            "reason": _("批量导入：班级由“%(old)s”改为“%(new)s”")
            % {"old": registration.school_class.name, "new": row.class_name},
        }
        if self._refused(
            row, cols, services.registration_request_check, actor=self.actor, target_class=target, **request
        ):
            return False
        self.moves.append(Move(row=row, request=request))
        return False

    def _check_new_class(self, row: Row, cols: _Columns) -> None:
        """A class the file names that the school lacks is made by the class service's rules."""
        assert row.offering is not None and row.enrolled_on is not None
        self._refused(
            row,
            cols,
            services.class_check,
            offering=row.offering,
            class_level=row.class_level,
            form=row.form,
            cohort_year=row.enrolled_on.year,
            planned_years=_years(row),
        )

    def _refused(self, row: Row, cols: _Columns, check: Callable[..., Any], **kwargs: Any) -> bool:
        """Run one of the services' checks on a row; its refusals become the row's errors, named by
        the file's columns (a cell already marked keeps its first message)."""
        try:
            check(**kwargs)
        except ValidationError as exc:
            fields = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            marked = {(e.row, e.column) for e in self.errors}
            for field_name, messages in fields.items():
                column = cols.name_of(CHECKED_FIELDS[field_name]) if field_name in CHECKED_FIELDS else ""
                if (row.number, column) not in marked:
                    self.error(row.number, column, messages[0])
            return True
        return False

    def _check_class(self, row: Row, reference: SchoolClass | Row, cols: _Columns) -> None:
        if reference is row:
            return
        theirs: tuple[int | None, str, str]
        if isinstance(reference, SchoolClass):
            theirs = (reference.offering_id, reference.class_level, reference.form)
        else:
            theirs = (reference.offering.pk if reference.offering else None, reference.class_level, reference.form)
        if theirs != (row.offering.pk if row.offering else None, row.class_level, row.form):
            self.error(
                row.number,
                cols.name_of("class_name"),
                _("班级“%(cls)s”的专业、层次或学习形式与已有记录不一致") % {"cls": row.class_name},
            )

    @staticmethod
    def _person_changes(person: Person, row: Row) -> dict[str, str]:
        wanted = {"phone": row.phone, "ethnicity": row.ethnicity, "household_registration": row.household}
        return {k: v for k, v in wanted.items() if v and getattr(person, k) != v}

    # -- writing ----------------------------------------------------------------------------

    def apply(self, create: list[Row], update: list[Row], progress: Progress | None) -> None:
        total = len(create) + len(update) + len(self.moves)
        done = 0
        entries: list[dict[str, Any]] = []

        def note(action: str, obj: Any, before: dict[str, Any] | None = None, label: str = "") -> None:
            entries.append(
                audit.entry_values(
                    actor=self.actor,
                    action=action,
                    entity=obj,
                    entity_label=label,
                    before=before,
                    after=audit.snapshot(obj),
                    owner=self.school,
                )
            )

        new_classes: dict[tuple[int, str], SchoolClass] = {}
        for row in create + [m.row for m in self.moves]:
            key = (_enrolled(row).year, row.class_name)
            if key not in self.classes and key not in new_classes:
                assert row.offering is not None
                new_classes[key] = SchoolClass(
                    school=self.school,
                    offering=row.offering,
                    name=row.class_name,
                    class_level=row.class_level,
                    form=row.form,
                    cohort_year=key[0],
                    planned_years=_years(row),
                )
        insert_many(list(new_classes.values()))
        for key, school_class in new_classes.items():
            self.classes[key] = school_class
            note("class.create", school_class)
        new_people = [
            Person(
                name=row.name,
                id_type=IdType.RESIDENT_ID,
                id_number=row.id_number,
                birth_date=row.birth_date,
                sex=row.sex,
                phone=row.phone,
                ethnicity=row.ethnicity,
                household_registration=row.household,
                claims=self.claimed.get(row.id_number),
                claimed_by_id=self.actor.organisation_id if row.id_number in self.claimed else None,
            )
            for row in create
            if row.id_number not in self.persons
        ]
        for person in insert_many(new_people):
            self.persons[person.id_number] = person
            entries.append(
                audit.entry_values(
                    actor=self.actor,
                    action="person.create",
                    entity=person,
                    after=audit.snapshot(person, PERSON_HIDDEN),
                    owner=self.school,
                )
            )
        changed: list[Person] = []
        for row in update + create + [m.row for m in self.moves]:
            person = self.persons[row.id_number]
            changes = self._person_changes(person, row)
            if changes and person.pk is not None:
                before = audit.snapshot(person)
                for attr, value in changes.items():
                    setattr(person, attr, value)
                changed.append(person)
                note("person.update", person, before)
        Person.objects.bulk_update(changed, ["phone", "ethnicity", "household_registration"], batch_size=BATCH_SIZE)
        done += len(update)
        due_on = clock.today() + dt.timedelta(days=approval_days())
        reason, register = _("批量导入"), str(EventKind.REGISTER.label)
        for start in range(0, len(create), BATCH_SIZE):
            batch = create[start : start + BATCH_SIZE]
            # Ids rather than objects: Django's related-object setters were a tenth of the write.
            registrations = insert_many(
                [
                    Registration(
                        person_id=self.persons[row.id_number].pk,
                        school_id=self.school.pk,
                        school_class_id=self.classes[(_enrolled(row).year, row.class_name)].pk,
                        form=row.form,
                        enrolled_on=_enrolled(row),
                        status=RegistrationStatus.PENDING,
                        is_active=row.id_number not in self.deferred,
                    )
                    for row in batch
                ]
            )
            events = insert_many(
                [
                    RegistrationEvent(
                        registration_id=registration.pk,
                        kind=EventKind.REGISTER,
                        effective_on=registration.enrolled_on,
                        reason=reason,
                        requested_by_id=self.actor.user_id,
                        due_on=due_on,
                    )
                    for registration in registrations
                ]
            )
            for row, registration, event in zip(batch, registrations, events, strict=True):
                # Labels built here: the models' __str__ translates a choice label per row.
                label = f"{row.name} · {row.class_name}"
                note("registration.create", registration, label=label)
                note("registration_event.request", event, label=f"{register} {label}")
            audit.record_many(entries)
            entries.clear()
            done += len(batch)
            if progress:
                progress("write", done, total)
        audit.record_many(entries)
        if self.moves:
            services.registration_request_many(
                actor=self.actor,
                requests=[
                    {**m.request, "target_class": self.classes[(_enrolled(m.row).year, m.row.class_name)]}
                    for m in self.moves
                ],
            )
            if progress:
                progress("write", total, total)


def _years(row: Row) -> Decimal:
    """A row's length of study, or the usual one for its form and level."""
    return row.planned_years or DEFAULT_YEARS.get((row.form, row.class_level), Decimal(1))


def _enrolled(row: Row) -> dt.date:
    """The entry date of a row that passed validation (planning skips rows without one)."""
    assert row.enrolled_on is not None
    return row.enrolled_on


def registrations_import(
    *,
    actor: Actor,
    school: Organisation,
    source: IO[bytes],
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a school's registrations from an xlsx or csv file. New registrations wait for the
    bureau's approval like any other."""
    require(actor, "registry.registration.request", school)
    refusal = import_refusal(actor=actor, school=school)
    if refusal:
        report = ImportReport(dry_run=dry_run, errors=[RowError(row=0, column="", message=refusal)])
    else:
        with gc_paused():
            report = _import(actor, school, source, filename, dry_run, progress)
    import_audit(
        actor=actor,
        school=school,
        kind="registrations",
        filename=filename,
        summary=report.summary(refused=bool(refusal)),
    )
    return report


def _import(
    actor: Actor,
    school: Organisation,
    source: IO[bytes],
    filename: str,
    dry_run: bool,
    progress: Progress | None,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    try:
        table = read_table(source, filename, required_any=HEADERS["id_number"] + HEADERS["name"])
    except SheetError as exc:
        report.errors.append(RowError(row=0, column="", message=str(exc)))
        return report
    cols = _Columns(table)
    report.rows = len(table.rows)
    missing = cols.missing()
    if missing:
        report.errors.append(
            RowError(
                row=table.header_row, column="", message=_("缺少必需的列：%(cols)s") % {"cols": "、".join(missing)}
            )
        )
        return report
    importer = _Importer(actor, school)
    rows = []
    for position, (number, cells) in enumerate(table.rows, start=1):
        rows.append(importer.parse(number, cells, cols))
        if progress and (position % PROGRESS_EVERY == 0 or position == report.rows):
            progress("check", position, report.rows)
    create, update, same = importer.plan(rows, cols)
    moved = [m.row for m in importer.moves]
    report.errors = sorted(importer.errors, key=lambda e: (e.row, e.column))
    # Beside errors, what the rows without any would do: the clerk sees how much of the file is fine.
    wrong = {e.row for e in report.errors}
    report.created = sum(r.number not in wrong for r in create)
    report.updated = sum(r.number not in wrong for r in update + moved)
    report.unchanged = sum(r.number not in wrong for r in same)
    if report.errors:
        return report
    report.new_classes = [
        _("%(name)s（%(year)s级）") % {"name": name, "year": year}
        for year, name in sorted(
            {(_enrolled(row).year, row.class_name) for row in create + moved} - set(importer.classes)
        )
    ]
    if dry_run or not (create or update or moved):
        return report
    with transaction.atomic():
        importer.apply(create, update, progress)
    return report


EXPORT_FIELDS = (
    "name", "id_number", "major_code", "major_name", "class_name", "class_level", "form",
    "enrolled_on", "planned_years", "sex", "birth_date", "phone", "ethnicity", "household",
)  # fmt: skip


def registrations_export(*, actor: Actor, school: Organisation, target: Path | IO[bytes]) -> int:
    """Write the school's active registrations with the headers the import takes. Identity numbers
    are written in full (the file is for re-import); the read is audited."""
    require(actor, "registry.registration.request", school)
    registrations = (
        Registration.objects.filter(school=school, is_active=True)
        .select_related("person", "school_class", "school_class__offering")
        .order_by("school_class__cohort_year", "school_class__name", "person__name", "pk")
    )
    rows = []
    for r in registrations:
        person, school_class = r.person, r.school_class
        rows.append(
            [
                person.name,
                person.id_number,
                school_class.offering.major_code,
                school_class.offering.major_name,
                school_class.name,
                str(ClassLevel(school_class.class_level).label),
                str(StudyForm(r.form).label),
                r.enrolled_on,
                float(school_class.planned_years),
                str(person.get_sex_display()),
                person.birth_date,
                person.phone,
                person.ethnicity,
                person.household_registration,
            ]
        )
    write_xlsx([HEADERS[f][0] for f in EXPORT_FIELDS], rows, target)
    audit.record(
        actor=actor,
        action="registration.export",
        entity=school,
        after={"rows": len(rows), "unmasked": True},
        owner=school,
    )
    return len(rows)
