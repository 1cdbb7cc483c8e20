"""Today's date, from one place. Every rule that depends on the day (a posting's deadline, an
approval's due date, the year a report opens on, the demo's history) asks `today()`, so that a
whole run can be given one fixed day: `GONGJIANG_TODAY` (an ISO date) pins it for a process and
the processes it starts, `pinned(day)` for a block of code. The test suite pins the day it
started on (tests/settings.py), so a test that runs across midnight sees one day, and a test
run with `GONGJIANG_TODAY=2027-01-04` shows what depends on the month.

Timestamps that only record when something happened (`auto_now` fields, "made at" lines) keep
the real clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone

_pinned: list[dt.date] = []  # the innermost `pinned()` block's day, over the setting


def today() -> dt.date:
    """The day in the site's time zone, or the pinned one."""
    if _pinned:
        return _pinned[-1]
    configured: dt.date | None = getattr(settings, "GONGJIANG_TODAY", None)
    return configured or timezone.localdate()


def now() -> dt.datetime:
    """The current local time on `today()`: the real time of day, on the pinned day if there is one."""
    real = timezone.localtime()
    day = today()
    return real if day == real.date() else real.replace(year=day.year, month=day.month, day=day.day)


@contextmanager
def pinned(day: dt.date) -> Iterator[dt.date]:
    """`today()` is `day` inside the block (in every thread: a live server's too)."""
    _pinned.append(day)
    try:
        yield day
    finally:
        _pinned.pop()
