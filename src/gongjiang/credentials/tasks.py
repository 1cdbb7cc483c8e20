"""Background work of the credentials app: a school's batch of diplomas, one task a part."""

from __future__ import annotations

from typing import Any

from gongjiang.core.actors import Actor, on_behalf
from gongjiang.core.scope import ActorKind
from gongjiang.core.tasks import task
from gongjiang.credentials.models import BatchState, IssuingBatch
from gongjiang.credentials.services.certificates import batch_run_part


def _lost(args: dict[str, Any]) -> None:
    IssuingBatch.objects.filter(pk=args["batch"], state__in=[BatchState.QUEUED, BatchState.RUNNING]).update(
        state=BatchState.FAILED, error="执行签发的工作进程已停止；已签发的证书有效，可再次发起以签发其余部分。"
    )


@task("credentials.issue_diplomas", on_lost=_lost)
def issue_diplomas(args: dict[str, Any]) -> dict[str, Any]:
    batch = IssuingBatch.objects.select_related("school").get(pk=args["batch"])
    # The batch was started and checked by a school's clerk (batch_start); the worker issues in
    # the clerk's name.
    starter = Actor(kind=ActorKind.OPERATOR, username=str(args.get("user", ""))[:150], user_id=args.get("user_id"))
    actor = on_behalf(starter, "批量签发毕业证书")
    batch = batch_run_part(actor=actor, batch=batch, part=int(args.get("part", 0)))
    return {"state": batch.state, "done": batch.done, "total": batch.total, "part": args.get("part", 0)}
