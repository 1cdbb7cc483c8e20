"""`core.throttle`: request counts in the database, shared by every server process (ADR 0034)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from gongjiang.core import throttle
from gongjiang.core.models import RateCount
from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[2]

COUNTER = """
import django, sys
django.setup()
from gongjiang.core import throttle
print(sum(throttle.hit("credentials.verify:10.1.2.3", limit=30, seconds=3600) for _ in range(25)))
"""


@pytest.mark.django_db
def test_counts_per_key_and_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle.time, "time", lambda: 6_000_030.0)
    assert [throttle.hit("a", limit=2, seconds=60) for _ in range(4)] == [True, True, False, False]
    assert throttle.hit("b", limit=2, seconds=60)  # another client has its own allowance
    monkeypatch.setattr(throttle.time, "time", lambda: 6_000_061.0)
    assert throttle.hit("a", limit=2, seconds=60)  # the next minute starts afresh
    assert RateCount.objects.filter(key="a").count() == 2  # one row a window, however many requests
    monkeypatch.setattr(throttle.time, "time", lambda: 6_000_061.0 + throttle.KEEP_SECONDS + 60)
    throttle.purge_rate_counts()
    assert not RateCount.objects.exists()


def test_two_processes_share_one_allowance(transactional_db: None) -> None:
    require_or_skip(connection.vendor == "postgresql", "the process tests need DATABASE_URL set to PostgreSQL")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    processes = [
        subprocess.Popen([sys.executable, "-c", COUNTER], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    allowed: list[Any] = [int(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in processes]
    # 50 requests from one client in two processes: exactly the limit got through, not 30 each.
    assert sum(allowed) == 30
    assert RateCount.objects.get(key="credentials.verify:10.1.2.3").count == 50
