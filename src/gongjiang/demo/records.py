"""The records around the demo region's register, made the way a region makes them.

School by school, in the order of a school year: final-year students go out on internships (a
few without insurance or charged a fee, which the bureau's flags pick up); classes whose course
has ended graduate, asked by the school and approved by the bureau; graduates and final-year
students sit skill assessments, and a few win competitions; graduates' destinations are recorded
at the census of 31 December of their year once it has passed; and the school trains its own
students and people of the region, subsidised or paid for, about as many a year as it enrols.
Then enterprises take on apprentices with a partner school (企业新型学徒制).

Every write goes through the registry services, their bulk variants where a province writes
hundreds of thousands, so the records are checked and audited like real ones. How graduates fare
depends on their major's category (`PROSPECTS`): that is what the employment indicators must show.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.demo.parallel import SchoolTask, run_by_school
from gongjiang.demo.register import clerk_of, person_name, resident_id
from gongjiang.directory import services as directory
from gongjiang.directory.models import Organisation, Ownership, Person, SchoolTier
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concepts, crosswalk_targets, region_get
from gongjiang.registry import services
from gongjiang.registry.models import (
    AssessmentResult,
    ClassLevel,
    CompetitionLevel,
    Decision,
    DestinationKind,
    EventKind,
    Funding,
    Internship,
    MajorOffering,
    OfferingStatus,
    PlacementStatus,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    SchoolClass,
    StudyForm,
    Teacher,
    TeacherCategory,
    TrainingOutcome,
    TrainingProgramme,
)

Progress = Callable[[str], None]
Enterprise = tuple[Organisation, tuple[str, ...]]  # an enterprise and the major categories it hires from


@dataclass(frozen=True)
class Prospects:
    """How a major category's graduates fare: shares not yet employed, in further study,
    self-employed and enlisted (the rest are employed); the share of the employed working in
    their field; the usual monthly pay (CNY) in the region."""

    not_employed: float
    further_study: float
    self_employed: float
    enlisted: float
    in_field: float
    pay: int


# Industry-facing majors place nearly everyone; service, commerce, farming and art majors less so.
PROSPECTS = {
    "01": Prospects(0.03, 0.08, 0.01, 0.03, 0.80, 4900),  # 机械
    "02": Prospects(0.03, 0.10, 0.01, 0.03, 0.78, 5000),  # 电工电子
    "03": Prospects(0.09, 0.16, 0.04, 0.02, 0.62, 4700),  # 信息
    "04": Prospects(0.02, 0.07, 0.03, 0.03, 0.82, 4800),  # 交通（汽车）
    "05": Prospects(0.12, 0.10, 0.06, 0.01, 0.60, 3800),  # 服务
    "06": Prospects(0.13, 0.18, 0.03, 0.01, 0.55, 3700),  # 财经商贸
    "07": Prospects(0.15, 0.08, 0.08, 0.02, 0.50, 3500),  # 农业
    "08": Prospects(0.03, 0.06, 0.00, 0.02, 0.85, 5600),  # 能源
    "09": Prospects(0.04, 0.07, 0.00, 0.02, 0.80, 5400),  # 化工
    "10": Prospects(0.04, 0.05, 0.00, 0.02, 0.82, 5500),  # 冶金
    "11": Prospects(0.08, 0.07, 0.03, 0.02, 0.65, 4700),  # 建筑
    "13": Prospects(0.16, 0.12, 0.08, 0.01, 0.52, 3600),  # 文化艺术
}
OTHER_PROSPECTS = Prospects(0.08, 0.10, 0.03, 0.02, 0.65, 4300)
# Higher class levels are placed more easily and paid more.
LEVEL_PLACEMENT = {ClassLevel.INTERMEDIATE: 1.0, ClassLevel.SENIOR: 0.85, ClassLevel.PREPARATORY_TECHNICIAN: 0.6}
LEVEL_PAY = {ClassLevel.INTERMEDIATE: 0, ClassLevel.SENIOR: 300, ClassLevel.PREPARATORY_TECHNICIAN: 800}
MIN_PAY, MAX_PAY = 3000, 8000
# The skill level a class prepares for (中级工班 → 中级工 …).
CLASS_SKILL = {ClassLevel.INTERMEDIATE: 4, ClassLevel.SENIOR: 3, ClassLevel.PREPARATORY_TECHNICIAN: 2}
LEVEL_NAMES = {5: "初级工", 4: "中级工", 3: "高级工", 2: "技师", 1: "高级技师"}

POSTS = {
    "01": ("数控车床操作", "机械装配", "焊接操作", "设备维护", "质量检验"),
    "02": ("电气设备安装", "自动化产线运维", "电子产品装调", "光伏电站运维"),
    "03": ("网络运维", "软件测试", "电商运营", "数据标注"),
    "04": ("汽车机电维修", "新能源汽车检测", "整车装配", "售后服务顾问"),
    "05": ("中餐厨房", "面点制作", "前厅接待", "养老护理", "美容美发", "保育"),
    "06": ("出纳", "仓储管理", "快递分拣", "物流调度"),
    "07": ("农机维修", "农技服务", "种植管理"),
    "08": ("变电运维", "风电机组运维", "电力检修"),
    "09": ("化工操作", "化验分析", "制药生产"),
    "10": ("炼钢操作", "冶炼辅助", "稀土生产"),
    "11": ("施工员助理", "BIM建模", "楼宇设备运维"),
    "13": ("服装制版", "平面设计"),
}
GENERAL_POSTS = ("行政助理", "客户服务", "仓储管理", "生产辅助")
# Employers not on the platform: local firms named in the usual pattern, some outside the region.
LOCAL_EMPLOYERS = {
    "01": ("机械加工厂", "精密机械有限公司"),
    "02": ("电气工程有限公司", "电子科技有限公司"),
    "03": ("网络科技有限公司", "信息技术有限公司"),
    "04": ("汽车维修服务有限公司", "汽车销售服务有限公司"),
    "05": ("餐饮有限公司", "大酒店", "养老院", "美容美发店", "幼儿园"),
    "06": ("商贸有限公司", "物流有限公司", "会计服务有限公司"),
    "07": ("农牧业专业合作社", "农业科技有限公司"),
    "08": ("电力工程有限公司", "新能源发电有限公司"),
    "09": ("化工有限公司", "制药有限公司"),
    "10": ("冶金有限公司", "金属材料有限公司"),
    "11": ("建筑工程有限公司", "物业服务有限公司"),
    "13": ("服装有限公司", "广告设计有限公司"),
}
ELSEWHERE = ("北京", "天津", "西安", "银川", "石家庄", "太原")
FIRM_WORDS = ("恒达", "鑫源", "金泰", "宏盛", "华信", "瑞丰", "通达", "蒙欣", "众诚", "德润", "远航", "嘉禾")
# Jobs graduates take outside their field.
OTHER_JOBS = (
    "4-02-07-08", "4-03-01-01", "4-03-01-02", "6-20-01-01", "4-02-06-03", "4-01-06-01", "6-31-01-03", "4-12-01-01",
)  # fmt: skip
# Occupations schools train the public in whatever they teach: care, housekeeping, trades, delivery.
COMMUNITY_OCCUPATIONS = (
    "4-10-01-05", "4-10-01-06", "4-10-01-03", "6-31-01-03", "6-18-02-04", "4-03-02-01", "4-01-06-01", "4-02-07-08",
    "5-05-05-02", "4-12-01-01",
)  # fmt: skip
MOSTLY_WOMEN = ("4-10-", "4-03-02-04")
MOSTLY_MEN = ("6-", "4-12-", "5-05-05")

# Trainees a year per full-time entrant, by tier: colleges train far more than they enrol.
TRAINING_PER_ENTRANT = {
    SchoolTier.TECHNICIAN_COLLEGE: (1.3, 2.5),
    SchoolTier.SENIOR_SCHOOL: (0.8, 1.5),
    SchoolTier.TECHNICAL_SCHOOL: (0.4, 1.1),
}
TRAINING_LEVELS = {
    SchoolTier.TECHNICIAN_COLLEGE: ((5, 25), (4, 40), (3, 25), (2, 10)),
    SchoolTier.SENIOR_SCHOOL: ((5, 35), (4, 45), (3, 20)),
    SchoolTier.TECHNICAL_SCHOOL: ((5, 55), (4, 45)),
}
TRAINING_HOURS = {5: (40, 120), 4: (80, 200), 3: (120, 320), 2: (200, 480)}
SUBSIDY_SOURCES = ("就业补助资金", "职业技能提升行动专账资金", "失业保险基金技能提升补贴", "乡村振兴衔接资金")
# Courses for jobseekers teach the entry levels; the higher levels are for people already at work.
SUBSIDISED_KINDS = {5: ("就业技能培训",), 4: ("就业技能培训", "岗位技能提升培训")}
MARKET_KINDS = {5: ("技能等级认定培训",), 4: ("技能等级认定培训", "企业职工培训")}
UPSKILLING_KINDS = ("岗位技能提升培训", "企业职工培训")
MARKET_SOURCES = ("企业委托", "个人缴费")

INSURERS = ("PEAC", "PZAE", "PICC", "CPIC")
COMPETITIONS = (
    (CompetitionLevel.NATIONAL, "中华人民共和国职业技能大赛", ("金牌", "银牌", "铜牌", "优胜奖")),
    (CompetitionLevel.PROVINCIAL, "内蒙古自治区职业技能大赛", ("一等奖", "二等奖", "三等奖")),
    (CompetitionLevel.PROVINCIAL, "内蒙古自治区技工院校技能竞赛", ("一等奖", "二等奖", "三等奖")),
    (CompetitionLevel.CITY, "{city}职业技能大赛", ("一等奖", "二等奖", "三等奖")),
)
COMPETITION_WEIGHTS = (1, 3, 3, 4)


@dataclass
class RecordCounts:
    """What was made, for the command's summary."""

    programmes: int = 0
    trainees: int = 0
    apprenticeships: int = 0
    internships: int = 0
    flagged_internships: int = 0
    graduates: int = 0
    destinations: int = 0
    assessments: int = 0
    awards: int = 0


