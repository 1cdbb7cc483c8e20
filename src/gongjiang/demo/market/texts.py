"""What a posting says: title, description, requirements, pay and deadline, for each kind an
enterprise or a school publishes, from templates and the reference data's names."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from typing import Any

from gongjiang.demo.market.context import _Context, _deadline, _Draft, _month_after, _pay
from gongjiang.demo.market.profiles import _brand, _place
from gongjiang.demo.market.tables import (
    BENEFITS,
    CLASS_LEVEL_NAMES,
    DUTIES,
    ENTRY_JOBS,
    HIRING_REASONS,
    HOUSING,
    JOB_WORDS,
    OTHER_CATEGORY,
    SCHOOL_RESEARCH,
    SCHOOL_SERVICES,
    SKILL_LEVELS,
    SKILL_WEIGHTS,
    TIER_TRAINING_LEVELS,
    TRADES,
    TRAINING_HOURS,
)
from gongjiang.demo.register import person_name
from gongjiang.directory.models import Organisation, SchoolTier
from gongjiang.market.models import (
    PostingKind,
)
from gongjiang.registry.models import (
    AssessmentResult,
    MajorOffering,
    OfferingStatus,
    Registration,
    RegistrationStatus,
    SkillAssessment,
    StudyForm,
)


def _values(context: _Context, draft: _Draft, rng: random.Random, flaw: str) -> dict[str, Any]:
    if draft.employer is not None:
        employer = draft.employer
        trade = TRADES[employer.kind]
        occupation = rng.choice(trade.occupations)
        base = {"industry_code": trade.industry, "region_code": draft.owner.region_code}
        build = {
            PostingKind.JOB: _job,
            PostingKind.INTERNSHIP: _internship,
            PostingKind.APPRENTICESHIP: _apprenticeship,
            PostingKind.ORDER_CLASS: _order_class,
            PostingKind.COOPERATION: _cooperation,
            PostingKind.RND_PROJECT: _research_need,
            PostingKind.SERVICE_NEED: _service_need,
            PostingKind.TRAINING_NEED: _training_need,
        }[PostingKind(draft.kind)]
        return base | build(context, draft, occupation, rng, flaw)
    school_build = {
        PostingKind.TALENT: _talent,
        PostingKind.TRAINING_OFFER: _training_offer,
        PostingKind.SERVICE_OFFER: _service_offer,
        PostingKind.RND_CAPABILITY: _research_offer,
    }[PostingKind(draft.kind)]
    values = school_build(context, draft.owner, rng)
    return {"region_code": draft.owner.region_code} | values if values else {}


def _headcount(context: _Context, org: Organisation, rng: random.Random) -> int:
    low, high = {"micro": (1, 2), "small": (1, 5), "medium": (2, 10), "large": (5, 20)}[
        context.sizes.get(org.pk, "small")
    ]
    return rng.randint(low, high)


def _benefits(rng: random.Random, housing: bool) -> list[str]:
    chosen = ["五险一金", *rng.sample([b for b in BENEFITS if b != "五险一金"], k=rng.randint(2, 4))]
    if housing:
        chosen.insert(1, rng.choice(HOUSING))
    return chosen


def _job(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    org = draft.owner
    word = rng.choice(JOB_WORDS[occupation])
    if occupation in ENTRY_JOBS:
        level = rng.choice(("", "", "初级工"))
    else:
        level = rng.choices(SKILL_LEVELS, weights=SKILL_WEIGHTS)[0]
    count = _headcount(context, org, rng)
    pay_min, pay_max = _pay(occupation, level, rng)
    # Factories and sites house their workers; shops and offices in town seldom do.
    benefits = _benefits(rng, housing=occupation.startswith(("6-", "5-")) and rng.random() < 0.7)
    asks = f"要求{level}以上" if level else "无经验可培训上岗"
    pay = "" if flaw == "no_pay" else f"，月薪{pay_min}-{pay_max}元"
    city, district = _place(context, org)
    title = rng.choice(
        (
            f"招聘{word}{count}名",
            f"急招{word}{count}人",
            f"诚聘{word}{count}名（{asks}）",
            f"{_brand(context, org, draft.employer.kind if draft.employer else '')}招聘{word}{count}名",
        )
    )
    description = (
        f"{rng.choice(HIRING_REASONS)}，现招聘{word}{count}名，{asks}{pay}，{'，'.join(benefits)}。"
        f"岗位职责：{DUTIES[occupation]}。工作地点：{city}市{district}。"
    )
    requirements = [
        f"持有{context.occupation_names[occupation]}{level}及以上职业技能等级证书" if level else "身体健康，能吃苦耐劳",
        rng.choice(("1年以上相关岗位工作经验", "2年以上相关岗位工作经验", "技工院校相关专业应届毕业生亦可"))
        if level
        else rng.choice(("有相关工作经验者优先", "技工院校相关专业毕业生优先")),
        rng.choice(("年龄18-45周岁", "年龄18-50周岁", "服从工作安排")),
    ]
    if occupation.startswith("6-") and rng.random() < 0.5:
        requirements.append("能适应倒班")
    return {
        "title": title,
        "description": description,
        "occupation_code": occupation,
        "level": level,
        "headcount": count,
        "pay_min": None if flaw == "no_pay" else pay_min,
        "pay_max": None if flaw == "no_pay" else pay_max,
        "requirements": "；".join(requirements),
        "benefits": "、".join(benefits),
        "deadline": _deadline(context, rng),
    }


def _majors_for(context: _Context, occupation: str) -> list[str]:
    return context.occupation_majors.get(occupation, [])


def _internship(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    word = rng.choice(JOB_WORDS[occupation])
    majors = [context.short_major(m) for m in _majors_for(context, occupation)] or [word]
    count = rng.randint(3, 12) if context.sizes.get(draft.owner.pk) in ("micro", "small") else rng.randint(6, 30)
    deadline = _deadline(context, rng)
    starts = _month_after(deadline)
    months = rng.choice((3, 6, 6))
    allowance = rng.choice((3000, 3000, 3200, 3500))
    lodging = rng.choice(("免费提供宿舍和工作餐", "提供宿舍，每天餐补20元", "安排住宿"))
    title = rng.choice(
        (
            f"{starts.year}年{word}岗位实习生{count}名",
            f"接收{majors[0]}专业实习生{count}名（{word}岗位）",
            f"{word}岗位实习（{count}人，{months}个月）",
        )
    )
    description = (
        f"面向技工院校{'、'.join(majors[:2])}等相关专业在校生，提供{word}岗位实习{months}个月。"
        f"岗位内容：{DUTIES[occupation]}。企业指派技术骨干一对一带教，按规定购买实习责任保险，不收取任何费用；"
        f"实习期间每月发放实习补贴{allowance}-{allowance + 1000}元，{lodging}。实习表现优秀者毕业后可直接留用。"
    )
    return {
        "title": title,
        "description": description,
        "occupation_code": occupation,
        "level": rng.choice(("中级工班", "高级工班")),
        "headcount": count,
        "pay_min": allowance,
        "pay_max": allowance + 1000,
        "starts_on": starts,
        "ends_on": _month_after(starts, months) - dt.timedelta(days=1),
        "requirements": "技工院校在校生，持学校推荐函；遵守企业安全生产规定；身体健康",
        "benefits": f"实习补贴、实习责任保险、{lodging}",
        "deadline": deadline,
    }


def _apprenticeship(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    school = context.partner_school[draft.owner.pk]
    word = rng.choice(JOB_WORDS[occupation])
    level = rng.choice(("中级工", "中级工", "高级工"))
    count = rng.randint(5, 20)
    months = rng.choice((12, 18, 24))
    pay_min, pay_max = _pay(occupation, "初级工", rng)
    deadline = _deadline(context, rng)
    starts = _month_after(deadline)
    name = context.occupation_names[occupation]
    description = (
        f"按企业新型学徒制，与{school.name}联合培养{word}学徒{count}名，培养期{months}个月。"
        f"采取“企校双师带徒、工学交替”方式，企业导师负责岗位技能传授，学校教师负责理论教学；"
        f"期满参加{name}（{level}）职业技能等级认定。学徒与企业签订劳动合同，学徒期工资{pay_min}-{pay_max}元/月，"
        f"培训费用由企业承担并按规定申请补贴。"
    )
    return {
        "title": rng.choice((f"企业新型学徒制{word}学徒{count}名", f"招收{word}学徒{count}名（企校双师带徒）")),
        "description": description,
        "occupation_code": occupation,
        "level": level,
        "headcount": count,
        "pay_min": pay_min,
        "pay_max": pay_max,
        "starts_on": starts,
        "ends_on": _month_after(starts, months) - dt.timedelta(days=1),
        "requirements": "新招用或转岗员工，年满16周岁；初中及以上学历；愿意在本企业长期工作",
        "benefits": "五险一金、学徒津贴、取证奖励、培训期间带薪",
        "deadline": deadline,
    }


def _order_class(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    """An order class for a major a school of the region runs, if one fits the enterprise."""
    assert draft.employer is not None
    trade = TRADES[draft.employer.kind]
    fitting = sorted({m for o in trade.occupations for m in _majors_for(context, o)})
    # A major of the enterprise's own trades (a dairy's electricians are not a wind-farm class),
    # and one a school of the region runs, so that a school can take the class up.
    own = [m for m in fitting if m[:2] in draft.employer.categories] or fitting
    filed = [m for m in own if m in context.filed]
    major = rng.choice(filed or own)
    occupation = next(o for o in context.major_occupations[major] if o in trade.occupations)
    draft.major_code = major
    short = context.short_major(major)
    brand = _brand(context, draft.owner, draft.employer.kind)
    count = rng.choice((30, 35, 40, 45, 50))
    level = rng.choice(("中级工班", "高级工班"))
    pay_min, pay_max = _pay(occupation, "中级工", rng)
    intake = context.today.year if context.today.month < 9 else context.today.year + 1
    word = rng.choice(JOB_WORDS.get(occupation, (context.occupation_names[occupation],)))
    description = (
        f"为储备{word}等岗位技能人才，拟与技工院校合作开设{short}专业订单班（{level}），计划招收{count}人，学制3年。"
        f"企业参与制定人才培养方案，派技术骨干担任兼职教师，提供实训设备和岗位实习；在校期间设立企业奖学金，"
        f"毕业考核合格并取得{context.occupation_names[occupation]}职业技能等级证书者全部录用，入职起薪{pay_min}元/月以上。"
    )
    return {
        "title": rng.choice(
            (f"{brand}{short}订单班合作院校征集（{count}人）", f"面向技工院校共建“{brand}班”（{short}专业{count}人）")
        ),
        "description": description,
        "occupation_code": occupation,
        "level": level,
        "headcount": count,
        "pay_min": pay_min,
        "pay_max": pay_max,
        "starts_on": dt.date(intake, 9, 1),
        "ends_on": dt.date(intake + 3, 6, 30),
        "requirements": f"已备案{short}专业的技工院校；具备相应实训条件；同意按企业用人标准共同组织考核",
        "benefits": "企业奖学金、实训设备支持、毕业生定向录用",
        "deadline": _deadline(context, rng),
    }


def _cooperation(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    assert draft.employer is not None
    trade = TRADES[draft.employer.kind]
    word = rng.choice(JOB_WORDS[occupation])
    name = context.occupation_names[occupation]
    master = person_name(rng)
    stations = rng.randint(10, 40)
    title, description = rng.choice(
        (
            (
                f"共建{word}校外实训基地",
                f"拟与技工院校共建{word}校外实训基地，企业提供生产车间和实训工位{stations}个，年接收学生跟岗实习、"
                f"岗位实习{stations * 3}人次；双方共同开发一体化课程，互派教师和技术骨干交流。",
            ),
            (
                f"引企驻校：共建{name}生产性实训车间",
                f"企业将部分生产线引入学校，按“车间即教室”建设生产性实训基地，企业承担设备投入和技术指导，"
                f"学校提供场地并组织学生参与真实生产，每年培养{name}{stations}名。",
            ),
            (
                f"合作建设{name}技能大师工作室",
                f"企业高级技师{master}拟与技工院校合作建设技能大师工作室，开展{word}技艺传承、带徒传技和技术攻关，"
                f"每年培养高技能人才{rng.randint(5, 15)}名。",
            ),
        )
    )
    starts = _month_after(context.today, 2)
    return {
        "title": title,
        "description": description + f"企业{trade.business}。",
        "occupation_code": occupation,
        "starts_on": starts,
        "ends_on": dt.date(starts.year + rng.choice((2, 3)), starts.month, 1) - dt.timedelta(days=1),
        "requirements": "开设相关专业的技工院校；有一体化教学团队；合作期不少于2年",
        "deadline": _deadline(context, rng),
    }


def _research_need(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    assert draft.employer is not None
    topic = rng.choice(TRADES[draft.employer.kind].research)
    months = rng.choice((6, 9, 12, 18))
    starts = _month_after(context.today, 2)
    return {
        "title": rng.choice((topic, f"寻求合作：{topic}")),
        "description": (
            f"企业拟开展“{topic}”项目，周期{months}个月，预算{rng.randint(5, 80)}万元，"
            f"寻求技工院校技能大师工作室或科研院所合作，共同完成方案设计、样机试制和现场验证，成果双方共享。"
        ),
        "starts_on": starts,
        "ends_on": _month_after(starts, months) - dt.timedelta(days=1),
        "requirements": "具备相关研发团队和试验条件；有同类项目经验者优先",
        "deadline": _deadline(context, rng),
    }


def _service_need(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    assert draft.employer is not None
    topic = rng.choice(TRADES[draft.employer.kind].services)
    days = rng.choice((10, 15, 20, 30))
    starts = context.today + dt.timedelta(days=rng.randint(20, 40))
    return {
        "title": f"寻求{topic}技术服务",
        "description": (
            f"因生产需要，现寻求{topic}服务，要求{days}个工作日内完成，提供书面报告并对我方人员做现场讲解，"
            f"服务费用面议。欢迎具备条件的技工院校和服务机构联系。"
        ),
        "starts_on": starts,
        "ends_on": starts + dt.timedelta(days=days * 7 // 5),
        "requirements": "具备相应技术能力和设备；能到现场服务",
        "deadline": _deadline(context, rng),
    }


def _training_need(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    name = context.occupation_names[occupation]
    level = "中级工" if occupation in ENTRY_JOBS else rng.choice(("中级工", "高级工", "高级工", "技师"))
    count = rng.randint(20, 60)
    hours = rng.randint(*TRAINING_HOURS[level]) // 8 * 8
    starts = _month_after(context.today, 1)
    return {
        "title": f"委托培训：{count}名员工{name}（{level}）技能提升培训",
        "description": (
            f"企业现有{rng.choice(JOB_WORDS[occupation])}岗位员工{count}名，拟委托技工院校开展{name}{level}岗位技能提升培训，"
            f"共{hours}学时，利用周末和业余时间在企业内集中授课和实操训练；培训合格后参加职业技能等级认定，"
            f"按规定申请职业技能提升补贴。"
        ),
        "occupation_code": occupation,
        "level": level,
        "headcount": count,
        "starts_on": starts,
        "ends_on": starts + dt.timedelta(days=math.ceil(hours / 16) * 7),
        "requirements": f"具备{name}{level}培训和评价条件的技工院校或培训机构",
        "deadline": _deadline(context, rng),
    }


def _school_majors(school: Organisation) -> list[MajorOffering]:
    return list(school.major_offerings.filter(status=OfferingStatus.FILED).order_by("major_code"))


def _talent(context: _Context, school: Organisation, rng: random.Random) -> dict[str, Any]:
    """The school's largest graduating major: its size, sexes and certificates from the register."""
    year = context.today.year if context.today.month < 7 else context.today.year + 1
    rows = Registration.objects.filter(
        school=school, status=RegistrationStatus.ENROLLED, form=StudyForm.FULL_TIME
    ).values_list(
        "person_id", "person__sex", "school_class__cohort_year", "school_class__planned_years",
        "school_class__offering__major_code", "school_class__class_level",
    )  # fmt: skip
    # (person, sex) of each finishing student, by major and class level.
    by_major: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for person_id, sex, cohort_year, planned_years, major_code, level_code in rows:
        if cohort_year + math.ceil(planned_years) == year:
            by_major[major_code, level_code].append((person_id, sex))
    if not by_major:
        return {}
    (major, class_level), cohort = max(by_major.items(), key=lambda item: (len(item[1]), item[0]))
    men = sum(1 for _person, sex in cohort if sex == "M")
    certified = (
        SkillAssessment.objects.filter(
            person_id__in=[person for person, _sex in cohort], result=AssessmentResult.PASSED
        )
        .values("person")
        .distinct()
        .count()
    )
    occupations = context.major_occupations.get(major) or [""]
    occupation = occupations[0]
    short, level = context.short_major(major), CLASS_LEVEL_NAMES[class_level]
    skill = f"，已取得{context.occupation_names[occupation]}等职业技能等级证书{certified}人" if occupation else ""
    return {
        "title": f"{year}届{short}专业毕业生{len(cohort)}人",
        "description": (
            f"我校{year}届{context.major_names[major]}专业（{level}）毕业生共{len(cohort)}人，"
            f"其中男生{men}人、女生{len(cohort) - men}人{skill}。学生在校期间完成一体化课程学习和岗位实习，"
            f"{year}年7月起可到岗。欢迎用人单位来校举办专场招聘会或预约校园宣讲，学校负责组织推荐。"
        ),
        "occupation_code": occupation,
        "industry_code": next(iter(context.occupation_industries.get(occupation, [])), ""),
        "level": level,
        "headcount": len(cohort),
        "starts_on": dt.date(year, 7, 1),
        "requirements": "用人单位须依法签订劳动合同、缴纳社会保险，不得收取任何费用",
        "deadline": _deadline(context, rng),
    }


