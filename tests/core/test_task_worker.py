"""The task queue with real `gongjiang worker` processes (ADR 0021): each test commits its data to
the PostgreSQL test database and runs the worker as a user would, in a subprocess on the same
database, then reads the queue's rows and the register back.

(a) an import queued from the web is done by a separate worker; (b) a worker killed mid-import
leaves nothing written, its task is marked failed (the page says interrupted) and its upload is
removed, and a task with attempts left is run again; (c) two workers run each task exactly once;
(d) many writes queue one snapshot rebuild, which a worker then does.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from gongjiang.core import tasks
from gongjiang.core.models import Task, TaskState, TaskWorker
from gongjiang.core.validators import resident_id_check_digit
from gongjiang.directory.models import Organisation, OrganisationKind, Person, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.insight import tasks as insight_tasks
from gongjiang.registry import import_jobs, services
from gongjiang.registry.models import Registration, SchoolProfile
from gongjiang.registry.services.register import school_profile_update
from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[2]
HEADER = ["姓名", "身份证号", "专业代码", "班级", "班级层次", "学习形式", "入学日期"]


@pytest.fixture
def committed(committed_world: None) -> dict[str, Any]:
    """The personas' region, committed (`committed_world`), and a school with a filed major its
    imports can use."""
    require_or_skip(connection.vendor == "postgresql", "the worker tests need DATABASE_URL set to PostgreSQL")
    user = User.objects.get(username="school")
    school = user.memberships.get().organisation
    bureau = actor_for_user(User.objects.get(username="bureau"))
    application = services.major_apply(
        actor=actor_for_user(user), school=school, major_code="0102", kind="add",
        class_levels=["senior"], reason="产业需要",
    )  # fmt: skip
    services.major_decide(actor=bureau, application=application, approve=True)
    return {"user": user, "school": school}


def worker(*args: str) -> subprocess.Popen[str]:
    """`gongjiang worker` in its own process, on the test database, with a short heartbeat."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "GONGJIANG_DATA_DIR": str(django_settings.DATA_DIR),
        "GONGJIANG_TASKS_HEARTBEAT_SECONDS": "0.5",
        "GONGJIANG_TASKS_STALE_SECONDS": "3",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "gongjiang.cli", "worker", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finished(process: subprocess.Popen[str], timeout: float = 180) -> str:
    _out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return err


def wait_for(check: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.1)


def rid(birth: str, sequence: int) -> str:
    first17 = f"150203{birth}{sequence:03d}"
    return first17 + resident_id_check_digit(first17)


def workbook(rows: list[list[Any]], name: str = "名册.xlsx") -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = name
    return data


def upload(client: Client, data: io.BytesIO) -> str:
    """Post a workbook to the import page (imports in the background, as in production); the token."""
    page = client.post("/registry/import/", {"kind": "registrations", "file": data}, HTTP_HX_REQUEST="true")
    body = page.content.decode()
    assert page.status_code == 200 and "已排队" in body, body
    return body.split("/registry/import/jobs/")[1].split("/")[0]


