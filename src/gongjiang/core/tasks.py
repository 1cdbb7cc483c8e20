"""Background work as rows of one table (`core.Task`), done by `gongjiang worker` processes (ADR 0021).

A task is queued by name with JSON arguments; the row is written in the caller's transaction, so a
worker sees it only once what it is about has been committed, and it survives a restart of the web
process or of the worker. A worker claims the oldest due task with `SELECT … FOR UPDATE SKIP
LOCKED` on PostgreSQL and a conditional update (state still "queued") everywhere, so two workers
never run the same task. While it runs, the worker's heartbeat thread stamps the row; a running
task whose heartbeat has stopped (its worker was killed) is queued again, or, once out of
attempts, marked failed and its `on_lost` clean-up run: never silently left "running".

Work that stands for "this needs doing" (rebuild the snapshot, re-check school 12) is queued with
a `unique_key`: while one such task waits, asking again moves its start (a quiet period) instead of
adding another, so a thousand writes make one rebuild.

Apps register their kinds of task in their own `tasks` module (`@task("insight.snapshot")`);
the worker imports those modules when it starts.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from gongjiang.core.models import Task, TaskState, TaskWorker

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], dict[str, Any] | None]
LOST = "执行该任务的工作进程已停止（心跳中断）"


@dataclass(frozen=True)
class Kind:
    name: str
    run: Handler
    on_lost: Callable[[dict[str, Any]], None] | None


_kinds: dict[str, Kind] = {}
_maintenance: list[Callable[[], None]] = []


def task(name: str, *, on_lost: Callable[[dict[str, Any]], None] | None = None) -> Callable[[Handler], Handler]:
    """Register a kind of task. `on_lost` cleans up after a task given up because its worker died
    (the handler's own `finally` never ran)."""

    def register(fn: Handler) -> Handler:
        _kinds[name] = Kind(name, fn, on_lost)
        return fn

    return register


def maintenance(fn: Callable[[], None]) -> Callable[[], None]:
    """Register a clean-up the worker runs now and then (removing files nobody needs any more)."""
    _maintenance.append(fn)
    return fn


def discover() -> None:
    """Import every app's `tasks` module, which registers its kinds of task."""
    autodiscover_modules("tasks")


def enqueue(
    name: str,
    args: dict[str, Any] | None = None,
    *,
    reference: str = "",
    unique_key: str = "",
    delay: float = 0.0,
    max_delay: float | None = None,
    max_attempts: int = 3,
) -> Task:
    """Queue a task. Inside a transaction the row commits (and becomes visible to workers) with it.

    With a `unique_key`, a task with that key already waiting is reused: its start moves to `delay`
    seconds from now, but never later than `max_delay` seconds after it was first queued."""
    now = timezone.now()
    start = now + dt.timedelta(seconds=delay)
    fields = {"name": name, "args": args or {}, "reference": reference, "max_attempts": max_attempts}
    if not unique_key:
        return Task.objects.create(run_after=start, **fields)
    for _attempt in range(5):
        with transaction.atomic():
            waiting = Task.objects.select_for_update().filter(unique_key=unique_key, state=TaskState.QUEUED).first()
            if waiting is not None:
                ceiling = waiting.created_at + dt.timedelta(seconds=max(max_delay or 0.0, delay))
                wanted = min(start, ceiling)
                if wanted > waiting.run_after:
                    Task.objects.filter(pk=waiting.pk, state=TaskState.QUEUED).update(run_after=wanted)
                    waiting.run_after = wanted
                return waiting
            try:
                with transaction.atomic():
                    return Task.objects.create(run_after=start, unique_key=unique_key, **fields)
            except IntegrityError:
                continue  # another process queued it between the look and the insert: reuse that one
    raise RuntimeError(f"could not queue task {name} ({unique_key})")


def enqueue_on_commit(name: str, args: dict[str, Any] | None = None, **options: Any) -> None:
    """Queue a task once the current transaction commits (nothing if it rolls back). For tasks
    with a `unique_key`: locking the shared waiting row inside a long write would make every
    other writer wait for it."""

    def queue() -> None:
        enqueue(name, args, **options)

    transaction.on_commit(queue, robust=True)


# -- running tasks ----------------------------------------------------------------------------


def claim(worker: str, *, task_id: int | None = None) -> Task | None:
    """Take the oldest due task (or the given one) for this worker, or None."""
    now = timezone.now()
    due = Task.objects.filter(state=TaskState.QUEUED)
    due = due.filter(pk=task_id) if task_id is not None else due.filter(run_after__lte=now)
    # Looked at outside a transaction first: an idle worker polling must not take SQLite's write lock.
    if not due.exists():
        return None
    with transaction.atomic():
        # SKIP LOCKED: workers claiming at once each take a different row, without waiting.
        found = due.select_for_update(skip_locked=True).order_by("run_after", "id").first()
        if found is None:
            return None
        # The state in the WHERE clause makes the claim safe where rows cannot be locked (SQLite).
        taken = Task.objects.filter(pk=found.pk, state=TaskState.QUEUED).update(
            state=TaskState.RUNNING, worker=worker, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
        )
    if not taken:
        return None
    found.refresh_from_db()
    return found


def execute(task: Task, worker: str) -> None:
    """Run a claimed task and record how it ended: done with its result, queued again after an
    error while it has attempts left, failed otherwise."""
    kind = _kinds.get(task.name)
    try:
        if kind is None:
            raise LookupError(f"no such kind of task: {task.name}")
        result = kind.run(task.args)
    except Exception:
        log.exception("task %s (%s) failed", task.pk, task.name)
        _end(task, worker, error=traceback.format_exc(limit=20))
        return
    _end(task, worker, result=result)


def _end(task: Task, worker: str, *, result: dict[str, Any] | None = None, error: str = "") -> None:
    mine = Task.objects.filter(pk=task.pk, state=TaskState.RUNNING, worker=worker)
    now = timezone.now()
    if not error:
        mine.update(state=TaskState.DONE, finished_at=now, heartbeat_at=now, result=result)
    elif task.attempts < task.max_attempts:
        _requeue(mine, error=error, after=now + dt.timedelta(seconds=30 * task.attempts))
    else:
        mine.update(state=TaskState.FAILED, finished_at=now, error=error)


def _requeue(rows: Any, *, error: str, after: dt.datetime) -> int:
    """Put running rows back in the queue; one whose key already has a waiting task is covered
    by that task and ends as failed instead."""
    try:
        with transaction.atomic():
            return int(rows.update(state=TaskState.QUEUED, run_after=after, worker="", error=error))
    except IntegrityError:
        return int(rows.update(state=TaskState.FAILED, finished_at=timezone.now(), error=error))


def run_now(task: Task) -> Task:
    """Run a just-queued task in this process (imports inside the request, for the unit tests)."""
    discover()
    claimed = claim("immediate", task_id=task.pk)
    if claimed is not None:
        execute(claimed, "immediate")
    task.refresh_from_db()
    return task


def recover_lost() -> int:
    """Tasks whose worker stopped beating: queued again, or failed and cleaned up once out of
    attempts. Returns how many were found."""
    discover()
    limit = timezone.now() - dt.timedelta(seconds=settings.TASKS_STALE_SECONDS)
    found = 0
    for lost in Task.objects.filter(state=TaskState.RUNNING, heartbeat_at__lt=limit):
        rows = Task.objects.filter(pk=lost.pk, state=TaskState.RUNNING, heartbeat_at__lt=limit)
        if lost.attempts < lost.max_attempts:
            found += _requeue(rows, error=LOST, after=timezone.now())
            continue
        if rows.update(state=TaskState.FAILED, finished_at=timezone.now(), error=LOST):
            found += 1
            log.warning("task %s (%s) given up: its worker stopped", lost.pk, lost.name)
            kind = _kinds.get(lost.name)
            if kind is not None and kind.on_lost is not None:
                try:
                    kind.on_lost(lost.args)
                except Exception:
                    log.exception("clean-up of lost task %s failed", lost.pk)
    return found


def purge_finished() -> int:
    """Forget finished tasks after `TASKS_KEEP_DAYS` (what they were about has its own history)."""
    limit = timezone.now() - dt.timedelta(days=settings.TASKS_KEEP_DAYS)
    deleted, _per_model = Task.objects.filter(
        state__in=[TaskState.DONE, TaskState.FAILED], finished_at__lt=limit
    ).delete()
    TaskWorker.objects.filter(seen_at__lt=limit).delete()
    return deleted


class Worker:
    """One worker: claims and runs tasks one at a time until stopped. `stop` (SIGTERM) lets the
    task in hand finish first."""

    def __init__(self, name: str = "", *, poll_seconds: float = 1.0) -> None:
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._current: int | None = None
        self._finished = threading.Event()
        self.done = 0

    def stop(self) -> None:
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until `run` has returned; whether it has."""
        return self._finished.wait(timeout)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self, *, until_idle: bool = False) -> None:
        """Work until stopped (or, with `until_idle`, until no task is due)."""
        discover()
        now = timezone.now()
        TaskWorker.objects.update_or_create(name=self.name, defaults={"started_at": now, "seen_at": now})
        beat = threading.Thread(target=self._beat, name=f"heartbeat-{self.name}", daemon=True)
        beat.start()
        next_recovery = 0.0
        next_cleanup = 0.0
        try:
            while not self._stop.is_set():
                try:
                    clock = timezone.now().timestamp()
                    if clock >= next_recovery:
                        recover_lost()
                        next_recovery = clock + settings.TASKS_HEARTBEAT_SECONDS
                    if clock >= next_cleanup:
                        self._clean_up()
                        next_cleanup = clock + 600
                    found = claim(self.name)
                except DatabaseError:
                    # The database is away (restarting, failing over): wait and try again.
                    log.exception("worker %s cannot reach the database", self.name)
                    connection.close()
                    self._stop.wait(self.poll_seconds * 5)
                    continue
                if found is None:
                    if until_idle:
                        break
                    self._stop.wait(self.poll_seconds)
                    continue
                self._current = found.pk
                close_old_connections()
                try:
                    execute(found, self.name)
                    self.done += 1
                except DatabaseError:
                    # Its end could not be recorded: the row stays running, its heartbeat stops
                    # and recovery retries or fails it.
                    log.exception("worker %s lost the database during task %s", self.name, found.pk)
                    connection.close()
                finally:
                    self._current = None
                    close_old_connections()
        finally:
            self._stop.set()
            beat.join()
            try:
                TaskWorker.objects.filter(name=self.name).delete()
            except DatabaseError:
                log.warning("worker %s could not sign off", self.name)
            connection.close()
            self._finished.set()

    def _clean_up(self) -> None:
        purge_finished()
        for fn in _maintenance:
            try:
                fn()
            except Exception:
                log.exception("task maintenance %s failed", fn.__name__)

    def _beat(self) -> None:
        """Stamp the worker's and its task's row every few seconds, on this thread's own connection
        (the task's may be inside a long transaction)."""
        try:
            while not self._stop.wait(settings.TASKS_HEARTBEAT_SECONDS):
                now = timezone.now()
                try:
                    TaskWorker.objects.filter(name=self.name).update(seen_at=now)
                    current = self._current
                    if current is not None:
                        Task.objects.filter(pk=current, state=TaskState.RUNNING, worker=self.name).update(
                            heartbeat_at=now
                        )
                except DatabaseError as error:
                    # SQLite's write lock held by the task itself, or the database away: next beat.
                    log.warning("worker %s missed a heartbeat: %s", self.name, error)
        finally:
            connection.close()


def start_thread(poll_seconds: float = 1.0) -> Worker:
    """A worker inside this process (the SQLite demo's `serve`), as a daemon thread."""
    worker = Worker(poll_seconds=poll_seconds)

    def run() -> None:
        try:
            worker.run()
        except Exception:
            log.exception("in-process worker stopped")

    threading.Thread(target=run, name="task-worker", daemon=True).start()
    return worker


# -- reading the queue ------------------------------------------------------------------------


def workers_alive() -> bool:
    """Whether some worker has shown a sign of life recently (else queued work waits)."""
    limit = timezone.now() - dt.timedelta(seconds=settings.TASKS_STALE_SECONDS)
    return TaskWorker.objects.filter(seen_at__gte=limit).exists()


def waiting(unique_key: str) -> Task | None:
    """The queued or running task with this key, the queued one first."""
    found = Task.objects.filter(unique_key=unique_key, state__in=[TaskState.QUEUED, TaskState.RUNNING])
    return found.order_by("state", "run_after").first()


def last_done(name: str) -> Task | None:
    return Task.objects.filter(name=name, state=TaskState.DONE).order_by("-finished_at").first()


def for_reference(reference: str) -> Task | None:
    return Task.objects.filter(reference=reference).order_by("-id").first()


def status(limit: int = 20) -> dict[str, Any]:
    """The queue at a glance: counts by kind and state, the workers, the latest tasks."""
    counts = Task.objects.values("name", "state").annotate(n=Count("id")).order_by("name", "state")
    return {
        "counts": [{"name": c["name"], "state": c["state"], "count": c["n"]} for c in counts],
        "workers": [
            {"name": w.name, "started_at": w.started_at.isoformat(), "seen_at": w.seen_at.isoformat()}
            for w in TaskWorker.objects.order_by("name")
        ],
        "tasks": [
            {
                "id": t.pk,
                "name": t.name,
                "state": t.state,
                "reference": t.reference,
                "attempts": t.attempts,
                "worker": t.worker,
                "run_after": t.run_after.isoformat(),
                "finished_at": t.finished_at.isoformat() if t.finished_at else None,
                "error": t.error.strip().splitlines()[-1] if t.error.strip() else "",
            }
            for t in Task.objects.order_by("-id")[:limit]
        ],
    }