@dataclass
class _Region:
    """What every school's year needs: today, the evaluation body, the enterprises, the catalogue."""

    today: dt.date
    evaluator: Organisation
    assessor: Actor  # the evaluation body's clerk, who records its assessments
    districts: Sequence[str]
    enterprises: Sequence[Enterprise]
    used_ids: set[str]
    occupation_names: dict[str, str]
    serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    lane: int | None = None  # the identity-number lane of the school being generated (`demo.parallel`)
    _major_occupations: dict[str, list[str]] = field(default_factory=dict)

    def occupations_of(self, major_code: str) -> list[str]:
        """The occupations the major leads to (the catalogue's crosswalk)."""
        if major_code not in self._major_occupations:
            targets = crosswalk_targets(Scheme.MAJOR_OCCUPATION, major_code)
            self._major_occupations[major_code] = [c for c in targets if c in self.occupation_names]
        return self._major_occupations[major_code]

    def hiring(self, category: str) -> list[Organisation]:
        return [org for org, trades in self.enterprises if category in trades]

    def everyone(self) -> list[Organisation]:
        return [org for org, _trades in self.enterprises]


def populate_records(
    *,
    bureau: Actor,
    schools: Sequence[Organisation],
    enterprises: Sequence[Enterprise],
    evaluator: Organisation,
    districts: Sequence[str],
    rng: random.Random,
    progress: Progress | None = None,
    workers: int = 1,
) -> RecordCounts:
    """Make the records of the region's schools and enterprises (see the module's docstring); each
    school's year draws from a seed of its own, so `workers` processes give the same records."""
    region = _Region(
        today=clock.today(),
        evaluator=evaluator,
        assessor=clerk_of(evaluator),
        districts=districts,
        enterprises=enterprises,
        used_ids=set(Person.objects.values_list("id_number", flat=True)),
        occupation_names=dict(concepts(Scheme.OCCUPATION).values_list("code", "name")),
    )
    tasks = [SchoolTask(n, school, rng.getrandbits(64)) for n, school in enumerate(schools)]

    def school_year(task: SchoolTask) -> RecordCounts:
        # Numbers of the school's own: its identity-number lane, its run of certificate numbers.
        region.lane, region.serial = task.lane, itertools.count(task.index * 100_000 + 1)
        made = RecordCounts()
        _school_year(region, task.school, bureau, random.Random(task.seed), made)
        return made

    counts = RecordCounts()
    for made in run_by_school(
        tasks,
        school_year,
        workers=workers,
        describe=lambda task: f"{task.school.name}：实习、毕业、去向、技能等级认定与培训",
        progress=progress,
    ):
        for name, value in vars(made).items():
            setattr(counts, name, getattr(counts, name) + value)
    # Other processes may have added people: the numbers taken are read again.
    region.lane, region.used_ids = None, set(Person.objects.values_list("id_number", flat=True))
    if progress:
        progress("企业新型学徒制")
    _apprenticeships(region, schools, rng, counts)
    return counts


