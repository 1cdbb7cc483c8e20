"""The production setup for real (issue 16, item 9; ADR 0022): `gongjiang serve --workers 2` on
PostgreSQL keeps serving while 1,000 idle and 50 slowloris connections are held open, and
`gongjiang backup` / `gongjiang restore` give back every row of every table, on PostgreSQL and on
SQLite. Each runs the `gongjiang` command in a subprocess against a database of its own, named
after DATABASE_URL's with a suffix, holding committed data."""

from __future__ import annotations

import contextlib
import hashlib
import os
import resource
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from gongjiang.refdata.builtin import BUILTIN_DIR
from tests.conftest import require_or_skip

# Serial: it measures how the server answers while 1,000 idle clients are held, which a parallel
# worker's load on the same cores would turn into timeouts.
pytestmark = [pytest.mark.slow, pytest.mark.serial]

IDLE = 1000
SLOW = 50


def gongjiang(*args: str, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gongjiang.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def base_env(database_url: str | None, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["GONGJIANG_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@pytest.fixture(scope="module")
def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    require_or_skip(url.startswith("postgres"), "DATABASE_URL must name a PostgreSQL database")
    return url


def fresh_database(server_url: str, suffix: str) -> str:
    """Create (or recreate) the database `<DATABASE_URL's name>_<suffix>` and return its URL."""
    info = psycopg.conninfo.conninfo_to_dict(server_url)
    # Parallel test workers (pytest-xdist) each get their own databases.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = f"{info.get('dbname') or 'gongjiang'}_{suffix}{'_' + worker if worker else ''}"
    admin = psycopg.conninfo.make_conninfo(server_url, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return psycopg.conninfo.make_conninfo(server_url, dbname=name)


def as_url(conninfo: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(conninfo)
    user = info.get("user", "postgres")
    password = f":{info['password']}" if info.get("password") else ""
    return f"postgres://{user}{password}@{info.get('host', '127.0.0.1')}:{info.get('port', 5432)}/{info['dbname']}"


@pytest.fixture(scope="module")
def region(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A small demo region, committed to a PostgreSQL database of its own."""
    url = as_url(fresh_database(server_url, "production"))
    data_dir = tmp_path_factory.mktemp("production")
    built = gongjiang(
        "demo", "--no-serve", "--scale", "small", "--password", "prod-pass-1", env=base_env(url, data_dir)
    )
    assert built.returncode == 0, built.stderr
    return url, data_dir


def table_digests(rows_of: Any, tables: list[str]) -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of its rows (sorted, so physical order does not matter)."""
    digests = {}
    for table in tables:
        rows = sorted(repr(tuple(row)) for row in rows_of(table))
        digests[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return digests


def pg_digests(url: str) -> dict[str, tuple[int, str]]:
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            )
        ]
        return table_digests(lambda t: conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(t))), tables)


def sqlite_digests(path: Path) -> dict[str, tuple[int, str]]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
        ]
        return table_digests(lambda t: conn.execute(f'SELECT * FROM "{t}"').fetchall(), tables)
    finally:
        conn.close()


def test_backup_and_restore_on_postgresql(region: tuple[str, Path], server_url: str, tmp_path: Path) -> None:
    source_url, source_dir = region
    archive = tmp_path / "gongjiang.backup"
    made = gongjiang("backup", "--out", str(archive), env=base_env(source_url, source_dir))
    assert made.returncode == 0, made.stderr
    assert archive.stat().st_mode & 0o077 == 0, "a backup holds personal data: owner-only"

    target_url = as_url(fresh_database(server_url, "restored"))
    target_dir = tmp_path / "restored"
    restored = gongjiang("restore", str(archive), env=base_env(target_url, target_dir))
    assert restored.returncode == 0, restored.stderr

    before, after = pg_digests(source_url), pg_digests(target_url)
    assert len(before) > 40
    assert before["core_auditentry"][0] > 1000
    assert after == before
    assert (target_dir / "secret_key").read_bytes() == (source_dir / "secret_key").read_bytes()

    # The audit trail is still append-only in the restored database.
    with psycopg.connect(target_url) as conn, pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        conn.execute("UPDATE core_auditentry SET action = 'rewritten'")

    # A database with tables is not overwritten by mistake…
    again = gongjiang("restore", str(archive), env=base_env(target_url, target_dir))
    assert again.returncode == 1
    assert "不是空的" in again.stderr and "--force" in again.stderr
    # …only on purpose, and then it holds exactly the backup again.
    with psycopg.connect(target_url) as conn:
        conn.execute("UPDATE directory_organisation SET name = name || '（改）'")
        conn.execute("CREATE TABLE stray (id int)")
    forced = gongjiang("restore", "--force", str(archive), env=base_env(target_url, target_dir))
    assert forced.returncode == 0, forced.stderr
    assert pg_digests(target_url) == before


def test_backup_and_restore_on_sqlite(tmp_path: Path) -> None:
    source_dir, target_dir = tmp_path / "source", tmp_path / "target"
    env = base_env(None, source_dir)
    loaded = gongjiang("refdata", "load", str(BUILTIN_DIR), env=env)
    assert loaded.returncode == 0, loaded.stderr
    (source_dir / "imports").mkdir()
    (source_dir / "imports" / "queued.xlsx").write_bytes(b"an upload still waiting for its import")
    archive = tmp_path / "gongjiang.backup"
    made = gongjiang("backup", "--out", str(archive), env=env)
    assert made.returncode == 0, made.stderr

    restored = gongjiang("restore", str(archive), env=base_env(None, target_dir))
    assert restored.returncode == 0, restored.stderr
    before = sqlite_digests(source_dir / "gongjiang.sqlite3")
    assert before["core_auditentry"][0] > 0
    assert sum(count for count, _digest in before.values()) > 500
    assert sqlite_digests(target_dir / "gongjiang.sqlite3") == before
    assert (target_dir / "secret_key").read_bytes() == (source_dir / "secret_key").read_bytes()
    assert (target_dir / "imports" / "queued.xlsx").read_bytes() == b"an upload still waiting for its import"

    refused = gongjiang("restore", str(archive), env=base_env(None, target_dir))
    assert refused.returncode == 1
    assert "--force" in refused.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode()


@pytest.fixture
def production_server(region: tuple[str, Path]) -> Iterator[str]:
    url, data_dir = region
    # 1,000 client sockets here and as many in the server: more than Debian's default 1,024.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 8192 if hard == resource.RLIM_INFINITY else min(hard, 8192)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gongjiang.cli", "serve", "--workers", "2", "--port", str(port)],
        env=base_env(url, data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                # Both workers load the application; warm them with a few requests.
                for _ in range(4):
                    get(f"{base}/market/", timeout=60)
                break
            except OSError:
                assert process.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_idle_and_slow_clients_do_not_lock_others_out(production_server: str) -> None:
    port = int(production_server.rsplit(":", 1)[1])
    held: list[socket.socket] = []
    try:
        for n in range(IDLE + SLOW):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            if n >= IDLE:
                # Slowloris: a request whose headers never end.
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n")
            held.append(s)
        time.sleep(1)
        for _ in range(3):
            status, _body = get(f"{production_server}/healthz", timeout=5)
            assert status == 200
            status, body = get(f"{production_server}/market/", timeout=5)
            assert status == 200 and "供需" in body
    finally:
        for s in held:
            with contextlib.suppress(OSError):
                s.close()
