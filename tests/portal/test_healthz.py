"""/healthz says whether the database accepts writes, not only that it answers (SQLite's side is
in tests/test_cli.py, on the command's own SQLite data dir)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_while_the_database_accepts_writes(client_for: Callable[[str], Any]) -> None:
    response = client_for("anonymous").get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "writable", "vendor": connection.vendor}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's read-only transactions")
def test_healthz_is_503_when_postgresql_is_read_only(client_for: Callable[[str], Any]) -> None:
    # What a hot standby or `default_transaction_read_only` gives: reads answer, writes do not.
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION READ ONLY")
        cursor.execute("SELECT 1")
    response = client_for("anonymous").get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["database"] == "read_only"
    assert "只读" in body["reason"] and "django_migrations" not in body["reason"]
