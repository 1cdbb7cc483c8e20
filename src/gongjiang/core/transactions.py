"""One transaction per request that may write; reads run without one.

A request with an unsafe method (POST, PUT, PATCH, DELETE) runs in one `transaction.atomic()`
block around the view, as `ATOMIC_REQUESTS` did: the view either does all it set out to do or
nothing. The block is rolled back when the view raises (even an exception Django turns into a
404 or 403 page), when the answer is a server error, and when a handler asks for it (the API base
rolls back its refusals, `core.api`). Safe methods (GET, HEAD, OPTIONS, TRACE) run in autocommit:
on SQLite a transaction there would be IMMEDIATE and take the write lock, so one slow page held
up every other user; in WAL mode a reader outside a transaction blocks nobody and waits for
nobody. A page that does write (a service call) gets its own `transaction.atomic()` from the
service. ADR 0019.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class WriteTransactionMiddleware:
    """Wraps each unsafe-method request's view in one transaction."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        with transaction.atomic():
            response = self.get_response(request)
            if response.status_code >= 500 or getattr(request, ROLLBACK, False):
                # An exception raised below this middleware has already become an error page.
                transaction.set_rollback(True)
            return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # The view raised: Django will answer with an error page (404, 403, 400 or 500), and
        # nothing the view wrote may stay. The rollback waits until that page is made: the
        # page reads the database (its menu), which a transaction marked for rollback refuses.
        if request.method not in SAFE_METHODS:
            setattr(request, ROLLBACK, True)


ROLLBACK = "_gongjiang_rollback"
