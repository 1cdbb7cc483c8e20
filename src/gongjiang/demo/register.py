"""Fill the demo region's register: majors filed by tier and by the school's trade, classes for
the three cohorts in school and two that have left, and students, entered the way a clerk enters
them (a spreadsheet through the real import) and approved by the bureau the way it approves an
intake (in one batch). The cohorts that have left graduate in `demo.records`."""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import jieba

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.core.sheets import write_csv
from gongjiang.core.validators import resident_id_check_digit
from gongjiang.demo.parallel import SchoolTask, run_by_school
from gongjiang.directory import services as directory
from gongjiang.directory.models import Organisation, Person, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.market.services import final_year_starts
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concepts
from gongjiang.registry import services
from gongjiang.registry.models import EventKind, Registration, RegistrationEvent, SchoolClass
from gongjiang.registry.selectors import TIER_LEVELS
from gongjiang.registry.services.imports import registrations_import

# jieba reports building its dictionary at DEBUG level on its own handler, once in every process
# that segments a name; the demo's progress lines are what its user reads.
jieba.setLogLevel(logging.WARNING)

# The trade in a school's name (part of its stem) → the major categories it teaches (catalogue category codes).
TRADES = {
    "机电": ("01", "02"), "交通": ("04", "01"), "能源化工": ("09", "08", "02"), "钢铁": ("10", "01", "02"),
    "现代服务": ("05", "06", "03"), "工业": ("01", "02", "03"), "农牧": ("07", "05"), "汽车": ("04", "01"),
    "新城": ("05", "03", "06"), "松山": ("01", "05"), "康巴什": ("03", "05", "11"), "青山": ("01", "11", "13"),
}  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
# Given-name characters as commonly chosen for boys and for girls: a name matches the sex its
# 身份证号 records.
GIVEN_MALE = "伟强磊军洋勇杰涛明超平刚华聪浩宇轩然博文鑫鹏辉"
GIVEN_FEMALE = "芳娜敏静丽艳秀霞桂英玉兰萍红娥玲芬燕彩春菊凤洁梅琳素云莲真环雪荣爱妹香月莺媛瑞凡佳嘉琼勤珍贞莉娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思"
ETHNICITIES = ["汉族"] * 17 + ["蒙古族"] * 2 + ["回族", "满族", "达斡尔族"]
Progress = Callable[[str], None]
IN_SCHOOL_COHORTS = 3  # a three-year course: this year's intake and the two before it
# Cohorts that have left since, so that the region has graduates (through the real graduation
# events) and, for the older one, destinations at a census that has passed.
GRADUATED_COHORTS = 2
CLASS_SIZE = 45


# Trailing words a class name drops from its major's name, as schools write it (数控, 机电一体化).
MAJOR_SUFFIXES = (
    "与维修", "与维护", "与管理", "与应用", "技术", "应用", "管理", "服务", "安装", "检测", "设备", "艺术", "工艺",
)  # fmt: skip
SHORT_NAME_CHARS = 5


def class_short_name(major_name: str) -> str:
    """The major as a class name carries it: 机电一体化技术 → 机电一体化, 电气自动化设备安装与维修
    → 电气自动化, 发电厂及变电站电气设备 → 发电厂: trailing generic words dropped while the
    name is long, then whole words up to five characters (never a word cut in half)."""
    name = major_name.split("（")[0]
    while len(name) > SHORT_NAME_CHARS and (end := next((x for x in MAJOR_SUFFIXES if name.endswith(x)), "")):
        name = name[: -len(end)]
    if len(name) <= SHORT_NAME_CHARS:
        return name
    kept = ""
    for word in jieba.lcut(name):
        if word in ("及", "与", "和"):
            continue
        if kept and len(kept) + len(word) > SHORT_NAME_CHARS:
            break
        kept += word
    return kept


def person_name(rng: random.Random, male: bool | None = None) -> str:
    """A name as common as the region's: a frequent surname and one or two given characters,
    chosen for the person's sex when it is known (a tutor's name alone is drawn from both)."""
    given = GIVEN_MALE + GIVEN_FEMALE if male is None else GIVEN_MALE if male else GIVEN_FEMALE
    return rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2, 2))))


