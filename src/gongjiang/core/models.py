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