def test_an_import_queued_from_the_web_is_done_by_a_separate_worker(committed: dict[str, Any], settings: Any) -> None:
    settings.IMPORTS_IN_BACKGROUND = True
    client = Client()
    client.force_login(committed["user"])
    good = [["张伟", rid("20080504", 101), "0102", "2025级数控1班", "高级", "全日制", "2025-09-01"]]
    token = upload(client, workbook(good))
    task = Task.objects.get(reference__endswith=f":{token}")
    assert task.name == "registry.import" and task.state == TaskState.QUEUED
    # Nothing in the web process runs it: it waits for a worker.
    time.sleep(1)
    task.refresh_from_db()
    assert task.state == TaskState.QUEUED and not Person.objects.filter(id_number=good[0][1]).exists()

    err = finished(worker("--until-idle"))
    assert "共完成 1 个任务" in err
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.attempts == 1 and task.worker not in {"", "immediate"}
    page = client.get(f"/registry/import/jobs/{token}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="import-counts"' in page and "hx-get" not in page
    assert Registration.objects.filter(school=committed["school"], person__id_number=good[0][1]).count() == 1
    # The upload is removed once the import has ended.
    assert not list(import_jobs.job_dir(committed["school"]).glob(f"{token}*"))


def test_a_worker_killed_mid_import_writes_nothing_and_its_task_is_marked_failed(
    committed: dict[str, Any], settings: Any
) -> None:
    settings.IMPORTS_IN_BACKGROUND = True
    client = Client()
    client.force_login(committed["user"])
    names = "甲乙丙丁戊己庚辛壬癸"
    rows = [
        [
            f"王{names[i % 10]}{names[i // 10]}",
            rid("20080504", i),
            "0102",
            "2025级数控2班",
            "高级",
            "全日制",
            "2025-09-01",
        ]
        for i in range(1, 60)
    ]
    before = Registration.objects.filter(school=committed["school"]).count()
    token = upload(client, workbook(rows))
    first = worker()
    # Registrations cannot be written while this transaction holds the table: the import gets as
    # far as its write and waits there, inside its own transaction.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("LOCK TABLE registry_registration IN EXCLUSIVE MODE")

            def import_waits() -> bool:
                # Statistics are read once per transaction unless the snapshot is cleared.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                row = cursor.fetchone()
                assert first.poll() is None, first.communicate()[1]
                task = Task.objects.get(reference__endswith=f":{token}")
                assert task.state in {TaskState.QUEUED, TaskState.RUNNING}, (task.state, task.result, task.error)
                return bool(row and row[0])

            wait_for(import_waits, "the import waiting to write")
            assert Task.objects.get(reference__endswith=f":{token}").state == TaskState.RUNNING
            first.send_signal(signal.SIGKILL)
            first.wait(30)
    finally:
        first.kill()
        first.communicate(timeout=30)
    job = client.get(f"/registry/import/jobs/{token}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" in job  # still shown as running: its worker's heartbeat is not yet old

    second = worker()
    try:
        wait_for(
            lambda: Task.objects.get(reference__endswith=f":{token}").state == TaskState.FAILED,
            "the lost import marked failed",
        )
    finally:
        second.send_signal(signal.SIGTERM)
    err = finished(second, timeout=60)
    assert "已停止" in err  # SIGTERM: a clean stop
    task = Task.objects.get(reference__endswith=f":{token}")
    assert task.error == tasks.LOST and task.attempts == 1  # not run a second time
    # All or nothing: not one of the file's learners or registrations was written.
    assert not Person.objects.filter(id_number__in=[row[1] for row in rows]).exists()
    assert Registration.objects.filter(school=committed["school"]).count() == before
    page = client.get(f"/registry/import/jobs/{token}/", HTTP_HX_REQUEST="true").content.decode()
    assert "中断" in page and "未写入任何数据" in page and "hx-get" not in page
    # The interrupted job's upload was removed by the worker's clean-up.
    assert not list(import_jobs.job_dir(committed["school"]).glob(f"{token}*"))


def test_a_lost_task_with_attempts_left_is_run_again(committed: dict[str, Any]) -> None:
    school = committed["school"]
    lost = tasks.enqueue(
        insight_tasks.QUALITY, {"school": school.pk}, unique_key=f"{insight_tasks.QUALITY}:{school.pk}"
    )
    # As a worker killed while running it leaves it: claimed, attempts counted, heartbeat old.
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    Task.objects.filter(pk=lost.pk).update(
        state=TaskState.RUNNING, worker="gone:1", attempts=1, started_at=long_ago, heartbeat_at=long_ago
    )
    finished(worker("--until-idle"))
    lost.refresh_from_db()
    assert lost.state == TaskState.DONE and lost.attempts == 2 and lost.result == {"checked": True}
    assert lost.error == tasks.LOST  # what happened the first time stays on the row


def test_two_workers_run_each_task_exactly_once(committed: dict[str, Any]) -> None:
    first, second = worker(), worker()
    try:
        wait_for(lambda: TaskWorker.objects.count() == 2, "both workers polling")
        ids = list(Organisation.objects.exclude(kind=OrganisationKind.SCHOOL).values_list("pk", flat=True)[:40])
        ids += list(Organisation.objects.filter(kind=OrganisationKind.SCHOOL).values_list("pk", flat=True)[:4])
        for one in ids:
            tasks.enqueue(insight_tasks.QUALITY, {"school": one}, unique_key=f"{insight_tasks.QUALITY}:{one}")
        wait_for(lambda: Task.objects.filter(state=TaskState.DONE).count() == len(ids), "every task done", timeout=300)
    finally:
        first.send_signal(signal.SIGTERM)
        second.send_signal(signal.SIGTERM)
    logs = finished(first, 60) + finished(second, 60)
    done = Task.objects.filter(name=insight_tasks.QUALITY)
    assert done.count() == len(ids)
    assert all(t.attempts == 1 and t.state == TaskState.DONE for t in done)
    # Each worker says how many it did: together, each task once.
    counts = [int(line.split("共完成 ")[1].split(" ")[0]) for line in logs.splitlines() if "共完成" in line]
    assert sum(counts) == len(ids)


def test_many_writes_queue_one_snapshot_rebuild(committed: dict[str, Any], settings: Any) -> None:
    settings.INSIGHT_ENGINE = "duckdb"
    settings.SNAPSHOT_REFRESH_QUIET_SECONDS = 600
    settings.SNAPSHOT_REFRESH_MAX_SECONDS = 900
    actor = actor_for_user(committed["user"])
    insight_tasks.listen()
    try:
        started = timezone.now()
        for books in range(1, 31):
            version = SchoolProfile.objects.filter(school=committed["school"]).values_list("version", flat=True).first()
            school_profile_update(actor=actor, school=committed["school"], expected_version=version, books=books * 100)
    finally:
        insight_tasks.stop_listening()
    rebuilds = Task.objects.filter(name=insight_tasks.SNAPSHOT)
    assert rebuilds.count() == 1
    rebuild = rebuilds.get()
    assert rebuild.state == TaskState.QUEUED
    # Due a quiet period after the last write, and never later than the ceiling after the first.
    assert started + dt.timedelta(seconds=600) <= rebuild.run_after <= timezone.now() + dt.timedelta(seconds=600)
    assert rebuild.run_after <= rebuild.created_at + dt.timedelta(seconds=900)
    assert Task.objects.filter(name=insight_tasks.QUALITY, state=TaskState.QUEUED).count() == 1

    # The quiet period over, one worker run makes one rebuild, then re-makes the kept forecasts.
    Task.objects.filter(pk=rebuild.pk).update(run_after=timezone.now())
    finished(worker("--until-idle"), timeout=600)
    assert list(Task.objects.filter(name=insight_tasks.SNAPSHOT).values_list("state", flat=True)) == ["done"]
    assert Task.objects.filter(name=insight_tasks.FORECASTS, state=TaskState.DONE).count() == 1
    assert Path(Task.objects.get(name=insight_tasks.SNAPSHOT).result["path"]).exists()


def test_worker_status_prints_the_queue(committed: dict[str, Any]) -> None:
    tasks.enqueue(insight_tasks.QUALITY, {"school": committed["school"].pk}, reference="check-me")
    out, err = worker("--status").communicate(timeout=120)
    assert "insight.quality" in out and "queued" in out and "check-me" in out, err