def graduation_day(school_class: SchoolClass) -> dt.date:
    """When a class's course ends: the summer after its planned years (a part-time year included)."""
    return dt.date(school_class.cohort_year + math.ceil(school_class.planned_years), 6, 30)


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _months_later(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + year, month + 1, min(day.day, 28))


def _category(registration: Registration) -> str:
    return registration.school_class.offering.major_code[:2]


# -- a school's year ----------------------------------------------------------------------------


def _school_year(
    region: _Region, school: Organisation, bureau: Actor, rng: random.Random, counts: RecordCounts
) -> None:
    clerk = clerk_of(school)
    today = region.today
    waiting = set(
        RegistrationEvent.objects.filter(registration__school=school, decision=Decision.PENDING).values_list(
            "registration_id", flat=True
        )
    )
    registrations = list(
        Registration.objects.filter(school=school).select_related("person", "school_class__offering").order_by("pk")
    )
    for registration in registrations:
        registration.school = school  # one object for all, not one joined in per row
    leaving: list[Registration] = []  # their course has ended: they graduate now
    final_year: list[Registration] = []
    in_school: list[Registration] = []
    for registration in registrations:
        if registration.status != RegistrationStatus.ENROLLED or registration.pk in waiting:
            continue
        ends = graduation_day(registration.school_class)
        if ends <= today:
            leaving.append(registration)
            continue
        in_school.append(registration)
        if registration.form == StudyForm.FULL_TIME and ends <= today + dt.timedelta(days=365):
            final_year.append(registration)

    internships = _internships(region, school, clerk, leaving + final_year, rng)
    counts.internships += len(internships)
    counts.flagged_internships += sum(1 for i in internships if not i.insurance_policy_no or i.fee_charged > 0)

    graduates = _graduate(school, clerk, bureau, leaving, rng)
    counts.graduates += sum(1 for g in graduates if g.status == RegistrationStatus.GRADUATED)
    passed = _assessments(region, graduates, final_year, rng, counts)
    counts.destinations += _destinations(region, school, clerk, graduates, rng)
    counts.awards += _awards(region, school, clerk, passed, rng)
    _training(region, school, clerk, registrations, in_school, rng, counts)


