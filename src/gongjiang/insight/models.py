"""What the bureau keeps for insight: targets for indicators, and its region's key industries.

The figures themselves are never stored: they are computed from the register (`compute.py`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.directory.models import Organisation


class Comparator(models.TextChoices):
    AT_LEAST = "ge", _("不低于（≥）")
    AT_MOST = "le", _("不高于（≤）")
    BETWEEN = "range", _("介于（区间）")


class TargetLevel(models.TextChoices):
    NATIONAL = "national", _("国家")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")
    DISTRICT = "district", _("区县级")


class ScopeKind(models.TextChoices):
    REGION = "region", _("地区")
    SCHOOL = "school", _("学校")


class Target(models.Model):
    """A quantitative target for one indicator, over one scope and a span of years.

    Several targets may apply to one indicator (national, provincial, district); each is judged
    on its own. History: every change is in the audit trail with the values before and after;
    a target that no longer applies is withdrawn, not deleted."""

    bureau = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="targets")
    indicator_code = models.CharField(_("指标"), max_length=64)
    scope_kind = models.CharField(_("范围类型"), max_length=8, choices=ScopeKind.choices)
    scope_code = models.CharField(_("范围代码"), max_length=32)
    # The region the scope lies in (a school's region for a school), for scoping reads.
    scope_region_code = models.CharField(max_length=12, db_index=True)
    from_year = models.PositiveSmallIntegerField(_("起始年度"))
    to_year = models.PositiveSmallIntegerField(_("截止年度"))
    comparator = models.CharField(_("比较方式"), max_length=8, choices=Comparator.choices)
    value = models.DecimalField(_("目标值"), max_digits=16, decimal_places=4)
    value_high = models.DecimalField(_("区间上限"), max_digits=16, decimal_places=4, null=True, blank=True)
    baseline = models.DecimalField(_("基期值"), max_digits=16, decimal_places=4, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("基期年度"), null=True, blank=True)
    tolerance = models.DecimalField(_("容差"), max_digits=16, decimal_places=4, default=0)
    level = models.CharField(_("目标层级"), max_length=16, choices=TargetLevel.choices)
    source = models.CharField(_("依据（文件与条款）"), max_length=300)
    note = models.TextField(_("备注"), blank=True)
    withdrawn_on = models.DateField(_("撤销日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["indicator_code", "scope_code", "from_year", "pk"]

    def __str__(self) -> str:
        return f"{self.indicator_code} {self.scope_kind}:{self.scope_code} {self.from_year}–{self.to_year}"


class KeyIndustry(models.Model):
    """An industry the bureau names as key for its region (GB/T 4754-2017: a section letter, or a
    division, group or class code); majors are judged on whether they serve one."""

    bureau = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="key_industries")
    region_code = models.CharField(_("地区"), max_length=12)
    industry_code = models.CharField(_("行业代码"), max_length=8)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("重点产业")
        verbose_name_plural = _("重点产业")
        ordering = ["region_code", "industry_code"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "industry_code"], name="key_industry_once_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.industry_code}"


class QualityCheck(models.Model):
    """The data-quality rules last run over one school's records: on the register as it was after
    which audit entry, for which years, and what they found. Re-run in the background when the
    school's records change (the `insight.quality` task), by its page when stale, and by `gongjiang quality`.

    Not audited: it is derived from the audited records, and auditing it would be a change of the
    school that asks for another check."""

    school = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="quality_check")
    audit_mark = models.BigIntegerField(_("检查时的最后一条审计记录"))
    checked_at = models.DateTimeField(_("检查时间"))
    years = models.JSONField(_("检查的年度"), default=list)
    findings = models.JSONField(_("违反的规则"), default=list)  # [{"rule", "year", "left", "right"}]
    errors = models.PositiveIntegerField(_("错误"), default=0)
    warnings = models.PositiveIntegerField(_("提示"), default=0)

    class Meta:
        verbose_name = _("数据质量检查")
        verbose_name_plural = _("数据质量检查")

    def __str__(self) -> str:
        return f"{self.school_id} @ {self.audit_mark}"
