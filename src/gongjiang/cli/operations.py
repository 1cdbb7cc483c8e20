"""`send-mail`, `backup`, `restore` and `manage`: running an installation."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from gongjiang.cli.base import (
    _migrate,
    _refuse_weak_password,
    _setup,
    data_dir_option,
    main,
)


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
