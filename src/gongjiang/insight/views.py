"""Pages of insight: the dashboard (figures against targets, trends), an indicator's page
(trend, comparison across schools or majors, drill-down to the records), targets, and the
alignment of majors with the region's key industries (产教对接谱系图).

Every figure comes from `compute` on the configured engine (`INSIGHT_ENGINE`: the DuckDB snapshot
by default); every table can be downloaded as xlsx or csv.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import clock, tasks
from gongjiang.core.actors import Actor
from gongjiang.core.actors import request_actor as _actor
from gongjiang.core.policies import allowed
from gongjiang.core.redirects import safe_next
from gongjiang.core.scope import ActorKind
from gongjiang.directory import selectors as directory
from gongjiang.directory.models import Organisation, OrganisationKind
from gongjiang.insight import (
    alignment,
    completeness,
    early_warning,
    forecast,
    presenters,
    quality,
    report,
    selectors,
    services,
)
from gongjiang.insight import (
    tasks as insight_tasks,
)
from gongjiang.insight.catalogue import catalogue, format_value
from gongjiang.insight.compute import Scope, compute, records_behind
from gongjiang.insight.engines import (
    DatabaseEngine,
    Engine,
    build_snapshot,
    data_years,
    open_engine,
)
from gongjiang.insight.facts import FACTS, FIELD_LABELS
from gongjiang.insight.models import Comparator, QualityCheck, ScopeKind, TargetLevel
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concepts

TREND_YEARS = 5
STAFF = (ActorKind.BUREAU, ActorKind.SCHOOL, ActorKind.OPERATOR)


@contextmanager
def page_engine() -> Iterator[Engine]:
    """The configured engine; the snapshot is built on first use when there is none yet."""
    engine = open_engine(settings.INSIGHT_ENGINE)
    try:
        yield engine
    finally:
        engine.close()


def _staff(request: HttpRequest) -> Actor:
    actor = _actor(request)
    if actor.kind not in STAFF:
        raise PermissionDenied
    return actor


def _year(request: HttpRequest, default: int | None = None) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and len(raw) == 4:
        return int(raw)
    return default if default is not None else selectors.default_year()


def _scope(request: HttpRequest, actor: Actor) -> Scope:
    text = request.GET.get("scope", "")
    try:
        asked = Scope.parse(text) if text else None
    except ValueError as exc:
        raise Http404(str(exc)) from exc
    return selectors.scope_for(actor, asked)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every indicator for a scope and year, beside the year before and the targets that apply."""
    actor = _staff(request)
    scope = _scope(request, actor)
    year = _year(request)
    years = list(range(year - TREND_YEARS + 1, year + 1))
    with page_engine() as engine:
        values = compute(engine, catalogue().values(), years=years, scope=scope)
        checks = selectors.target_checks(actor=actor, engine=engine, year=year, scope=scope)
        snapshot = presenters.snapshot_context(engine)
        whole = completeness.whole_years(engine, [year - 1, year])
    figures = presenters.DashboardFigures.of(values, checks)
    export = request.GET.get("format", "")
    if export in {"csv", "xlsx"}:
        heading = _("%(scope)s · 指标一览 · %(year)s 年") % {"scope": selectors.scope_name(scope), "year": year}
        headers, table = figures.table(years)
        return presenters.download(f"indicators-{scope}-{year}", headers, table, export, title=heading)
    sections = figures.sections(years, whole)
    schools = presenters.schools_in(actor, scope) if scope.kind != "school" else {}
    return render(
        request,
        "insight/dashboard.html",
        {
            "scope": scope,
            "scope_name": selectors.scope_name(scope),
            "trail": presenters.trail(actor, scope),
            "year": year,
            # The census is taken on 31 December: a year not yet over is only partly counted.
            "year_open": year >= clock.today().year,
            "years": years,
            "year_choices": _year_choices(),
            "sections": sections,
            "schools": sorted(schools.items(), key=lambda item: item[1]),
            "regions": presenters.child_regions(actor, scope),
            **snapshot,
            "quality_check": _quality_check(actor, scope),
            "can_refresh": actor.kind in (ActorKind.BUREAU, ActorKind.OPERATOR) and settings.INSIGHT_ENGINE != "db",
            "checks": checks,
        },
    )


