"""Data-quality rules (数据质量规则): checks every school's records must pass, kept as data.

Each rule in `catalogue/quality.toml` compares two formulas of the indicator language for each
school and year (`left <= right`, `>=` or `=`). They run in batch (`gongjiang quality`, a region's
page over the snapshot) and, for one school, on the live database: in the background after the
school's records change (the `insight.quality` task), and on its page when the kept check is older than its
last change, so a school sees its violations go as soon as it corrects its records.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from gongjiang.core import clock
from gongjiang.core.models import AuditEntry
from gongjiang.directory.models import Organisation
from gongjiang.insight.catalogue import CatalogueError, Indicator
from gongjiang.insight.compute import Scope, compute
from gongjiang.insight.engines import DatabaseEngine, Engine
from gongjiang.insight.facts import SCHEMAS
from gongjiang.insight.formula import Formula, FormulaError, evaluate, parse
from gongjiang.insight.models import QualityCheck

RULES_FILE = Path(__file__).with_name("catalogue") / "quality.toml"
COMPARATORS = {"<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b, "=": lambda a, b: a == b}


REQUIREMENT_WORDS = {"<=": gettext_lazy("应不多于"), ">=": gettext_lazy("应不少于"), "=": gettext_lazy("应等于")}


@dataclass(frozen=True)
class Rule:
    code: str
    name_zh: str
    name_en: str
    left: Formula
    comparator: str
    right: Formula
    severity: Literal["error", "warning"]
    fix_zh: str
    left_label_zh: str = ""
    right_label_zh: str = ""
    left_unit: str = ""
    # The catalogue's texts in English, shown when the reader chose English.
    fix_en: str = ""
    left_label_en: str = ""
    right_label_en: str = ""

    @property
    def counts_offences(self) -> bool:
        """The rule asks for none of something (left = 0): its left side counts the offences."""
        return self.comparator == "=" and not self.right.aggregates() and evaluate(self.right.tree, {}) == 0

    @property
    def requirement(self) -> str:
        """The comparison in words: 不多于, 不少于, 等于."""
        return str(REQUIREMENT_WORDS[self.comparator])

    @property
    def name(self) -> str:
        return self.name_en if _english() else self.name_zh

    @property
    def fix(self) -> str:
        return self.fix_en if _english() and self.fix_en else self.fix_zh

    @property
    def left_label(self) -> str:
        return self.left_label_en if _english() and self.left_label_en else self.left_label_zh

    @property
    def right_label(self) -> str:
        return self.right_label_en if _english() and self.right_label_en else self.right_label_zh


def _english() -> bool:
    return (get_language() or "").startswith("en")


@dataclass(frozen=True)
class Violation:
    rule: Rule
    school_code: str
    year: int
    left: float
    right: float


def _side(code: str, key: str, text: Any) -> Formula:
    try:
        formula = parse(str(text), SCHEMAS)
    except FormulaError as exc:
        raise CatalogueError(
            _("规则 %(code)s 的 %(key)s：%(error)s") % {"code": code, "key": key, "error": exc}
        ) from exc
    for fact in formula.facts:
        if "school_code" not in SCHEMAS[fact].dimensions:
            raise CatalogueError(_("规则 %(code)s：事实表 %(fact)s 不能按学校检查") % {"code": code, "fact": fact})
    return formula


def load_rules(path: Path = RULES_FILE) -> list[Rule]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    rules = []
    for entry in data.get("rule", []):
        code = str(entry.get("code", ""))
        if entry.get("comparator") not in COMPARATORS:
            raise CatalogueError(_("规则 %(code)s 的比较方式应为 <=、>= 或 =") % {"code": code})
        if entry.get("severity") not in {"error", "warning"}:
            raise CatalogueError(_("规则 %(code)s 的 severity 应为 error 或 warning") % {"code": code})
        rules.append(
            Rule(
                code=code,
                name_zh=entry["name_zh"],
                name_en=entry["name_en"],
                left=_side(code, "left", entry["left"]),
                comparator=entry["comparator"],
                right=_side(code, "right", entry["right"]),
                severity=entry["severity"],
                fix_zh=entry.get("fix", ""),
                left_label_zh=entry.get("left_label", ""),
                right_label_zh=entry.get("right_label", ""),
                left_unit=entry.get("left_unit", ""),
                fix_en=entry.get("fix_en", ""),
                left_label_en=entry.get("left_label_en", ""),
                right_label_en=entry.get("right_label_en", ""),
            )
        )
    return rules


@cache
def rules() -> list[Rule]:
    return load_rules()


def _as_indicator(rule: Rule, side: str, formula: Formula) -> Indicator:
    return Indicator(
        code=f"{rule.code}:{side}",
        name_zh=rule.name_zh,
        name_en=rule.name_en,
        numerator=formula,
        denominator=None,
        unit="count",
        direction="neutral",
        disaggregations=("year", "school"),
        source="",
        description="",
        group="",
    )


def violations(
    engine: Engine, *, scope: Scope, years: Sequence[int], chosen: Sequence[Rule] | None = None
) -> list[Violation]:
    """Every rule broken by a school of the scope in one of the years, errors first."""
    chosen = list(chosen if chosen is not None else rules())
    sides = [
        _as_indicator(rule, side, formula)
        for rule in chosen
        for side, formula in (("left", rule.left), ("right", rule.right))
        if formula.aggregates()
    ]
    values: dict[tuple[str, str, int], float] = {}
    schools: set[tuple[str, int]] = set()
    for value in compute(engine, sides, years=years, scope=scope, by=["school"]):
        school = value.group.get("school")
        if school is None:
            continue
        schools.add((school, value.year))
        # No rows means nothing counted: zero for the comparison.
        values[(value.code, school, value.year)] = value.value or 0.0
    found = []
    for rule in chosen:
        for school, year in sorted(schools):
            left = _figure(rule, "left", rule.left, values, school, year)
            right = _figure(rule, "right", rule.right, values, school, year)
            if not COMPARATORS[rule.comparator](left, right):
                found.append(Violation(rule, school, year, left, right))
    return sorted(found, key=lambda v: (v.rule.severity != "error", v.school_code, v.year, v.rule.code))


def _figure(
    rule: Rule, side: str, formula: Formula, values: dict[tuple[str, str, int], float], school: str, year: int
) -> float:
    if not formula.aggregates():
        return evaluate(formula.tree, {}) or 0.0
    return values.get((f"{rule.code}:{side}", school, year), 0.0)


# -- a school's last check ---------------------------------------------------------------------


def check_years(today: dt.date | None = None) -> list[int]:
    """The years a school's stored check covers: the last census year and this one."""
    year = (today or clock.today()).year
    return [year - 1, year]


