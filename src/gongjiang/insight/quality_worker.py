"""Data-quality rules run when a school's data changes: after a transaction that wrote audit
entries for a school commits, the school is queued, and one background thread of the web
process re-runs its rules on the live database and keeps the result (`quality.check_school`).

A check takes seconds (every rule over the school's records), so it never runs inside the
request that made the change. Schools queued again while waiting are checked once. The thread
exists only where `start` was called: the web server (`config.wsgi`); the command line, the
demo generator and the tests write without it (their checks are `gongjiang quality` and the
school's page, which re-checks a stale result).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable
from typing import Any

from django.db import close_old_connections, connection, transaction

from gongjiang.core import audit
from gongjiang.core.models import AuditEntry
from gongjiang.directory.models import Organisation, OrganisationKind

log = logging.getLogger(__name__)

_waiting: queue.Queue[int] = queue.Queue()
_queued: set[int] = set()
_lock = threading.Lock()
_thread: threading.Thread | None = None
_STOP = -1  # queued by `stop`: the thread ends


def start() -> None:
    """Start the background thread (once per process) and listen for writes."""
    global _thread
    with _lock:
        if _thread is not None and _thread.is_alive():
            return
        _thread = threading.Thread(target=_run, name="quality-checks", daemon=True)
        _thread.start()
    audit.written.connect(_written, sender=AuditEntry, dispatch_uid="insight.quality_worker")


def stop(timeout: float = 60) -> None:
    """Stop listening and let the thread finish the check it is running."""
    global _thread
    audit.written.disconnect(sender=AuditEntry, dispatch_uid="insight.quality_worker")
    with _lock:
        thread, _thread = _thread, None
    if thread is not None:
        _waiting.put(_STOP)
        thread.join(timeout)


def running() -> bool:
    return _thread is not None and _thread.is_alive()


def queue_schools(ids: Iterable[int]) -> None:
    """Have these organisations' rules re-run (those that are not schools are skipped)."""
    with _lock:
        for school_id in ids:
            if school_id not in _queued:
                _queued.add(school_id)
                _waiting.put(school_id)


def pending() -> int:
    with _lock:
        return len(_queued)


def _written(sender: Any, organisations: set[int], **kwargs: Any) -> None:
    # After the commit, so the check reads what was written; nothing if it is rolled back.
    ids = set(organisations)
    transaction.on_commit(lambda: queue_schools(ids))


def _run() -> None:
    from gongjiang.insight.quality import check_school

    while True:
        school_id = _waiting.get()
        if school_id == _STOP:
            return
        with _lock:
            _queued.discard(school_id)
        close_old_connections()
        try:
            school = Organisation.objects.filter(pk=school_id, kind=OrganisationKind.SCHOOL).first()
            if school is not None:
                check_school(school)
        except Exception:  # a failed check must not stop the thread; the page re-checks
            log.exception("data-quality check of organisation %s failed", school_id)
        finally:
            connection.close()