def _year_choices() -> range:
    """The years with records, up to next year (a year without any record only says 无数据)."""
    first, _last = data_years()
    return range(max(first, selectors.default_year() - 9), selectors.default_year() + 2)


def _quality_check(actor: Actor, scope: Scope) -> QualityCheck | None:
    """A school's kept data-quality check for its dashboard; a school never checked yet is queued
    for a worker, so the banner is there on the next visit."""
    check = selectors.quality_check_for(actor=actor, scope=scope)
    if check is None and scope.kind == "school" and tasks.workers_alive():
        for school_id in Organisation.objects.filter(code=scope.code, kind=OrganisationKind.SCHOOL).values_list(
            "pk", flat=True
        ):
            insight_tasks.queue_quality(school_id)
    return check


@login_required
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator: its definition, its trend against its targets, and the comparison one level
    down (schools of a region, majors of a school), each row a way further down."""
    actor = _staff(request)
    indicator = catalogue().get(code)
    if indicator is None:
        raise Http404
    scope = _scope(request, actor)
    year = _year(request)
    years = list(range(year - TREND_YEARS + 1, year + 1))
    by = presenters.comparison(scope, request.GET.get("by", ""))
    with page_engine() as engine:
        trend = compute(engine, [indicator], years=years, scope=scope)
        checks = [
            c
            for c in selectors.target_checks(actor=actor, engine=engine, year=year, scope=scope)
            if c.target.indicator_code == code
        ]
        breakdown = compute(engine, [indicator], years=[year], scope=scope, by=[by]) if indicator.supports(by) else []
    if by == "city":
        codes = {v.group.get("city") for v in breakdown}
        names = dict(concepts(Scheme.REGION).filter(code__in=codes).values_list("code", "name"))
        # Records kept at a province's own code (a school run by the province) belong to no city.
        names |= {c: _("%(name)s（省级直属）") % {"name": names.get(c, c)} for c in codes if c and c.endswith("0000")}
    else:
        names = presenters.schools_in(actor, scope) if by == "school" else presenters.major_names()
    rows = sorted(
        (
            {
                "key": v.group[by],
                "name": names.get(v.group[by], v.group[by] or _("（未登记）")),
                "value": v,
                "shown": format_value(v.value, indicator.unit),
                # A province's own records have no city page to go down to.
                "drill": not (by == "city" and str(v.group[by]).endswith("0000")),
            }
            for v in breakdown
            if v.group.get(by) is not None and (by != "school" or v.group[by] in names)
        ),
        key=lambda r: (r["value"].value is None, -(r["value"].value or 0)),
    )
    export = request.GET.get("format", "")
    if export in {"csv", "xlsx"} and request.GET.get("table") == "trend":
        headers = [_("年度"), _("值"), _("分子"), _("分母"), _("状态")]
        table = [[v.year, v.value, v.numerator, v.denominator, str(presenters.STATUS_LABELS[v.status])] for v in trend]
        title = _("%(scope)s · %(indicator)s · %(first)s–%(last)s 年") % {
            "scope": selectors.scope_name(scope), "indicator": indicator.name, "first": years[0], "last": years[-1]
        }  # fmt: skip
        return presenters.download(f"{code}-{scope}-{years[0]}-{years[-1]}", headers, table, export, title=title)
    if export in {"csv", "xlsx"}:
        headers = [_("代码"), _("名称"), _("值"), _("分子"), _("分母"), _("状态")]
        table = [
            [
                r["key"],
                r["name"],
                r["value"].value,
                r["value"].numerator,
                r["value"].denominator,
                str(presenters.STATUS_LABELS[r["value"].status]),
            ]
            for r in rows
        ]
        title = _("%(scope)s · %(indicator)s · %(year)s 年 · 按%(by)s") % {
            "scope": selectors.scope_name(scope), "indicator": indicator.name, "year": year, "by": presenters.BY_LABELS.get(by, by)
        }  # fmt: skip
        return presenters.download(f"{code}-{scope}-{year}-by-{by}", headers, table, export, title=title)
    chart = {
        "years": years,
        "values": [v.value for v in trend],
        "targets": [
            {
                "name": f"{c.target.get_level_display()} {c.goal}",
                "value": float(c.target.value),
            }
            for c in checks
        ],
        "bars": {"names": [r["name"] for r in rows[:30]], "values": [r["value"].value for r in rows[:30]]},
    }
    return render(
        request,
        "insight/indicator.html",
        {
            "indicator": indicator,
            "scope": scope,
            "scope_name": selectors.scope_name(scope),
            "trail": presenters.trail(actor, scope),
            "year": year,
            # The census is taken on 31 December: a year not yet over is only partly counted.
            "year_open": year >= clock.today().year,
            "trend": [(v, format_value(v.value, indicator.unit)) for v in trend],
            "checks": checks,
            "by": by,
            "by_label": presenters.BY_LABELS[by],
            # A province may be compared across its cities or across all its schools.
            "by_choices": [(b, presenters.BY_LABELS[b]) for b in ("city", "school")]
            if by in {"city", "school"} and presenters.comparison(scope, "school") != presenters.comparison(scope, "")
            else [],
            "rows": rows,
            "chart": chart,
            "records_possible": scope.kind == "school",
        },
    )


@login_required
def indicator_records(request: HttpRequest, code: str) -> HttpResponse:
    """The records behind a school's figure (one major, or all): which count in the numerator and
    which in the denominator."""
    actor = _staff(request)
    indicator = catalogue().get(code)
    if indicator is None:
        raise Http404
    scope = _scope(request, actor)
    if scope.kind != "school":
        raise Http404(_("请先选择一所学校"))
    year = _year(request)
    major = request.GET.get("major", "")[:16]
    export = request.GET.get("format", "")
    with page_engine() as engine:
        # The page shows the first 500 of each kind; a download holds them all (up to a bound).
        limit = RECORDS_EXPORT_LIMIT if export in {"csv", "xlsx"} else 500
        found = records_behind(engine, indicator, year=year, scope=scope, major=major, limit=limit)
    if export in {"csv", "xlsx"}:
        columns: list[str] = []
        for part in found:
            columns += [c for c in part.columns if c not in columns and c not in ("in_numerator", "in_denominator")]
        headers = [_("记录类别"), *(FIELD_LABELS.get(c, c) for c in columns), _("计入分子"), _("计入分母")]
        table = [
            [
                FACTS[part.fact].label,
                *(row.get(c) for c in columns),
                _("是") if row.get("in_numerator") else "",
                _("是") if row.get("in_denominator") else "",
            ]
            for part, rows in zip(found, presenters.readable(found), strict=True)
            for row in rows
        ]
        title = _("%(scope)s · %(indicator)s · %(year)s 年 · 计算所用记录") % {
            "scope": selectors.scope_name(scope), "indicator": indicator.name, "year": year
        }  # fmt: skip
        return presenters.download(f"{indicator.code}-{scope.code}-{year}-records", headers, table, export, title=title)
    return render(
        request,
        "insight/records.html",
        {
            "indicator": indicator,
            "scope": scope,
            "scope_name": selectors.scope_name(scope),
            "year": year,
            "major": major,
            "major_name": presenters.major_names().get(major, ""),
            "found": [
                (part, [FIELD_LABELS.get(c, c) for c in part.columns], FACTS[part.fact].label, rows)
                for part, rows in zip(found, presenters.readable(found), strict=True)
            ],
            "detail_url": reverse("registry:registration_detail", args=[0]).replace("0/", ""),
        },
    )


RECORDS_EXPORT_LIMIT = 100_000


@login_required
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """Rebuild the snapshot from the register now (the page shows a progress indicator meanwhile)."""
    actor = _staff(request)
    if actor.kind not in (ActorKind.BUREAU, ActorKind.OPERATOR):
        raise PermissionDenied
    build_snapshot()
    messages.success(request, _("已按最新登记数据重新计算。"))
    return redirect(safe_next(request, reverse("insight:dashboard")))


# ---------------------------------------------------------------------------------------------
# Targets


def _target_values(post: Any) -> dict[str, Any]:
    return {field: post.get(field, "") for field in services.TARGET_FIELDS}


@login_required
def targets(request: HttpRequest) -> HttpResponse:
    """Targets in force for a year, with their status; a bureau adds, edits and withdraws them."""
    actor = _staff(request)
    year = _year(request)
    errors: dict[str, list[str]] = {}
    # A new target is most often the bureau's own: its level is offered first.
    values: dict[str, Any] = {"level": selectors.bureau_level(actor.region_code)} if actor.region_code else {}
    editing = None
    if request.method == "POST":
        values = _target_values(request.POST)
        target_id = request.POST.get("target", "")
        try:
            if target_id.isdigit():
                editing = selectors.target_get(actor=actor, pk=int(target_id))
                if request.POST.get("action") == "withdraw":
                    services.target_withdraw(actor=actor, target=editing)
                    messages.success(request, _("目标已撤销，记录仍保留。"))
                else:
                    version = request.POST.get("version", "")
                    services.target_update(
                        actor=actor,
                        target=editing,
                        expected_version=int(version) if version.isdigit() else None,
                        **values,
                    )
                    messages.success(request, _("目标已修改。"))
            else:
                services.target_create(actor=actor, **values)
                messages.success(request, _("目标已添加。"))
            return redirect(f"{reverse('insight:targets')}?year={year}")
        except ValidationError as exc:
            by_field = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            # Named as the form names them (目标值), not by the service's field (value).
            errors = {presenters.target_label(field): messages_ for field, messages_ in by_field.items()}
    elif request.GET.get("edit", "").isdigit():
        editing = selectors.target_get(actor=actor, pk=int(request.GET["edit"]))
        values = {field: getattr(editing, field) for field in services.TARGET_FIELDS}
        values = {k: ("" if v is None else v) for k, v in values.items()}
    with page_engine() as engine:
        checks = selectors.target_checks(
            actor=actor, engine=engine, year=year, scope=Scope() if actor.kind == ActorKind.OPERATOR else None
        )
    names = {code: i.name for code, i in catalogue().items()}
    export = request.GET.get("format", "")
    if export in {"csv", "xlsx"}:
        headers = [
            _("指标代码"), _("指标"), _("范围"), _("层级"), _("比较方式"), _("目标值"), _("区间上限"), _("容差"),
            _("基期值"), _("起始年度"), _("截止年度"), _("实际"), _("状态"), _("依据"),
        ]  # fmt: skip
        table = [
            [
                c.target.indicator_code, names.get(c.target.indicator_code, ""), presenters.scope_label(c.target),
                c.target.get_level_display(), c.target.get_comparator_display(), c.target.value, c.target.value_high,
                c.target.tolerance, c.target.baseline, c.target.from_year, c.target.to_year, c.value, c.label,
                c.target.source,
            ]
            for c in checks
        ]  # fmt: skip
        title = _("目标及其达成情况 · %(year)s 年") % {"year": year}
        return presenters.download(f"targets-{year}", headers, table, export, title=title)
    return render(
        request,
        "insight/targets.html",
        {
            "year": year,
            "year_choices": range(selectors.default_year() - 6, selectors.default_year() + 6),
            "checks": [
                (c, names.get(c.target.indicator_code, c.target.indicator_code), presenters.scope_label(c.target))
                for c in checks
            ],
            "withdrawn": selectors.target_list(actor=actor, include_withdrawn=True).filter(withdrawn_on__isnull=False),
            "can_write": actor.kind == ActorKind.BUREAU and actor.role in ("admin", "staff"),
            "indicators": list(catalogue().values()),
            "comparators": Comparator.choices,
            "levels": TargetLevel.choices,
            "scope_kinds": ScopeKind.choices,
            "values": values,
            "errors": errors,
            "editing": editing,
            "default_scope": actor.region_code,
        },
    )


# ---------------------------------------------------------------------------------------------
# Annual quality report


@login_required
def report_view(request: HttpRequest) -> HttpResponse:
    """The annual quality report of a scope and year: a page to read and print, or a Word file."""
    actor = _staff(request)
    scope = _scope(request, actor)
    year = _year(request)
    with page_engine() as engine:
        made = report.build(engine, actor=actor, scope=scope, scope_name=selectors.scope_name(scope), year=year)
        snapshot = presenters.snapshot_context(engine)
    if request.GET.get("format") == "docx":
        response = HttpResponse(
            report.to_docx(made),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        response["Content-Disposition"] = f'attachment; filename="quality-report-{scope}-{year}.docx"'
        return response
    return render(
        request,
        "insight/report.html",
        {
            "report": made,
            "scope": scope,
            "year": year,
            "year_choices": _year_choices(),
            "headers": report.table_headers(year),
            "chapters": [(c, [report.table_row(line) for line in c.lines]) for c in made.chapters],
            "missed": [report.missed_words(c) for c in made.targets.get("missed", [])],
            "warned": [report.reasons_words(name, w) for name, w in made.warnings],
            "partial_note": report.PARTIAL_NOTE % {"year": year},
            **snapshot,
        },
    )


# ---------------------------------------------------------------------------------------------
# Alignment


@login_required
def alignment_view(request: HttpRequest) -> HttpResponse:
    """Majors against the region's key industries: the shares, the key industries no major serves,
    and the 产教对接谱系图 (industries → occupations → majors → schools)."""
    actor = _staff(request)
    scope = _scope(request, actor)
    # This year by default: graduates count from their graduation day and postings from their
    # publication, neither waits for the year-end census.
    year = _year(request, default=clock.today().year)
    if request.method == "POST":
        try:
            if request.POST.get("remove", "").isdigit():
                key = selectors.key_industry_get(actor=actor, pk=int(request.POST["remove"]))
                services.key_industry_remove(actor=actor, key=key)
                messages.success(request, _("已从重点产业名单中移除。"))
            else:
                services.key_industry_add(
                    actor=actor, industry_code=request.POST.get("industry_code", ""), note=request.POST.get("note", "")
                )
                messages.success(request, _("已加入重点产业名单。"))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(f"{reverse('insight:alignment')}?scope={scope}&year={year}")
    with page_engine() as engine:
        shares = compute(
            engine,
            [catalogue()["major_industry_alignment"], catalogue()["key_industry_enrolment_share"]],
            years=[year],
            scope=scope,
        )
        picture = alignment.supply_and_demand(
            engine, scope=scope, year=year, school_names=presenters.schools_in(actor, scope)
        )
    rows = picture.rows()
    export = request.GET.get("format", "")
    keys = selectors.key_industries_for(actor=actor, scope=scope)
    names = alignment.industry_names()
    key_regions = dict(
        concepts(Scheme.REGION).filter(code__in={k.region_code for k in keys}).values_list("code", "name")
    )
    offered = [link for link in picture.links if link.major_code in picture.offered]
    served = {link.industry_code for link in offered}
    served_sections = {link.section for link in offered}
    unserved = [
        (k, names.get(k.industry_code, ""))
        for k in keys
        if not any(code.startswith(k.industry_code) for code in served) and k.industry_code not in served_sections
    ]
    unserved_keys = {k for k, _name in unserved}
    if export in {"csv", "xlsx"} and request.GET.get("table") == "keys":
        headers = [_("地区"), _("行业代码"), _("行业"), _("说明"), _("有专业服务")]
        table = [
            [key_regions.get(k.region_code, k.region_code), k.industry_code, names.get(k.industry_code, ""), k.note,
             _("否") if k in unserved_keys else _("是")]
            for k in keys
        ]  # fmt: skip
        title = _("%(scope)s · 重点产业名单 · %(year)s 年") % {"scope": selectors.scope_name(scope), "year": year}
        return presenters.download(f"key-industries-{scope}-{year}", headers, table, export, title=title)
    if export in {"csv", "xlsx"}:
        headers = [
            _("专业代码"), _("专业"), _("对应职业"), _("对应行业门类"), _("毕业生"), _("对应职业的岗位需求"),
            _("共用这些职业的其他专业数"), _("需求/毕业生"),
        ]  # fmt: skip
        table = [
            [
                r["major"], r["major_name"], "、".join(r["occupations"]), "、".join(r["industries"]), r["graduates"],
                r["demand"], r["shared"], r["ratio"],
            ]
            for r in rows
        ]  # fmt: skip
        title = _("%(scope)s · 毕业生供给与岗位需求 · %(year)s 年") % {
            "scope": selectors.scope_name(scope),
            "year": year,
        }
        return presenters.download(f"supply-demand-{scope}-{year}", headers, table, export, title=title)
    return render(
        request,
        "insight/alignment.html",
        {
            "scope": scope,
            "scope_name": selectors.scope_name(scope),
            "year": year,
            "shares": [(v, catalogue()[v.code], format_value(v.value, "%")) for v in shares],
            "keys": [
                (key, names.get(key.industry_code, ""), key_regions.get(key.region_code, key.region_code))
                for key in keys
            ],
            "unserved": unserved,
            "sankey": picture.sankey(),
            "sankey_majors": alignment.SANKEY_MAJORS,
            "majors_supplied": len({major for major, _school in picture.supply}),
            "rows": rows,
            "demand_once": picture.demand_once(),
            "demand_summed": sum(r["demand"] for r in rows),
            "can_edit_keys": allowed(actor, "insight.key_industry.write", actor.region_code)
            and actor.kind == ActorKind.BUREAU,
        },
    )


# ---------------------------------------------------------------------------------------------
# Early warning


@login_required
def warnings_view(request: HttpRequest) -> HttpResponse:
    """Each major of the scope, red / yellow / green over the window, with its reasons."""
    actor = _staff(request)
    scope = _scope(request, actor)
    year = _year(request)
    limits = early_warning.thresholds()
    with page_engine() as engine:
        found = early_warning.major_warnings(engine, scope=scope, year=year, limits=limits)
    names = presenters.major_names()
    labels = {
        "red": _("红色预警"),
        "yellow": _("黄色预警"),
        "green": _("正常"),
        "insufficient": _("样本不足"),
    }
    export = request.GET.get("format", "")
    if export in {"csv", "xlsx"}:
        headers = [
            _("专业代码"), _("专业"), _("预警"), _("毕业生"), _("就业率"), _("对口就业率"), _("平均月收入"),
            _("收入比"), _("需求变化（%(years)s）") % {"years": presenters.trend_span(found)}, _("每岗位毕业生"), _("原因"),
        ]  # fmt: skip
        table = [
            [
                w.major_code, names.get(w.major_code, w.major_code), str(labels[w.level]), w.graduates,
                w.employment_rate, w.in_field_rate, w.mean_pay, w.pay_ratio, w.demand_trend, w.graduates_per_post,
                "；".join(w.reasons),
            ]
            for w in found
        ]  # fmt: skip
        title = _("%(scope)s · 专业预警 · %(year)s 年") % {"scope": selectors.scope_name(scope), "year": year}
        return presenters.download(f"major-warnings-{scope}-{year}", headers, table, export, title=title)
    return render(
        request,
        "insight/warnings.html",
        {
            "scope": scope,
            "scope_name": selectors.scope_name(scope),
            "trail": presenters.trail(actor, scope),
            "year": year,
            "year_choices": _year_choices(),
            "limits": limits,
            "first_year": year - limits.window_years + 1,
            # Every major's trend compares the same two years (those recorded whole).
            "trend_years": (found[0].demand_from, found[0].demand_to) if found else (None, None),
            "rows": [(w, names.get(w.major_code, w.major_code), labels[w.level]) for w in found],
            "counts": {level: sum(1 for w in found if w.level == level) for level in labels},
        },
    )


# ---------------------------------------------------------------------------------------------
# Data quality


@login_required
def quality_view(request: HttpRequest) -> HttpResponse:
    """The data-quality rules each school of the scope breaks. A school's own page is checked on
    the live database, so a corrected record leaves the list at once."""
    actor = _staff(request)
    scope = _scope(request, actor)
    year = _year(request)
    checked_at = None
    if scope.kind == "school":
        found, checked_at = _school_quality(directory.organisation_by_code(code=scope.code), year)
    else:
        engine = open_engine(settings.INSIGHT_ENGINE)
        try:
            found = quality.violations(engine, scope=scope, years=[year])
        finally:
            engine.close()
    schools = presenters.schools_in(actor, scope)
    export = request.GET.get("format", "")
    if export in {"csv", "xlsx"}:
        headers = [
            _("学校代码"), _("学校"), _("年度"), _("规则"), _("级别"), _("实际项"), _("实际"), _("要求"), _("要求项"),
            _("应为"), _("怎样改正"),
        ]  # fmt: skip
        severity = {"error": _("错误"), "warning": _("提示")}
        table = [
            [
                v.school_code,
                schools.get(v.school_code, ""),
                v.year,
                v.rule.name,
                severity[v.rule.severity],
                v.rule.left_label,
                v.left,
                v.rule.requirement,
                v.rule.right_label,
                v.right,
                v.rule.fix,
            ]
            for v in found
        ]
        title = _("%(scope)s · 数据质量问题 · %(year)s 年") % {"scope": selectors.scope_name(scope), "year": year}
        return presenters.download(f"data-quality-{scope}-{year}", headers, table, export, title=title)
    return render(
        request,
        "insight/quality.html",
        {
            "scope": scope,
            "scope_name": selectors.scope_name(scope),
            "trail": presenters.trail(actor, scope),
            "year": year,
            "year_choices": _year_choices(),
            "rows": [(v, schools.get(v.school_code, v.school_code)) for v in found],
            "rules": quality.rules(),
            "live": scope.kind == "school",
            "checked_at": checked_at,
        },
    )


def _school_quality(school: Organisation, year: int) -> tuple[list[quality.Violation], dt.datetime | None]:
    """A school's violations in a year on its current records: the check kept since its last
    change (the background re-check after a write), or a new one now."""
    if year not in quality.check_years():
        return quality.violations(DatabaseEngine(), scope=Scope("school", school.code), years=[year]), None
    check = quality.current_check(school)
    found = quality.kept_violations(check, school, [year])
    return found, check.checked_at


# ---------------------------------------------------------------------------------------------
# Demand forecasts


def _forecast_request(request: HttpRequest, actor: Actor) -> forecast.Request:
    """What to forecast: a bureau its region or one under it; a school its own city's demand
    (published postings, which anyone may read)."""
    if actor.kind == ActorKind.SCHOOL:
        scope = Scope("region", f"{actor.region_code[:4]}00")
    else:
        scope = _scope(request, actor)
        if scope.kind == "school":
            raise Http404(_("需求预测按地区计算。"))
    source = request.POST if request.method == "POST" else request.GET
    breakdown: forecast.Breakdown = "region" if source.get("by") == "region" else "occupation"
    level = source.get("level", "2")
    return forecast.Request(scope=scope, breakdown=breakdown, level=int(level) if level in {"1", "2", "3", "4"} else 2)


@login_required
def forecasts_view(request: HttpRequest) -> HttpResponse:
    """Demand for people by occupation or region, its forecast with intervals and its back-test.
    Forecasts are made on request (a second or more a series) and kept while the data is the same."""
    actor = _staff(request)
    asked = _forecast_request(request, actor)
    query = f"scope={asked.scope}&by={asked.breakdown}&level={asked.level}"
    with page_engine() as engine:
        if request.method == "POST":
            forecast.make(engine, asked, graduates_year=selectors.default_year())
            return redirect(f"{reverse('insight:forecasts')}?{query}")
        held = forecast.kept(engine, asked)
    found = held.forecasts if held is not None else None
    labels = {"ok": "", "short": _("历史不足一年"), "sparse": _("数据稀疏，未单独预测")}
    export = request.GET.get("format", "")
    if found is not None and export in {"csv", "xlsx"}:
        headers = [
            _("代码"), _("名称"), _("近12个月需求"), _("预测未来12个月"), _("80%区间下限"), _("80%区间上限"),
            _("95%区间下限"), _("95%区间上限"), _("模型"), _("回测MAPE"), _("上月照搬MAPE"), _("去年同月MAPE"),
            _("上一届对口专业毕业生"), _("入职该类职业的毕业生"), _("往年毕业生入职与发布需求之比"), _("预计毕业生入职"),
            _("预计毕业生入职80%区间下限"), _("预计毕业生入职80%区间上限"), _("说明"),
        ]  # fmt: skip
        table = [
            [
                f.key, f.name, f.last_year_total, f.total, f.total_lower.get(80), f.total_upper.get(80),
                f.total_lower.get(95), f.total_upper.get(95), f.model,
                f.backtest.mape if f.backtest else None, f.backtest.mape_naive if f.backtest else None,
                f.backtest.mape_seasonal_naive if f.backtest else None, f.graduates, f.hired, f.hire_share, f.hires,
                f.hires_lower, f.hires_upper,
                str(labels[f.status]) or (_("区间不稳") if f.backtest and f.backtest.unsteady else ""),
            ]
            for f in found
        ]  # fmt: skip
        title = _("%(scope)s · 岗位需求预测（未来 %(months)s 个月）") % {
            "scope": selectors.scope_name(asked.scope), "months": asked.horizon
        }  # fmt: skip
        file_name = f"demand-forecast-{asked.scope}-{asked.breakdown}-{asked.level}"
        return presenters.download(file_name, headers, table, export, title=title)
    chosen = None
    if found:
        wanted = request.GET.get("series", "")
        chosen = next((f for f in found if f.key == wanted and f.status == "ok"), found[0])
    chart = None
    if chosen is not None and chosen.status == "ok":
        gap: list[None] = [None] * len(chosen.months)
        chart = {
            "months": chosen.months + chosen.future,
            "history": chosen.history + [None] * len(chosen.future),
            # The forecast line starts at the last month seen, so the two lines join.
            "mean": [*gap[:-1], chosen.history[-1], *chosen.mean],
            "lower80": gap + chosen.lower[80],
            "band80": gap + [round(u - lo, 1) for lo, u in zip(chosen.lower[80], chosen.upper[80], strict=True)],
            "lower95": gap + chosen.lower[95],
            "band95": gap + [round(u - lo, 1) for lo, u in zip(chosen.lower[95], chosen.upper[95], strict=True)],
        }
    return render(
        request,
        "insight/forecasts.html",
        {
            "scope": asked.scope,
            "scope_name": selectors.scope_name(asked.scope),
            "trail": presenters.trail(actor, asked.scope) if actor.kind != ActorKind.SCHOOL else [],
            "asked": asked,
            "query": query,
            "rows": [(f, labels[f.status]) for f in found or []],
            "found": found is not None,
            "made_at": held.made_at if held is not None else "",
            "scaled_by": next((f.scaled_by for f in (found or [])[1:] if f.total is not None), 1.0),
            "any_unsteady": any(f.backtest is not None and f.backtest.unsteady for f in found or []),
            "stale": held is not None and not held.current,
            "refreshing": held is not None and not held.current and insight_tasks.snapshot_rebuilding(),
            "chosen": chosen,
            "chart": chart,
            "levels": [(1, _("大类")), (2, _("中类")), (3, _("小类")), (4, _("职业"))],
            "origins": forecast.BACKTEST_ORIGINS,
            "horizon": forecast.BACKTEST_HORIZON,
        },
    )
