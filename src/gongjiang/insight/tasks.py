"""Insight's background tasks (`core.tasks`, ADR 0021), queued after committed writes.

- `insight.snapshot`: the DuckDB snapshot follows the register on its own. Every committed write
  asks for one rebuild with the shared key: while a rebuild waits, a further write moves its start
  to `SNAPSHOT_REFRESH_QUIET_SECONDS` after itself, never later than
  `SNAPSHOT_REFRESH_MAX_SECONDS` after the first write it covers. So an import of 3,000 rows, or a
  clerk's afternoon of edits, is one rebuild, and a register written to without pause is still
  rebuilt now and then. A write during a rebuild queues the next one, so the last write is always
  covered. A quiet period of 0 (or pages on the live database) turns it off; the bureau's button
  and `gongjiang indicators --refresh` rebuild at once.
- `insight.forecasts`: after a rebuild, the demand forecasts someone has asked for are made again
  from the new snapshot, so their page is current too.
- `insight.quality`: a school's data-quality rules re-run (seconds: every rule over its records)
  after its records change, never inside the request that changed them; one waiting check a school.

Writes queue these only where `listen` was called: the web processes (`config.wsgi`). The command
line, the demo generator and the tests write without them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from gongjiang.core import audit, tasks
from gongjiang.core.models import AuditEntry, TaskState
from gongjiang.directory.models import Organisation, OrganisationKind

SNAPSHOT = "insight.snapshot"
FORECASTS = "insight.forecasts"
QUALITY = "insight.quality"


def automatic_snapshots() -> bool:
    # Pages that compute on the live database have no snapshot to keep current.
    return settings.SNAPSHOT_REFRESH_QUIET_SECONDS > 0 and settings.INSIGHT_ENGINE != "db"


def listen() -> None:
    """Queue the rebuild and the schools' checks after every committed write of this process."""
    audit.written.connect(_written, sender=AuditEntry, dispatch_uid="insight.tasks")


def stop_listening() -> None:
    audit.written.disconnect(sender=AuditEntry, dispatch_uid="insight.tasks")


def _written(sender: Any, organisations: set[int], **kwargs: Any) -> None:
    # After the commit, so the task reads what was written; nothing if it is rolled back.
    if automatic_snapshots():
        queue_snapshot()
    for school_id in organisations:
        queue_quality(school_id)


def queue_snapshot() -> None:
    tasks.enqueue_on_commit(
        SNAPSHOT,
        unique_key=SNAPSHOT,
        delay=settings.SNAPSHOT_REFRESH_QUIET_SECONDS,
        max_delay=settings.SNAPSHOT_REFRESH_MAX_SECONDS,
    )


def queue_quality(school_id: int) -> None:
    tasks.enqueue_on_commit(QUALITY, {"school": school_id}, unique_key=f"{QUALITY}:{school_id}")


def snapshot_due() -> dt.datetime | None:
    """By when the waiting writes will be in the snapshot (site time, rounded up to the minute):
    when the waiting rebuild starts plus how long the last one took. None when no rebuild waits
    or runs, or no worker is there to run it."""
    pending = tasks.waiting(SNAPSHOT)
    if pending is None or not tasks.workers_alive():
        return None
    last = tasks.last_done(SNAPSHOT)
    took = (last.finished_at - last.started_at) if last and last.finished_at and last.started_at else dt.timedelta()
    if pending.state == TaskState.QUEUED:
        start = max(pending.run_after, timezone.now())
    else:
        start = pending.started_at or timezone.now()
    finish = timezone.localtime(max(start + took, timezone.now()))
    whole = finish.replace(second=0, microsecond=0)
    return whole if whole == finish else whole + dt.timedelta(minutes=1)


def snapshot_rebuilding() -> bool:
    """Whether a worker will bring the snapshot up to date without anyone pressing the button."""
    return tasks.waiting(SNAPSHOT) is not None and tasks.workers_alive()


@tasks.task(SNAPSHOT)
def rebuild_snapshot(arguments: dict[str, Any]) -> dict[str, Any]:
    from gongjiang.insight.engines import build_snapshot

    path = build_snapshot()
    tasks.enqueue(FORECASTS, unique_key=FORECASTS)
    return {"path": str(path)}


@tasks.task(FORECASTS)
def remake_forecasts(arguments: dict[str, Any]) -> dict[str, Any]:
    """Make again the forecasts someone asked for, from the new snapshot (a second or two a series)."""
    from gongjiang.insight import forecast, selectors
    from gongjiang.insight.engines import DuckDBEngine

    requests = forecast.kept_requests()
    if requests:
        engine = DuckDBEngine()
        try:
            for request in requests:
                forecast.make(engine, request, graduates_year=selectors.default_year())
        finally:
            engine.close()
    return {"requests": len(requests)}


@tasks.task(QUALITY)
def check_quality(arguments: dict[str, Any]) -> dict[str, Any]:
    from gongjiang.insight.quality import check_school

    school = Organisation.objects.filter(pk=arguments["school"], kind=OrganisationKind.SCHOOL).first()
    if school is None:
        return {"checked": False}
    check_school(school)
    return {"checked": True}