def resident_id(
    rng: random.Random, region: str, birth: dt.date, male: bool, used: set[str], lane: int | None = None
) -> str:
    """A valid 身份证号 of the region, birth date and sex, none of those in `used` (which it joins).
    With a `lane` (0–9) the sequence number begins with it, so that schools generated in different
    processes never draw the same number (`demo.parallel`)."""
    while True:
        first = lane * 10 + rng.randint(0, 9) if lane is not None else rng.randint(0, 99)
        sequence = first * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
        first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
        number = first17 + resident_id_check_digit(first17)
        if number not in used:
            used.add(number)
            return number


def _file_majors(
    actor: Actor, school: Organisation, stem: str, rng: random.Random, bureau: Actor, first_cohort: int
) -> list[str]:
    """File the school's majors, each in a summer before the first cohort this register holds."""
    categories = next((cats for trade, cats in TRADES.items() if trade in stem), ("01", "05"))
    catalogue = list(concepts(Scheme.MAJOR).filter(level=2).select_related("parent").order_by("code"))
    fitting = [m for m in catalogue if m.parent is not None and m.parent.code in categories]
    chosen = rng.sample(fitting, k=min(len(fitting), rng.randint(4, 7)))
    tier_levels = TIER_LEVELS.get(school.tier, ())
    filed = []
    for major in chosen:
        levels = [lv for lv in major.attrs.get("class_levels", []) if lv in tier_levels]
        if not levels:
            continue
        application = services.major_apply(
            actor=actor, school=school, major_code=major.code, kind="add", class_levels=levels, reason="产业需求"
        )
        filed_on = dt.date(first_cohort - rng.randint(1, 6), 6, 30)
        services.major_decide(actor=bureau, application=application, approve=True, filed_on=filed_on)
        filed.append(major.code)
    return filed


# Each tier's school: land (m²), floor area (m²), equipment (万元) and books near what the
# setting standards ask of it; a school is drawn anywhere from 0.7 to 2.5 times that.
SCHOOL_SIZES = {
    "technical_school": (30_000, 18_000, 300, 30_000),
    "senior_school": (66_000, 30_000, 1_000, 60_000),
    "technician_college": (66_700, 50_000, 3_000, 100_000),
}


def _school_profile(actor: Actor, school: Organisation, rng: random.Random) -> None:
    """The school's facilities, as its clerk keeps them; one school in six has not yet entered
    its training floor area."""
    land, floor, equipment, books = SCHOOL_SIZES.get(school.tier, SCHOOL_SIZES["technical_school"])
    scale = rng.uniform(0.7, 2.5)
    services.school_profile_update(
        actor=actor,
        school=school,
        expected_version=None,  # a new school's facts, entered for the first time
        land_area_m2=round(land * scale * rng.uniform(0.9, 1.1)),
        floor_area_m2=round(floor * scale * rng.uniform(0.9, 1.1)),
        training_floor_area_m2=None if rng.random() < 1 / 6 else round(floor * scale * rng.uniform(0.25, 0.4)),
        equipment_value_wan=Decimal(f"{equipment * scale * rng.uniform(0.8, 1.2):.1f}"),
        books=round(books * scale * rng.uniform(0.8, 1.2)),
    )


