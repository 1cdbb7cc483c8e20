"""A batch of diplomas in parts, issued by real `gongjiang worker` processes on the PostgreSQL test
database (ADR 0034): two workers issue one batch at once, and after both are killed in the middle
a worker resumes it, issuing every missing diploma once and none twice, with its progress exact.
"""

from __future__ import annotations

import datetime as dt
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
from django.db import connection
from django.db.models import Count

from gongjiang.core import tasks
from gongjiang.core.actors import Actor
from gongjiang.core.models import Task, TaskState
from gongjiang.core.validators import resident_id_check_digit
from gongjiang.credentials.models import Certificate, IssuingBatch
from gongjiang.credentials.services import certificates as issuing
from gongjiang.directory import services as directory
from gongjiang.directory.models import Organisation, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.registry import services as registry
from gongjiang.registry.models import Registration, RegistrationEvent
from tests.conftest import build_world, require_or_skip
from tests.registry.conftest import file_major

ROOT = Path(__file__).resolve().parents[2]


def _graduates(school_actor: Actor, bureau: Actor, school: Organisation, count: int) -> list[Registration]:
    """`count` graduates of a senior 数控 class at `school`, graduation approved."""
    school_class = registry.class_create(
        actor=school_actor, school=school, major_code="0102", name="2025级数控9班", class_level="senior",
        form="full_time", cohort_year=2025, planned_years=3,
    )  # fmt: skip
    made = []
    for n in range(count):
        first17 = f"150203200805{n // 900 + 10:02d}{n % 900 + 100:03d}"
        person = directory.person_create(
            actor=school_actor, name=f"学员{n}", id_number=first17 + resident_id_check_digit(first17)
        )
        made.append(
            registry.registration_create(
                actor=school_actor, school_class=school_class, person=person, enrolled_on=dt.date(2025, 9, 1)
            )
        )
    events = RegistrationEvent.objects.filter(registration__in=made).values_list("pk", flat=True)
    registry.registration_decide_many(actor=bureau, event_ids=list(events), approve=True)
    made = list(Registration.objects.filter(pk__in=[r.pk for r in made]).order_by("pk"))
    requests = registry.registration_request_many(
        actor=school_actor,
        requests=[{"registration": r, "kind": "graduate", "effective_on": dt.date(2026, 6, 30)} for r in made],
    )
    registry.registration_decide_many(actor=bureau, event_ids=[e.pk for e in requests], approve=True)
    return list(Registration.objects.filter(pk__in=[r.pk for r in made]).order_by("pk"))


@pytest.fixture
def committed(transactional_db: None) -> dict[str, Any]:
    """The personas' region, committed, with a school whose graduates wait for their diplomas."""
    require_or_skip(connection.vendor == "postgresql", "the worker tests need DATABASE_URL set to PostgreSQL")
    if not Organisation.objects.exists():
        build_world()
    school_actor = actor_for_user(User.objects.get(username="school"))
    bureau = actor_for_user(User.objects.get(username="bureau"))
    school = Organisation.objects.get(pk=school_actor.organisation_id)
    file_major(lambda name: {"school": school_actor, "bureau": bureau}[name], school, "school", "0102", ["senior"])
    return {"actor": school_actor, "school": school, "graduates": _graduates(school_actor, bureau, school, 240)}


