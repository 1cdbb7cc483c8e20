"""Recommendations that say why: postings for a learner; graduating classes, schools and learners
(those who agreed to be found) for a posting.

A learner is described by what the register knows: the major of their class, the class level,
the school's region, the year the class leaves. The crosswalks of the reference data give the path 专业 → 职业 → 行业.
Each published posting open to learners is scored on a few named features; every result carries
each feature's value, weight and contribution, the concepts matched and missing, the path that
linked them, and one plain Chinese sentence. Three corrections keep the list fair and useful: a
job that starts before the learner's final school year (spent on placement in the usual 2+1
course) is halved (a first-year student cannot take it, however well it fits the major), a posting that already has many more applicants than
places is damped, and a small or rural employer gets a small lift so it is not buried under the
large ones.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from gongjiang.core import clock
from gongjiang.directory.models import Organisation
from gongjiang.market import search
from gongjiang.market.models import APPLICABLE_KINDS, Application, EnterpriseProfile, Posting, PostingKind
from gongjiang.market.selectors import public_postings
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concepts, crosswalk_sources, crosswalk_targets
from gongjiang.registry.models import ClassLevel, Registration, RegistrationStatus, SchoolClass

WEIGHTS = {"occupation": 0.45, "industry": 0.15, "region": 0.2, "level": 0.1, "words": 0.1}
SMALL_EMPLOYER_LIFT = 0.05
# The least the contributions must add up to for a posting to be recommended at all. Place and
# level alone reach 0.3: a useful recommendation has something of the learner's trade besides (a
# 无人机 student was offered 快递员 at 0.36, for being nearby and of the right level).
USEFUL_SCORE = 0.4
# A job that starts before the learner's year of leaving school: they cannot take it yet.
TOO_EARLY_FACTOR = 0.5
CANDIDATES = 1200
# A posting's class or skill level as employers write it → the class levels it suits.
LEVEL_WORDS = {
    ClassLevel.INTERMEDIATE: ("中级", "四级"),
    ClassLevel.SENIOR: ("高级", "三级"),
    ClassLevel.PREPARATORY_TECHNICIAN: ("技师", "二级", "预备技师"),
}
LEVEL_ORDER = [ClassLevel.INTERMEDIATE, ClassLevel.SENIOR, ClassLevel.PREPARATORY_TECHNICIAN]


@dataclass(frozen=True)
class Learner:
    """What the register says about a learner, as the recommender needs it."""

    major_code: str
    major_name: str
    class_level: str
    region_code: str
    occupations: tuple[str, ...]
    industries: tuple[str, ...]
    words: frozenset[str]
    # The year the class leaves school (graduation in the summer); None where the class is unknown.
    leaves: int | None = None


@dataclass(frozen=True)
class Contribution:
    feature: str
    label: str
    value: float
    weight: float

    @property
    def points(self) -> float:
        return round(self.value * self.weight, 4)


@dataclass
class Recommendation:
    """One scored posting; `path` holds codes until `name_paths` names them."""

    posting: Posting
    score: float
    contributions: list[Contribution]
    matched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    adjustments: list[str] = field(default_factory=list)
    sentence: str = ""
    # How the contributions become the score: (sum × too_early × damping) + lift, shown so that
    # it adds up.
    too_early: float = 1.0
    damping: float = 1.0
    lift: float = 0.0

    @property
    def subtotal(self) -> float:
        return round(sum(c.points for c in self.contributions), 4)


def learner_of(registration: Registration) -> Learner:
    offering = registration.school_class.offering
    occupations = tuple(crosswalk_targets(Scheme.MAJOR_OCCUPATION, offering.major_code))
    industries = tuple(sorted({i for o in occupations for i in crosswalk_targets(Scheme.OCCUPATION_INDUSTRY, o)}))
    return Learner(
        major_code=offering.major_code,
        major_name=offering.major_name,
        class_level=registration.school_class.class_level,
        region_code=registration.school.region_code,
        occupations=occupations,
        industries=industries,
        words=frozenset(search.words(offering.major_name)),
        leaves=_leaves(registration.school_class),
    )


class Candidate(NamedTuple):
    """What the ranking reads of a posting. Plain tuples, not model objects: a learner's twelve
    hundred candidates as objects were most of the work and kept the garbage collector busy."""

    pk: int
    owner_id: int
    kind: str
    starts_on: dt.date | None
    deadline: dt.date
    occupation_code: str
    industry_code: str
    region_code: str
    level: str
    headcount: int | None
    search_text: str
    applicants: int


class Rankable(Protocol):
    """A posting as `quick_score` reads it: a `Candidate` or a `Posting`."""

    @property
    def kind(self) -> str: ...
    @property
    def starts_on(self) -> dt.date | None: ...
    @property
    def deadline(self) -> dt.date: ...
    @property
    def occupation_code(self) -> str: ...
    @property
    def industry_code(self) -> str: ...
    @property
    def region_code(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def headcount(self) -> int | None: ...
    @property
    def search_text(self) -> str: ...


def candidates(learner: Learner) -> list[Candidate]:
    """The postings worth scoring for a learner, whatever the size of the marketplace: the newest
    open ones of the occupations the major leads to, then of their middle classes, then in the
    home city, each read in the order of an index and capped, and with their applicant counts.
    Only the columns the ranking reads are loaded: the shown few are read whole afterwards."""
    open_ = public_postings().filter(kind__in=APPLICABLE_KINDS).order_by("-published_at", "-pk")
    ids: list[int] = []
    if learner.occupations:
        ids += open_.filter(occupation_code__in=learner.occupations).values_list("pk", flat=True)[: CANDIDATES // 2]
        near = Q(pk__in=[])
        for middle in sorted({code[:4] for code in learner.occupations}):
            near |= Q(occupation_code__startswith=middle)
        ids += open_.filter(near).values_list("pk", flat=True)[: CANDIDATES // 4]
    if learner.region_code:
        home = open_.filter(region_code__startswith=learner.region_code[:4])
        ids += home.values_list("pk", flat=True)[: CANDIDATES // 4]
    unique = set(ids)
    # Counted apart: grouping the wide posting rows by every column cost more than reading them.
    counts = dict(
        Application.objects.filter(posting_id__in=unique)
        .values("posting_id")
        .annotate(n=Count("pk"))
        .values_list("posting_id", "n")
    )
    rows = Posting.objects.filter(pk__in=unique).order_by("-published_at", "-pk").values_list(*Candidate._fields[:-1])
    return [
        Candidate(*row, applicants=counts.get(row[0], 0))  # type: ignore[misc]
        for row in rows
    ]


def recommend_for_learner(learner: Learner, limit: int = 20) -> list[Recommendation]:
    found = candidates(learner)
    profiles = {
        p.organisation_id: p for p in EnterpriseProfile.objects.filter(organisation_id__in={c.owner_id for c in found})
    }
    # Ranked on the bare numbers first; only the shown few are read whole and explained (labels,
    # words, path).
    ranked = sorted(found, key=lambda c: (-quick_score(learner, c, profiles.get(c.owner_id)), -c.pk))[:limit]
    whole = Posting.objects.select_related("owner").in_bulk([c.pk for c in ranked])
    top = []
    for candidate in ranked:
        posting = whole[candidate.pk]
        posting.applicants = candidate.applicants  # type: ignore[attr-defined]
        scored = score(learner, posting, profiles.get(posting.owner_id))
        # Judged before the corrections: they order what fits, they do not make it fit.
        if scored.subtotal >= USEFUL_SCORE:
            top.append(scored)
    name_paths(top)
    for recommendation in top:
        recommendation.sentence = _sentence(learner, recommendation)
    return top


def name_paths(recommendations: list[Recommendation]) -> None:
    """Turn the codes of each path into names, with one query per scheme for the whole list."""
    names: dict[str, str] = {}
    for scheme in (Scheme.OCCUPATION, Scheme.INDUSTRY):
        codes = {code for r in recommendations for code in r.path[1:]}
        names.update(dict(concepts(scheme).filter(code__in=codes).values_list("code", "name")))
    for r in recommendations:
        r.path = r.path[:1] + [names.get(code, code) for code in r.path[1:]]


def quick_score(learner: Learner, posting: Rankable, profile: EnterpriseProfile | None) -> float:
    """The score `score` gives, without building its explanation (the same features and rules)."""
    industry_code = posting.industry_code or (profile.industry_code if profile else "")
    words = len(learner.words & set(posting.search_text.split())) / len(learner.words) if learner.words else 0.0
    values = {
        "occupation": _occupation_fit(learner, posting.occupation_code)[0],
        "industry": _industry_fit(learner, industry_code),
        "region": region_fit(learner.region_code, posting.region_code),
        "level": _level_fit(learner.class_level, posting.level),
        "words": words,
    }
    total = sum(round(values[name] * weight, 4) for name, weight in WEIGHTS.items())
    factor, lift = _corrections(posting, profile)
    return round(total * too_early_factor(learner, posting) * factor + lift, 4)


def job_start(posting: Rankable) -> dt.date:
    """When a job is taken up: its start date; else, or when that date is past (the job is
    already under way and whoever is hired starts on hiring), its closing date at the latest."""
    if posting.starts_on is not None and posting.starts_on >= clock.today():
        return posting.starts_on
    return posting.deadline


def final_year_starts(leaves: int) -> dt.date:
    """When a class leaving school in the summer of `leaves` begins its final year: in the usual
    2+1 course that year is spent on placement (顶岗实习) with an employer, so from then a
    learner can take up a job."""
    return dt.date(leaves - 1, 9, 1)


def too_early_factor(learner: Learner, posting: Rankable) -> float:
    """`TOO_EARLY_FACTOR` for a job that starts before the learner's final school year, else 1.
    Internships and apprenticeship places are taken while in school and are never reduced."""
    if posting.kind != PostingKind.JOB or learner.leaves is None:
        return 1.0
    return TOO_EARLY_FACTOR if job_start(posting) < final_year_starts(learner.leaves) else 1.0


def _corrections(posting: Rankable, profile: EnterpriseProfile | None) -> tuple[float, float]:
    """The damping factor of an over-subscribed posting and the lift of a small or rural employer."""
    applicants = getattr(posting, "applicants", 0)
    places = posting.headcount or 1
    # Damped gently (logarithmically) by how far past three applicants per place it already is.
    factor = 1 / (1 + math.log(applicants / (3 * places))) if applicants > 3 * places else 1.0
    small = profile is not None and (profile.size in ("micro", "small") or profile.is_rural)
    return factor, SMALL_EMPLOYER_LIFT if small else 0.0


def score(learner: Learner, posting: Posting, profile: EnterpriseProfile | None) -> Recommendation:
    occupation, path = _occupation_fit(learner, posting.occupation_code)
    industry_code = posting.industry_code or (profile.industry_code if profile else "")
    industry = _industry_fit(learner, industry_code)
    region = region_fit(learner.region_code, posting.region_code)
    level = _level_fit(learner.class_level, posting.level)
    posting_words = set(posting.search_text.split())
    words = len(learner.words & posting_words) / len(learner.words) if learner.words else 0.0
    matched, missing = shown_words(learner, posting_words)
    contributions = [
        Contribution("occupation", _("职业对口"), occupation, WEIGHTS["occupation"]),
        Contribution("industry", _("行业相关"), industry, WEIGHTS["industry"]),
        Contribution("region", _("地区相近"), region, WEIGHTS["region"]),
        Contribution("level", _("层次相符"), level, WEIGHTS["level"]),
        Contribution("words", _("专业词语"), words, WEIGHTS["words"]),
    ]
    factor, lift = _corrections(posting, profile)
    too_early = too_early_factor(learner, posting)
    total = sum(c.points for c in contributions) * too_early * factor + lift
    adjustments = []
    if too_early < 1:
        start = job_start(posting)
        when = {"date": start.isoformat(), "year": learner.leaves}
        adjustments.append(
            _("该岗位 %(date)s 开始，您的班级 %(year)d 年毕业（毕业学年从上一年 9 月开始），届时还不能入职，排序降低")
            % when
            if start == posting.starts_on
            else _(
                "该岗位 %(date)s 截止招聘，您的班级 %(year)d 年毕业（毕业学年从上一年 9 月开始），届时还不能入职，排序降低"
            )
            % when
        )
    if factor < 1:
        places = posting.headcount or 1
        adjustments.append(
            _("申请人数已是招收人数的 %(n)d 倍，排序降低") % {"n": getattr(posting, "applicants", 0) // places}
        )
    if lift:
        adjustments.append(_("小微或乡村企业，适当提前"))
    if industry_code and industry > 0 and path:
        path.append(industry_code)
    return Recommendation(
        posting=posting,
        score=round(total, 4),
        contributions=contributions,
        matched=matched,
        missing=missing,
        path=path,
        adjustments=adjustments,
        too_early=too_early,
        damping=round(factor, 4),
        lift=lift,
    )


def shown_words(learner: Learner, posting_words: set[str]) -> tuple[list[str], list[str]]:
    """The major's words found in the posting and those not, as a reader wants them: whole words
    only. The search words hold a name's parts too (无人机应用技术: 无人, 人机, 无人机, …), which
    count in the score but read as fragments; a word inside another shown word is left out."""
    # The major's whole name is one search word too; shown, it would say nothing the page does not.
    whole_name = "".join(unicodedata.normalize("NFKC", learner.major_name).lower().split())
    candidates = [w for w in learner.words if w != whole_name or len(learner.words) == 1]

    def outermost(found: list[str]) -> list[str]:
        return sorted(w for w in found if not any(w != other and w in other for other in found))

    matched = outermost([w for w in candidates if w in posting_words])
    missing = outermost([w for w in candidates if w not in posting_words and not any(w in m for m in matched)])
    return matched, missing


def _occupation_fit(learner: Learner, code: str) -> tuple[float, list[str]]:
    """1 for an occupation the major leads to, less for its small or middle class."""
    if not code:
        return 0.0, []
    best = 0.0
    for own in learner.occupations:
        value = 1.0 if own == code else 0.7 if own[:7] == code[:7] else 0.4 if own[:4] == code[:4] else 0.0
        best = max(best, value)
    # Codes here; `name_paths` names them for the results shown.
    return (best, [learner.major_name, code]) if best else (0.0, [])


def _industry_fit(learner: Learner, code: str) -> float:
    if not code or not learner.industries:
        return 0.0
    if code in learner.industries:
        return 1.0
    return 0.5 if any(code[:2] == own[:2] for own in learner.industries) else 0.0


def region_fit(home: str, there: str) -> float:
    if not home or not there:
        return 0.0
    if home == there:
        return 1.0
    if there[:4] == home[:4]:
        return 0.7  # the same city
    return 0.4 if there[:2] == home[:2] else 0.0


def _level_fit(class_level: str, posting_level: str) -> float:
    if not posting_level:
        return 0.5  # no level asked: neither a fit nor a misfit
    wanted = next((lv for lv, words in LEVEL_WORDS.items() if any(w in posting_level for w in words)), None)
    if wanted is None or class_level not in LEVEL_ORDER:
        return 0.5
    distance = abs(LEVEL_ORDER.index(ClassLevel(class_level)) - LEVEL_ORDER.index(wanted))
    return {0: 1.0, 1: 0.5}.get(distance, 0.0)


def _sentence(learner: Learner, r: Recommendation) -> str:
    reasons: list[str] = []
    by_feature = {c.feature: c for c in r.contributions}
    if by_feature["occupation"].value >= 1 and len(r.path) >= 2:
        reasons.append(
            _("岗位职业“%(occupation)s”与您所学的“%(major)s”专业对口")
            % {"occupation": r.path[1], "major": learner.major_name}
        )
    elif by_feature["occupation"].value >= 0.7 and len(r.path) >= 2:
        reasons.append(_("岗位职业“%(occupation)s”与您的专业相近") % {"occupation": r.path[1]})
    elif by_feature["occupation"].value > 0 and len(r.path) >= 2:
        # Only the middle class (the first two segments) is shared: a wide family of trades.
        reasons.append(
            _("岗位职业“%(occupation)s”与您专业对应的职业同属一个中类，关系较远") % {"occupation": r.path[1]}
        )
    if by_feature["region"].value >= 1:
        reasons.append(_("工作地就在您学校所在的区县"))
    elif by_feature["region"].value >= 0.7:
        reasons.append(_("工作地在本市"))
    if by_feature["level"].value >= 1:
        reasons.append(_("要求的层次与您的班级层次相符"))
    if not reasons:
        reasons.append(_("与您的专业有一定关联"))
    sentence = _("推荐理由：") + "，".join(reasons) + "。"
    if r.too_early < 1:
        sentence += _("但岗位在您的毕业学年之前开始，可先关注，或申请实习岗位。")
    return sentence


def explain(recommendations: Iterable[Recommendation]) -> list[dict[str, object]]:
    """The recommendations as plain data (the API's answer)."""
    return [
        {
            "posting_id": r.posting.pk,
            "title": r.posting.title,
            "score": r.score,
            "sentence": r.sentence,
            "path": r.path,
            "matched": r.matched,
            "missing": r.missing,
            "adjustments": r.adjustments,
            "contributions": contributions_data(r.contributions),
        }
        for r in recommendations
    ]


def contributions_data(contributions: Iterable[Contribution]) -> list[dict[str, object]]:
    """Each feature's value, weight and points as plain data (every explained answer of the API)."""
    return [
        {"feature": c.feature, "label": c.label, "value": c.value, "weight": c.weight, "points": c.points}
        for c in contributions
    ]


# What a publisher may see of an applicant's study: in school, or completed. A withdrawal, an
# expulsion or a refused registration is not the publisher's to know.
SHOWN_STATUSES = (
    RegistrationStatus.ENROLLED, RegistrationStatus.SUSPENDED, RegistrationStatus.GRADUATED, RegistrationStatus.COMPLETED,
)  # fmt: skip


def studies_of(person_ids: list[int]) -> dict[int, Registration]:
    """For each person, the registration to show a publisher (one query): the active one, else the
    latest completed; none when they have neither."""
    found: dict[int, Registration] = {}
    rows = (
        Registration.objects.filter(person_id__in=person_ids, status__in=SHOWN_STATUSES)
        .select_related("school", "school_class__offering")
        .order_by("person_id", "-is_active", "-enrolled_on", "-pk")
    )
    for registration in rows:
        found.setdefault(registration.person_id, registration)
    return found


def current_registration(person_id: int) -> Registration | None:
    """The registration a learner is recommended from: the active one, else the latest."""
    return (
        Registration.objects.filter(person_id=person_id)
        .select_related("school", "school_class__offering")
        .order_by("-is_active", "-enrolled_on", "-pk")
        .first()
    )


@dataclass
class CohortMatch:
    """A graduating class a posting could recruit from, and why."""

    school_class: SchoolClass
    students: int
    score: float
    contributions: list[Contribution]
    sentence: str


def majors_for_occupation(occupation_code: str) -> tuple[set[str], set[str]]:
    """The majors that lead to an occupation (exact), and those that lead to its small class (related)."""
    exact = set(crosswalk_sources(Scheme.MAJOR_OCCUPATION, occupation_code))
    related = {
        source
        for code in concepts(Scheme.OCCUPATION)
        .filter(code__startswith=occupation_code[:7])
        .values_list("code", flat=True)
        for source in crosswalk_sources(Scheme.MAJOR_OCCUPATION, code)
    }
    return exact, related - exact


def _leaves(school_class: SchoolClass) -> int:
    return school_class.cohort_year + math.ceil(school_class.planned_years)


def _starts_before(posting: Posting, leaves: int) -> bool:
    """A job that starts before a class's final school year: its students cannot take it."""
    return posting.kind == PostingKind.JOB and job_start(posting) < final_year_starts(leaves)


def _timing_fit(posting: Posting, leaves: int, today: dt.date) -> float:
    """For a publisher's list of learners: 0 for a job they cannot take before leaving school;
    otherwise 1 for those leaving within about a year, less for those further off."""
    if _starts_before(posting, leaves):
        return 0.0
    return 1.0 if leaves <= today.year + 1 else 0.3


def recommend_for_posting(posting: Posting, limit: int = 20, today: dt.date | None = None) -> list[CohortMatch]:
    """Graduating classes (leaving within about a year) whose major leads to the posting's
    occupation, or to its small class, scored on occupation, region, level and size, explained.
    Classes, not named students: people are shown only when they apply or have agreed to be found
    (`recommend_learners_for_posting`)."""
    if not posting.occupation_code:
        return []
    today = today or clock.today()
    exact, related = majors_for_occupation(posting.occupation_code)
    if not related and not exact:
        return []
    classes = (
        SchoolClass.objects.filter(offering__major_code__in=exact | related, cohort_year__lte=today.year)
        .select_related("school", "offering")
        .annotate(students=Count("registrations", filter=Q(registrations__is_active=True)))
        .filter(students__gt=0)
    )
    matches = []
    for school_class in classes:
        leaves = _leaves(school_class)
        if not today.year <= leaves <= today.year + 1:
            continue
        occupation = 1.0 if school_class.offering.major_code in exact else 0.7
        region = region_fit(posting.region_code, school_class.school.region_code)
        level = _level_fit(school_class.class_level, posting.level)
        size = min(1.0, school_class.students / (3 * (posting.headcount or 1)))
        contributions = [
            Contribution("occupation", _("职业对口"), occupation, 0.45),
            Contribution("region", _("地区相近"), region, 0.2),
            Contribution("level", _("层次相符"), level, 0.15),
            Contribution("size", _("生源充足"), size, 0.1),
            Contribution("timing", _("毕业时间合适"), 0.0 if _starts_before(posting, leaves) else 1.0, 0.1),
        ]
        sentence = _("%(school)s%(cls)s（%(major)s，%(n)d 人）将于 %(year)d 年毕业，专业%(fit)s") % {
            "school": school_class.school.name,
            "cls": school_class.name,
            "major": school_class.offering.major_name,
            "n": school_class.students,
            "year": leaves,
            "fit": _("对口") if occupation == 1.0 else _("相近"),
        }
        matches.append(
            CohortMatch(
                school_class=school_class,
                students=school_class.students,
                score=round(sum(c.points for c in contributions), 4),
                contributions=contributions,
                sentence=sentence,
            )
        )
    matches.sort(key=lambda m: (-m.score, -m.students, m.school_class.pk))
    return matches[:limit]


@dataclass
class SchoolMatch:
    """A school whose graduating classes suit a posting, from its best class."""

    school: Organisation
    students: int
    classes: list[str]
    score: float
    sentence: str


def recommend_schools_for_posting(posting: Posting, limit: int = 10, today: dt.date | None = None) -> list[SchoolMatch]:
    """The schools to recruit from: their graduating classes' matches added up by school."""
    by_school: dict[int, SchoolMatch] = {}
    for match in recommend_for_posting(posting, limit=10_000, today=today):
        school = match.school_class.school
        found = by_school.setdefault(school.pk, SchoolMatch(school, 0, [], match.score, ""))
        found.students += match.students
        found.classes.append(match.school_class.name)
    for found in by_school.values():
        found.sentence = _("%(school)s有 %(n)d 名对口或相近专业的学生将在一年内毕业（%(classes)s）") % {
            "school": found.school.name,
            "n": found.students,
            "classes": "、".join(found.classes[:3]) + (_("等") if len(found.classes) > 3 else ""),
        }
    ranked = sorted(by_school.values(), key=lambda m: (-m.score, -m.students, m.school.pk))
    return ranked[:limit]


@dataclass
class LearnerMatch:
    """A learner who agreed to be found, and why they suit a posting."""

    registration: Registration
    score: float
    contributions: list[Contribution]
    sentence: str


def recommend_learners_for_posting(
    posting: Posting, limit: int = 20, today: dt.date | None = None
) -> list[LearnerMatch]:
    """Learners in school who turned on `discoverable`, whose major leads to the posting's
    occupation or its small class, and who have not applied yet: scored on occupation, region,
    level and how soon they leave, explained. Nobody who has not consented is ever listed."""
    if not posting.occupation_code:
        return []
    today = today or clock.today()
    exact, related = majors_for_occupation(posting.occupation_code)
    if not exact and not related:
        return []
    registrations = (
        Registration.objects.filter(
            is_active=True,
            school_class__offering__major_code__in=exact | related,
            person__push_preference__discoverable=True,
        )
        .exclude(person__applications__posting=posting)
        .select_related("person", "school", "school_class", "school_class__offering")
        .order_by("-school_class__cohort_year", "pk")[:CANDIDATES]
    )
    matches = []
    for registration in registrations:
        school_class = registration.school_class
        leaves = _leaves(school_class)
        occupation = 1.0 if school_class.offering.major_code in exact else 0.7
        contributions = [
            Contribution("occupation", _("职业对口"), occupation, 0.5),
            Contribution(
                "region", _("地区相近"), region_fit(posting.region_code, registration.school.region_code), 0.25
            ),
            Contribution("level", _("层次相符"), _level_fit(school_class.class_level, posting.level), 0.15),
            Contribution("timing", _("毕业时间合适"), _timing_fit(posting, leaves, today), 0.1),
        ]
        sentence = _("%(name)s，%(school)s%(major)s专业（%(cls)s），%(year)d 年毕业，专业%(fit)s") % {
            "name": registration.person.name,
            "school": registration.school.name,
            "major": school_class.offering.major_name,
            "cls": school_class.name,
            "year": leaves,
            "fit": _("对口") if occupation == 1.0 else _("相近"),
        }
        matches.append(
            LearnerMatch(
                registration=registration,
                score=round(sum(c.points for c in contributions), 4),
                contributions=contributions,
                sentence=sentence,
            )
        )
    matches.sort(key=lambda m: (-m.score, m.registration.pk))
    return matches[:limit]
