"""How insight's pages show their figures: the words, arrows and names beside a number, the trail
of scopes above a page and the scopes below it, the records behind a figure written out, and the
tables a page downloads as xlsx or csv. The views (`views.py`) read the request, compute through
the engine and render; everything that only shapes what was computed for a reader lives here.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjiang.core.actors import Actor
from gongjiang.core.scope import region_prefix
from gongjiang.core.sheets import write_csv, write_xlsx
from gongjiang.directory import selectors as directory
from gongjiang.directory.models import Organisation, OrganisationKind, Ownership, SchoolTier
from gongjiang.insight import early_warning, selectors
from gongjiang.insight import tasks as insight_tasks
from gongjiang.insight.catalogue import Indicator, catalogue, format_value
from gongjiang.insight.completeness import Whole
from gongjiang.insight.compute import IndicatorValue, Scope
from gongjiang.insight.engines import DuckDBEngine, Engine
from gongjiang.insight.models import Target
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concepts, region_get
from gongjiang.registry.models import (
    ClassLevel,
    DestinationKind,
    EventKind,
    PlacementStatus,
    StudyForm,
    TeacherCategory,
)

GROUPS = [
    ("scale", gettext_lazy("规模")),
    ("employment", gettext_lazy("就业")),
    ("skills", gettext_lazy("技能")),
    ("training", gettext_lazy("培训")),
    ("teachers", gettext_lazy("师资")),
    ("majors", gettext_lazy("专业")),
    ("cooperation", gettext_lazy("校企合作")),
    ("alignment", gettext_lazy("产教对接")),
    ("conditions", gettext_lazy("办学条件")),
    ("data_quality", gettext_lazy("数据质量")),
    ("demand", gettext_lazy("需求")),
]


STATUS_LABELS = {"ok": "", "no_data": gettext_lazy("无数据"), "empty_denominator": gettext_lazy("分母为零")}


# What the indicator page compares one level down, by the scope it is opened at.
BY_LABELS = {"city": gettext_lazy("地市"), "school": gettext_lazy("学校"), "major": gettext_lazy("专业")}


@dataclass(frozen=True)
class DashboardFigures:
    """The dashboard's figures by indicator and year, and the target checks by indicator."""

    by_code: dict[str, dict[int, IndicatorValue]]
    targets_by_code: dict[str, list[selectors.TargetCheck]]

    @classmethod
    def of(cls, values: Sequence[IndicatorValue], checks: Sequence[selectors.TargetCheck]) -> DashboardFigures:
        by_code: dict[str, dict[int, IndicatorValue]] = {}
        for value in values:
            by_code.setdefault(value.code, {})[value.year] = value
        targets_by_code: dict[str, list[selectors.TargetCheck]] = {}
        for check in checks:
            targets_by_code.setdefault(check.target.indicator_code, []).append(check)
        return cls(by_code, targets_by_code)

    def table(self, years: Sequence[int]) -> tuple[list[str], list[list[Any]]]:
        """The download: every indicator's values over the years, and its targets in words."""
        headers = [_("代码"), _("指标"), _("单位"), *[str(y) for y in years], _("目标")]
        table = [
            [
                i.code,
                i.name,
                i.unit_label,
                *[self.by_code[i.code][y].value for y in years],
                "；".join(
                    f"{c.target.get_level_display()} {c.goal}（{c.label}）"
                    for c in self.targets_by_code.get(i.code, [])
                ),
            ]
            for i in catalogue().values()
        ]
        return headers, table

    def sections(self, years: Sequence[int], whole: Whole) -> list[tuple[Any, list[dict[str, Any]]]]:
        """The page's groups of rows: each indicator's value, the year before, which way it moved
        and whether for the better, its trend and its targets."""
        year = years[-1]
        sections = []
        for group, title in GROUPS:
            rows = []
            for indicator in (i for i in catalogue().values() if i.group == group):
                this, before = self.by_code[indicator.code][year], self.by_code[indicator.code].get(year - 1)
                # A year the register holds only part of is shown but not compared (ADR 0029).
                before_whole = whole.indicator(indicator, year - 1)
                compared = before if before_whole else None
                trend = [self.by_code[indicator.code][y].value for y in years]
                rows.append(
                    {
                        "indicator": indicator,
                        "value": this,
                        "shown": format_value(this.value, indicator.unit),
                        "before": format_value(before.value if before else None, indicator.unit),
                        "before_whole": before_whole or before is None or before.value is None,
                        "change": change(indicator, this, compared),
                        "rise": rise(indicator, this, compared),
                        "trend": json.dumps(trend),
                        "targets": self.targets_by_code.get(indicator.code, []),
                    }
                )
            if rows:
                sections.append((title, rows))
        return sections


