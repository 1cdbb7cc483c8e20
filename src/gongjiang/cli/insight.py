"""`indicators`, `quality`, `report` and `forecast`: figures computed from the register."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from gongjiang.cli.base import (
    _build_snapshot_with_progress,
    _migrate,
    _progress_bar,
    _setup,
    data_dir_option,
    main,
)


@main.command("indicators")
@data_dir_option
@click.option("--scope", "scope_text", default=None, help="范围：region:地区代码 或 school:学校代码；默认全部。")
@click.option("--year", "years", type=int, multiple=True, help="统计年度（年末口径），可重复；默认上一年度。")
@click.option("--engine", type=click.Choice(["duckdb", "db", "spark"]), default="duckdb", show_default=True)
@click.option("--code", "codes", multiple=True, help="只计算这些指标（可重复）；默认整个目录。")
@click.option(
    "--by",
    "by",
    multiple=True,
    help="分组：region city school tier ownership major class_level form（可重复；city 为学校所在地市）。",
)
@click.option("--refresh", is_flag=True, help="先重建 DuckDB 快照（duckdb、spark 引擎）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出：每个值附分子、分母、范围与年度。")
@click.option("--catalogue", "show_catalogue", is_flag=True, help="只打印指标目录（Markdown），不计算。")
def indicators_command(
    data_dir: Path | None,
    scope_text: str | None,
    years: tuple[int, ...],
    engine: str,
    codes: tuple[str, ...],
    by: tuple[str, ...],
    refresh: bool,
    as_json: bool,
    show_catalogue: bool,
) -> None:
    """按指标目录从登记记录计算指标（不手工填报）。"""
    _setup(data_dir)
    if show_catalogue:
        from gongjiang.insight.catalogue import catalogue_markdown

        click.echo(catalogue_markdown(), nl=False)
        return
    _migrate()
    from django.http import Http404

    from gongjiang.core.actors import system_actor
    from gongjiang.insight import selectors
    from gongjiang.insight.catalogue import DISAGGREGATIONS
    from gongjiang.insight.compute import DisaggregationError, Scope, ScopeError
    from gongjiang.insight.engines import build_snapshot, open_engine, snapshot_path

    unknown = [d for d in by if d not in DISAGGREGATIONS or d == "year"]
    if unknown:
        raise click.BadParameter(", ".join(unknown), param_hint="--by")
    try:
        scope = Scope.parse(scope_text)
        chosen = selectors.indicators(codes)
    except (ScopeError, selectors.UnknownIndicatorError) as exc:
        raise click.ClickException(str(exc)) from exc
    if engine != "db" and (refresh or not snapshot_path().exists()):
        _build_snapshot_with_progress(build_snapshot)
    runner = open_engine(engine)
    try:
        values = selectors.indicator_values(
            actor=system_actor(),
            engine=runner,
            codes=[i.code for i in chosen],
            scope=scope,
            years=list(years) or [selectors.default_year()],
            by=by,
        )
    except Http404 as exc:
        raise click.ClickException(str(exc) or "not found") from exc
    except DisaggregationError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        runner.close()
    if as_json:
        for value in values:
            click.echo(json.dumps({"engine": engine, **value.as_dict()}, ensure_ascii=False))
        return
    _print_indicator_table({i.code: i.name_zh for i in chosen}, values, by)


@main.command("quality")
@data_dir_option
@click.option("--scope", "scope_text", default=None, help="范围：region:地区代码 或 school:学校代码；默认全部。")
@click.option("--year", "years", type=int, multiple=True, help="统计年度，可重复；默认上一年度。")
@click.option("--json", "as_json", is_flag=True, help="每条违反规则的记录输出一行 JSON。")
def quality_command(data_dir: Path | None, scope_text: str | None, years: tuple[int, ...], as_json: bool) -> None:
    """按数据质量规则检查各校当前的登记数据（直接读数据库）；有违反 error 级规则的记录时退出码为 1。"""
    _setup(data_dir)
    _migrate()
    from gongjiang.insight import quality, selectors
    from gongjiang.insight.engines import DatabaseEngine

    scope = _parse_scope(scope_text)
    found = quality.violations(DatabaseEngine(), scope=scope, years=list(years) or [selectors.default_year()])
    for v in found:
        if as_json:
            row = {"rule": v.rule.code, "severity": v.rule.severity, "school": v.school_code, "year": v.year}
            click.echo(json.dumps({**row, "left": v.left, "right": v.right, "fix": v.rule.fix}, ensure_ascii=False))
        else:
            click.echo(
                f"{v.school_code}\t{v.year}\t{v.rule.severity}\t{v.rule.name_zh}\t{v.left:g} {v.rule.comparator} {v.right:g}"
            )
    if not as_json:
        click.echo(f"共 {len(found)} 条。", err=True)
    if any(v.rule.severity == "error" for v in found):
        sys.exit(1)


@main.command("report")
@data_dir_option
@click.option("--scope", "scope_text", default=None, help="范围：region:地区代码 或 school:学校代码；默认全部。")
@click.option("--year", type=int, default=None, help="报告年度；默认上一年度。")
@click.option("--engine", type=click.Choice(["duckdb", "db", "spark"]), default="duckdb", show_default=True)
@click.option("--refresh", is_flag=True, help="先重建 DuckDB 快照。")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Word 文件（.docx）的路径。"
)
def report_command(
    data_dir: Path | None, scope_text: str | None, year: int | None, engine: str, refresh: bool, out: Path
) -> None:
    """生成年度质量报告（Word 文档），内容与网站上“年度质量报告”页相同。"""
    _setup(data_dir)
    _migrate()
    from django.http import Http404

    from gongjiang.core.actors import system_actor
    from gongjiang.insight import report, selectors
    from gongjiang.insight.engines import build_snapshot, open_engine, snapshot_path

    scope = _parse_scope(scope_text)
    if engine != "db" and (refresh or not snapshot_path().exists()):
        _build_snapshot_with_progress(build_snapshot)
    runner = open_engine(engine)
    try:
        made = report.build(
            runner,
            actor=system_actor(),
            scope=scope,
            scope_name=selectors.scope_name(scope),
            year=year or selectors.default_year(),
        )
    except Http404 as exc:
        raise click.ClickException(str(exc) or "not found") from exc
    finally:
        runner.close()
    out.write_bytes(report.to_docx(made))
    click.echo(f"{made.title}：{out}")
    click.echo(made.overview, err=True)


@main.command("forecast")
@data_dir_option
@click.option("--scope", "scope_text", default=None, help="地区范围：region:地区代码；默认全部。")
@click.option("--by", "breakdown", type=click.Choice(["occupation", "region"]), default="occupation", show_default=True)
@click.option(
    "--level", type=click.IntRange(1, 4), default=2, show_default=True, help="职业层级：1 大类 2 中类 3 小类 4 职业。"
)
@click.option("--horizon", type=click.IntRange(1, 24), default=12, show_default=True, help="预测月数。")
@click.option("--engine", type=click.Choice(["duckdb", "db", "spark"]), default="duckdb", show_default=True)
@click.option("--refresh", is_flag=True, help="先重建 DuckDB 快照。")
@click.option("--json", "as_json", is_flag=True, help="每个序列输出一行 JSON：历史、预测、区间与回测误差。")
def forecast_command(
    data_dir: Path | None,
    scope_text: str | None,
    breakdown: str,
    level: int,
    horizon: int,
    engine: str,
    refresh: bool,
    as_json: bool,
) -> None:
    """按职业或地区预测岗位需求人数（发布的招聘和学徒岗位），附区间与回测误差。"""
    _setup(data_dir)
    _migrate()
    from gongjiang.insight import forecast, selectors
    from gongjiang.insight.engines import build_snapshot, open_engine, snapshot_path

    scope = _parse_scope(scope_text)
    if scope.kind == "school":
        raise click.BadParameter("需求预测按地区计算：请写 region:地区代码。", param_hint="--scope")
    if engine != "db" and (refresh or not snapshot_path().exists()):
        _build_snapshot_with_progress(build_snapshot)
    request = forecast.Request(
        scope=scope, breakdown="region" if breakdown == "region" else "occupation", level=level, horizon=horizon
    )
    runner = open_engine(engine)
    try:
        with _progress_bar() as bar:
            task = bar.add_task("需求预测", total=None)
            found = forecast.make(
                runner,
                request,
                graduates_year=selectors.default_year(),
                progress=lambda key, done, total: bar.update(
                    task, description=key or "合计", completed=done, total=total
                ),
            )
    finally:
        runner.close()
    if as_json:
        for one in found:
            click.echo(json.dumps({"scope": str(scope), "breakdown": breakdown, **one.as_dict()}, ensure_ascii=False))
        return
    _print_forecast_table(found, horizon)


def _print_forecast_table(found: list[Any], horizon: int) -> None:
    """A table on a terminal; tab-separated lines when piped (a table cut to 80 columns helps no one)."""
    from rich.console import Console
    from rich.table import Table

    def percent(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}%"

    headers = [
        "序列", "代码", f"近{horizon}月", f"未来{horizon}月", "80% 区间", "变化", "回测 MAPE", "上月照搬", "去年同月",
        "模型", "对口专业毕业生", "入职该类职业", "预计毕业生入职",
    ]  # fmt: skip
    rows = []
    for one in found:
        note = {"short": "历史不足", "sparse": "数据稀疏"}.get(one.status, "")
        bt = one.backtest
        rows.append(
            [
                one.name,
                one.key,
                f"{one.last_year_total:,}",
                note or f"{one.total:,.0f}",
                "" if note else f"{one.total_lower[80]:,.0f}–{one.total_upper[80]:,.0f}",
                "" if one.change is None else f"{100 * one.change:+.0f}%",
                percent(bt.mape) if bt else "",
                percent(bt.mape_naive) if bt else "",
                percent(bt.mape_seasonal_naive) if bt else "",
                one.model,
                "" if one.graduates is None else str(one.graduates),
                "" if one.hired is None else str(one.hired),
                "" if one.hires is None else f"{one.hires:,.0f}（{one.hires_lower:,.0f}–{one.hires_upper:,.0f}）",
            ]
        )
    if not sys.stdout.isatty():
        for line in (headers, *rows):
            click.echo("\t".join(line))
        return
    table = Table(*headers)
    for row in rows:
        table.add_row(*row)
    Console().print(table)


def _parse_scope(text: str | None) -> Any:
    """The `--scope` option as a `Scope`; a malformed one ends the command with its message."""
    from gongjiang.insight.compute import Scope, ScopeError

    try:
        return Scope.parse(text)
    except ScopeError as exc:
        raise click.ClickException(str(exc)) from exc


def _print_indicator_table(names: dict[str, str], values: list[Any], by: tuple[str, ...]) -> None:
    from django.utils.translation import gettext as _
    from rich.console import Console
    from rich.table import Table

    table = Table(*[_("指标"), _("年度"), *by, _("值"), _("分子"), _("分母")])
    for value in values:
        shown = _("无数据") if value.status == "no_data" else "—" if value.value is None else f"{value.value:,.2f}"
        unit = "%" if value.unit == "%" and value.value is not None else ""
        table.add_row(
            names[value.code],
            str(value.year),
            *[str(value.group.get(d, "")) for d in by],
            shown + unit,
            "" if value.numerator is None else f"{value.numerator:,.2f}",
            "" if value.denominator is None else f"{value.denominator:,.2f}",
        )
    Console().print(table)
