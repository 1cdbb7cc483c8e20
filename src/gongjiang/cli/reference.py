"""`orgs`, `refdata` and `occupation-code`: the organisations and the reference data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from gongjiang.cli.base import (
    _migrate,
    _setup,
    data_dir_option,
    main,
)


@main.command()
@data_dir_option
@click.option("--kind", type=click.Choice(["bureau", "school", "enterprise", "evaluator"]), default=None)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
def orgs(data_dir: Path | None, kind: str | None, as_json: bool) -> None:
    """列出机构（代码、类型、名称、地区、层次）。"""
    _setup(data_dir)
    from gongjiang.core.actors import system_actor
    from gongjiang.directory.selectors import organisation_list

    rows = [
        {"code": o.code, "kind": o.kind, "name": o.name, "region": o.region_code, "tier": o.tier or None}
        for o in organisation_list(actor=system_actor(), kind=kind)
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['code']:<14} {row['kind']:<10} {row['region']:<7} {row['tier'] or '':<20} {row['name']}")


@main.group()
def refdata() -> None:
    """参考数据：载入、查询、生成分词词典。"""


@refdata.command("load")
@data_dir_option
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def refdata_load_command(data_dir: Path | None, directory: Path) -> None:
    """载入 DIRECTORY 下的参考数据文件（标准 CSV 或 shared/refdata/raw 中的原始表）。全部成功或全部不变。"""
    _setup(data_dir)
    _migrate()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from gongjiang.core.actors import system_actor
    from gongjiang.refdata.services import RefdataLoadError, refdata_load

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, transient=True, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("解析", total=None)
            report = refdata_load(
                actor=system_actor(),
                path=directory,
                progress=lambda label, done, total: bar.update(task, description=label, completed=done, total=total),
            )
    except RefdataLoadError as exc:
        click.echo("参考数据未载入，数据库未作任何修改。问题如下：", err=True)
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        sys.exit(1)
    for version in report.versions:
        dropped = f"（去除重复 {version.duplicates_dropped} 行）" if version.duplicates_dropped else ""
        click.echo(f"{version.scheme:<20} {version.label:<22} {version.rows:>7} 条 {version.seconds:6.2f} 秒{dropped}")
    for path, reason in report.skipped:
        click.echo(f"跳过 {path}：{reason}", err=True)
    click.echo(f"共用时 {report.seconds:.2f} 秒。")


@refdata.command("search")
@data_dir_option
@click.argument("scheme")
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True)
def refdata_search_command(data_dir: Path | None, scheme: str, query: str, limit: int, as_json: bool) -> None:
    """按代码、名称、别名或拼音首字母查找，如：gongjiang refdata search occupation skcg"""
    _setup(data_dir)
    from gongjiang.refdata.models import Scheme
    from gongjiang.refdata.selectors import concept_search

    if scheme not in Scheme.values:
        raise click.BadParameter(f"未知代码表“{scheme}”，可用：{'、'.join(Scheme.values)}", param_hint="SCHEME")
    found = concept_search(scheme, query, limit=limit)
    if as_json:
        click.echo(json.dumps([{"code": c.code, "name": c.name, "level": c.level} for c in found], ensure_ascii=False))
        return
    for c in found:
        click.echo(f"{c.code:<14} {c.level} {c.name}")


@refdata.command("jieba-dict")
@data_dir_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def refdata_jieba_dict(data_dir: Path | None, out: Path) -> None:
    """由代码表名称与别名生成 jieba 用户词典。"""
    _setup(data_dir)
    from gongjiang.refdata.text import write_user_dictionary

    count = write_user_dictionary(out)
    click.echo(f"已写入 {count} 个词：{out}")


@main.command("occupation-code")
@data_dir_option
@click.option(
    "--table",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="直接读取职业分类大典表（csco22.csv，同目录的补充表一并读取），不使用数据库。",
)
def occupation_code(data_dir: Path | None, table: Path | None) -> None:
    """把职位名称编码为职业分类大典（2022）职业：从标准输入每行读一个职位名称（可在制表符后附职位描述），
    每行输出一个 JSON（title、code、name、confidence、evidence；无法编码时 code 为 null 并附 reason）。
    默认使用数据库中的职业代码表。"""
    _setup(data_dir)
    from django.utils.translation import gettext as _

    from gongjiang.refdata.coding import OccupationCoder, code_lines
    from gongjiang.refdata.formats import RefdataFileError
    from gongjiang.refdata.services import occupation_coder_from_table

    try:
        if table is not None:
            coder = occupation_coder_from_table(table)
        else:
            _migrate()
            coder = OccupationCoder.from_database()
    except RefdataFileError as exc:
        raise click.ClickException(str(exc)) from exc
    except ValueError as exc:
        hint = _("请先载入参考数据（gongjiang demo 或 gongjiang refdata load），或用 --table 指定 csco22.csv。")
        raise click.ClickException(f"{exc}。{hint}") from exc
    for answer in code_lines(coder, sys.stdin.buffer):
        click.echo(json.dumps(answer, ensure_ascii=False))
