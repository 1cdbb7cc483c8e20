"""The `gongjiang` command. Every subcommand takes `--data-dir` and honours `DATABASE_URL` the
same way; Django is set up only after those are known."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_PORT = 8000


def _setup(data_dir: Path | None) -> None:
    if data_dir is not None:
        os.environ["GONGJIANG_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    import django

    django.setup()


def data_dir_option(fn: F) -> F:
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        envvar="GONGJIANG_DATA_DIR",
        help="数据目录（SQLite 数据库、密钥）；默认 ./var。设置 DATABASE_URL 时数据库改用该地址。",
    )(fn)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gongjiang")
def main() -> None:
    """工匠 Gongjiang: 技工教育与产教融合开放平台。"""


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _sqlite_path() -> Path | None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return Path(db["NAME"]) if db["ENGINE"].endswith("sqlite3") else None


def _load_builtin_refdata() -> None:
    from rich.progress import Progress

    from gongjiang.core.actors import system_actor
    from gongjiang.refdata.builtin import BUILTIN_DIR
    from gongjiang.refdata.services import refdata_load

    with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("参考数据", total=None)
        refdata_load(
            actor=system_actor(),
            path=BUILTIN_DIR,
            progress=lambda label, done, total: bar.update(task, description=label, completed=done, total=total),
        )


@main.command()
@data_dir_option
@click.option("--password", default=None, help="所有演示账号使用此密码（默认为每个账号随机生成）。")
@click.option("--no-serve", is_flag=True, help="只构建数据库，不启动网站。")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
@click.option("--seed", default=2025, show_default=True, type=int, help="生成演示地区的随机种子。")
@click.option(
    "--scale",
    type=click.Choice(["small", "demo", "city", "province"]),
    default="demo",
    show_default=True,
    help="规模：small 12所学校2千学生（试用）；demo 12所2万；city 30所6万；province 200所40万。",
)
def demo(
    data_dir: Path | None, password: str | None, no_serve: bool, host: str, port: int, seed: int, scale: str
) -> None:
    """构建演示数据库（参考数据 + 生成的演示地区），打印演示账号，然后启动网站。"""
    if data_dir is not None:
        os.environ["GONGJIANG_DATA_DIR"] = str(data_dir)
    _setup(None)
    from django.core.management import call_command
    from django.db import connection

    if password is not None:
        _refuse_weak_password(password, "--password")

    steps = _Steps(6)
    sqlite = _sqlite_path()
    if sqlite is not None and sqlite.exists():
        # The demo is rebuilt from scratch each time: same seed, same region.
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
    steps.step("准备数据库")
    _migrate()
    if sqlite is None:
        call_command("flush", interactive=False, verbosity=0)
    steps.step("载入参考数据")
    _load_builtin_refdata()

    from gongjiang.core.actors import system_actor
    from gongjiang.demo.generator import SCALES, build_region

    steps.step("生成演示地区")
    region = build_region(
        actor=system_actor(),
        seed=seed,
        password=password,
        scale=SCALES[scale],
        progress=steps.detail,
        workers=os.cpu_count() or 1,  # used on PostgreSQL only
    )
    click.echo(f"演示地区已生成：{region.organisations} 个机构，{region.students} 名学生。")
    if region.records is not None:
        r = region.records
        click.echo(
            f"另有毕业生 {r.graduates} 名（去向 {r.destinations} 条），实习 {r.internships} 人"
            f"（{r.flagged_internships} 人未投保或被收费），技能等级认定 {r.assessments} 人次，竞赛获奖 {r.awards} 项，"
            f"培训 {r.trainees} 人次（{r.programmes} 个项目），企业新型学徒 {r.apprenticeships} 名。"
        )
    if region.market is not None:
        m = region.market
        click.echo(
            f"供需平台：企业档案 {m.profiles} 份，供需信息 {m.postings} 条（已发布 {m.published}，待审核 {m.pending}，"
            f"已退回 {m.returned}），往年已截止的招聘信息 {m.archived} 条，学生申请 {m.applications} 份（接受录用 {m.accepted} 人，其中实习 {m.internships} 人、"
            f"学徒 {m.apprenticeships} 人），订单班协议 {m.order_classes} 个。"
        )
    from gongjiang.demo.generator import set_demo_targets
    from gongjiang.directory.models import User
    from gongjiang.directory.selectors import actor_for_user

    steps.step("设定监测目标")
    targets = set_demo_targets(bureau=actor_for_user(User.objects.get(username="bureau")))
    click.echo(f"监测目标 {targets} 项（自治区规划目标和一项市级目标）。")
    from gongjiang.insight.engines import build_snapshot, snapshot_path

    # The dashboards read a snapshot of the register; a rebuilt demo must not show the last one's.
    snapshot_path().unlink(missing_ok=True)
    steps.step("生成监测指标的数据快照")
    _build_snapshot_with_progress(build_snapshot)
    steps.step("生成岗位需求预测")
    _demo_forecast()
    steps.done()
    click.echo("演示账号（用户名 / 密码 / 身份）：")
    for username, (secret, description) in region.personas.items():
        click.echo(f"  {username:<12} {secret:<16} {description}")
    if no_serve:
        click.echo(f"启动网站：{_serve_command(host, port)}")
    else:
        _serve(host, port)


class _Steps:
    """The demo's progress on stderr: each step, and what it is doing, with its number and the
    time since the command began ([3/6 01:42] 生成演示地区 · 技工院校). Lines rather than a live
    display, so that the steps' own progress bars (reference data, snapshot) can show under them."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.number = 0
        self.title = ""
        self.started = time.monotonic()

    def elapsed(self) -> str:
        seconds = int(time.monotonic() - self.started)
        return f"{seconds // 60:02d}:{seconds % 60:02d}"

    def step(self, title: str) -> None:
        self.number += 1
        self.title = title
        click.echo(f"  [{self.number}/{self.total} {self.elapsed()}] {title}……", err=True)

    def detail(self, message: str) -> None:
        click.echo(f"  [{self.number}/{self.total} {self.elapsed()}] {self.title} · {message}", err=True)

    def done(self) -> None:
        click.echo(f"演示数据库已构建，用时 {self.elapsed()}。", err=True)


