"""Paging long lists at a bounded cost.

A bureau's lists run over a whole province (hundreds of thousands of registrations, millions of
audit entries). Counting all of them on every page view costs more than showing the page, and
nobody pages through more than a few thousand rows: they narrow the list instead. So counts stop
at COUNT_CAP (shown as "10,000+"), and a page is never deeper than the cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 10_000


def capped_count(queryset: QuerySet[Any], cap: int = COUNT_CAP) -> int:
    """The number of rows, counted up to cap + 1 (more shows as "10,000+")."""
    return queryset.order_by().values("pk")[: cap + 1].count()


class CappedPaginator(Paginator):  # type: ignore[type-arg]  # generic only in the stubs
    """A paginator whose count stops at a cap (COUNT_CAP unless given); `capped` tells the template
    to say "more than"."""

    def __init__(
        self, object_list: QuerySet[Any] | Sequence[Any], per_page: int, count: int | None = None, cap: int = COUNT_CAP
    ) -> None:
        super().__init__(object_list, per_page)
        self._queryset = object_list
        self._known = count
        self._cap = cap

    @cached_property
    def _counted(self) -> int:
        if self._known is not None:
            return self._known
        if isinstance(self._queryset, QuerySet):
            return capped_count(self._queryset, self._cap)
        return len(self._queryset)

    @property
    def count(self) -> int:
        return min(self._counted, self._cap)

    @property
    def capped(self) -> bool:
        return self._counted > self._cap
