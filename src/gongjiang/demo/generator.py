"""A deterministic, realistic sample region: the same seed always gives the same region.

Everything is written through the services with the command-line operator as actor, so the
demo's data carry the same audit trail as real data.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from stdnum.cn import uscc

from gongjiang.core.actors import Actor
from gongjiang.core.bulk import fast_commits
from gongjiang.core.validators import resident_id_check_digit
from gongjiang.demo.certificates import CertificateCounts, populate_certificates
from gongjiang.demo.market import HISTORY_MONTHS, Employer, MarketCounts, populate_market
from gongjiang.demo.plans import PlanCounts, run_assessment_plans
from gongjiang.demo.records import RecordCounts, populate_records
from gongjiang.demo.register import enrol_persona, populate_register
from gongjiang.directory import services
from gongjiang.directory.models import Organisation, OrganisationKind, Ownership, Role, SchoolTier, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.insight import services as insight
from gongjiang.refdata.selectors import remembered_lookups
from gongjiang.registry.models import ACTIVE_STATUSES, Registration

PROVINCE = ("150000", "内蒙古自治区")
CITIES = [
    ("150100", "呼和浩特市", ["150102", "150103", "150104", "150105"]),
    ("150200", "包头市", ["150202", "150203", "150204", "150207"]),
    ("150400", "赤峰市", ["150402", "150404"]),
    ("150600", "鄂尔多斯市", ["150602", "150603"]),
    ("150800", "巴彦淖尔市", ["150802"]),
]

# (city index, name stem, tier, ownership). Names are invented in the usual pattern of the sector.
SCHOOLS = [
    (1, "包头机电", SchoolTier.TECHNICIAN_COLLEGE, Ownership.PUBLIC),
    (0, "呼和浩特交通", SchoolTier.TECHNICIAN_COLLEGE, Ownership.PUBLIC),
    (3, "鄂尔多斯能源化工", SchoolTier.TECHNICIAN_COLLEGE, Ownership.PUBLIC),
    (1, "包头钢铁集团", SchoolTier.TECHNICIAN_COLLEGE, Ownership.ENTERPRISE),
    (0, "呼和浩特现代服务", SchoolTier.SENIOR_SCHOOL, Ownership.PUBLIC),
    (2, "赤峰工业", SchoolTier.SENIOR_SCHOOL, Ownership.PUBLIC),
    (4, "巴彦淖尔农牧", SchoolTier.SENIOR_SCHOOL, Ownership.PUBLIC),
    (1, "包头北方汽车", SchoolTier.SENIOR_SCHOOL, Ownership.MIXED),
    (0, "呼和浩特新城", SchoolTier.TECHNICAL_SCHOOL, Ownership.PUBLIC),
    (2, "赤峰松山", SchoolTier.TECHNICAL_SCHOOL, Ownership.PUBLIC),
    (3, "鄂尔多斯康巴什", SchoolTier.TECHNICAL_SCHOOL, Ownership.PRIVATE),
    (1, "包头青山", SchoolTier.TECHNICAL_SCHOOL, Ownership.PRIVATE),
]
TIER_SUFFIX = {
    SchoolTier.TECHNICIAN_COLLEGE: "技师学院",
    SchoolTier.SENIOR_SCHOOL: "高级技工学校",
    SchoolTier.TECHNICAL_SCHOOL: "技工学校",
}

ENTERPRISE_BRANDS = [
    "北方重工",
    "蒙西电力",
    "草原乳业",
    "鹿城汽车",
    "青城智造",
    "鄂尔多斯绿能",
    "河套农机",
    "赤峰云谷",
    "昆都仑钢构",
    "敕勒川物流",
    "大青山食品",
    "黄河化工",
    "塞北光伏",
    "稀土新材",
    "金桥电子",
    "兴安建工",
    "蒙草生态",
    "星河软件",
    "万家乐养老",
    "骏马快递",
    "天骄酒店",
    "阴山机械",
    "西口餐饮",
    "白云鄂博矿业",
]
# (kind of company, the major categories of the catalogue it hires from: internships, apprentices, graduates)
ENTERPRISE_KINDS = [
    ("装备制造有限公司", ("01", "02")),
    ("电力工程有限公司", ("08", "02")),
    ("乳业股份有限公司", ("05", "09", "07")),
    ("汽车服务有限公司", ("04",)),
    ("智能科技有限公司", ("01", "02", "03")),
    ("新能源有限公司", ("08", "02")),
    ("农业机械有限公司", ("07", "01")),
    ("数据科技有限公司", ("03",)),
    ("钢结构有限公司", ("01", "11", "10")),
    ("物流有限公司", ("06", "04")),
    ("食品有限公司", ("05", "07")),
    ("化工有限公司", ("09",)),
    ("光伏科技有限公司", ("02", "08")),
    ("新材料有限公司", ("10", "09")),
    ("电子有限公司", ("02", "03")),
    ("建设集团有限公司", ("11",)),
    ("生态股份有限公司", ("07", "11")),
    ("软件有限公司", ("03",)),
    ("养老服务有限公司", ("05",)),
    ("快递有限公司", ("06",)),
    ("酒店管理有限公司", ("05", "06")),
    ("机械制造有限公司", ("01",)),
    ("餐饮管理有限公司", ("05",)),
    ("矿业有限公司", ("10", "08", "01")),
]


def enterprise_name(city: str, brand: str, kind: str) -> str:
    """城市 + 字号 + 行业和组织形式, without saying a word twice: 赤峰 + 赤峰云谷 is 赤峰云谷…, and
    蒙西电力 + 电力工程有限公司 is 蒙西电力工程有限公司."""
    place = city.removesuffix("市")
    prefix = "" if brand.startswith(place) else place
    for size in (3, 2):
        if len(brand) > size and kind.startswith(brand[-size:]):
            kind = kind[size:]
            break
    return f"{prefix}{brand}{kind}"


ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

Progress = Callable[[str], None]


@dataclass
class DemoRegion:
    personas: dict[str, tuple[str, str]] = field(default_factory=dict)  # username → (password, description)
    organisations: int = 0
    students: int = 0  # in school: registered, or waiting for the bureau's approval
    records: RecordCounts | None = None  # with students: training, placements, graduates and outcomes
    market: MarketCounts | None = None  # with students: profiles, postings, applications, order classes
    plans: PlanCounts | None = None  # with students: the assessment plans run from publishing to certificates


@dataclass
class Populated:
    """What `populate_region` made: the records around the register, the marketplace and the
    certificates."""

    records: RecordCounts
    market: MarketCounts
    certificates: CertificateCounts = field(default_factory=CertificateCounts)
    plans: PlanCounts = field(default_factory=PlanCounts)


def make_uscc(rng: random.Random, region_code: str, prefix: str) -> str:
    """A valid 统一社会信用代码: department and type, region, organisation code, check character."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    total = sum(ORG_CODE_ALPHABET.index(ch) * w for ch, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    org_code = body + ("X" if check == 10 else "0" if check == 11 else str(check))
    number = prefix + region_code + org_code
    return number + uscc.calc_check_digit(number)


