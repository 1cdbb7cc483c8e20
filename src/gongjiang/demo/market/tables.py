"""The tables the marketplace is built from: what each kind of company is and does, how employers
name and describe the job of an occupation and what it pays, and the shares and mixes that give
the region its rhythm. The wording (kinds of company, occupations, schools' offers, the phrases
of postings and profiles) is data, in `demo/data/*.toml`; the shares and mixes stay here, beside
the enums they weigh."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gongjiang.directory.models import Organisation, SchoolTier
from gongjiang.market.models import (
    ApplicationStatus,
    PostingKind,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# The largest table is about 10 KB; a file far beyond that is a mistake, not a table.
MAX_TABLE_BYTES = 256 * 1024


@dataclass(frozen=True)
class Employer:
    """An enterprise of the region with the kind of company it is (a key of `TRADES`) and the
    major categories it hires from."""

    organisation: Organisation
    kind: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Trade:
    """What a kind of company is: its industry (GB/T 4754, a code of the built-in table), the
    occupations it hires, its business in a phrase, its R&D topics and the services it buys."""

    industry: str
    occupations: tuple[str, ...]
    business: str
    research: tuple[str, ...]
    services: tuple[str, ...]
    rural: float = 0.08  # the share of such companies outside the towns


def _table(name: str) -> dict[str, Any]:
    """A TOML file of `DATA_DIR`, read no further than `MAX_TABLE_BYTES`."""
    with (DATA_DIR / name).open("rb") as handle:
        data = handle.read(MAX_TABLE_BYTES + 1)
    if len(data) > MAX_TABLE_BYTES:
        raise ValueError(f"{name} is larger than {MAX_TABLE_BYTES} bytes")
    return tomllib.loads(data.decode("utf-8"))


_trades = _table("trades.toml")
TRADES: dict[str, Trade] = {
    kind: Trade(
        t["industry"],
        tuple(t["occupations"]),
        t["business"],
        tuple(t["research"]),
        tuple(t["services"]),
        **({"rural": t["rural"]} if "rural" in t else {}),
    )
    for kind, t in _trades.items()
}
# How a trade's hiring changes in a year (factor); trades not named roughly hold.
TRADE_GROWTH: dict[str, float] = {kind: t["growth"] for kind, t in _trades.items() if "growth" in t}

_occupations = _table("occupations.toml")
# How employers name the job of an occupation; a title always uses one of these, so the title
# and the occupation code agree.
JOB_WORDS: dict[str, tuple[str, ...]] = {code: tuple(o["words"]) for code, o in _occupations.items()}
# What the job is, in the words of a posting.
DUTIES: dict[str, str] = {code: o["duties"] for code, o in _occupations.items()}
# The monthly pay (CNY) of a 中级工 in the occupation in Inner Mongolia: from, to.
PAY: dict[str, tuple[int, int]] = {code: (o["pay"][0], o["pay"][1]) for code, o in _occupations.items()}

MIN_PAY, MAX_PAY = 3000, 12000
# Jobs taken without a skill certificate: employers do not ask for a level.
ENTRY_JOBS = frozenset({"4-03-01-01", "4-03-01-02", "4-02-07-08", "4-10-01-06", "4-02-06-03", "4-04-05-05"})
SKILL_LEVELS = ("初级工", "中级工", "高级工", "技师")
SKILL_WEIGHTS = (1, 5, 3, 1)
LEVEL_PAY = {"": 0.95, "初级工": 0.85, "中级工": 1.0, "高级工": 1.2, "技师": 1.45}
CLASS_LEVEL_NAMES = {"intermediate": "中级工班", "senior": "高级工班", "preparatory_technician": "预备技师班"}
# The skill levels a school of each tier trains the public to (002 §6).
TIER_TRAINING_LEVELS = {
    SchoolTier.TECHNICIAN_COLLEGE: ("中级工", "高级工", "技师"),
    SchoolTier.SENIOR_SCHOOL: ("中级工", "高级工"),
    SchoolTier.TECHNICAL_SCHOOL: ("初级工", "中级工"),
}
TRAINING_HOURS = {"初级工": (80, 120), "中级工": (120, 200), "高级工": (160, 300), "技师": (240, 400)}

_wording = _table("wording.toml")
BENEFITS: tuple[str, ...] = tuple(_wording["benefits"])
HOUSING: tuple[str, ...] = tuple(_wording["housing"])
HIRING_REASONS: tuple[str, ...] = tuple(_wording["hiring_reasons"])
RETURN_FLAWS: tuple[tuple[str, str, str], ...] = tuple(
    (f["text"], f["flaw"], f["reason"]) for f in _wording["return_flaws"]
)
ROADS: tuple[str, ...] = tuple(_wording["roads"])
AREA_CODES: dict[str, str] = dict(_wording["area_codes"])
CONTACT_TITLES: tuple[str, ...] = tuple(_wording["contact_titles"])

_school_offers = _table("school_offers.toml")
SCHOOL_SERVICES: dict[str, tuple[str, str]] = {
    category: (o["service"], o["service_description"]) for category, o in _school_offers.items()
}
SCHOOL_RESEARCH: dict[str, tuple[str, ...]] = {category: tuple(o["research"]) for category, o in _school_offers.items()}
OTHER_CATEGORY = "01"

# How often an enterprise publishes each kind (apprenticeship places only with a partner school).
ENTERPRISE_MIX = (
    (PostingKind.JOB, 30), (PostingKind.INTERNSHIP, 16), (PostingKind.APPRENTICESHIP, 8), (PostingKind.ORDER_CLASS, 6),
    (PostingKind.COOPERATION, 8), (PostingKind.RND_PROJECT, 6), (PostingKind.SERVICE_NEED, 8),
    (PostingKind.TRAINING_NEED, 8),
)  # fmt: skip
SCHOOL_OTHERS = (PostingKind.TRAINING_OFFER, PostingKind.SERVICE_OFFER, PostingKind.RND_CAPABILITY)
# The course of an application as the enterprise runs it: the share of applications that end at
# or before each course (cumulative), the rest get an offer.
COURSES: tuple[tuple[float, tuple[str, ...]], ...] = (
    (0.25, ()),
    (0.43, (ApplicationStatus.VIEWED,)),
    (0.57, (ApplicationStatus.VIEWED, ApplicationStatus.INTERVIEW)),
    (0.72, (ApplicationStatus.VIEWED, ApplicationStatus.REJECTED)),
    (1.01, (ApplicationStatus.VIEWED, ApplicationStatus.INTERVIEW, ApplicationStatus.OFFER)),
)
WITHDRAWN_SHARE = 0.03
PENDING_SHARE = 0.07  # still waiting for the bureau
POSTINGS_PER_RETURN = 90  # about one in ninety is returned, at least one

# The postings of the years before the platform, recorded by the bureaus from their earlier
# system: jobs, internships and apprenticeship places, so that demand has a history to forecast.
HISTORY_MONTHS = 36
HISTORY_PER_ENTERPRISE_MONTH = 3.2  # with the current postings, about 3,000 at the demo's scale
HISTORY_MIX = ((PostingKind.JOB, 70), (PostingKind.INTERNSHIP, 20), (PostingKind.APPRENTICESHIP, 10))
SIZE_ACTIVITY = {"micro": 0.4, "small": 0.8, "medium": 1.2, "large": 1.6}
# Hiring in the region by month: little around the Spring Festival, the spring and autumn
# recruiting seasons high.
SEASON = (0.55, 0.7, 1.5, 1.35, 1.1, 1.0, 0.85, 0.8, 1.2, 1.15, 0.95, 0.75)