def _internships(
    region: _Region, school: Organisation, clerk: Actor, students: list[Registration], rng: random.Random
) -> list[Internship]:
    """岗位实习 in the final year, from the autumn before graduation for about six months. A school
    insures its interns under one group policy a year; a few go out uninsured or pay a fee, more
    often from private schools."""
    today = region.today
    public = school.ownership == Ownership.PUBLIC
    uninsured, charged = (0.015, 0.006) if public else (0.05, 0.025)
    insurer = rng.choice(INSURERS)
    policies: dict[int, str] = {}
    items: list[dict[str, Any]] = []
    for registration in students:
        if registration.form != StudyForm.FULL_TIME:
            continue  # part-time learners are employees already
        ends_course = graduation_day(registration.school_class)
        starts = _day_between(rng, dt.date(ends_course.year - 1, 9, 1), dt.date(ends_course.year - 1, 12, 20))
        if starts > today or rng.random() > 0.93:
            continue  # not gone yet, or placed by the family outside the school's arrangements
        ends = min(starts + dt.timedelta(days=rng.randint(150, 200)), ends_course - dt.timedelta(days=7))
        status = PlacementStatus.COMPLETED if ends <= today else PlacementStatus.ACTIVE
        if rng.random() < 0.03:
            status, ends = PlacementStatus.TERMINATED, min(today, starts + dt.timedelta(days=rng.randint(20, 110)))
        year = starts.year
        if year not in policies:
            policies[year] = f"{insurer}{year}{school.region_code}{rng.randint(100000, 999999)}"
        category = _category(registration)
        hiring = region.hiring(category)
        enterprise = rng.choice(hiring if hiring and rng.random() < 0.95 else region.everyone())
        posts = POSTS.get(category, GENERAL_POSTS) if enterprise in hiring else GENERAL_POSTS
        items.append(
            {
                "registration": registration,
                "enterprise": enterprise,
                "post": rng.choice(posts) + "岗",
                "starts_on": starts,
                "ends_on": ends,
                "insurance_policy_no": "" if rng.random() < uninsured else policies[year],
                "fee_charged": rng.choice((300, 500, 800, 1200, 2000)) if rng.random() < charged else 0,
                "status": status,
            }
        )
    created = services.internship_create_many(actor=clerk, internships=items)
    # Each enterprise confirms the interns the school placed with it (ADR 0024).
    by_enterprise: dict[int, list[Any]] = {}
    for internship in created:
        by_enterprise.setdefault(internship.enterprise_id, []).append(internship)
    for interns in by_enterprise.values():
        services.placement_answer_many(actor=clerk_of(interns[0].enterprise), records=interns, agree=True)
    return created


