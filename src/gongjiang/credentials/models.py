"""The trust registry (filings of evaluation bodies), issuer keys, certificates, their status lists,
双证书 records and the learner's share links."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjiang.core.scope import ScopePaths
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry.models import CompetitionAward, Registration, SkillAssessment

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


class IssuerKey(models.Model):
    """An issuing organisation's Ed25519 key: the public half here, the private half only in a
    file of the data directory (mode 600)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="issuer_key")
    public_key_multibase = models.CharField(_("公钥"), max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="organisation_id", region="organisation__region_code", public=_EVERYONE
    )

    class Meta:
        verbose_name = _("签发密钥")
        verbose_name_plural = _("签发密钥")

    def __str__(self) -> str:
        return f"{self.organisation} {self.public_key_multibase}"


class StatusPurpose(models.TextChoices):
    REVOCATION = "revocation", _("撤销")
    SUSPENSION = "suspension", _("暂停")


# Bitstring Status List v1.0: at least 131,072 entries, so that one index says nothing about a person.
STATUS_LIST_SIZE = 131_072


class StatusList(models.Model):
    """One bitstring status list of an issuer. `slug` is random so lists cannot be counted."""

    issuer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="status_lists")
    purpose = models.CharField(_("用途"), max_length=16, choices=StatusPurpose.choices)
    slug = models.CharField(max_length=32, unique=True)
    size = models.PositiveIntegerField(default=STATUS_LIST_SIZE)
    bits = models.BinaryField()
    used = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="issuer_id", region="issuer__region_code", public=_EVERYONE)

    class Meta:
        verbose_name = _("状态列表")
        verbose_name_plural = _("状态列表")
        ordering = ["issuer", "purpose", "created_at"]

    def __str__(self) -> str:
        return f"{self.issuer} {self.purpose} {self.slug}"


class CertificateKind(models.TextChoices):
    DIPLOMA = "diploma", _("毕业证书")
    SKILL = "skill", _("职业技能等级证书")


class CertificateBasis(models.TextChoices):
    ASSESSMENT = "assessment", _("技能等级认定合格")
    AWARD = "award", _("技能竞赛获奖直接认定")
    INTEGRATED = "integrated", _("一体化毕业等效认定")
    GRADUATION = "graduation", _("毕业")


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("已撤销")


class Certificate(models.Model):
    """A certificate as issued: the signed credential exactly as handed out, and its state."""

    number = models.CharField(_("证书编号"), max_length=24, unique=True)
    kind = models.CharField(_("证书类型"), max_length=16, choices=CertificateKind.choices)
    basis = models.CharField(_("依据"), max_length=16, choices=CertificateBasis.choices)
    holder = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="certificates")
    issuer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="certificates_issued")
    filing = models.ForeignKey(Filing, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates")
    # One certificate per assessment, per graduation, per award: issuing twice is refused.
    assessment = models.OneToOneField(
        SkillAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="certificate"
    )
    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    award = models.OneToOneField(
        CompetitionAward, null=True, blank=True, on_delete=models.PROTECT, related_name="certificate"
    )
    occupation_code = models.CharField(_("职业代码"), max_length=16, blank=True)
    skill_level = models.PositiveSmallIntegerField(_("技能等级"), null=True, blank=True)
    class_level = models.CharField(_("班级层次"), max_length=32, blank=True)
    major_code = models.CharField(_("专业代码"), max_length=16, blank=True)
    credential = models.JSONField(_("可验证凭证"))
    status = models.CharField(
        _("状态"), max_length=16, choices=CertificateStatus.choices, default=CertificateStatus.ACTIVE
    )
    status_reason = models.CharField(_("状态原因"), max_length=500, blank=True)
    revocation_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="+")
    revocation_index = models.PositiveIntegerField()
    suspension_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="+")
    suspension_index = models.PositiveIntegerField()
    valid_from = models.DateTimeField(_("生效时间"))
    issued_at = models.DateTimeField(_("签发时间"), auto_now_add=True)

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="issuer_id", region="issuer__region_code", person="holder_id")

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        ordering = ["-issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["revocation_list", "revocation_index"], name="certificate_revocation_slot"),
            models.UniqueConstraint(fields=["suspension_list", "suspension_index"], name="certificate_suspension_slot"),
            models.UniqueConstraint(
                fields=["registration"], condition=Q(kind="diploma"), name="certificate_one_diploma_per_registration"
            ),
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(basis="integrated"),
                name="certificate_one_integrated_per_registration",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status", "id"], name="certificate_kind_status")]

    def __str__(self) -> str:
        return self.number


class CertificateEvent(models.Model):
    """Each revocation, suspension or reinstatement of a certificate with its reason."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(_("变更后状态"), max_length=16, choices=CertificateStatus.choices)
    reason = models.CharField(_("原因"), max_length=500)
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="certificate__issuer_id",
        region="certificate__issuer__region_code",
        person="certificate__holder_id",
    )

    class Meta:
        verbose_name = _("证书状态变更")
        verbose_name_plural = _("证书状态变更")
        ordering = ["certificate", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.certificate} {self.status}"


class DualCertificate(models.Model):
    """A 双证书 record: one diploma and the skill certificates that go with it."""

    diploma = models.OneToOneField(Certificate, on_delete=models.PROTECT, related_name="dual")
    skills = models.ManyToManyField(Certificate, related_name="duals")
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="diploma__issuer_id", region="diploma__issuer__region_code", person="diploma__holder_id"
    )

    class Meta:
        verbose_name = _("双证书")
        verbose_name_plural = _("双证书")

    def __str__(self) -> str:
        return str(self.diploma)


class ShareLink(models.Model):
    """A link the holder makes to show one certificate, valid until a date they choose. Only the
    token's hash is kept: the link is shown once."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("用途说明"), max_length=60, blank=True)
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[ScopePaths] = ScopePaths(person="certificate__holder_id")

    class Meta:
        verbose_name = _("分享链接")
        verbose_name_plural = _("分享链接")
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.certificate} → {self.expires_at:%Y-%m-%d}"


class ShareUse(models.Model):
    """When a share link was opened (no more: who opened it is not known, nor kept)."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="uses")
    used_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[ScopePaths] = ScopePaths(person="link__certificate__holder_id")

    class Meta:
        verbose_name = _("分享链接使用记录")
        verbose_name_plural = _("分享链接使用记录")
        ordering = ["-used_at", "id"]

    def __str__(self) -> str:
        return f"{self.link} @ {self.used_at:%Y-%m-%d %H:%M}"


class BatchState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("签发中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未完成")


class IssuingBatch(models.Model):
    """A school's batch of diplomas, issued by a background task; the page shows its progress."""

    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=16, choices=BatchState.choices, default=BatchState.QUEUED)
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已签发"), default=0)
    # Split into parts (registration id modulo `parts`), each a task a worker process takes, so
    # that several processes issue one batch; a part is added to `parts_finished` once, even if
    # it is run again after its worker was killed, and the batch is done when all are.
    parts = models.PositiveSmallIntegerField(_("分几部分"), default=1)
    parts_finished = models.JSONField(default=list, blank=True)
    error = models.CharField(_("未完成原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="school_id", region="school__region_code")

    class Meta:
        verbose_name = _("批量签发")
        verbose_name_plural = _("批量签发")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.school} {self.done}/{self.total}"