def make_resident_id(rng: random.Random, region_code: str, birth_year: int, sex: str) -> str:
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    sequence = rng.randint(10, 99) * 10 + (rng.choice([1, 3, 5, 7, 9]) if sex == "M" else rng.choice([0, 2, 4, 6, 8]))
    number = f"{region_code}{birth_year:04d}{month:02d}{day:02d}{sequence:03d}"
    return number + resident_id_check_digit(number)


@dataclass(frozen=True)
class Scale:
    schools: int
    students: int
    enterprises: int


SCALES = {
    "small": Scale(schools=12, students=2_000, enterprises=24),
    "demo": Scale(schools=12, students=20_000, enterprises=24),
    "city": Scale(schools=30, students=60_000, enterprises=120),
    "province": Scale(schools=200, students=400_000, enterprises=800),
}
# Tests use the demo's organisations and no students unless they ask.
SMALL = Scale(schools=12, students=0, enterprises=24)


def build_region(
    *,
    actor: Actor,
    seed: int = 2025,
    password: str | None = None,
    scale: Scale = SMALL,
    progress: Progress | None = None,
    workers: int = 1,
) -> DemoRegion:
    """Make the demo region at a scale. With `workers` above one on PostgreSQL (outside a
    transaction), the schools' registers and records are generated in that many processes
    (`demo.parallel`); the region is the same."""
    rng = random.Random(seed)
    region = DemoRegion()

    def note(message: str) -> None:
        if progress:
            progress(message)

    def persona_password() -> str:
        return password or secrets.token_urlsafe(9)

    note("人社部门")
    province = services.organisation_create(
        actor=actor,
        code=f"BUR-{PROVINCE[0]}",
        kind=OrganisationKind.BUREAU,
        name=f"{PROVINCE[1]}人力资源和社会保障厅",
        region_code=PROVINCE[0],
    )
    city_bureaus: list[Organisation] = []
    for code, name, _districts in CITIES:
        city_bureaus.append(
            services.organisation_create(
                actor=actor,
                code=f"BUR-{code}",
                kind=OrganisationKind.BUREAU,
                name=f"{name}人力资源和社会保障局",
                region_code=code,
                parent=province,
            )
        )

    note("技工院校")
    schools: list[Organisation] = []
    stems: list[str] = []
    for number in range(1, scale.schools + 1):
        city_index, stem, tier, ownership = SCHOOLS[(number - 1) % len(SCHOOLS)]
        district = rng.choice(CITIES[city_index][2])
        # Past the twelve named schools the same trades repeat as numbered schools.
        label = stem if number <= len(SCHOOLS) else f"{stem}第{(number - 1) // len(SCHOOLS) + 1}"
        schools.append(
            services.organisation_create(
                actor=actor,
                code=f"S{district}{number:02d}",
                kind=OrganisationKind.SCHOOL,
                name=f"{label}{TIER_SUFFIX[tier]}",
                region_code=district,
                tier=tier,
                ownership=ownership,
                uscc=make_uscc(rng, district, "52" if ownership == Ownership.PRIVATE else "12"),
                parent=city_bureaus[city_index],
            )
        )
        stems.append(stem)

    note("企业")
    enterprise_orgs: list[Organisation] = []
    for number in range(scale.enterprises):
        _city_code, city_name, districts = CITIES[number % len(CITIES)]
        district = rng.choice(districts)
        brand = ENTERPRISE_BRANDS[number % len(ENTERPRISE_BRANDS)]
        kind, _trades = ENTERPRISE_KINDS[number % len(ENTERPRISE_KINDS)]
        enterprise_orgs.append(
            services.organisation_create(
                actor=actor,
                code=f"E{district}{number + 1:03d}",
                kind=OrganisationKind.ENTERPRISE,
                name=enterprise_name(city_name, brand, kind),
                region_code=district,
                uscc=make_uscc(rng, district, "91"),
            )
        )

    note("评价机构")
    evaluator = services.organisation_create(
        actor=actor,
        code="V150000001",
        kind=OrganisationKind.EVALUATOR,
        name="内蒙古自治区职业技能鉴定指导中心",
        region_code=PROVINCE[0],
        uscc=make_uscc(rng, "150000", "12"),
    )

    note("用户")

    def staff(username: str, display: str, org: Organisation, description: str) -> None:
        secret = persona_password()
        user = services.user_create(actor=actor, username=username, password=secret, display_name=display)
        services.membership_grant(actor=actor, user=user, organisation=org, role=Role.ADMIN)
        region.personas[username] = (secret, description)

    staff("bureau", "李主任", province, f"人社部门 · {province.name}")
    staff("school", "王老师", schools[0], f"技工院校 · {schools[0].name}")
    staff("school2", "赵老师", schools[1], f"另一所技工院校 · {schools[1].name}")
    staff("enterprise", "张经理", enterprise_orgs[0], f"企业 · {enterprise_orgs[0].name}")
    # Staff of the other organisations, so that every one has somebody to act for it.
    for org in [*city_bureaus, *schools[2:], *enterprise_orgs[1:], evaluator]:
        _grant_staff(actor, org)

    learner_district = CITIES[1][2][1]
    person = services.person_create(
        actor=actor,
        name="王晓明",
        id_number=make_resident_id(rng, learner_district, 2007, "M"),
        phone=f"139{rng.randint(10000000, 99999999)}",
    )
    secret = persona_password()
    services.user_create(actor=actor, username="student", password=secret, display_name=person.name, person=person)
    region.personas["student"] = (secret, f"学生 · {person.name}")

    if scale.students:
        with fast_commits(), remembered_lookups():
            populated = populate_region(actor=actor, students=scale.students, rng=rng, progress=note, workers=workers)
        region.records, region.market, region.plans = populated.records, populated.market, populated.plans
    region.organisations = Organisation.objects.count()
    region.students = Registration.objects.filter(status__in=ACTIVE_STATUSES).count()
    if connection.vendor == "postgresql":
        # Fresh statistics after a bulk load: without them the planner guesses one row per table
        # and sorts a whole region where an index would read one page (autovacuum comes later).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return region