def _graduate(
    school: Organisation, clerk: Actor, bureau: Actor, leaving: list[Registration], rng: random.Random
) -> list[Registration]:
    """The school asks for the graduation of the classes whose course has ended (a few 结业, short
    of the requirements) and the bureau approves them together; returns them as they now stand."""
    if not leaving:
        return []
    requests = []
    for registration in leaving:
        short = rng.random() < 0.02
        requests.append(
            {
                "registration": registration,
                "kind": EventKind.COMPLETE if short else EventKind.GRADUATE,
                "effective_on": graduation_day(registration.school_class),
                "reason": "未达到毕业要求，准予结业" if short else "",
            }
        )
    events = services.registration_request_many(actor=clerk, requests=requests)
    services.registration_decide_many(actor=bureau, event_ids=[e.pk for e in events], approve=True)
    graduates = list(
        Registration.objects.filter(pk__in=[r.pk for r in leaving])
        .select_related("person", "school_class__offering")
        .order_by("pk")
    )
    for registration in graduates:
        registration.school = school
    return graduates


def _assessments(
    region: _Region, graduates: list[Registration], final_year: list[Registration], rng: random.Random,
    counts: RecordCounts,
) -> list[tuple[Registration, dt.date, str]]:  # fmt: skip
    """Most graduates sat the assessment of their class's level in their last spring, some the level
    below a year earlier; a share of this year's final-year students have that earlier one. Returns
    who passed (registration, day, occupation), the pool competition winners come from."""
    evaluator = region.evaluator
    items: list[dict[str, Any]] = []
    passed: list[tuple[Registration, dt.date, str]] = []

    def sit(registration: Registration, level: int, year: int, pass_rate: float) -> None:
        occupations = region.occupations_of(registration.school_class.offering.major_code)
        if not occupations:
            return
        occupation = rng.choice(occupations)
        day = _day_between(rng, dt.date(year, 4, 10), dt.date(year, 6, 20))
        ok = rng.random() < pass_rate
        items.append(
            {
                "evaluator": evaluator,
                "person": registration.person,
                "occupation_code": occupation,
                "skill_level": level,
                "assessed_on": day,
                "result": AssessmentResult.PASSED if ok else AssessmentResult.FAILED,
                "certificate_no": f"S{evaluator.code[1:]}{year}{next(region.serial):07d}" if ok else "",
            }
        )
        if ok:
            passed.append((registration, day, occupation))

    for registration in graduates:
        year = graduation_day(registration.school_class).year
        level = CLASS_SKILL[ClassLevel(registration.school_class.class_level)]
        full_time = registration.form == StudyForm.FULL_TIME
        if rng.random() < (0.72 if full_time else 0.85):
            completed = registration.status == RegistrationStatus.COMPLETED
            sit(registration, level, year, 0.45 if completed else 0.9)
        if full_time and level <= 3 and rng.random() < 0.35:
            sit(registration, level + 1, year - 1, 0.93)
    for registration in final_year:
        if rng.random() < 0.4:
            level = CLASS_SKILL[ClassLevel(registration.school_class.class_level)]
            sit(registration, min(5, level + 1), graduation_day(registration.school_class).year - 1, 0.92)
    counts.assessments += len(services.assessment_record_many(actor=region.assessor, assessments=items))
    return passed


def _destinations(
    region: _Region, school: Organisation, clerk: Actor, graduates: list[Registration], rng: random.Random
) -> int:
    """Full-time graduates' destinations at 31 December of their year, for the years whose census
    has passed. The odds follow the major's category (`PROSPECTS`), the class level and the school."""
    placement = rng.uniform(0.7, 1.4)  # some schools place their graduates better than others
    city = _city_name(school)
    items: list[dict[str, Any]] = []
    for registration in graduates:
        census = dt.date(graduation_day(registration.school_class).year, 12, 31)
        if registration.form != StudyForm.FULL_TIME or census > region.today:
            continue
        category = _category(registration)
        odds = PROSPECTS.get(category, OTHER_PROSPECTS)
        level = ClassLevel(registration.school_class.class_level)
        completed = registration.status == RegistrationStatus.COMPLETED
        male = registration.person.sex == "M"
        shares = (
            (DestinationKind.NOT_EMPLOYED, odds.not_employed * placement * LEVEL_PLACEMENT[level] * (2 if completed else 1)),
            (DestinationKind.FURTHER_STUDY, odds.further_study),
            (DestinationKind.SELF_EMPLOYED, odds.self_employed),
            (DestinationKind.ENLISTED, odds.enlisted * (1.6 if male else 0.15)),
        )  # fmt: skip
        roll, kind = rng.random(), DestinationKind.EMPLOYED
        for candidate, share in shares:
            if roll < share:
                kind = candidate
                break
            roll -= share
        item: dict[str, Any] = {"registration": registration, "census_date": census, "kind": kind}
        own = region.occupations_of(registration.school_class.offering.major_code)
        if kind == DestinationKind.EMPLOYED:
            hiring = region.hiring(category)
            where = rng.random()
            employer = rng.choice(hiring) if hiring and where < 0.6 else None
            if employer is None and where < 0.7:
                employer = rng.choice(region.everyone())
            in_field = rng.random() < odds.in_field + (0.1 if employer in hiring else 0) and bool(own)
            item |= {
                "employer": employer,
                "employer_name": "" if employer else _local_employer(rng, category, city),
                "occupation_code": rng.choice(own) if in_field else rng.choice([o for o in OTHER_JOBS if o not in own]),
                "in_field": in_field,
                "monthly_pay": _pay(rng, odds.pay + LEVEL_PAY[level] + (250 if in_field else -200)),
            }  # fmt: skip
        elif kind == DestinationKind.SELF_EMPLOYED:
            item |= {
                "occupation_code": rng.choice(own) if own and rng.random() < 0.7 else rng.choice(OTHER_JOBS),
                "monthly_pay": _pay(rng, odds.pay),
            }
        items.append(item)
    return len(services.destination_record_many(actor=clerk, destinations=items))