def school_mark(school_id: int) -> int:
    """The school's last audit entry: its records are as they were after it."""
    last = AuditEntry.objects.filter(scope_organisation_id=school_id).aggregate(last=Max("id"))["last"]
    return int(last or 0)


def check_school(school: Organisation, years: Sequence[int] | None = None) -> QualityCheck:
    """Run every rule over the school's records on the live database and keep what was found."""
    chosen_years = list(years or check_years())
    # Taken before the run: a write during it leaves the check stale, never falsely current.
    mark = school_mark(school.pk)
    found = violations(DatabaseEngine(), scope=Scope("school", school.code), years=chosen_years)
    check, _created = QualityCheck.objects.update_or_create(
        school=school,
        defaults={
            "audit_mark": mark,
            "checked_at": timezone.now(),
            "years": chosen_years,
            "findings": [{"rule": v.rule.code, "year": v.year, "left": v.left, "right": v.right} for v in found],
            "errors": sum(1 for v in found if v.rule.severity == "error"),
            "warnings": sum(1 for v in found if v.rule.severity == "warning"),
        },
    )
    return check


def current_check(school: Organisation) -> QualityCheck:
    """The school's kept check if its records have not changed since, else a new one."""
    check = QualityCheck.objects.filter(school=school).first()
    if check is None or not is_current(check):
        check = check_school(school)
    return check


def kept_violations(check: QualityCheck, school: Organisation, years: Sequence[int]) -> list[Violation]:
    """A kept check's findings in these years, as violations of the rules in force."""
    by_code = {rule.code: rule for rule in rules()}
    return [
        Violation(by_code[f["rule"]], school.code, f["year"], f["left"], f["right"])
        for f in check.findings
        if f["year"] in years and f["rule"] in by_code
    ]


def is_current(check: QualityCheck) -> bool:
    return check.audit_mark == school_mark(check.school_id)