def _serve_command(host: str, port: int) -> str:
    """The command that starts the site on the demo just built, as the user would type it: through
    ./gj when that is how the demo was built (it sets GONGJIANG_LAUNCHER)."""
    from django.conf import settings

    words = ["gongjiang", "serve", "--data-dir", str(settings.DATA_DIR)]
    if host != "127.0.0.1":
        words += ["--host", host]
    if port != DEFAULT_PORT:
        words += ["--port", str(port)]
    launcher = os.environ.get("GONGJIANG_LAUNCHER", "")
    return " ".join([*([launcher] if launcher else []), *(shlex.quote(word) for word in words)])


def _serve(host: str, port: int) -> None:
    """The demo's server: one waitress process. Its defaults let 100 idle connections lock
    everyone out (connection_limit=100, issue 16); these hold 2,000 and drop a silent client
    after 30 s. poll() instead of select() lets it watch more than 1,024 sockets."""
    from waitress import serve as waitress_serve

    from gongjiang.config.wsgi import application

    _start_worker_in_process()
    click.echo(f"网站已启动：http://{host}:{port}/  （按 Ctrl+C 停止）")
    waitress_serve(
        application,
        host=host,
        port=port,
        threads=8,
        ident="gongjiang",
        connection_limit=2000,
        channel_timeout=30,
        asyncore_use_poll=True,
    )


def _serve_production(host: str, port: int, workers: int, threads: int) -> None:
    """Production: granian with several worker processes (ADR 0022). Its Rust event loop holds
    idle and slow connections without a Python thread each; only a complete request reaches one
    of a worker's `threads`. Headers must arrive within 10 s or the connection is closed."""
    from django.db import connections
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings
    from granian.server import Server

    # The workers open their own connections; none may be inherited from the migration.
    connections.close_all()
    click.echo(f"网站已启动：http://{host}:{port}/  （{workers} 个进程，每个 {threads} 个线程；按 Ctrl+C 停止）")
    Server(
        "gongjiang.config.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        backlog=4096,
        http1_settings=HTTP1Settings(header_read_timeout=10_000),
        respawn_failed_workers=True,
        log_access=os.environ.get("GONGJIANG_ACCESS_LOG", "") == "1",
    ).serve()