def _pay(rng: random.Random, typical: int) -> int:
    return min(MAX_PAY, max(MIN_PAY, round(typical * rng.gauss(1.0, 0.12) / 50) * 50))


def _city_name(org: Organisation) -> str:
    city = region_get(org.region_code[:4] + "00")
    return city.name.removesuffix("市") if city is not None else ""


def _local_employer(rng: random.Random, category: str, city: str) -> str:
    place = city if city and rng.random() < 0.8 else rng.choice(ELSEWHERE)
    return f"{place}{rng.choice(FIRM_WORDS)}{rng.choice(LOCAL_EMPLOYERS.get(category, LOCAL_EMPLOYERS['06']))}"


def _awards(
    region: _Region,
    school: Organisation,
    clerk: Actor,
    passed: list[tuple[Registration, dt.date, str]],
    rng: random.Random,
) -> int:
    """About one award for every 150 certified students, at city, provincial or national level."""
    if not passed:
        return 0
    city = _city_name(school)
    winners = rng.sample(passed, k=min(len(passed), max(1, round(len(passed) / 150))))
    for registration, assessed_on, occupation in winners:
        level, title, ranks = rng.choices(COMPETITIONS, weights=COMPETITION_WEIGHTS)[0]
        awarded_on = min(region.today, assessed_on + dt.timedelta(days=rng.randint(20, 150)))
        services.award_record(
            actor=clerk, recorded_by=school, person=registration.person,
            competition=f"{awarded_on.year}年{title.format(city=city)}（{region.occupation_names[occupation]}赛项）",
            level=level, rank=rng.choice(ranks), awarded_on=awarded_on, occupation_code=occupation,
        )  # fmt: skip
    return len(winners)


# -- training -----------------------------------------------------------------------------------


