"""The trust registry (filings of evaluation bodies), issuer keys, certificates, their status lists,
双证书 records and the learner's share links."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjiang.core.scope import ScopePaths
from gongjiang.directory.models import Organisation

# Everyone reads the trust registry: a verifier anywhere must be able to check an issuer.
_EVERYONE = Q(pk__isnull=False)


class BodyKind(models.TextChoices):
    EVALUATION_ORGANISATION = "evaluation_organisation", _("社会培训评价组织")
    EMPLOYER = "employer", _("用人单位")
    SCHOOL = "school", _("技工院校（评价本校学生）")


class FilingStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    SUSPENDED = "suspended", _("暂停")
    ENDED = "ended", _("终止")


class Filing(models.Model):
    """The bureau's filing (备案) of an organisation as an evaluation body: what it may assess
    (occupations and their highest level, in `FilingOccupation`) and when."""

    number = models.CharField(_("备案编号"), max_length=24, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="filings")
    body_kind = models.CharField(_("评价机构类型"), max_length=32, choices=BodyKind.choices)
    filed_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("备案机关"))
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"))
    status = models.CharField(_("状态"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.ACTIVE)
    status_reason = models.CharField(_("状态原因"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="organisation_id", region="organisation__region_code", public=_EVERYONE
    )

    class Meta:
        verbose_name = _("评价机构备案")
        verbose_name_plural = _("评价机构备案")
        ordering = ["organisation", "-valid_from", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.organisation}"


class FilingOccupation(models.Model):
    """One occupation a filing covers, up to a highest level (1 高级技师 … 5 初级工: a body filed up
    to level 3 may assess levels 5, 4 and 3)."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="occupations")
    occupation_code = models.CharField(_("职业代码"), max_length=16)
    highest_level = models.PositiveSmallIntegerField(_("最高可评等级"))

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="filing__organisation_id", region="filing__organisation__region_code", public=_EVERYONE
    )

    class Meta:
        verbose_name = _("备案职业")
        verbose_name_plural = _("备案职业")
        ordering = ["filing", "occupation_code"]
        constraints = [
            models.UniqueConstraint(fields=["filing", "occupation_code"], name="filing_occupation_once"),
            models.CheckConstraint(condition=Q(highest_level__gte=1, highest_level__lte=5), name="filing_level_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.occupation_code} ≤{self.highest_level}"


class FilingEventKind(models.TextChoices):
    FILE = "file", _("备案")
    SUSPEND = "suspend", _("暂停")
    REINSTATE = "reinstate", _("恢复")
    END = "end", _("终止")


class FilingEvent(models.Model):
    """The history of a filing, never edited: each change of its status with its reason."""

    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事项"), max_length=16, choices=FilingEventKind.choices)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    effective_on = models.DateField(_("生效日期"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="filing__organisation_id", region="filing__organisation__region_code", public=_EVERYONE
    )

    class Meta:
        verbose_name = _("备案变更")
        verbose_name_plural = _("备案变更")
        ordering = ["filing", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.filing} {FilingEventKind(self.kind).label}"


class IntegratedEquivalence(models.Model):
    """The bureau's switch for the 一体化 rule: graduates of an integrated major whose grades pass
    count as having passed the level evaluation of the class level (002 §18). Off until switched
    on; each switch is a new row, so the history stays."""

    bureau = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    enabled = models.BooleanField(_("启用"))
    effective_on = models.DateField(_("生效日期"))
    reason = models.CharField(_("说明"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="bureau_id", region="bureau__region_code", public=_EVERYONE)

    class Meta:
        verbose_name = _("一体化等效认定规则")
        verbose_name_plural = _("一体化等效认定规则")
        ordering = ["bureau", "-effective_on", "-id"]

    def __str__(self) -> str:
        return f"{self.bureau} {self.effective_on} {self.enabled}"
