"""Partners to cooperate with, explained: enterprises for a school, schools for an enterprise.

A school offers majors; the crosswalks lead each major to occupations and those to industries.
An enterprise shows what it needs through the postings it has published in the last year (their
occupations and headcounts) and its profile (industry, 产教融合型企业). A pair is scored on named
features, each with its value, weight and contribution:

- demand or supply: how many of the enterprise's places the school's majors lead to (for a
  school), or how many of the school's students are in majors that lead to the enterprise's
  occupations (for an enterprise);
- industry: the enterprise's industry among those the school's majors serve;
- region: same district, city or province;
- 产教融合型企业: an enterprise the province has certified;
- cooperation so far: internships, apprenticeships or order classes between the two.

Each result names the majors and occupations that matched (the path 专业 → 职业 → 行业) and ends
in one plain sentence. Small or rural employers get the same small lift as in the learner's
recommendations, so they are not buried under the large ones.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from gongjiang.core import clock
from gongjiang.directory.models import Organisation, OrganisationKind
from gongjiang.market.models import EnterpriseProfile, Posting, PostingStatus
from gongjiang.market.recommend import SMALL_EMPLOYER_LIFT, Contribution, region_fit
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concepts, crosswalk_targets
from gongjiang.registry.models import (
    Apprenticeship,
    Consent,
    Internship,
    MajorOffering,
    OfferingStatus,
    Registration,
)

WEIGHTS = {"fit": 0.45, "industry": 0.15, "region": 0.2, "certified": 0.1, "history": 0.1}
DEMAND_WINDOW_DAYS = 365
# Postings that say what an employer needs (not the school-side offers or R&D requests).
DEMAND_KINDS = ("job", "internship", "apprenticeship", "order_class")


@dataclass
class PartnerMatch:
    """One recommended partner: an enterprise for a school or a school for an enterprise."""

    partner: Organisation
    score: float
    contributions: list[Contribution]
    # (major name, occupation name, places or students) behind the fit, best first.
    links: list[tuple[str, str, int]] = field(default_factory=list)
    adjustments: list[str] = field(default_factory=list)
    sentence: str = ""

    @property
    def lift(self) -> float:
        """What the score adds to its contributions (a small or rural employer's lift)."""
        return round(self.score - sum(c.points for c in self.contributions), 4)


def _major_occupations(school_ids: list[int] | None = None) -> dict[int, dict[str, tuple[str, list[str]]]]:
    """school id → major code → (major name, occupations the major leads to), filed majors only."""
    offerings = MajorOffering.objects.filter(status=OfferingStatus.FILED)
    if school_ids is not None:
        offerings = offerings.filter(school_id__in=school_ids)
    cache: dict[str, list[str]] = {}
    result: dict[int, dict[str, tuple[str, list[str]]]] = defaultdict(dict)
    for school_id, code, name in offerings.values_list("school_id", "major_code", "major_name"):
        if code not in cache:
            cache[code] = crosswalk_targets(Scheme.MAJOR_OCCUPATION, code)
        result[school_id][code] = (name, cache[code])
    return result


def _industries(occupations: set[str]) -> set[str]:
    return {i for o in occupations for i in crosswalk_targets(Scheme.OCCUPATION_INDUSTRY, o)}


def _industry_fit(code: str, industries: set[str]) -> float:
    if not code or not industries:
        return 0.0
    if code in industries:
        return 1.0
    return 0.5 if any(code[:2] == own[:2] for own in industries) else 0.0


def _occupation_fit(own: str, wanted: str) -> float:
    """1 for the same occupation, 0.6 for the same small class (as a major's crosswalk is coarse)."""
    return 1.0 if own == wanted else 0.6 if own[:7] == wanted[:7] else 0.0


def _demand(since: dt.date, owners: list[int] | None = None) -> dict[int, list[tuple[str, int]]]:
    """enterprise id → (occupation, places) of its postings of the last year."""
    postings = Posting.objects.filter(
        kind__in=DEMAND_KINDS,
        status__in=(PostingStatus.PUBLISHED, PostingStatus.CLOSED),
        published_at__date__gte=since,
        owner__kind=OrganisationKind.ENTERPRISE,
    ).exclude(occupation_code="")
    if owners is not None:
        postings = postings.filter(owner_id__in=owners)
    result: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for owner_id, code, places in (
        postings.values("owner_id", "occupation_code")
        .annotate(places=Sum("headcount"))
        .values_list("owner_id", "occupation_code", "places")
    ):
        result[owner_id].append((code, places or 0))
    return result


def _history(school_ids: list[int], enterprise_ids: list[int]) -> dict[tuple[int, int], int]:
    """(school id, enterprise id) → internships, apprenticeships and order classes between them."""
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    rows = [
        # Only what both sides agreed to is cooperation (ADR 0024).
        Internship.objects.filter(
            registration__school_id__in=school_ids, enterprise_id__in=enterprise_ids, consent=Consent.AGREED
        )
        .values_list("registration__school_id", "enterprise_id")
        .annotate(n=Count("pk")),
        Apprenticeship.objects.filter(
            school_id__in=school_ids, enterprise_id__in=enterprise_ids, consent=Consent.AGREED
        )
        .values_list("school_id", "enterprise_id")
        .annotate(n=Count("pk")),
        Posting.objects.filter(agreements__school_id__in=school_ids, owner_id__in=enterprise_ids)
        .values_list("agreements__school_id", "owner_id")
        .annotate(n=Count("agreements")),
    ]
    for queryset in rows:
        for school_id, enterprise_id, n in queryset:
            pairs[(school_id, enterprise_id)] += n
    return pairs


def _names(links: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    codes = {occupation for _major, occupation, _n in links}
    names = dict(concepts(Scheme.OCCUPATION).filter(code__in=codes).values_list("code", "name"))
    return [(major, names.get(code, code), n) for major, code, n in links]


def _score(
    fit: float,
    industry: float,
    region: float,
    profile: EnterpriseProfile | None,
    history: int,
    *,
    for_school: bool = True,
) -> tuple[float, list[Contribution], list[str]]:
    """The explained score of one pair. Shown to the enterprise itself (`for_school` false), the
    features that are about the enterprise (certified, small or rural) are the same on every row
    and rank nothing: they are left out."""
    contributions = [
        Contribution("fit", _("专业与岗位对口"), round(fit, 4), WEIGHTS["fit"]),
        Contribution("industry", _("行业相关"), industry, WEIGHTS["industry"]),
        Contribution("region", _("地区相近"), region, WEIGHTS["region"]),
        Contribution(
            "certified",
            _("产教融合型企业"),
            1.0 if profile is not None and profile.is_integration_enterprise else 0.0,
            WEIGHTS["certified"],
        ),
        Contribution("history", _("已有合作基础"), min(1.0, history / 10), WEIGHTS["history"]),
    ]
    if not for_school:
        contributions = [c for c in contributions if c.feature != "certified"]
    total = sum(c.points for c in contributions)
    adjustments = []
    small = profile is not None and (profile.size in ("micro", "small") or profile.is_rural)
    if for_school and fit > 0 and small:
        total += SMALL_EMPLOYER_LIFT
        adjustments.append(_("小微或乡村企业，适当提前"))
    return round(total, 4), contributions, adjustments


def enterprises_for_school(school: Organisation, limit: int = 20, today: dt.date | None = None) -> list[PartnerMatch]:
    """Enterprises a school could cooperate with: those whose last year's postings its filed majors
    lead to, in or near its region, explained."""
    today = today or clock.today()
    majors = _major_occupations([school.pk]).get(school.pk, {})
    occupations = {o for _name, own in majors.values() for o in own}
    if not occupations:
        return []
    industries = _industries(occupations)
    demand = _demand(today - dt.timedelta(days=DEMAND_WINDOW_DAYS))
    enterprises = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in=list(demand), kind=OrganisationKind.ENTERPRISE).filter(
            Q(region_code__startswith=school.region_code[:2]) | Q(enterprise_profile__is_integration_enterprise=True)
        )
    }
    profiles = {p.organisation_id: p for p in EnterpriseProfile.objects.filter(organisation_id__in=list(enterprises))}
    history = _history([school.pk], list(enterprises))
    matches = []
    for enterprise_id, enterprise in enterprises.items():
        links: list[tuple[str, str, int]] = []
        matched_places = total_places = 0
        for code, places in demand[enterprise_id]:
            total_places += places
            best = max(
                ((_occupation_fit(own, code), name) for name, owns in majors.values() for own in owns),
                default=(0.0, ""),
            )
            if best[0] > 0:
                matched_places += round(places * best[0])
                links.append((best[1], code, places))
        if not links:
            continue
        profile = profiles.get(enterprise_id)
        fit = min(1.0, matched_places / 10) * (matched_places / total_places if total_places else 0)
        score, contributions, adjustments = _score(
            fit,
            _industry_fit(profile.industry_code if profile else "", industries),
            region_fit(school.region_code, enterprise.region_code),
            profile,
            history.get((school.pk, enterprise_id), 0),
        )
        links.sort(key=lambda link: -link[2])
        matches.append(PartnerMatch(enterprise, score, contributions, links[:5], adjustments))
    matches.sort(key=lambda m: (-m.score, m.partner.pk))
    top = matches[:limit]
    for match in top:
        match.links = _names(match.links)
        major, occupation, places = match.links[0]
        match.sentence = _("%(enterprise)s近一年招收“%(occupation)s”等 %(n)d 个岗位名额，与贵校“%(major)s”专业对口") % {
            "enterprise": match.partner.name,
            "occupation": occupation,
            "n": sum(link[2] for link in match.links),
            "major": major,
        }
    return top