def worker(*args: str) -> subprocess.Popen[str]:
    """`gongjiang worker` in its own process, on the test database, with small chunks."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "GONGJIANG_DATA_DIR": str(django_settings.DATA_DIR),
        "GONGJIANG_TASKS_HEARTBEAT_SECONDS": "0.5",
        "GONGJIANG_TASKS_STALE_SECONDS": "3",
        "GONGJIANG_CREDENTIALS_BATCH_CHUNK": "4",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "gongjiang.cli", "worker", *args],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_for(check: Callable[[], bool], what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.05)


def test_two_workers_issue_a_batch_and_a_killed_batch_resumes_without_issuing_twice(
    committed: dict[str, Any], settings: Any
) -> None:
    settings.CREDENTIALS_BATCH_CHUNK = 4
    school, graduates = committed["school"], committed["graduates"]
    batch = issuing.batch_start(actor=committed["actor"], school=school, total=len(graduates), parts=2)
    assert batch.parts == 2 and Task.objects.filter(reference=f"credentials.batch:{batch.pk}").count() == 2
    diplomas = Certificate.objects.filter(issuer=school, kind="diploma")

    first, second = worker(), worker()
    try:
        # Both parts in hand at once, by two different processes, and some chunks committed.
        def both_running() -> bool:
            running = Task.objects.filter(reference=f"credentials.batch:{batch.pk}", state=TaskState.RUNNING)
            return len({t.worker for t in running}) == 2 and IssuingBatch.objects.get(pk=batch.pk).done >= 16

        wait_for(both_running, "both parts running in two workers")
    finally:
        for process in (first, second):
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
    batch.refresh_from_db()
    # Killed in the middle: what is counted is exactly what was committed, and some is missing.
    assert batch.state == "running" and batch.done == diplomas.count() < len(graduates)

    time.sleep(3.5)  # the killed workers' heartbeats go stale: their parts are queued again
    resumed = worker("--until-idle")
    _out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err

    batch.refresh_from_db()
    assert (batch.state, batch.done, batch.total, batch.parts_finished) == ("done", 240, 240, [0, 1])
    per_graduate = diplomas.values("registration").annotate(n=Count("id"))
    assert len(per_graduate) == 240 and {row["n"] for row in per_graduate} == {1}
    parts = Task.objects.filter(reference=f"credentials.batch:{batch.pk}")
    assert {(t.state, t.attempts) for t in parts} == {(TaskState.DONE, 2)}


def test_a_part_run_again_counts_nothing_twice(committed: dict[str, Any], settings: Any) -> None:
    settings.CREDENTIALS_BATCH_CHUNK = 50
    school = committed["school"]
    batch = issuing.batch_start(actor=committed["actor"], school=school, total=240, parts=3)
    assert batch.parts == 3
    part_tasks = list(Task.objects.filter(reference=f"credentials.batch:{batch.pk}").order_by("id"))
    tasks.run_now(part_tasks[0])
    batch.refresh_from_db()
    assert (batch.state, batch.done, batch.parts_finished) == ("running", 80, [0])
    # The same part again (as after a worker died before its task row said done): nothing to add.
    issuing.batch_run_part(actor=committed["actor"], batch=batch, part=0)
    batch.refresh_from_db()
    assert (batch.state, batch.done, batch.parts_finished) == ("running", 80, [0])
    for task in part_tasks[1:]:
        tasks.run_now(task)
    batch.refresh_from_db()
    assert (batch.state, batch.done, batch.parts_finished) == ("done", 240, [0, 1, 2])
    assert Certificate.objects.filter(issuer=school, kind="diploma").count() == 240
    # A small batch is not split beyond its chunks.
    assert issuing.batch_start(actor=committed["actor"], school=school, total=30, parts=8).parts == 1


def test_the_command_issues_a_batch_with_two_worker_processes(
    committed: dict[str, Any], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from gongjiang.cli import main

    settings.CREDENTIALS_BATCH_CHUNK = 40
    db = connection.settings_dict
    # The workers the command starts inherit its environment: the test database and key directory.
    monkeypatch.setenv("DATABASE_URL", f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "tests.settings")
    monkeypatch.setenv("GONGJIANG_DATA_DIR", str(django_settings.DATA_DIR))
    monkeypatch.setenv("GONGJIANG_CREDENTIALS_BATCH_CHUNK", "40")
    school = committed["school"]
    args = ["credentials", "issue-diplomas", "--school", school.code, "--processes", "2", "--json"]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    assert '"issued": 240' in done.output
    batch = IssuingBatch.objects.get(school=school)
    assert (batch.state, batch.parts, batch.done) == ("done", 2, 240)
    assert Certificate.objects.filter(issuer=school, kind="diploma").count() == 240