# The province's key industries (GB/T 4754 divisions), as a bureau in the north might name them:
# chemicals, metals, equipment, vehicles, electrical machinery, power and elderly care.
KEY_INDUSTRIES = ("26", "31", "32", "34", "35", "36", "38", "44", "85")
# The region's plan targets (内人社发〔2022〕91号 一（二）: by 2025 over 20,000 students in school and
# an employment rate of 97 % or more), and one city's own target beside the province's.
PLAN = "内人社发〔2022〕91号 一（二）目标任务：到2025年"
DEMO_TARGETS: tuple[dict[str, Any], ...] = (
    {"indicator_code": "students_in_school", "scope_code": "150000", "level": "provincial", "comparator": "ge",
     "value": "20000", "tolerance": "1000", "source": f"{PLAN}全区技工院校在校生规模达到2万人以上"},
    {"indicator_code": "employment_rate", "scope_code": "150000", "level": "provincial", "comparator": "ge",
     "value": "97", "tolerance": "2", "source": f"{PLAN}毕业生就业率97%以上"},
    {"indicator_code": "employment_rate", "scope_code": "150200", "level": "city", "comparator": "ge",
     "value": "95", "tolerance": "2", "source": "包头市的市级目标（演示数据）"},
)  # fmt: skip


def set_demo_targets(*, bureau: Actor) -> int:
    """The plan's targets for 2023–2025, entered by the bureau as a user would."""
    for values in DEMO_TARGETS:
        insight.target_create(actor=bureau, scope_kind="region", from_year=2023, to_year=2025, **values)
    return len(DEMO_TARGETS)