def populate_register(
    *,
    operator: Actor,
    bureau: Actor,
    schools: list[tuple[Organisation, str]],
    districts: list[str],
    students: int,
    rng: random.Random,
    enterprises: list[Organisation],
    progress: Progress | None = None,
    workers: int = 1,
) -> int:
    """Give each school majors, classes and about `students` students in school in all, plus the
    cohorts that have since left (see `GRADUATED_COHORTS`); returns how many registrations. Each
    school draws from a seed of its own, so `workers` processes give the same register."""
    today = clock.today()
    latest = today.year if today.month >= 9 else today.year - 1  # the intake of this school year
    intake = _Intake(
        operator=operator,
        bureau=bureau,
        stems={school.pk: stem for school, stem in schools},
        districts=districts,
        enterprises=enterprises,
        per_cohort=max(1, students // max(1, len(schools)) // IN_SCHOOL_COHORTS),
        latest=latest,
        cohorts=range(latest - IN_SCHOOL_COHORTS - GRADUATED_COHORTS + 1, latest + 1),
        today=today,
        used=set(),
    )
    tasks = [SchoolTask(n, school, rng.getrandbits(64)) for n, (school, _stem) in enumerate(schools)]
    created = run_by_school(
        tasks,
        intake.register,
        workers=workers,
        describe=lambda task: f"{task.school.name}：专业、班级与学籍",
        progress=progress,
    )
    return sum(created)


@dataclass
class _Intake:
    """What every school's register needs; `register` makes one school's."""

    operator: Actor
    bureau: Actor
    stems: dict[int, str]
    districts: list[str]
    enterprises: list[Organisation]
    per_cohort: int
    latest: int
    cohorts: range
    today: dt.date
    used: set[str]  # identity numbers given so far (in this process)

    def register(self, task: SchoolTask) -> int:
        school, rng, used, per_cohort, latest = (
            task.school,
            random.Random(task.seed),
            self.used,
            self.per_cohort,
            self.latest,
        )
        codes = _file_majors(self.operator, school, self.stems[school.pk], rng, self.bureau, self.cohorts[0])
        _school_profile(self.operator, school, rng)
        if not codes:
            return 0
        offerings = {o.major_code: o for o in school.major_offerings.filter(major_code__in=codes)}
        rows: list[list[str]] = []
        in_school = 0
        number = 0
        for index, cohort in enumerate(self.cohorts):
            # Every major's first level before any major's second, so that a school with few classes
            # still runs several majors; the rotation below gives each cohort other majors first.
            plans = [
                (code, levels[depth], "full_time")
                for depth in range(3)
                for code in codes
                if depth < len(levels := offerings[code].class_levels)
            ]
            if rng.random() < 0.6:
                part_time_code = rng.choice(codes)
                plans.append((part_time_code, offerings[part_time_code].class_levels[0], "part_time"))
            # Enrolment has grown: the cohorts that have left were a little smaller.
            size = per_cohort if cohort > latest - IN_SCHOOL_COHORTS else per_cohort * 9 // 10
            classes = max(1, math.ceil(size / CLASS_SIZE))
            # Popular majors run several parallel classes.
            for k in range(classes):
                code, level, form = plans[(k + index) % len(plans)]
                number += 1
                offering = offerings[code]
                label = {"intermediate": "中级", "senior": "高级", "preparatory_technician": "技师"}[level]
                short = class_short_name(offering.major_name)
                class_name = f"{cohort}级{short}{label}{'在职' if form == 'part_time' else ''}{number}班"
                headcount = max(1, size // classes if form == "full_time" else size // classes * 3 // 4)
                if cohort > latest - IN_SCHOOL_COHORTS:
                    in_school += headcount
                for _ in range(headcount):
                    male = rng.random() < (0.62 if code[:2] in ("01", "02", "04", "08", "09", "10", "11") else 0.35)
                    age = rng.randint(15, 17) if form == "full_time" else rng.randint(20, 42)
                    birth = dt.date(cohort - age, rng.randint(1, 12), rng.randint(1, 28))
                    region = school.region_code if rng.random() < 0.55 else rng.choice(self.districts)
                    rows.append(
                        [
                            person_name(rng, male), resident_id(rng, region, birth, male, used, task.lane), code, class_name,
                            {"intermediate": "中级工班", "senior": "高级工班", "preparatory_technician": "预备技师班"}[level],
                            "全日制" if form == "full_time" else "非全日制", f"{cohort}-09-01",
                            f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}", rng.choice(ETHNICITIES),
                        ]
                    )  # fmt: skip
        buffer = io.StringIO()
        write_csv(
            ["姓名", "身份证号", "专业代码", "班级", "班级层次", "学习形式", "入学日期", "联系电话", "民族"],
            rows,
            buffer,
        )
        report = registrations_import(
            actor=self.operator,
            school=school,
            source=io.BytesIO(buffer.getvalue().encode("utf-8")),
            filename="名册.csv",
        )
        if report.errors:
            raise RuntimeError(f"demo import failed for {school.code}: {report.errors[:3]}")
        _approve_intake(self.bureau, school, self.today, rng)
        _hire_teachers(school, codes, in_school, self.enterprises, rng, used, task.lane)
        return report.created


EVIDENCE = ["技师职业资格证书", "高级工职业资格证书", "五年企业工作经历", "企业技术骨干经历", "一体化课程教学能力认定"]


def _hire_teachers(
    school: Organisation,
    codes: list[str],
    students: int,
    enterprises: list[Organisation],
    rng: random.Random,
    used: set[str],
    lane: int,
) -> None:
    """About one teacher for every 18 students: mostly specialists, many dual-qualified, some part-time
    from the region's enterprises, with periods of enterprise practice."""
    clerk = clerk_of(school)
    today = clock.today()
    people: list[dict[str, Any]] = []
    staff: list[dict[str, Any]] = []
    for _ in range(max(2, students // 18)):
        specialist = rng.random() < 0.7
        from_enterprise = rng.choice(enterprises) if specialist and enterprises and rng.random() < 0.12 else None
        male = rng.random() < 0.55
        birth = dt.date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28))
        people.append(
            {"name": person_name(rng, male), "id_number": resident_id(rng, school.region_code, birth, male, used, lane)}
        )
        dual = specialist and rng.random() < 0.62
        staff.append({
            "school": school, "category": "specialist" if specialist else "general",
            "hired_on": dt.date(rng.randint(max(birth.year + 22, 1990), today.year - 1), 9, 1),
            "full_time": from_enterprise is None, "from_enterprise": from_enterprise,
            "dual_qualified": dual, "dual_evidence": rng.choice(EVIDENCE) if dual else "",
            "integrated": specialist and rng.random() < 0.35, "major_code": rng.choice(codes) if specialist and codes else "",
        })  # fmt: skip
    persons = directory.person_create_many(actor=clerk, people=people)
    teachers = services.teacher_add_many(
        actor=clerk, teachers=[{**fields, "person": person} for fields, person in zip(staff, persons, strict=True)]
    )
    practices = []
    for teacher in teachers:
        if teacher.category == "specialist" and teacher.from_enterprise is None and enterprises and rng.random() < 0.4:
            started = dt.date(rng.randint(today.year - 5, today.year - 1), rng.choice((1, 7)), 1)
            practices.append({
                "teacher": teacher, "enterprise": rng.choice(enterprises),
                "started_on": started, "ended_on": started + dt.timedelta(days=rng.choice((60, 91, 182))),
            })  # fmt: skip
    services.practice_record_many(actor=clerk, practices=practices)


def _approve_intake(bureau: Actor, school: Organisation, today: dt.date, rng: random.Random) -> None:
    """The bureau approves the older cohorts and most of this year's; a few changes follow."""
    pending = list(
        RegistrationEvent.objects.filter(
            registration__school=school, kind=EventKind.REGISTER, decision="pending"
        ).values_list("pk", "registration__school_class__cohort_year")
    )
    latest = max((cohort for _pk, cohort in pending), default=today.year)
    approve = [pk for pk, cohort in pending if cohort < latest or rng.random() < 0.8]
    services.registration_decide_many(actor=bureau, event_ids=approve, approve=True)
    enrolled = list(
        Registration.objects.filter(school=school, status="enrolled").order_by("pk").values_list("pk", flat=True)
    )
    clerk = clerk_of(school)
    changes = []
    chosen = rng.sample(enrolled, k=min(len(enrolled), max(1, len(enrolled) // 40)))
    # Only the chosen few are read as objects, in the order they were drawn.
    chosen_rows = Registration.objects.in_bulk(chosen)
    for registration in (chosen_rows[pk] for pk in chosen):
        kind, reason = rng.choice([("withdraw", "个人原因退学"), ("suspend", "因病休学"), ("withdraw", "参军入伍")])
        changes.append(
            services.registration_request(
                actor=clerk, registration=registration, kind=kind,
                effective_on=min(today, registration.enrolled_on + dt.timedelta(days=rng.randint(30, 400))), reason=reason,
            ).pk
        )  # fmt: skip
    services.registration_decide_many(actor=bureau, event_ids=changes[: len(changes) * 3 // 4], approve=True)


def clerk_of(org: Organisation) -> Actor:
    """The organisation's own clerk (its first member), who records what the organisation records."""
    return actor_for_user(User.objects.filter(memberships__organisation=org).order_by("pk").first())


def enrol_persona(
    *, operator: Actor, bureau: Actor, school: Organisation, person: Person, today: dt.date | None = None
) -> Registration:
    """Put the `student` persona in a class of the first school, approved, so their home has a
    record: a class in its final school year, so that the persona is the graduate looking for a
    job the demo shows (the newest class where none is)."""
    today = today or clock.today()
    classes = list(SchoolClass.objects.filter(school=school, form="full_time").order_by("-cohort_year", "name"))
    if not classes:
        raise RuntimeError("the demo school has no full-time class")

    def final_year(school_class: SchoolClass) -> bool:
        leaves = school_class.cohort_year + math.ceil(school_class.planned_years)
        return final_year_starts(leaves) <= today < dt.date(leaves, 7, 1)

    school_class = next((c for c in classes if final_year(c)), classes[0])
    registration = services.registration_create(
        actor=operator, school_class=school_class, person=person, enrolled_on=dt.date(school_class.cohort_year, 9, 1)
    )
    services.registration_decide(actor=bureau, event=registration.events.get(), approve=True)
    return registration
