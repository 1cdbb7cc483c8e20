"""The DuckDB snapshot follows the register on its own: after a transaction that wrote audit
entries commits, one background thread of the web process waits until the register has been
quiet for a while, then rebuilds the snapshot (`engines.build_snapshot`).

Waiting for quiet makes an import of 3,000 rows, or a clerk's afternoon of edits, one rebuild
instead of thousands; a ceiling on the wait makes a register that is written to without pause
still be rebuilt now and then. A write that lands while a rebuild runs starts another wait, so
the last write is always covered. Both delays are settings (`SNAPSHOT_REFRESH_QUIET_SECONDS`,
`SNAPSHOT_REFRESH_MAX_SECONDS`); a quiet period of 0 turns the thread off. As with the quality
thread, only the web server (`config.wsgi`) starts it; the bureau's button and
`gongjiang indicators --refresh` rebuild at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from gongjiang.core import audit
from gongjiang.core.models import AuditEntry

log = logging.getLogger(__name__)

_lock = threading.Lock()
_wake = threading.Event()
_stopping = threading.Event()
_thread: threading.Thread | None = None
# Monotonic times of the first and the last write not yet in a snapshot (None: nothing waiting).
_first_write: float | None = None
_last_write: float | None = None
_building = False


def start() -> None:
    """Start the background thread (once per process) and listen for writes; nothing when the
    quiet period is set to 0."""
    global _thread
    if settings.SNAPSHOT_REFRESH_QUIET_SECONDS <= 0:
        return
    with _lock:
        if _thread is not None and _thread.is_alive():
            return
        _stopping.clear()
        _thread = threading.Thread(target=_run, name="snapshot-refresh", daemon=True)
        _thread.start()
    audit.written.connect(_written, sender=AuditEntry, dispatch_uid="insight.snapshot_worker")


def stop(timeout: float = 120) -> None:
    """Stop listening and let the thread finish the rebuild it is running."""
    global _thread, _first_write, _last_write
    audit.written.disconnect(sender=AuditEntry, dispatch_uid="insight.snapshot_worker")
    with _lock:
        thread, _thread = _thread, None
        _first_write = _last_write = None
    _stopping.set()
    _wake.set()
    if thread is not None:
        thread.join(timeout)


def running() -> bool:
    return _thread is not None and _thread.is_alive()


def due() -> dt.datetime | None:
    """When the waiting writes will be in the snapshot at the latest (site time), or None when
    nothing waits or no thread runs; while a rebuild runs, now."""
    with _lock:
        if not running() or (_first_write is None and not _building):
            return None
        if _first_write is None or _last_write is None:
            return timezone.localtime()
        wait = _wait_left(time.monotonic())
    return timezone.localtime() + dt.timedelta(seconds=wait)


def note_write() -> None:
    """Mark the register as changed now (what a committed write does)."""
    global _first_write, _last_write
    now = time.monotonic()
    with _lock:
        if _first_write is None:
            _first_write = now
        _last_write = now
    _wake.set()


def _written(sender: Any, **kwargs: Any) -> None:
    # After the commit, so the rebuild reads what was written; nothing if it is rolled back.
    transaction.on_commit(note_write)


def _wait_left(now: float) -> float:
    """Seconds until the rebuild is due: quiet since the last write, or the ceiling since the
    first one, whichever comes first. Called with the lock held."""
    assert _first_write is not None and _last_write is not None
    quiet = _last_write + settings.SNAPSHOT_REFRESH_QUIET_SECONDS
    ceiling = _first_write + max(settings.SNAPSHOT_REFRESH_MAX_SECONDS, settings.SNAPSHOT_REFRESH_QUIET_SECONDS)
    return max(0.0, min(quiet, ceiling) - now)


def _run() -> None:
    global _first_write, _last_write, _building
    from gongjiang.insight.engines import build_snapshot

    while True:
        _wake.wait()
        _wake.clear()
        while True:
            if _stopping.is_set():
                return
            with _lock:
                if _first_write is None:
                    break
                left = _wait_left(time.monotonic())
                if left <= 0:
                    # Writes from here on start the next wait.
                    _first_write = _last_write = None
                    _building = True
            if left > 0:
                _stopping.wait(left)
                continue
            close_old_connections()
            try:
                build_snapshot()
            except Exception:  # a failed rebuild must not stop the thread; the pages say stale
                log.exception("automatic snapshot rebuild failed")
            finally:
                connection.close()
                with _lock:
                    _building = False
