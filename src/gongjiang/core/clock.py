"""Today's date and time as the platform's rules read them.

Always the real clock, except inside `shifted(day)`, which the demo uses to run the steps of an
assessment plan on the days they happened (sign-up weeks before the sitting, scores after it),
so that the services check their dates exactly as they do for a clerk. Nothing a request or a
task runs sets it; the shift is a context variable, so it stays in the code that set it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_shift: ContextVar[dt.timedelta] = ContextVar("gongjiang_clock_shift", default=dt.timedelta(0))


def now() -> dt.datetime:
    return timezone.now() + _shift.get()


def today() -> dt.date:
    return timezone.localdate(now())


@contextmanager
def shifted(day: dt.date) -> Iterator[None]:
    """Run the block as if today were `day` (whole days: the time of day stays the real one)."""
    token = _shift.set(dt.timedelta(days=(day - timezone.localdate()).days))
    try:
        yield
    finally:
        _shift.reset(token)
