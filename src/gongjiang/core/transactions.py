"""One transaction per request that may write; reads run without one.

A request with an unsafe method (POST, PUT, PATCH, DELETE) runs its view in one
`transaction.atomic()` block, exactly where `ATOMIC_REQUESTS` put it: the view either does all it
set out to do or nothing. The block is rolled back when the view raises, before Django renders the
error page (which reads the database itself), and when a handler asks for it (the API base rolls
back its refusals, `core.api`). Safe methods (GET, HEAD, OPTIONS, TRACE) run in autocommit: on
SQLite a transaction there would be IMMEDIATE and take the write lock, so one slow page held up
every other user; in WAL mode a reader outside a transaction blocks nobody and waits for nobody.
A page that does write (a service call) gets its own `transaction.atomic()` from the service.
ADR 0019.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class WriteTransactionMiddleware:
    """Runs each unsafe-method request's view in one transaction. Last in MIDDLEWARE, so every
    other middleware's `process_view` (CSRF) has run before."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponse],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if request.method in SAFE_METHODS:
            return None  # Django calls the view itself, in autocommit
        # An exception leaves the block (rolled back) before Django turns it into an error page.
        with transaction.atomic():
            return view(request, *args, **kwargs)