# -- background tasks (core/tasks.py, ADR 0021) --


def _start_worker_in_process() -> None:
    """On SQLite the site runs its task worker in its own process, so the demo stays one command;
    on PostgreSQL `gongjiang worker` runs beside the web processes."""
    from django.conf import settings

    if _sqlite_path() is not None and settings.TASKS_WORKER_IN_SERVE:
        from gongjiang.core import tasks

        tasks.start_thread()
        click.echo("后台任务由本进程处理（SQLite）。", err=True)


@main.command("worker")
@data_dir_option
@click.option("--status", "show_status", is_flag=True, help="只打印任务队列的状况，不处理任务。")
@click.option("--json", "as_json", is_flag=True, help="与 --status 同用：以 JSON 输出。")
@click.option("--until-idle", is_flag=True, help="处理完到期的任务后退出。")
def worker_command(data_dir: Path | None, show_status: bool, as_json: bool, until_idle: bool) -> None:
    """处理后台任务（网页导入、数据快照重建、数据质量检查、预测、推送邮件）；收到 SIGTERM 时做完手上的任务再退出。"""
    _setup(data_dir)
    from gongjiang.core import tasks

    if show_status:
        _print_task_status(tasks.status(), as_json)
        return
    _migrate()
    import signal

    worker = tasks.Worker()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: worker.stop())
    click.echo(f"后台任务进程 {worker.name} 已启动。", err=True)
    worker.run(until_idle=until_idle)
    click.echo(f"后台任务进程 {worker.name} 已停止，共完成 {worker.done} 个任务。", err=True)


def _print_task_status(found: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    click.echo(f"工作进程 {len(found['workers'])} 个：")
    for one in found["workers"]:
        click.echo(f"  {one['name']}  启动 {one['started_at'][:19]}  最近心跳 {one['seen_at'][:19]}")
    click.echo("任务数（按种类和状态）：")
    for row in found["counts"]:
        click.echo(f"  {row['name']:<20} {row['state']:<8} {row['count']}")
    click.echo("最近的任务：")
    for one in found["tasks"]:
        click.echo(
            f"  #{one['id']:<6} {one['name']:<20} {one['state']:<8} 第{one['attempts']}次 {one['reference']} {one['error']}"
        )


# -- end background tasks --


@main.command()
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="生产部署：用 granian 启动 N 个网站进程（每个 CPU 核 1–2 个，配合 PostgreSQL）；不指定时为单进程 waitress（演示）。",
)
@click.option("--threads", type=click.IntRange(min=1), default=8, show_default=True, help="每个进程处理请求的线程数。")
def serve(data_dir: Path | None, host: str, port: int, workers: int | None, threads: int) -> None:
    """启动网站，使用已构建的数据库（先执行 demo 或 migrate）。"""
    _setup(data_dir)
    _migrate()
    if workers is None:
        _serve(host, port)
    else:
        _serve_production(host, port, workers, threads)


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
    每行输出一个 JSON（title、code、name、confidence、evidence）。默认使用数据库中的职业代码表。"""
    _setup(data_dir)
    from django.utils.translation import gettext as _

    from gongjiang.refdata.coding import OccupationCoder
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
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8-sig", errors="replace").rstrip("\r\n")
        title, _tab, description = line.partition("\t")
        if title.strip():
            result = coder.code(title.strip(), description.strip())
            click.echo(json.dumps(result.as_dict(), ensure_ascii=False))


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


def _demo_forecast() -> None:
    """The province's demand forecast by occupation class, so the bureau's page shows it at once."""
    from gongjiang.demo.generator import PROVINCE
    from gongjiang.insight import forecast, selectors
    from gongjiang.insight.compute import Scope
    from gongjiang.insight.engines import DuckDBEngine

    engine = DuckDBEngine()
    try:
        made = forecast.make(
            engine, forecast.Request(Scope("region", PROVINCE[0])), graduates_year=selectors.default_year()
        )
    finally:
        engine.close()
    click.echo(f"岗位需求预测已生成：{sum(1 for f in made if f.status == 'ok')} 个序列。", err=True)


def _parse_scope(text: str | None) -> Any:
    """The `--scope` option as a `Scope`; a malformed one ends the command with its message."""
    from gongjiang.insight.compute import Scope, ScopeError

    try:
        return Scope.parse(text)
    except ScopeError as exc:
        raise click.ClickException(str(exc)) from exc


def _progress_bar() -> Any:
    """A bar of named steps on a terminal; nothing when standard error is not one."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, transient=True, disable=not sys.stderr.isatty())


