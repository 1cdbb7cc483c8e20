"""The DuckDB snapshot follows the register: with writes queuing the rebuild (`insight.tasks.listen`,
as the web processes do) and a task worker running, a committed write makes the snapshot stale,
the bureau's dashboard says by when it will be rebuilt, and once the register has been quiet for
the set period the worker rebuilds it and it is current again. Committed data, so on the
live-server database (`site`); no browser needed."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone

from gongjiang.core import tasks
from gongjiang.core.models import Task
from gongjiang.directory.models import User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.insight import forecast
from gongjiang.insight import tasks as insight_tasks
from gongjiang.insight.compute import Scope
from gongjiang.insight.engines import DuckDBEngine, build_snapshot
from gongjiang.registry.models import SchoolProfile
from gongjiang.registry.services.register import school_profile_update
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def _current() -> bool:
    engine = DuckDBEngine()
    try:
        return engine.is_current()
    finally:
        engine.close()


def _forecast_current(asked: forecast.Request) -> bool:
    engine = DuckDBEngine()
    try:
        held = forecast.kept(engine, asked)
        return held is not None and held.current
    finally:
        engine.close()


def _write(books: int) -> None:
    user = User.objects.get(username="school")
    school = user.memberships.get().organisation
    version = SchoolProfile.objects.filter(school=school).values_list("version", flat=True).first()
    school_profile_update(actor=actor_for_user(user), school=school, expected_version=version, books=books)


def test_a_write_is_in_the_snapshot_once_the_register_is_quiet(site: str, settings: Any) -> None:
    settings.INSIGHT_ENGINE = "duckdb"
    build_snapshot()
    assert _current()

    # A long quiet period: the write waits, and the dashboard says until when.
    settings.SNAPSHOT_REFRESH_QUIET_SECONDS = 600
    settings.SNAPSHOT_REFRESH_MAX_SECONDS = 900
    insight_tasks.listen()
    try:
        assert insight_tasks.snapshot_due() is None
        _write(1000)
        assert not _current()
        due = insight_tasks.snapshot_due()
        assert due is not None and due.second == 0
        assert dt.timedelta(seconds=600) <= due - timezone.localtime() <= dt.timedelta(seconds=600 + 60 + 30)
        client = Client()
        assert client.login(username="bureau", password=PASSWORD)
        page = client.get("/insight/").content.decode()
        assert 'data-testid="snapshot-stale"' in page
        assert f"系统将在 {due.strftime('%H:%M')} 前自动重新计算" in page

        # As if the first waiting write was 400 s ago: a write now would wait until 1,000 s after
        # it, but the ceiling of 900 s comes first: writes that never pause are rebuilt all the same.
        waiting = Task.objects.filter(name=insight_tasks.SNAPSHOT)
        earlier = dt.timedelta(seconds=400)
        waiting.update(created_at=F("created_at") - earlier, run_after=F("run_after") - earlier)
        _write(1100)
        capped = insight_tasks.snapshot_due()
        assert capped is not None and waiting.count() == 1
        assert dt.timedelta(seconds=500) <= capped - timezone.localtime() <= dt.timedelta(seconds=500 + 60 + 30)

        # A short quiet period: two writes, one rebuild after them, and the snapshot is current; so
        # is the forecast someone had asked for, made again from the new snapshot.
        waiting.delete()
        asked = forecast.Request(Scope("region", "150000"))
        engine = DuckDBEngine()
        try:
            forecast.make(engine, asked)
        finally:
            engine.close()
        settings.SNAPSHOT_REFRESH_QUIET_SECONDS = 1
        _write(2000)
        _write(3000)
        deadline = time.monotonic() + 120
        while not (_current() and _forecast_current(asked)):
            assert time.monotonic() < deadline, "the snapshot and forecast were not made again within 120 s"
            time.sleep(0.2)
    finally:
        insight_tasks.stop_listening()
    engine = DuckDBEngine()
    try:
        profile = engine.run(engine.tables.table("registry_schoolprofile").filter(lambda t: t.books == 3000))
    finally:
        engine.close()
    assert len(profile) == 1


def test_without_a_worker_a_write_waits_for_the_button(site: Any, settings: Any, task_worker: tasks.Worker) -> None:
    settings.INSIGHT_ENGINE = "duckdb"
    task_worker.stop()
    assert task_worker.wait(60)
    build_snapshot()
    insight_tasks.listen()
    try:
        _write(500)
    finally:
        insight_tasks.stop_listening()
    assert insight_tasks.snapshot_due() is None and not insight_tasks.snapshot_rebuilding()
    assert not _current()
    client = Client()
    assert client.login(username="bureau", password=PASSWORD)
    page = client.get("/insight/").content.decode()
    assert "按最新登记数据重新计算" in page and "自动重新计算" not in page


def test_a_quiet_period_of_zero_queues_no_rebuild(site: Any, settings: Any) -> None:
    settings.INSIGHT_ENGINE = "duckdb"
    settings.SNAPSHOT_REFRESH_QUIET_SECONDS = 0
    insight_tasks.listen()
    try:
        _write(700)
    finally:
        insight_tasks.stop_listening()
    assert not Task.objects.filter(name=insight_tasks.SNAPSHOT).exists()
