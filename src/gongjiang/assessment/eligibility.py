"""Who may sit a plan: the rules in force (`EligibilityRule` rows) against what is known of each
candidate, with every refusal said in words: which conditions exist and why each is not met."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from gongjiang.assessment.models import AssessmentPlan, EligibilityRule
from gongjiang.registry.models import ClassLevel, Registration, SkillLevel


@dataclass(frozen=True)
class Candidate:
    """What the rules look at: the best level held in the plan's occupation (lowest number, None
    when none), the years in the trade declared, and the school class studied in on the day of
    the theory test with whether that is its final year."""

    best_level: int | None
    years_in_trade: Decimal
    class_level: str = ""
    final_year: bool = False


def class_ends_on(cohort_year: int, planned_years: Decimal) -> dt.date:
    """The day a class's course ends: courses start on 1 September of the cohort year."""
    months = int(planned_years * 12)
    year, month = divmod(9 - 1 + months, 12)
    return dt.date(cohort_year + year, month + 1, 1)


def in_final_year(registration: Registration, on_date: dt.date) -> bool:
    school_class = registration.school_class
    ends = class_ends_on(school_class.cohort_year, school_class.planned_years)
    return dt.date(ends.year - 1, ends.month, 1) <= on_date < ends


def candidate_of(
    registration: Registration | None, best_level: int | None, years: Decimal, on_date: dt.date
) -> Candidate:
    if registration is None:
        return Candidate(best_level=best_level, years_in_trade=years)
    return Candidate(
        best_level=best_level,
        years_in_trade=years,
        class_level=registration.school_class.class_level,
        final_year=in_final_year(registration, on_date),
    )


def rules_for(plan: AssessmentPlan) -> list[EligibilityRule]:
    """The rules for the plan's level in force on the day of its theory test."""
    day = plan.theory_on
    return list(
        EligibilityRule.objects.filter(skill_level=plan.skill_level, effective_from__lte=day).filter(
            Q(effective_until__isnull=True) | Q(effective_until__gt=day)
        )
    )


def _level(value: int) -> str:
    return str(SkillLevel(value).label)


def _years(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _describe(rule: EligibilityRule) -> str:
    parts = []
    if rule.prior_level is not None:
        parts.append(_("已取得本职业%(level)s及以上等级") % {"level": _level(rule.prior_level)})
    if rule.min_years > 0:
        parts.append(_("从事本职业满%(years)s年") % {"years": _years(rule.min_years)})
    if rule.class_level:
        label = str(ClassLevel(rule.class_level).label)
        parts.append(
            _("在技工院校%(class)s最后一学年就读") % {"class": label}
            if rule.final_year
            else _("在技工院校%(class)s就读") % {"class": label}
        )
    return _("且").join(parts) if parts else _("无条件")


def _unmet(rule: EligibilityRule, who: Candidate) -> list[str]:
    unmet = []
    if rule.prior_level is not None and (who.best_level is None or who.best_level > rule.prior_level):
        unmet.append(
            _("尚未取得本职业%(level)s及以上等级") % {"level": _level(rule.prior_level)}
            if who.best_level is None or who.best_level > 5
            else _("所持最高等级为%(held)s") % {"held": _level(who.best_level)}
        )
    if who.years_in_trade < rule.min_years:
        unmet.append(_("申报的从事本职业年限为%(years)s年") % {"years": _years(who.years_in_trade)})
    if rule.class_level:
        if who.class_level != rule.class_level:
            unmet.append(_("不在%(class)s就读") % {"class": ClassLevel(rule.class_level).label})
        elif rule.final_year and not who.final_year:
            unmet.append(_("考试之日不在最后一学年"))
    return unmet


def refusal(plan: AssessmentPlan, who: Candidate, rules: list[EligibilityRule]) -> str:
    """Empty when some rule in force holds; else the reason in words, one clause per rule."""
    if not rules:
        return _("%(level)s在考试之日没有有效的申报条件，暂不接受报名。") % {"level": _level(plan.skill_level)}
    clauses = []
    for rule in rules:
        unmet = _unmet(rule, who)
        if not unmet:
            return ""
        clauses.append(_("%(rule)s（%(why)s）") % {"rule": _describe(rule), "why": "，".join(unmet)})
    return _("不符合%(level)s的申报条件，须满足其一：%(clauses)s。") % {
        "level": _level(plan.skill_level),
        "clauses": "；".join(clauses),
    }