def trail(actor: Actor, scope: Scope) -> list[tuple[str, str]]:
    """The scopes above this one the actor may open, widest first: province → city → school."""
    trail: list[tuple[str, str]] = []
    region_code = ""
    if scope.kind == "school":
        region_code = directory.organisation_by_code(code=scope.code).region_code
    elif scope.kind == "region":
        region_code = scope.code
    for code in dict.fromkeys([f"{region_code[:2]}0000", f"{region_code[:4]}00"]) if region_code else []:
        candidate = Scope("region", code)
        if candidate != scope and may_see(actor, candidate):
            trail.append((str(candidate), selectors.scope_name(candidate)))
    return trail


def may_see(actor: Actor, scope: Scope) -> bool:
    try:
        selectors.scope_for(actor, scope)
    except Http404:
        return False
    return True


def schools_in(actor: Actor, scope: Scope) -> dict[str, str]:
    schools = directory.organisation_list(actor=actor, kind="school")
    if scope.kind == "region":
        schools = schools.filter(region_code__startswith=region_prefix(scope.code))
    elif scope.kind == "school":
        schools = schools.filter(code=scope.code)
    return {s.code: s.name for s in schools}


def child_regions(actor: Actor, scope: Scope) -> list[tuple[str, str]]:
    """The regions one level below a region scope that have schools the actor sees (a province's
    cities, a city's districts), to drill into."""
    if scope.kind == "school":
        return []
    depth = len(region_prefix(scope.code)) + 2 if scope.kind == "region" else 2
    if depth > 6:
        return []
    codes = {
        (code[:depth] + "000000")[:6]
        for code in directory.organisation_list(actor=actor, kind="school").values_list("region_code", flat=True)
        if scope.kind != "region" or code.startswith(region_prefix(scope.code))
    }
    names = []
    for code in sorted(codes - {scope.code}):
        region = region_get(code)
        names.append((code, region.name if region else code))
    return names


def major_names() -> dict[str, str]:
    return {c.code: c.name for c in concepts(Scheme.MAJOR)}


def comparison(scope: Scope, asked: str) -> str:
    """A school's figure is compared across its majors, a city's across its schools, and a
    province's (or the whole register's) across its cities unless its schools are asked for."""
    if scope.kind == "school":
        return "major"
    wide = scope.kind == "all" or len(region_prefix(scope.code)) <= 2
    if wide:
        return "school" if asked == "school" else "city"
    return "school"


def plain(value: Any) -> Any:
    """A number as a reader of the file wants it: whole numbers without ".0", others to four
    decimals (a float's last digits are noise)."""
    if isinstance(value, Decimal):  # a target's value, kept to four places: 97, not 97.0000
        value = float(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 4)
    return value


