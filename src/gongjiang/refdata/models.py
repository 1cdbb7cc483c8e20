"""Versioned code tables: each load of a catalogue is a version with an effective date; a concept
belongs to one version, has a parent in that version, and may carry its own validity period
(the region history does). Reference data is public: anyone may read it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scheme(models.TextChoices):
    REGION = "region", _("行政区划（GB/T 2260）")
    REGION_HISTORY = "region_history", _("行政区划变更历史")
    STATS_DIVISION = "stats_division", _("统计用区划代码")
    INDUSTRY = "industry", _("国民经济行业分类（GB/T 4754-2017）")
    OCCUPATION = "occupation", _("职业分类大典（2022年版）")
    MAJOR = "major", _("技工院校专业目录")
    HEI = "hei", _("普通高等学校名单")
    MAJOR_OCCUPATION = "major_occupation", _("专业—职业对照")
    OCCUPATION_INDUSTRY = "occupation_industry", _("职业—行业对照")


CROSSWALK_SCHEMES = frozenset({Scheme.MAJOR_OCCUPATION, Scheme.OCCUPATION_INDUSTRY})


class CatalogueVersion(models.Model):
    scheme = models.CharField(_("代码表"), max_length=32, choices=Scheme.choices)
    label = models.CharField(_("版本"), max_length=64)
    effective_from = models.DateField(_("生效日期"))
    source = models.CharField(_("来源"), max_length=300)
    demo_subset = models.BooleanField(_("演示子集"), default=False)
    row_count = models.PositiveIntegerField(_("条目数"), default=0)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)
    loaded_by = models.CharField(_("载入人"), max_length=150)

    class Meta:
        verbose_name = _("代码表版本")
        verbose_name_plural = _("代码表版本")
        ordering = ["scheme", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["scheme", "label"], name="catalogue_version_unique_label")]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.label}"


class Concept(models.Model):
    version = models.ForeignKey(CatalogueVersion, on_delete=models.CASCADE, related_name="concepts")
    scheme = models.CharField(max_length=32, choices=Scheme.choices)
    level = models.PositiveSmallIntegerField(_("层级"))
    code = models.CharField(_("代码"), max_length=32)
    name = models.CharField(_("名称"), max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    aliases = models.TextField(_("别名"), blank=True, help_text=_("以“|”分隔"))
    pinyin = models.CharField(max_length=600, blank=True, db_index=True)
    pinyin_initials = models.CharField(max_length=200, blank=True, db_index=True)
    is_digital = models.BooleanField(_("数字职业"), default=False)
    is_green = models.BooleanField(_("绿色职业"), default=False)
    valid_from = models.DateField(_("启用日期"), null=True, blank=True)
    valid_to = models.DateField(_("停用日期"), null=True, blank=True)
    # The history writes successors as "code[year];code[year]", sometimes a dozen of them.
    replaced_by = models.TextField(_("新代码"), blank=True)
    attrs = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("代码")
        verbose_name_plural = _("代码")
        ordering = ["code", "level"]
        constraints = [
            models.UniqueConstraint(fields=["version", "level", "code", "valid_from"], name="concept_unique_in_version")
        ]
        indexes = [
            models.Index(fields=["scheme", "code"], name="concept_scheme_code"),
            models.Index(fields=["scheme", "name"], name="concept_scheme_name"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def alias_list(self) -> list[str]:
        return [a for a in self.aliases.split("|") if a]


class Crosswalk(models.Model):
    version = models.ForeignKey(CatalogueVersion, on_delete=models.CASCADE, related_name="links")
    scheme = models.CharField(max_length=32, choices=Scheme.choices)
    source_code = models.CharField(_("源代码"), max_length=32)
    target_code = models.CharField(_("目标代码"), max_length=32)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("对照关系")
        verbose_name_plural = _("对照关系")
        indexes = [
            models.Index(fields=["scheme", "source_code"], name="crosswalk_source"),
            models.Index(fields=["scheme", "target_code"], name="crosswalk_target"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["version", "source_code", "target_code"], name="crosswalk_unique_link")
        ]

    def __str__(self) -> str:
        return f"{self.source_code} → {self.target_code}"