def _build_snapshot_with_progress(build: Callable[..., Any]) -> None:
    with _progress_bar() as bar:
        task = bar.add_task("DuckDB 快照", total=None)
        build(progress=lambda label, done, total: bar.update(task, description=label, completed=done, total=total))


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


def _school(code: str) -> Any:
    from gongjiang.directory.models import Organisation, OrganisationKind

    school = Organisation.objects.filter(code=code, kind=OrganisationKind.SCHOOL).first()
    if school is None:
        raise click.BadParameter(
            f"没有机构代码为“{code}”的技工院校（可用 gongjiang orgs --kind school 查看）", param_hint="--school"
        )
    return school


# -- certificates (credentials/, ADR 0026); `credentials verify` joins this group -------------------


@main.group("credentials")
def credentials_group() -> None:
    """证书：列出、导出核验包、批量签发、核验。"""


@credentials_group.command("list")
@data_dir_option
@click.option("--kind", type=click.Choice(["diploma", "skill"]), default=None, help="证书类型。")
@click.option("--status", type=click.Choice(["active", "revoked", "suspended"]), default=None, help="证书状态。")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=10_000, show_default=True, help="最多列出多少张。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 数组输出。")
def credentials_list(data_dir: Path | None, kind: str | None, status: str | None, limit: int, as_json: bool) -> None:
    """列出证书（编号、类型、状态、签发机构、签发时间）。"""
    _setup(data_dir)
    from gongjiang.core.actors import system_actor
    from gongjiang.credentials.selectors import certificate_list

    rows = [
        {
            "number": c.number, "kind": c.kind, "status": c.status, "issuer": c.issuer.code,
            "issued_at": c.issued_at.isoformat(), "occupation_code": c.occupation_code or None,
            "skill_level": c.skill_level, "class_level": c.class_level or None,
        }
        for c in certificate_list(actor=system_actor(), kind=kind, status=status)[:limit]
    ]  # fmt: skip
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['number']:<18} {row['kind']:<8} {row['status']:<10} {row['issuer']:<12} {row['issued_at']}")


@credentials_group.command("bundle")
@data_dir_option
@click.argument("number")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="写入的目录。")
def credentials_bundle(data_dir: Path | None, number: str, out: Path) -> None:
    """把一张证书的核验包写入目录：credential.json、签发机构的 did-*.json、状态列表 status-*.json。"""
    _setup(data_dir)
    from django.http import Http404

    from gongjiang.core.actors import system_actor
    from gongjiang.credentials.numbers import normalise
    from gongjiang.credentials.selectors import certificate_bundle

    try:
        bundle = certificate_bundle(actor=system_actor(), number=normalise(number))
    except Http404:
        raise click.ClickException(f"没有编号为“{number[:40]}”的证书。") from None
    out.mkdir(parents=True, exist_ok=True)

    def write(name: str, document: dict[str, Any]) -> None:
        (out / name).write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")

    write("credential.json", bundle.credential)
    for position, document in enumerate(bundle.did_documents.values(), start=1):
        write(f"did-{position}.json", document)
    for purpose, document in bundle.status_lists.items():
        write(f"status-{purpose}.json", document)
    click.echo(
        f"已写入 {out}：1 张证书、{len(bundle.did_documents)} 个 DID 文档、{len(bundle.status_lists)} 个状态列表。"
    )