def populate_region(
    *,
    actor: Actor,
    students: int,
    rng: random.Random,
    progress: Progress | None = None,
    workers: int = 1,
    history_months: int = HISTORY_MONTHS,
) -> Populated:
    """Give a region made by `build_region` its register (about `students` students in school,
    and the cohorts that have left), the records around it and then its marketplace, which needs
    both (graduating cohorts, partner schools, students to apply), with `history_months` months of
    earlier postings. The organisations are read back in the order `build_region` created them,
    which is how their trades are known."""
    schools = list(Organisation.objects.filter(kind=OrganisationKind.SCHOOL).order_by("pk"))
    enterprises = list(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE).order_by("pk"))
    evaluator = Organisation.objects.filter(kind=OrganisationKind.EVALUATOR).order_by("pk").first()
    if not schools or evaluator is None:
        raise RuntimeError("populate_region needs a region made by build_region")
    bureau = actor_for_user(User.objects.get(username="bureau"))
    for code in KEY_INDUSTRIES:
        insight.key_industry_add(actor=bureau, industry_code=code, note="自治区重点产业（演示）")
    districts = [code for _city, _name, codes in CITIES for code in codes]
    populate_register(
        operator=actor,
        bureau=bureau,
        schools=[(school, SCHOOLS[n % len(SCHOOLS)][1]) for n, school in enumerate(schools)],
        districts=districts,
        students=students,
        enterprises=enterprises,
        rng=rng,
        progress=progress,
        workers=workers,
    )
    student = User.objects.get(username="student")
    if student.person is not None:
        enrol_persona(operator=actor, bureau=bureau, school=schools[0], person=student.person)
    records = populate_records(
        bureau=bureau,
        schools=schools,
        enterprises=[(e, ENTERPRISE_KINDS[n % len(ENTERPRISE_KINDS)][1]) for n, e in enumerate(enterprises)],
        evaluator=evaluator,
        districts=districts,
        rng=rng,
        progress=progress,
        workers=workers,
    )
    certificates = populate_certificates(bureau=bureau, evaluator=evaluator, school=schools[0], student=student.person)
    records.assessments += certificates.assessments
    # A generator of its own, drawn from the state without advancing it: the marketplace after
    # this step stays what the same seed made before plans were part of the demo.
    plans = run_assessment_plans(
        bureau=bureau, evaluator=evaluator, school=schools[0], rng=random.Random(hash(rng.getstate()))
    )
    records.assessments += plans.passed + plans.failed
    employers = [Employer(e, *ENTERPRISE_KINDS[n % len(ENTERPRISE_KINDS)]) for n, e in enumerate(enterprises)]
    market = populate_market(
        bureau=bureau, enterprises=employers, schools=schools, student=student, rng=rng, progress=progress,
        history_months=history_months,
    )  # fmt: skip
    return Populated(records=records, market=market, certificates=certificates, plans=plans)


def _grant_staff(actor: Actor, org: Organisation) -> None:
    # No password: these accounts exist so each organisation has an admin; they sign in once one is set.
    user = services.user_create(
        actor=actor, username=f"u-{org.code.lower()}", password=None, display_name=org.name[:30]
    )
    services.membership_grant(actor=actor, user=user, organisation=org, role=Role.ADMIN)