def _training(
    region: _Region,
    school: Organisation,
    clerk: Actor,
    registrations: list[Registration],
    in_school: list[Registration],
    rng: random.Random,
    counts: RecordCounts,
) -> None:
    """Last year's and this year's classes: about as many trainees a year as full-time entrants,
    more at colleges; mostly people of the region (some come back for another course), some of the
    school's own students. New people are registered together, then all trainees in one batch."""
    today = region.today
    full_time = [r for r in registrations if r.form == StudyForm.FULL_TIME]
    latest = max((r.school_class.cohort_year for r in full_time), default=today.year)
    entrants = sum(1 for r in full_time if r.school_class.cohort_year == latest)
    per_entrant = rng.uniform(*TRAINING_PER_ENTRANT.get(SchoolTier(school.tier), (0.5, 1.0)))
    levels, weights = zip(*TRAINING_LEVELS.get(SchoolTier(school.tier), ((5, 1), (4, 1))), strict=True)
    own = [
        o
        for code in sorted({r.school_class.offering.major_code for r in registrations})
        for o in region.occupations_of(code)
    ]
    students = [r.person for r in in_school]
    newcomers: list[dict[str, str]] = []
    returning: list[int] = []  # indexes into newcomers: people who may come back for another course
    seats: list[tuple[TrainingProgramme, Person | int, str]] = []  # programme, trainee, outcome
    issues: Counter[tuple[int, str, int]] = Counter()  # a course that runs again gets its next issue number
    for year in (today.year - 1, today.year):
        first, last = dt.date(year, 1, 5), dt.date(year, 12, 10)
        until = min(last, today - dt.timedelta(days=1))
        if until < first:
            continue
        target = round(entrants * per_entrant * (until - first).days / (last - first).days)
        planned = 0
        while planned < target:
            occupation = rng.choice(own if own and rng.random() < 0.7 else COMMUNITY_OCCUPATIONS)
            level = rng.choices(levels, weights=weights)[0]
            low, high = TRAINING_HOURS[level]
            hours = rng.randint(low, high) // 8 * 8
            subsidised = rng.random() < 0.6
            starts = _day_between(rng, first, until)
            ends = starts + dt.timedelta(days=math.ceil(hours / 6 * 7 / 5))  # six hours a weekday
            kind = rng.choice((SUBSIDISED_KINDS if subsidised else MARKET_KINDS).get(level, UPSKILLING_KINDS))
            issues[year, occupation, level] += 1
            title = f"{region.occupation_names[occupation]}（{LEVEL_NAMES[level]}）{kind}"
            programme = services.training_programme_create(
                actor=clerk, provider=school, name=f"{year}年{title}第{issues[year, occupation, level]}期",
                occupation_code=occupation, skill_level=level, hours=hours,
                funding=Funding.SUBSIDISED if subsidised else Funding.MARKET,
                funding_source=rng.choice(SUBSIDY_SOURCES if subsidised else MARKET_SOURCES),
                starts_on=starts, ends_on=ends,
            )  # fmt: skip
            counts.programmes += 1
            size = rng.randint(20, 50)  # a class; the year's last one may take the total a little over
            planned += size
            taken: set[int] = set()
            from_school = rng.sample(students, k=min(len(students), round(size * rng.uniform(0.05, 0.2))))
            trainees: list[Person | int] = list(from_school)
            while len(trainees) < size:
                if returning and rng.random() < 0.12:
                    again = rng.choice(returning)
                    if again not in taken:
                        taken.add(again)
                        trainees.append(again)
                    continue
                newcomers.append(_newcomer(region, school, occupation, year, rng))
                taken.add(len(newcomers) - 1)
                trainees.append(len(newcomers) - 1)
            returning.extend(t for t in trainees if isinstance(t, int))
            seats.extend((programme, trainee, _outcome(programme, today, rng)) for trainee in trainees)
    people = directory.person_create_many(actor=clerk, people=newcomers)
    items = []
    for programme, trainee, outcome in seats:
        finished = None
        if outcome == TrainingOutcome.DROPPED:
            finished = _day_between(rng, programme.starts_on, programme.ends_on)
        elif outcome != TrainingOutcome.ENROLLED:
            finished = programme.ends_on
        items.append(
            {
                "programme": programme,
                "person": people[trainee] if isinstance(trainee, int) else trainee,
                "outcome": outcome,
                "certificate_no": f"{school.code}{programme.ends_on.year}{next(region.serial):07d}"
                if outcome == TrainingOutcome.CERTIFIED
                else "",
                "finished_on": finished,
            }
        )
    counts.trainees += len(services.trainee_record_many(actor=clerk, trainees=items))


def _outcome(programme: TrainingProgramme, today: dt.date, rng: random.Random) -> str:
    if programme.ends_on >= today:
        return TrainingOutcome.ENROLLED
    certified, completed = (0.70, 0.24) if programme.funding == Funding.SUBSIDISED else (0.55, 0.40)
    roll = rng.random()
    if roll < certified:
        return TrainingOutcome.CERTIFIED
    return TrainingOutcome.COMPLETED if roll < certified + completed else TrainingOutcome.DROPPED


def _newcomer(region: _Region, home: Organisation, occupation: str, year: int, rng: random.Random) -> dict[str, str]:
    """A person of the region, 18 to 55, more often a woman in care work and a man in the trades."""
    if occupation.startswith(MOSTLY_WOMEN):
        male = rng.random() < 0.15
    else:
        male = rng.random() < (0.8 if occupation.startswith(MOSTLY_MEN) else 0.5)
    birth = dt.date(year - rng.randint(18, 55), rng.randint(1, 12), rng.randint(1, 28))
    district = home.region_code if rng.random() < 0.6 else rng.choice(region.districts)
    return {
        "name": person_name(rng, male),
        "id_number": resident_id(rng, district, birth, male, region.used_ids, region.lane),
        "phone": f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}",
    }


# -- apprenticeships ----------------------------------------------------------------------------


