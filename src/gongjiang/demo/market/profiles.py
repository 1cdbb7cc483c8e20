"""Every enterprise fills in its profile."""

from __future__ import annotations

import random

from pypinyin import Style, lazy_pinyin

from gongjiang.demo.market.context import _Context
from gongjiang.demo.market.tables import AREA_CODES, CONTACT_TITLES, ROADS, TRADES, Employer
from gongjiang.demo.register import person_name
from gongjiang.directory.models import Organisation
from gongjiang.market import services


def _place(context: _Context, org: Organisation) -> tuple[str, str]:
    """The city (without 市) and the district of an organisation."""
    city = context.region_names.get(org.region_code[:4] + "00", "")
    return city.removesuffix("市"), context.region_names.get(org.region_code, "")


def _brand(context: _Context, org: Organisation, kind: str) -> str:
    """The enterprise's own name: its full name without the city and the kind of company."""
    city, _district = _place(context, org)
    return org.name.removeprefix(city).removesuffix(kind) or org.name


def _profile(context: _Context, employer: Employer, rng: random.Random) -> int:
    org = employer.organisation
    trade = TRADES[employer.kind]
    grouped = "集团" in employer.kind or "股份" in employer.kind
    size = rng.choices(("micro", "small", "medium", "large"), weights=(0, 15, 50, 35) if grouped else (8, 45, 40, 7))[0]
    context.sizes[org.pk] = size
    low, high = {"micro": (6, 19), "small": (20, 299), "medium": (300, 999), "large": (1000, 6000)}[size]
    staff = rng.randint(low, high)
    skilled = round(staff * rng.uniform(0.35, 0.6))
    integration = rng.random() < {"micro": 0.0, "small": 0.08, "medium": 0.25, "large": 0.6}[size]
    rural = rng.random() < trade.rural
    city, district = _place(context, org)
    founded = rng.randint(1995, 2019)
    description = (
        f"{org.name}成立于{founded}年，位于{city}市{district}，{trade.business}。"
        f"现有员工{staff}人，其中技术工人{skilled}人、高技能人才{max(1, skilled // rng.randint(4, 8))}人。"
    )
    if integration:
        description += f"{rng.randint(2020, context.today.year - 1)}年入选内蒙古自治区产教融合型企业建设培育名单，"
        description += "与区内多所技工院校共建实训基地、开设订单班。"
    elif rng.random() < 0.4:
        description += rng.choice(
            ("公司是自治区级“专精特新”中小企业。", "公司是国家高新技术企业。", "公司长期接收技工院校学生实习。")
        )
    surname = person_name(rng)[0]
    area = AREA_CODES.get(org.region_code[:4], "0471")
    initials = "".join(lazy_pinyin(_brand(context, org, employer.kind), style=Style.FIRST_LETTER))
    services.profile_save(
        actor=context.clerk(org),
        organisation=org,
        expected_version=None,  # the enterprise's first profile
        industry_code=trade.industry,
        size=size,
        is_integration_enterprise=integration,
        is_rural=rural,
        description=description,
        contact_name=f"{surname}{rng.choice(CONTACT_TITLES)}",
        contact_phone=f"{area}-{rng.randint(3000000, 6999999)}"
        if rng.random() < 0.6
        else f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}",
        contact_email=f"hr@{initials}{org.code[-3:]}.com.cn",
        address=(
            f"{city}市{district}{rng.choice(('现代农牧业产业园', '循环经济产业园', '绿色农畜产品加工园'))}{rng.randint(1, 30)}号"
            if rural
            else f"{city}市{district}{rng.choice(ROADS)}{rng.randint(1, 299)}号"
        ),
    )
    return 1