@credentials_group.command("issue-diplomas")
@data_dir_option
@click.option("--school", "school_code", required=True, help="院校机构代码。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果。")
@click.option(
    "--processes", type=click.IntRange(1, 16), default=1, show_default=True,
    help="并行签发的进程数（需 PostgreSQL）：作为一批分成几部分，由同样多个 worker 进程同时签发，中断后可续签。",
)  # fmt: skip
def credentials_issue_diplomas(data_dir: Path | None, school_code: str, as_json: bool, processes: int) -> None:
    """为院校尚无毕业证书的全部毕业生签发毕业证书（分批进行，显示进度）。"""
    _setup(data_dir)
    import time

    from gongjiang.core.actors import system_actor
    from gongjiang.credentials.selectors import graduates_without_diploma
    from gongjiang.credentials.services.certificates import certificate_issue_diplomas

    actor = system_actor("gongjiang credentials issue-diplomas")
    school = _school(school_code)
    registrations = list(graduates_without_diploma(actor=actor, school=school))
    started = time.perf_counter()
    with _progress_bar() as bar:
        task = bar.add_task("签发毕业证书", total=len(registrations))
        if processes > 1 and registrations:
            issued = _issue_in_workers(actor, school, len(registrations), processes, bar, task)
        else:
            issued = certificate_issue_diplomas(
                actor=actor, school=school, registrations=registrations,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )  # fmt: skip
    seconds = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps({"school": school.code, "issued": issued, "seconds": round(seconds, 3)}))
        return
    click.echo(f"{school.name}：签发毕业证书 {issued} 张，用时 {seconds:.1f} 秒。")


def _issue_in_workers(actor: Any, school: Any, total: int, processes: int, bar: Any, task: Any) -> int:
    """A batch in `processes` parts (ADR 0034), issued by as many `gongjiang worker` processes
    started here; the bar follows the batch's committed progress. Killed, it is resumed by any
    worker (or by running this again): nothing is issued twice."""
    import subprocess
    import time

    from django.core.exceptions import ValidationError
    from django.db import connection

    from gongjiang.credentials.models import BatchState
    from gongjiang.credentials.services.certificates import batch_start

    if connection.vendor != "postgresql":
        raise click.ClickException("多进程签发需要 PostgreSQL（SQLite 同一时间只允许一个写入进程）。")
    try:
        batch = batch_start(actor=actor, school=school, total=total, parts=processes)
    except ValidationError as exc:
        raise click.ClickException("；".join(exc.messages)) from None
    command = [sys.executable, "-m", "gongjiang.cli", "worker", "--until-idle"]
    workers = [subprocess.Popen(command, stdout=subprocess.DEVNULL) for _ in range(batch.parts)]
    while any(w.poll() is None for w in workers):
        batch.refresh_from_db()
        bar.update(task, completed=batch.done, total=batch.total)
        time.sleep(0.5)
    batch.refresh_from_db()
    if batch.state != BatchState.DONE:
        raise click.ClickException(f"签发未完成（{batch.done} / {batch.total}）：{batch.error or '工作进程已退出'}")
    return batch.done


@credentials_group.command("verify")
@data_dir_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出每项检查。")
@click.option("--require-filed", is_flag=True, help="签发机构未在本平台备案（或未获授权）时也判为不通过。")
def credentials_verify(data_dir: Path | None, file: Path, as_json: bool, require_filed: bool) -> None:
    """核验凭证文件（任何签发方）。同目录下的 did-*.json、status-*.json 作为离线核验包读取；
    did:key 离线解析，上下文用本地副本，从不联网。签名有效、在有效期内且（就能核对的而言）
    未被撤销或暂停时退出码为 0。"""
    _setup(data_dir)
    from gongjiang.credentials.vc.bundle import BundleTrust, read_credential_file
    from gongjiang.credentials.vc.errors import CredentialError
    from gongjiang.credentials.vc.verify import Outcome, TrustSource, verify_credential

    bundle = BundleTrust.beside(file)
    trust: TrustSource = _database_trust(bundle) or bundle
    try:
        report = verify_credential(read_credential_file(file), trust)
    except CredentialError as exc:
        raise click.ClickException(exc.message.text()) from None
    ok = report.ok(require_filed=require_filed)
    if as_json:
        click.echo(json.dumps(report.as_dict(require_filed=require_filed), ensure_ascii=False, indent=2))
    else:
        marks = {Outcome.PASSED: "通过", Outcome.FAILED: "不通过", Outcome.UNCHECKED: "未核对"}
        for check in report.checks:
            click.echo(f"{marks[check.outcome]:<4} {check.label}：{check.message.text()}")
        click.echo("结论：有效" if ok else "结论：无效")
    sys.exit(0 if ok else 1)