def _apprenticeships(
    region: _Region, schools: Sequence[Organisation], rng: random.Random, counts: RecordCounts
) -> None:
    """About half the enterprises train employees with a partner school that teaches their trade,
    preferably in their city: batches of 4–16 apprentices over 12–24 months, a master for every
    three and a specialist teacher of the school as the school tutor."""
    majors: dict[int, list[str]] = {s.pk: [] for s in schools}
    for school_id, code in (
        MajorOffering.objects.filter(school__in=schools, status=OfferingStatus.FILED)
        .order_by("school_id", "major_code")
        .values_list("school_id", "major_code")
    ):
        majors[school_id].append(code)
    tutors: dict[int, list[tuple[str, str]]] = {s.pk: [] for s in schools}
    for school_id, major_code, name in (
        # By school, then in the order each school hired (ids interleave when schools are made in
        # several processes; within a school they follow its own order).
        Teacher.objects.filter(school__in=schools, category=TeacherCategory.SPECIALIST)
        .order_by("school_id", "pk")
        .values_list("school_id", "major_code", "person__name")
    ):
        tutors[school_id].append((major_code, name))
    today = region.today
    for enterprise, trades in region.enterprises:
        if rng.random() >= 0.55:
            continue
        partners = [s for s in schools if any(code[:2] in trades for code in majors[s.pk])]
        if not partners:
            continue  # no school of the region teaches its trade
        nearby = [s for s in partners if s.region_code[:4] == enterprise.region_code[:4]]
        people: list[dict[str, str]] = []
        terms: list[dict[str, Any]] = []
        for _batch in range(rng.randint(1, 3)):
            school = rng.choice(nearby if nearby and rng.random() < 0.7 else partners)
            fitting = [c for c in majors[school.pk] if c[:2] in trades]
            occupation = rng.choice([o for c in fitting for o in region.occupations_of(c)] or COMMUNITY_OCCUPATIONS)
            level = rng.choice((4, 4, 3))
            months = rng.choice((12, 18, 24))
            starts = (today - dt.timedelta(days=rng.randint(30, 3 * 365))).replace(day=1)
            ends = _months_later(starts, months)
            teachers = [n for code, n in tutors[school.pk] if code in fitting] or [n for _c, n in tutors[school.pk]]
            school_tutor = rng.choice(teachers) if teachers else person_name(rng)
            size = rng.randint(4, 16)
            masters = [person_name(rng) for _ in range(max(1, size // 3))]
            share = rng.choice((60, 65, 70))
            plan = (
                f"{starts:%Y年%m月}至{ends:%Y年%m月}，共{months}个月。企校双师带徒、工学交替："
                f"企业岗位培养约占{share}%，{school.name}集中授课约占{100 - share}%；"
                f"培养目标为{region.occupation_names[occupation]}（{LEVEL_NAMES[level]}），期满参加职业技能等级认定。"
            )
            for _ in range(size):
                status, last = PlacementStatus.ACTIVE, ends
                if ends <= today:
                    status = PlacementStatus.COMPLETED
                if rng.random() < (0.1 if ends <= today else 0.06):
                    status, last = PlacementStatus.TERMINATED, _day_between(rng, starts, min(ends, today))
                birth = dt.date(today.year - rng.randint(19, 40), rng.randint(1, 12), rng.randint(1, 28))
                district = enterprise.region_code if rng.random() < 0.65 else rng.choice(region.districts)
                male = rng.random() < 0.7
                people.append(
                    {
                        "name": person_name(rng, male),
                        "id_number": resident_id(rng, district, birth, male, region.used_ids),
                        "phone": f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}",
                    }
                )
                terms.append(
                    {
                        "school": school, "occupation_code": occupation, "enterprise_tutor": rng.choice(masters),
                        "school_tutor": school_tutor, "plan": plan, "starts_on": starts, "ends_on": last,
                        "status": status,
                    }
                )  # fmt: skip
        # The enterprise registers its employees, then records their apprenticeships.
        clerk = clerk_of(enterprise)
        apprentices = directory.person_create_many(actor=clerk, people=people)
        created = services.apprenticeship_create_many(
            actor=clerk,
            apprenticeships=[
                {"enterprise": enterprise, "apprentice": a} | term for a, term in zip(apprentices, terms, strict=True)
            ],
        )
        # The school confirms the apprentices it trains (ADR 0024).
        by_school: dict[int, list[Any]] = {}
        for apprenticeship in created:
            by_school.setdefault(apprenticeship.school_id, []).append(apprenticeship)
        for trained in by_school.values():
            services.placement_answer_many(actor=clerk_of(trained[0].school), records=trained, agree=True)
        counts.apprenticeships += len(created)
