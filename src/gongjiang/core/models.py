"""The audit trail: one append-only row per write made through a service."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.scope import ScopePaths


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit entries are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit entries are append-only")


class AuditEntry(models.Model):
    """One write: who, when, what, and the values before and after. Never updated or deleted."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_username = models.CharField(_("操作人"), max_length=150)
    actor_kind = models.CharField(_("操作人身份"), max_length=16)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    entity_type = models.CharField(_("对象类型"), max_length=64, db_index=True)
    entity_id = models.CharField(_("对象标识"), max_length=64)
    entity_label = models.CharField(_("对象"), max_length=200, blank=True)
    # Plain values, not foreign keys: the trail outlives what it describes and sits below every app.
    scope_organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    scope_organisation_code = models.CharField(max_length=32, blank=True)
    scope_region_code = models.CharField(max_length=6, blank=True, db_index=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="scope_organisation_id", region="scope_region_code")

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        # The audit browser pages newest first through millions of entries.
        indexes = [models.Index(fields=["-at", "-id"], name="audit_newest_first")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.entity_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit entries are append-only")

    def changed_fields(self) -> list[str]:
        before = self.before or {}
        after = self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


# -- the task queue (core/tasks.py, ADR 0021) -----------------------------------------------------


class TaskState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Task(models.Model):
    """One piece of background work, done by a `gongjiang worker` process. The row is the task's
    whole life: queued, claimed by one worker, its heartbeat while it runs, and how it ended."""

    name = models.CharField(max_length=64)
    args = models.JSONField(default=dict)
    state = models.CharField(max_length=8, choices=TaskState.choices, default=TaskState.QUEUED)
    # Tasks that stand for "this needs doing" (rebuild the snapshot, check school 12) share a key:
    # while one with the key is queued, asking again reuses it instead of adding another.
    unique_key = models.CharField(max_length=100, blank=True)
    # What the task is about, for finding it again (an import job's token).
    reference = models.CharField(max_length=100, blank=True, db_index=True)
    run_after = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    worker = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unique_key"],
                condition=models.Q(state="queued") & ~models.Q(unique_key=""),
                name="task_one_queued_per_key",
            )
        ]
        indexes = [
            # The claim: the oldest due task among the queued ones.
            models.Index(fields=["state", "run_after", "id"], name="task_claim_order"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.name} {self.state}"


class TaskWorker(models.Model):
    """A worker process that is (or was) running: pages and `gongjiang worker --status` tell from
    its last sign of life whether queued work will be picked up."""

    name = models.CharField(max_length=100, unique=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class RateCount(models.Model):
    """Requests counted for a key (a kind of request and a client) in one fixed window of time,
    in the database so that every server process counts into the same row (`core.throttle`,
    ADR 0034). Rows of past windows are deleted by the worker's clean-up."""

    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="rate_count_one_per_window")]
        indexes = [models.Index(fields=["window_start"], name="rate_count_window")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.count}"
