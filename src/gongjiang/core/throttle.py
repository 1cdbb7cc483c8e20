"""Rate limits that hold across server processes (ADR 0034).

Production runs several web processes; a count kept in each process's memory would let a client
through as many times over. Here a request is counted in the database with one statement that
inserts the window's row or adds one to it and returns the new count (`INSERT … ON CONFLICT DO
UPDATE … RETURNING`, PostgreSQL and SQLite 3.35+), so concurrent requests in any process each see
a distinct count and the limit is exact. Windows are fixed (the current minute, say): a row per
key and window, whatever the traffic, and the worker's clean-up deletes past windows.
"""

from __future__ import annotations

import time

from django.db import connection

from gongjiang.core.models import RateCount
from gongjiang.core.tasks import maintenance

# Rows are kept a while after their window (a clock a little behind still finds its row).
KEEP_SECONDS = 3600


def _window_start(seconds: int, now: float | None = None) -> int:
    clock = time.time() if now is None else now
    return int(clock // seconds) * seconds


def hit(key: str, *, limit: int, seconds: int) -> bool:
    """Count one request for `key` in the current window of `seconds`; whether it is within
    `limit`. Refused requests are counted too, so hammering does not reopen the window."""
    q = connection.ops.quote_name
    table, key_, window, count = q(RateCount._meta.db_table), q("key"), q("window_start"), q("count")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_}, {window}, {count}) VALUES (%s, %s, 1) "  # names: ours, quoted
            f"ON CONFLICT ({key_}, {window}) DO UPDATE SET {count} = {table}.{count} + 1 RETURNING {count}",
            [key[:200], _window_start(seconds)],
        )
        row = cursor.fetchone()
    return row is not None and int(row[0]) <= limit


@maintenance
def purge_rate_counts() -> None:
    """Forget windows that ended more than an hour ago."""
    RateCount.objects.filter(window_start__lt=_window_start(1) - KEEP_SECONDS).delete()
