"""The DuckDB snapshot follows the register on its own: after a transaction that wrote audit
entries commits, one background thread of the web process waits until the register has been
quiet for a while, then rebuilds the snapshot (`engines.build_snapshot`).

Waiting for quiet makes an import of 3,000 rows, or a clerk's afternoon of edits, one rebuild
instead of thousands; a ceiling on the wait makes a register that is written to without pause
still be rebuilt now and then. A write that lands while a rebuild runs starts another wait, so
the last write is always covered. After a rebuild, the demand forecasts someone has asked for
are made again from it, so their page is current too. Both delays are settings (`SNAPSHOT_REFRESH_QUIET_SECONDS`,
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

_now = time.monotonic  # the clock of the waits (a test sets its own)
_lock = threading.Lock()
_wake = threading.Event()
_thread: threading.Thread | None = None
_stop: threading.Event | None = None  # the running thread's own: a thread left over never restarts
# Monotonic times of the first and the last write not yet in a snapshot (None: nothing waiting).
_first_write: float | None = None
_last_write: float | None = None
_building_since: float | None = None
_last_build_seconds = 0.0


def start() -> None:
    """Start the background thread (once per process) and listen for writes; nothing when the
    quiet period is set to 0, or while a stopped thread is still finishing its rebuild."""
    global _thread, _stop
    if settings.SNAPSHOT_REFRESH_QUIET_SECONDS <= 0 or settings.INSIGHT_ENGINE == "db":
        # Pages that compute on the live database have no snapshot to keep current.
        return
    with _lock:
        if _thread is not None and _thread.is_alive():
            return
        _stop = threading.Event()
        _thread = threading.Thread(target=_run, args=(_stop,), name="snapshot-refresh", daemon=True)
        _thread.start()
    audit.written.connect(_written, sender=AuditEntry, dispatch_uid="insight.snapshot_worker")


def stop(timeout: float = 120) -> None:
    """Stop listening and let the thread finish the rebuild it is running."""
    global _thread, _first_write, _last_write
    audit.written.disconnect(sender=AuditEntry, dispatch_uid="insight.snapshot_worker")
    with _lock:
        thread, stop_event = _thread, _stop
        _first_write = _last_write = None
    if stop_event is not None:
        stop_event.set()
    _wake.set()
    if thread is not None:
        thread.join(timeout)
        with _lock:
            # A rebuild still running past the timeout keeps its place, so no second thread starts.
            if not thread.is_alive() and _thread is thread:
                _thread = None


def running() -> bool:
    thread, stop_event = _thread, _stop
    return thread is not None and thread.is_alive() and stop_event is not None and not stop_event.is_set()


def due() -> dt.datetime | None:
    """By when the waiting writes will be in the snapshot (site time, rounded up to the minute):
    when the rebuild starts plus how long the last one took. None when nothing waits or no
    thread runs."""
    now = _now()
    with _lock:
        if not running() or (_first_write is None and _building_since is None):
            return None
        if _first_write is not None:
            # A rebuild running now comes first; the waiting writes start their own after it.
            running_left = max(0.0, _building_since + _last_build_seconds - now) if _building_since else 0.0
            left = max(_wait_left(now), running_left) + _last_build_seconds
        else:
            assert _building_since is not None
            left = max(0.0, _building_since + _last_build_seconds - now)
    finish = timezone.localtime() + dt.timedelta(seconds=left)
    whole = finish.replace(second=0, microsecond=0)
    return whole if whole == finish else whole + dt.timedelta(minutes=1)


def note_write() -> None:
    """Mark the register as changed now (what a committed write does)."""
    global _first_write, _last_write
    now = _now()
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


def _run(stop_event: threading.Event) -> None:
    global _first_write, _last_write, _building_since, _last_build_seconds
    from gongjiang.insight.engines import build_snapshot

    while not stop_event.is_set():
        _wake.wait()
        _wake.clear()
        while not stop_event.is_set():
            with _lock:
                if _first_write is None:
                    break
                left = _wait_left(_now())
                if left <= 0:
                    # Writes from here on start the next wait.
                    _first_write = _last_write = None
                    _building_since = _now()
            if left > 0:
                stop_event.wait(left)
                continue
            built = False
            try:
                close_old_connections()
                build_snapshot()
                built = True
            except Exception:
                # A failed rebuild must not stop the thread: the writes wait again and the
                # rebuild is tried after another quiet period; the pages say stale meanwhile.
                log.exception("automatic snapshot rebuild failed")
                note_write()
            finally:
                connection.close()
                with _lock:
                    if _building_since is not None:
                        _last_build_seconds = _now() - _building_since
                    _building_since = None
            if built and not stop_event.is_set():
                try:
                    _refresh_forecasts()
                except Exception:  # the page shows the older forecasts, marked, and can redo them
                    log.exception("re-making kept forecasts failed")
                finally:
                    connection.close()


def _refresh_forecasts() -> None:
    """Make again the forecasts someone asked for, from the new snapshot, so their page is
    current without anyone waiting on it (a second or two a series, in this thread)."""
    from gongjiang.insight import forecast, selectors
    from gongjiang.insight.engines import DuckDBEngine

    requests = forecast.kept_requests()
    if not requests:
        return
    engine = DuckDBEngine()
    try:
        for request in requests:
            forecast.make(engine, request, graduates_year=selectors.default_year())
    finally:
        engine.close()
