"""The market's background task (`core.tasks`): sending the push e-mails that are waiting."""

from __future__ import annotations

from typing import Any

from gongjiang.core import tasks
from gongjiang.market.push import SEND_MAIL, send_outbox

RETRY_SECONDS = 300  # a mail server that refused some messages is tried again after this


@tasks.task(SEND_MAIL)
def send_mail(arguments: dict[str, Any]) -> dict[str, Any]:
    limit = int(arguments.get("limit", 1000))
    sent, failed = send_outbox(limit=limit)
    if failed:
        tasks.enqueue(SEND_MAIL, unique_key=SEND_MAIL, delay=RETRY_SECONDS)
    elif sent >= limit:
        # More may wait than one batch holds: the next batch is a task of its own.
        tasks.enqueue(SEND_MAIL, unique_key=SEND_MAIL)
    return {"sent": sent, "failed": failed}