def schools_for_enterprise(
    enterprise: Organisation, limit: int = 20, today: dt.date | None = None
) -> list[PartnerMatch]:
    """Schools an enterprise could cooperate with: those whose students are in majors leading to
    the occupations of its last year's postings, in or near its region, explained."""
    today = today or clock.today()
    wanted = _demand(today - dt.timedelta(days=DEMAND_WINDOW_DAYS), [enterprise.pk]).get(enterprise.pk, [])
    if not wanted:
        return []
    profile = EnterpriseProfile.objects.filter(organisation=enterprise).first()
    schools = {
        o.pk: o
        for o in Organisation.objects.filter(
            kind=OrganisationKind.SCHOOL, region_code__startswith=enterprise.region_code[:2]
        )
    }
    majors = _major_occupations(list(schools))
    counts: dict[tuple[int, str], int] = {
        (school_id, major): n
        for school_id, major, n in Registration.objects.filter(school_id__in=list(schools), is_active=True)
        .values("school_id", "school_class__offering__major_code")
        .annotate(n=Count("pk"))
        .values_list("school_id", "school_class__offering__major_code", "n")
    }
    history = _history(list(schools), [enterprise.pk])
    places = sum(p for _code, p in wanted) or 1
    matches = []
    for school_id, school in schools.items():
        links: list[tuple[str, str, int]] = []
        supply = 0.0
        occupations: set[str] = set()
        for code, (name, owns) in majors.get(school_id, {}).items():
            occupations.update(owns)
            best = max((_occupation_fit(own, w) for own in owns for w, _p in wanted), default=0.0)
            if best > 0:
                n = counts.get((school_id, code), 0)
                supply += n * best
                target = max(wanted, key=lambda w: max((_occupation_fit(own, w[0]) for own in owns), default=0.0))
                links.append((name, target[0], n))
        if not links:
            continue
        score, contributions, adjustments = _score(
            min(1.0, supply / (3 * places)),
            _industry_fit(profile.industry_code if profile else "", _industries(occupations)),
            region_fit(enterprise.region_code, school.region_code),
            profile,
            history.get((school_id, enterprise.pk), 0),
            for_school=False,
        )
        links.sort(key=lambda link: -link[2])
        matches.append(PartnerMatch(school, score, contributions, links[:5], adjustments))
    matches.sort(key=lambda m: (-m.score, m.partner.pk))
    top = matches[:limit]
    for match in top:
        match.links = _names(match.links)
        major, occupation, _n = match.links[0]
        match.sentence = _("%(school)s“%(major)s”等专业在校 %(n)d 人，对口贵单位招收的“%(occupation)s”") % {
            "school": match.partner.name,
            "major": major,
            "n": sum(link[2] for link in match.links),
            "occupation": occupation,
        }
    return top


def partners_for(organisation: Organisation, limit: int = 20) -> list[PartnerMatch]:
    """Enterprises for a school, schools for an enterprise (the pages and the API ask this)."""
    if organisation.kind == OrganisationKind.SCHOOL:
        return enterprises_for_school(organisation, limit)
    return schools_for_enterprise(organisation, limit)
