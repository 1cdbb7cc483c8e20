"""Generating schools in several processes: tasks run in lanes, results come back in order,
progress is reported, a failure in a worker stops the run; identity numbers of different lanes
never meet. (That the region is the same for any number of workers was checked by generating the
demo scale with one and with two and comparing every record by its natural key.)"""

from __future__ import annotations

import datetime as dt
import os
import random
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from gongjiang.demo.parallel import LANES, SchoolTask, run_by_school
from gongjiang.demo.register import resident_id
from gongjiang.directory.models import Organisation


def _tasks(count: int) -> list[SchoolTask]:
    return [SchoolTask(n, Organisation(code=f"S{n:03d}", name=f"学校{n}"), n * 7) for n in range(count)]


def _pid_of(task: SchoolTask) -> tuple[int, int, int]:
    return task.index, task.seed, os.getpid()


def _fails_on_three(task: SchoolTask) -> int:
    if task.index == 3:
        raise ValueError("第3所学校出错")
    return task.index


def test_one_worker_runs_here_in_order_with_progress() -> None:
    said: list[str] = []
    results = run_by_school(_tasks(5), _pid_of, workers=1, describe=lambda t: t.school.name, progress=said.append)
    assert [r[:2] for r in results] == [(n, n * 7) for n in range(5)]
    assert {r[2] for r in results} == {os.getpid()} and said == [f"学校{n}" for n in range(5)]


def _outside_the_test_transaction(call: Callable[[], Any]) -> Any:
    """Run `call` in a thread of its own: its connection is not inside the test's transaction, as
    a generating command's is not, so processes are used."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed back to the test
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_several_workers_share_the_lanes_and_answer_in_order(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("processes are used on PostgreSQL only (SQLite allows one writer)")
    said: list[str] = []
    tasks = _tasks(2 * LANES + 3)
    results = _outside_the_test_transaction(
        lambda: run_by_school(tasks, _pid_of, workers=2, describe=lambda t: t.school.name, progress=said.append)
    )
    assert [r[:2] for r in results] == [(n, n * 7) for n in range(2 * LANES + 3)]
    by_lane: dict[int, set[int]] = {}
    for index, _seed, pid in results:
        by_lane.setdefault(index % LANES, set()).add(pid)
    assert all(len(pids) == 1 for pids in by_lane.values())  # a lane stays in one process
    assert len({pid for pids in by_lane.values() for pid in pids}) == 2 and os.getpid() not in by_lane[0]
    assert sorted(said) == sorted(f"学校{n}" for n in range(2 * LANES + 3))
    with pytest.raises(RuntimeError, match="第3所学校出错"):
        _outside_the_test_transaction(
            lambda: run_by_school(_tasks(6), _fails_on_three, workers=2, describe=lambda t: t.school.name)
        )
    # Inside a transaction (the test's own), forked processes would not see its writes: one worker.
    assert {r[2] for r in run_by_school(_tasks(3), _pid_of, workers=2, describe=str)} == {os.getpid()}


def test_identity_numbers_of_different_lanes_never_meet() -> None:
    rng = random.Random(1)
    birth = dt.date(2008, 5, 17)
    drawn = {lane: {resident_id(rng, "150203", birth, True, set(), lane) for _ in range(200)} for lane in (0, 1, 9)}
    for lane, numbers in drawn.items():
        assert all(number[14] == str(lane) for number in numbers)  # the sequence number's first digit
    assert not drawn[0] & drawn[1] and not drawn[1] & drawn[9]