def download(
    name: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], kind: str, *, title: str
) -> HttpResponse:
    """A table as csv or xlsx. The xlsx carries `title` and the time of export in a first row, for
    the report it goes into; the csv starts with its header, for programs that read it."""
    rows = [[plain(cell) for cell in row] for row in rows]
    if kind == "csv":
        buffer = io.StringIO()
        write_csv(headers, rows, buffer)
        # With a byte-order mark, Excel opens the Chinese text as UTF-8.
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    data = io.BytesIO()
    made = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    write_xlsx(headers, rows, data, title=_("%(title)s（导出于 %(time)s）") % {"title": title, "time": made})
    response = HttpResponse(
        data.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def snapshot_context(engine: Engine) -> dict[str, Any]:
    """When the snapshot was taken, whether the register has changed since, and by when the
    background rebuild will have caught up, if one is waiting (nothing to say when the pages
    compute on the live database)."""
    if not isinstance(engine, DuckDBEngine):
        return {"snapshot_time": "", "snapshot_stale": False, "snapshot_due": "", "snapshot_auto": False}
    stale = not engine.is_current()
    due = insight_tasks.snapshot_due() if stale else None
    return {
        "snapshot_time": engine.built_at(),
        "snapshot_stale": stale,
        "snapshot_due": due.strftime("%H:%M") if due else "",
        # A worker may have just swapped in a new snapshot while this page read the old one: it is
        # still the worker's task, not the bureau's button, that brings the figures up to date.
        "snapshot_auto": stale and (due is not None or insight_tasks.snapshot_rebuilding()),
    }


def moved(indicator: Indicator, this: IndicatorValue, before: IndicatorValue | None) -> bool:
    """Whether the figure moved as the page shows it: two values written alike (91.94 % and
    91.86 % both read 91.9 %) have no arrow between them."""
    if before is None or this.value is None or before.value is None:
        return False
    return format_value(this.value, indicator.unit) != format_value(before.value, indicator.unit)


def rise(indicator: Indicator, this: IndicatorValue, before: IndicatorValue | None) -> str:
    """ "up", "down" or "" against the year before: which way the figure moved."""
    if before is None or before.value is None or this.value is None or not moved(indicator, this, before):
        return ""
    return "up" if this.value > before.value else "down"


def change(indicator: Indicator, this: IndicatorValue, before: IndicatorValue | None) -> str:
    """ "better", "worse" or "" against the year before, by the indicator's direction."""
    if before is None or this.value is None or before.value is None or indicator.direction == "neutral":
        return ""
    if not moved(indicator, this, before):
        return ""
    up = this.value > before.value
    return "better" if up == (indicator.direction == "higher") else "worse"


def value_labels(present: dict[str, set[str]]) -> dict[str, dict[str, str]]:
    """What a code in a fact's column stands for, in the interface's words; names are read only
    for the codes `present` in the records shown."""
    choices = {
        "form": StudyForm, "class_level": ClassLevel, "tier": SchoolTier, "ownership": Ownership,
        "destination": DestinationKind, "category": TeacherCategory,
        # Status changes hold events, internships and apprenticeships placements.
        "kind": EventKind, "status": PlacementStatus,
    }  # fmt: skip
    labels = {column: {str(v): str(label) for v, label in kind.choices} for column, kind in choices.items()}
    for column, scheme in (("major_code", Scheme.MAJOR), ("region_code", Scheme.REGION)):
        labels[column] = dict(concepts(scheme).filter(code__in=present.get(column, set())).values_list("code", "name"))
    labels["school_code"] = dict(
        Organisation.objects.filter(kind=OrganisationKind.SCHOOL, code__in=present.get("school_code", set()))
        .values_list("code", "name")
    )  # fmt: skip
    return labels


def readable(parts: Sequence[Any]) -> list[list[dict[str, Any]]]:
    """Each part's records with their codes written out (全日制, not full_time; the school's
    name), the names read once for all parts."""
    present: dict[str, set[str]] = {}
    for part in parts:
        for row in part.rows:
            for column, value in row.items():
                if isinstance(value, str):
                    present.setdefault(column, set()).add(value)
    labels = value_labels(present)
    return [
        [
            {c: labels[c].get(v, v) if c in labels and isinstance(v, str) else v for c, v in row.items()}
            for row in part.rows
        ]
        for part in parts
    ]


def target_label(field: str) -> str:
    try:
        model_field = Target._meta.get_field(field)
    except FieldDoesNotExist:
        return "__all__"
    return str(getattr(model_field, "verbose_name", field))


def scope_label(target: Any) -> str:
    return selectors.scope_name(Scope(target.scope_kind, target.scope_code))


def trend_span(found: Sequence[early_warning.MajorWarning]) -> str:
    """The two years the demand trend compares, or why there is none."""
    if found and found[0].demand_from:
        return f"{found[0].demand_from}→{found[0].demand_to}"
    return _("完整年份不足两年")
