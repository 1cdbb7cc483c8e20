"""`gongjiang backup` and `gongjiang restore` (ADR 0022).

A backup is one tar file holding what cannot be rebuilt:

- `manifest.json`: the format, the database engine, when, the PostgreSQL server version;
- the database: `database.dump` (pg_dump's custom format, which carries the audit trail's
  append-only trigger with the tables) or `database.sqlite3` (SQLite's online backup API, a
  consistent copy while the site runs);
- `files/`: the data directory's files that are not derivable: `secret_key` (sessions and signed
  links depend on it) and `imports/` (uploads of imports still queued, which the restored
  database refers to).

Not included, because they are rebuilt: the DuckDB snapshot (`insight/`), collected static files
(`static/`), and the demo's mail folder (`outbox/`, a record of mail already handed over).
Restore refuses a database that already has tables unless `force` is given.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, connections

FORMAT = 1
KEPT_FILES = ("secret_key", "imports")
DUMP = "database.dump"
SQLITE = "database.sqlite3"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    engine: str
    size: int
    files: list[str]


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def _pg_env() -> dict[str, str]:
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[name] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _client_major(program: str) -> int:
    if shutil.which(program) is None:
        raise BackupError(
            f"找不到 {program}：请安装与数据库服务器同版本或更新的 PostgreSQL 客户端（Debian：postgresql-client）。"
        )
    out = subprocess.run([program, "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    if found is None:
        raise BackupError(f"无法识别 {program} 的版本：{out.strip()}")
    return int(found.group(1))


def _check_client(program: str) -> int:
    """pg_dump cannot dump a newer server, and an older pg_restore may not read what it needs to
    write into one: the client's major version must be at least the server's."""
    connection.ensure_connection()
    server = int(connection.pg_version) // 10000  # type: ignore[attr-defined]
    client = _client_major(program)
    if client < server:
        raise BackupError(
            f"{program} 的版本（{client}）低于数据库服务器（PostgreSQL {server}）：请安装 postgresql-client-{server} 或更新版本后重试。"
        )
    return server


def _run(args: list[str]) -> None:
    done = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{args[0]} 失败（退出码 {done.returncode}）：{done.stderr.strip()[-2000:]}")


def backup(out: Path) -> BackupReport:
    """Write a backup of the database and the kept files to `out` (replaced only when complete)."""
    engine = _engine()
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "engine": engine,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as work_dir:
        work = Path(work_dir)
        if engine == "postgresql":
            manifest["server_major"] = _check_client("pg_dump")
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(work / DUMP)])
            database = work / DUMP
        else:
            database = work / SQLITE
            source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
            target = sqlite3.connect(str(database))
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        kept = [name for name in KEPT_FILES if (Path(settings.DATA_DIR) / name).exists()]
        manifest["files"] = kept
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        partial = work / "backup.tar"
        with tarfile.open(partial, "w") as archive:
            archive.add(work / "manifest.json", arcname="manifest.json")
            archive.add(database, arcname=database.name)
            for name in kept:
                archive.add(Path(settings.DATA_DIR) / name, arcname=f"files/{name}")
        # It holds learners' personal data and the secret key.
        partial.chmod(0o600)
        partial.replace(out)
    return BackupReport(path=out, engine=engine, size=out.stat().st_size, files=kept)


def _table_count() -> int:
    connection.ensure_connection()
    with connection.cursor() as cursor:
        return len(connection.introspection.table_names(cursor))


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = archive.getmembers()
    for member in members:
        parts = Path(member.name).parts
        if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"备份文件中有不安全的条目“{member.name}”，已拒绝恢复。")
    return members


def restore(archive_path: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore a backup made by `backup` into the configured database and data directory."""
    if not archive_path.is_file():
        raise BackupError(f"找不到备份文件 {archive_path}。")
    with tempfile.TemporaryDirectory(prefix="gongjiang-restore-") as work_dir:
        work = Path(work_dir)
        try:
            with tarfile.open(archive_path, "r") as archive:
                archive.extractall(work, members=_safe_members(archive))
            manifest: dict[str, Any] = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
        except (tarfile.TarError, OSError, ValueError) as exc:
            raise BackupError(f"{archive_path} 不是 gongjiang backup 生成的备份文件（{exc}）。") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError(f"备份格式 {manifest.get('format')} 不受此版本支持。")
        engine = _engine()
        if manifest["engine"] != engine:
            raise BackupError(
                f"备份来自 {manifest['engine']} 数据库，当前配置的是 {engine}：请把 DATABASE_URL 指向同类数据库后再恢复。"
            )
        tables = _table_count()
        if tables and not force:
            name = settings.DATABASES["default"]["NAME"]
            raise BackupError(
                f"数据库 {name} 不是空的（已有 {tables} 张表），恢复会覆盖其中全部数据。"
                "请恢复到新建的空数据库；确需覆盖时加 --force。"
            )
        if engine == "postgresql":
            _check_client("pg_restore")
            if tables:
                # Dropping the schema, not only the dump's tables, leaves no table of a newer
                # migration behind.
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT current_schema()")
                        schema = connection.ops.quote_name(cursor.fetchone()[0])
                        cursor.execute(f"DROP SCHEMA {schema} CASCADE; CREATE SCHEMA {schema}")
                except DatabaseError as exc:
                    raise BackupError(f"无法清空数据库（需要是数据库的所有者）：{exc}") from exc
            connections.close_all()
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    "--dbname",
                    str(settings.DATABASES["default"]["NAME"]),
                    str(work / DUMP),
                ]
            )
        else:
            connections.close_all()
            source = sqlite3.connect(str(work / SQLITE))
            target = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        data_dir = Path(settings.DATA_DIR)
        for name in manifest.get("files", []):
            destination = data_dir / name
            if destination.is_dir():
                shutil.rmtree(destination)
            elif destination.exists():
                destination.unlink()
            shutil.move(str(work / "files" / name), destination)
    return manifest
