"""`import` and `export`: the register's and the marketplace's spreadsheets."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from gongjiang.cli.base import (
    _migrate,
    _school,
    _setup,
    data_dir_option,
    main,
)


@main.group("import")
def import_group() -> None:
    """从 xlsx 或 csv 文件导入登记记录。"""


@import_group.command("registrations")
@data_dir_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--school", "school_code", required=True, help="学校的机构代码。")
@click.option("--dry-run", is_flag=True, help="只校验并报告，不写入。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出报告。")
@click.option(
    "--errors-out", type=click.Path(dir_okay=False, path_type=Path), help="有错误时，把带“错误”列的表格写到此文件。"
)
def import_registrations(
    data_dir: Path | None, file: Path, school_code: str, dry_run: bool, as_json: bool, errors_out: Path | None
) -> None:
    """导入学籍：逐行校验，全部无误才写入（同一文件重复导入不产生变化）。有错误时退出码为 1。"""
    _setup(data_dir)
    _migrate()
    from gongjiang.core.actors import system_actor
    from gongjiang.core.imports import write_error_report
    from gongjiang.registry.services.imports import HEADERS, registrations_import

    school = _school(school_code)
    with file.open("rb") as source, _import_bar() as update:
        report = registrations_import(
            actor=system_actor(), school=school, source=source, filename=file.name, dry_run=dry_run, progress=update
        )
    if report.errors and errors_out is not None:
        with file.open("rb") as source:
            write_error_report(source, file.name, report, errors_out, HEADERS["id_number"] + HEADERS["name"])
    _print_report(report, dry_run=dry_run, as_json=as_json)


def _records_import_command(kind_name: str, label: str) -> None:
    @import_group.command(
        kind_name, help=f"导入{label}：逐行校验，全部无误才写入；同一文件重复导入不产生变化。有错误时退出码为 1。"
    )
    @data_dir_option
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--school", "school_code", required=True, help="学校的机构代码。")
    @click.option("--dry-run", is_flag=True, help="只校验并报告，不写入。")
    @click.option("--json", "as_json", is_flag=True, help="以 JSON 输出报告。")
    def command(data_dir: Path | None, file: Path, school_code: str, dry_run: bool, as_json: bool) -> None:
        _setup(data_dir)
        _migrate()
        from gongjiang.core.actors import system_actor
        from gongjiang.registry.services.record_imports import KINDS, records_import

        with file.open("rb") as source, _import_bar() as update:
            report = records_import(
                actor=system_actor(), kind=KINDS[kind_name], school=_school(school_code), source=source,
                filename=file.name, dry_run=dry_run, progress=update,
            )  # fmt: skip
        _print_report(report, dry_run=dry_run, as_json=as_json)


@import_group.command("postings-archive")
@data_dir_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="只校验并报告，不写入。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出报告。")
@click.option(
    "--errors-out", type=click.Path(dir_okay=False, path_type=Path), help="有错误时，把带“错误”列的表格写到此文件。"
)
def import_postings_archive(
    data_dir: Path | None, file: Path, dry_run: bool, as_json: bool, errors_out: Path | None
) -> None:
    """补录往年（平台启用前）已截止的供需信息，计入需求历史和预测：逐行校验，全部无误才写入；
    同一文件重复导入不产生变化；系统中尚无的发布单位按统一社会信用代码和名称登记为企业。有错误时退出码为 1。"""
    _setup(data_dir)
    _migrate()
    from gongjiang.core.actors import system_actor
    from gongjiang.core.imports import write_error_report
    from gongjiang.market.archive_import import HEADERS, postings_archive_import

    with file.open("rb") as source, _import_bar() as update:
        report = postings_archive_import(
            actor=system_actor(), source=source, filename=file.name, dry_run=dry_run, progress=update
        )
    if report.errors and errors_out is not None:
        with file.open("rb") as source:
            write_error_report(source, file.name, report, errors_out, required_any=HEADERS["title"])
    if report.organisations and not as_json:
        click.echo(f"新登记发布单位 {report.organisations} 家。")
    _print_report(report, dry_run=dry_run, as_json=as_json)


@contextlib.contextmanager
def _import_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on a terminal (none when output is piped): rows checked, then rows written."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    phases = {"check": "校验", "write": "写入"}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("校验", total=None)
        yield lambda phase, done, total: bar.update(
            task, description=phases.get(phase, phase), completed=done, total=total
        )


def _print_report(report: Any, *, dry_run: bool, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        verb = "校验" if dry_run else "导入"
        if report.errors:
            click.echo(
                f"已检查 {report.rows} 行。没有错误的行中：可新增 {report.created}，可更新 {report.updated}，"
                f"未变 {report.unchanged}。"
            )
        else:
            click.echo(
                f"{verb} {report.rows} 行：新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}。"
            )
        if getattr(report, "new_classes", None) and not report.errors:
            click.echo(("将新建班级：" if dry_run else "已新建班级：") + "、".join(report.new_classes))
        for error in report.errors:
            where = f"第{error.row}行" if error.row else "文件"
            column = f"【{error.column}】" if error.column else ""
            click.echo(f"  {where}{column}{error.message}", err=True)
        if report.errors:
            click.echo(f"共 {len(report.errors)} 处错误，未写入任何数据。", err=True)
    if report.errors:
        sys.exit(1)


for _kind, _label in (("teachers", "教师"), ("training", "培训记录"), ("destinations", "毕业去向")):
    _records_import_command(_kind, _label)


@main.group("export")
def export_group() -> None:
    """把登记记录导出为 xlsx（表头与导入相同，可原样导回）。"""


@export_group.command("registrations")
@data_dir_option
@click.option("--school", "school_code", required=True, help="学校的机构代码。")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_registrations(data_dir: Path | None, school_code: str, out: Path) -> None:
    """导出学校的在籍学籍（含待审核、休学）。"""
    _setup(data_dir)
    from gongjiang.core.actors import system_actor
    from gongjiang.registry.services.imports import registrations_export

    count = registrations_export(actor=system_actor(), school=_school(school_code), target=out)
    click.echo(f"已导出 {count} 条学籍：{out}")


def _records_export_command(kind_name: str, label: str) -> None:
    @export_group.command(kind_name, help=f"导出{label}（表头与导入相同，可原样导回）。")
    @data_dir_option
    @click.option("--school", "school_code", required=True, help="学校的机构代码。")
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
    def command(data_dir: Path | None, school_code: str, out: Path) -> None:
        _setup(data_dir)
        from gongjiang.core.actors import system_actor
        from gongjiang.registry.services.record_imports import KINDS, records_export

        count = records_export(actor=system_actor(), kind=KINDS[kind_name], school=_school(school_code), target=out)
        click.echo(f"已导出 {count} 条{label}：{out}")


for _kind, _label in (("teachers", "教师"), ("training", "培训记录"), ("destinations", "毕业去向")):
    _records_export_command(_kind, _label)