def _training_offer(context: _Context, school: Organisation, rng: random.Random) -> dict[str, Any]:
    offerings = _school_majors(school)
    choices = [(o, occ) for o in offerings for occ in context.major_occupations.get(o.major_code, [])]
    if not choices:
        return {}
    offering, occupation = rng.choice(choices)
    level = rng.choice(TIER_TRAINING_LEVELS.get(SchoolTier(school.tier), ("中级工",)))
    name = context.occupation_names[occupation]
    hours = rng.randint(*TRAINING_HOURS[level]) // 8 * 8
    count = rng.choice((30, 40, 50))
    starts = _month_after(context.today, rng.choice((1, 2)))
    return {
        "title": rng.choice(
            (f"{name}（{level}）职业技能等级认定培训招生", f"面向企业职工开展{name}{level}岗位技能提升培训")
        ),
        "description": (
            f"本校依托{context.short_major(offering.major_code)}专业实训中心，面向企业在岗职工和社会人员开展{name}{level}培训，"
            f"共{hours}学时，理论与实操一体化教学，每期{count}人，也可送教到企业。培训结束后组织职业技能等级认定，"
            f"符合条件的学员可申请职业技能提升补贴。"
        ),
        "occupation_code": occupation,
        "industry_code": next(iter(context.occupation_industries.get(occupation, [])), ""),
        "level": level,
        "headcount": count,
        "starts_on": starts,
        "ends_on": starts + dt.timedelta(days=math.ceil(hours / 30) * 7),
        "requirements": "年满16周岁，从事或准备从事相关工作",
        "benefits": "培训合格可参加职业技能等级认定；符合条件者享受培训补贴",
        "deadline": _deadline(context, rng),
    }