def _database_trust(bundle: Any) -> Any:
    """The platform's registry when its database is there; None for an offline check."""
    from django.db import DatabaseError

    from gongjiang.credentials.models import Filing
    from gongjiang.credentials.trust import DatabaseTrust

    try:
        Filing.objects.exists()
    except DatabaseError:
        return None
    return DatabaseTrust(bundle)


@main.command("send-mail")
@data_dir_option
@click.option("--limit", default=1000, show_default=True, help="本次最多发送的邮件数。")
def send_mail(data_dir: Path | None, limit: int) -> None:
    """发送待发的推送邮件（按 EMAIL_BACKEND 设置；默认写入数据目录的 outbox 文件夹）。"""
    _setup(data_dir)
    _migrate()
    from gongjiang.market.push import send_outbox

    sent, failed = send_outbox(limit=limit)
    click.echo(f"已发送 {sent} 封邮件。" + (f"{failed} 封发送失败，下次重试。" if failed else ""))
    if failed:
        sys.exit(1)


@main.command("backup")
@data_dir_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="备份文件（tar）的路径。")
def backup_command(data_dir: Path | None, out: Path) -> None:
    """备份数据库（PostgreSQL 用 pg_dump，SQLite 用在线备份）和数据目录中不可重建的文件（密钥、待处理的上传）。"""
    _setup(data_dir)
    from gongjiang.core.backup import BackupError, backup

    try:
        report = backup(out)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    kept = "、".join(report.files) or "无"
    click.echo(f"已备份（{report.engine}，{report.size / 2**20:.1f} MiB，另含文件：{kept}）：{report.path}")


@main.command("restore")
@data_dir_option
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="数据库不是空的时也恢复（先删除其中全部数据）。")
def restore_command(data_dir: Path | None, archive: Path, force: bool) -> None:
    """从 gongjiang backup 生成的备份文件恢复数据库和数据目录中的文件；默认只恢复到空数据库。"""
    _setup(data_dir)
    from gongjiang.core.backup import BackupError, restore

    try:
        manifest = restore(archive, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已从 {archive} 恢复（{manifest['engine']}，备份于 {manifest['created']}）。")
    click.echo("指标快照不在备份中：请运行 gongjiang indicators --refresh 重建。")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@data_dir_option
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(data_dir: Path | None, args: tuple[str, ...]) -> None:
    """运行 Django 管理命令，如：gongjiang manage createsuperuser"""
    _setup(data_dir)
    from django.core.management import execute_from_command_line

    # Django checks a typed password, but not one given to `createsuperuser --noinput` in
    # DJANGO_SUPERUSER_PASSWORD; the platform's rules hold on that path as well.
    given = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
    if args[:1] == ("createsuperuser",) and given is not None and {"--noinput", "--no-input"} & set(args):
        _refuse_weak_password(given, "DJANGO_SUPERUSER_PASSWORD")
    execute_from_command_line(["gongjiang manage", *args])


def _refuse_weak_password(password: str, source: str) -> None:
    """Stop with the validators' reasons (settings.AUTH_PASSWORD_VALIDATORS) before anything is written."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password)
    except ValidationError as exc:
        raise click.UsageError(
            f"{source} 给出的密码不符合密码规则：{'；'.join(exc.messages)} 请换一个更长、更难猜的密码。"
        ) from exc


if __name__ == "__main__":
    main()
