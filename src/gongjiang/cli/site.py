"""`demo`, `serve` and `worker`: build the demo region, run the site and its task worker."""

from __future__ import annotations

import importlib
import json
import os
import shlex
import time
from pathlib import Path
from typing import Any

import click

from gongjiang.cli.base import (
    DEFAULT_PORT,
    _build_snapshot_with_progress,
    _load_builtin_refdata,
    _migrate,
    _refuse_weak_password,
    _setup,
    _sqlite_path,
    data_dir_option,
    main,
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
        # Flushing empties the tables the migrations seeded too: the national assessment rules
        # (申报条件, the levels medals confer), which the demo's plans need. Seed them again with
        # the migration's own function, as a fresh SQLite file gets them.
        from django.apps import apps

        importlib.import_module("gongjiang.assessment.migrations.0002_national_eligibility_and_award_rules").seed(
            apps, None
        )
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
    for line in region_summary(region):
        click.echo(line)
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


def region_summary(region: Any) -> list[str]:
    """What `build_region` made, as the demo prints it: the register, the marketplace and the
    assessment plans it ran from publishing to certificates."""
    lines = [f"演示地区已生成：{region.organisations} 个机构，{region.students} 名学生。"]
    if region.records is not None:
        r = region.records
        lines.append(
            f"另有毕业生 {r.graduates} 名（去向 {r.destinations} 条），实习 {r.internships} 人"
            f"（{r.flagged_internships} 人未投保或被收费），技能等级认定 {r.assessments} 人次，竞赛获奖 {r.awards} 项，"
            f"培训 {r.trainees} 人次（{r.programmes} 个项目），企业新型学徒 {r.apprenticeships} 名。"
        )
    if region.market is not None:
        m = region.market
        lines.append(
            f"供需平台：企业档案 {m.profiles} 份，供需信息 {m.postings} 条（已发布 {m.published}，待审核 {m.pending}，"
            f"已退回 {m.returned}），往年已截止的招聘信息 {m.archived} 条，学生申请 {m.applications} 份（接受录用 {m.accepted} 人，其中实习 {m.internships} 人、"
            f"学徒 {m.apprenticeships} 人），订单班协议 {m.order_classes} 个。"
        )
    if region.plans is not None and region.plans.plans:
        p = region.plans
        lines.append(
            f"技能等级认定计划 {p.plans} 个，从发布到签发走完全程：报名考生 {p.signups} 名（合格 {p.passed}、"
            f"不合格 {p.failed}、缺考 {p.absent}），抽查 {p.sampled} 名，签发职业技能等级证书 {p.certificates} 张。"
        )
    return lines


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