def _categories(school: Organisation) -> list[str]:
    return sorted({o.major_code[:2] for o in _school_majors(school)}) or [OTHER_CATEGORY]


def _service_offer(context: _Context, school: Organisation, rng: random.Random) -> dict[str, Any]:
    category = rng.choice(_categories(school))
    title, description = SCHOOL_SERVICES.get(category, SCHOOL_SERVICES[OTHER_CATEGORY])
    return {
        "title": title,
        "description": description + f"本学年可承接项目{rng.randint(5, 20)}项，收费标准面议，校企合作单位优先。",
        "requirements": "提出需求后一周内安排教师对接",
        "deadline": _deadline(context, rng),
    }


def _research_offer(context: _Context, school: Organisation, rng: random.Random) -> dict[str, Any]:
    category = rng.choice(_categories(school))
    topic = rng.choice(SCHOOL_RESEARCH.get(category, SCHOOL_RESEARCH[OTHER_CATEGORY]))
    master = person_name(rng)
    return {
        "title": f"{master}技能大师工作室：{topic}",
        "description": (
            f"依托{master}技能大师工作室（高技能人才{rng.randint(3, 9)}名、一体化教师{rng.randint(6, 20)}名），"
            f"具备{topic}方面的研发和试制能力，近三年完成企业委托项目{rng.randint(3, 15)}项、"
            f"获实用新型专利{rng.randint(1, 8)}项。欢迎企业提出技术难题，开展联合攻关、成果转化和技术咨询。"
        ),
        "requirements": "合作方式可为委托研发、联合攻关或共建研发中心",
        "deadline": _deadline(context, rng),
    }
