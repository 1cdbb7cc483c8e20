"""The industry–education marketplace: enterprise profiles, postings of every kind with their
moderation and edit history, and the applications made to them."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjiang.core.scope import ScopePaths
from gongjiang.directory.models import Organisation, Person


class EnterpriseSize(models.TextChoices):
    MICRO = "micro", _("微型")
    SMALL = "small", _("小型")
    MEDIUM = "medium", _("中型")
    LARGE = "large", _("大型")


class EnterpriseProfile(models.Model):
    """What a learner or a school needs to know about an enterprise; public once it exists."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="enterprise_profile")
    industry_code = models.CharField(_("行业代码"), max_length=8, help_text=_("国民经济行业分类 GB/T 4754-2017"))
    size = models.CharField(_("企业规模"), max_length=8, choices=EnterpriseSize.choices)
    is_integration_enterprise = models.BooleanField(_("产教融合型企业"), default=False)
    is_rural = models.BooleanField(_("位于乡村"), default=False)
    description = models.TextField(_("企业简介"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="organisation_id", region="organisation__region_code", public=Q(organisation__is_active=True)
    )

    class Meta:
        verbose_name = _("企业档案")
        verbose_name_plural = _("企业档案")

    def __str__(self) -> str:
        return self.organisation.name


class PostingKind(models.TextChoices):
    # published by enterprises
    JOB = "job", _("招聘岗位")
    INTERNSHIP = "internship", _("实习岗位")
    APPRENTICESHIP = "apprenticeship", _("学徒岗位")
    ORDER_CLASS = "order_class", _("订单班")
    COOPERATION = "cooperation", _("合作项目")
    RND_PROJECT = "rnd_project", _("研发项目")
    SERVICE_NEED = "service_need", _("技术服务需求")
    TRAINING_NEED = "training_need", _("培训需求")
    # published by schools
    TALENT = "talent", _("毕业生源")
    TRAINING_OFFER = "training_offer", _("培训服务")
    SERVICE_OFFER = "service_offer", _("技术服务")
    RND_CAPABILITY = "rnd_capability", _("研发能力")


ENTERPRISE_KINDS = (
    PostingKind.JOB, PostingKind.INTERNSHIP, PostingKind.APPRENTICESHIP, PostingKind.ORDER_CLASS,
    PostingKind.COOPERATION, PostingKind.RND_PROJECT, PostingKind.SERVICE_NEED, PostingKind.TRAINING_NEED,
)  # fmt: skip
SCHOOL_KINDS = (
    PostingKind.TALENT, PostingKind.TRAINING_OFFER, PostingKind.SERVICE_OFFER, PostingKind.RND_CAPABILITY,
)  # fmt: skip
# Kinds a learner applies to; the others are answered by organisations.
APPLICABLE_KINDS = (PostingKind.JOB, PostingKind.INTERNSHIP, PostingKind.APPRENTICESHIP)

# What a posting may ask or offer: a skill level (职业技能等级, 五级 to 一级) or a class level of
# the schools. Data, not interface text: stored and searched as written.
SKILL_LEVELS = ("初级工", "中级工", "高级工", "技师", "高级技师")
CLASS_LEVELS = ("中级工班", "高级工班", "预备技师班")
POSTING_LEVELS = SKILL_LEVELS + CLASS_LEVELS
# … shown to the reader in the reader's language (the stored value stays as written).
LEVEL_LABELS = {
    "初级工": _("初级工"), "中级工": _("中级工"), "高级工": _("高级工"), "技师": _("技师"), "高级技师": _("高级技师"),
    "中级工班": _("中级工班"), "高级工班": _("高级工班"), "预备技师班": _("预备技师班"),
}  # fmt: skip


class PostingStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已发布")
    RETURNED = "returned", _("已退回")
    CLOSED = "closed", _("已关闭")


class Posting(models.Model):
    """One offer or need, published after the bureau's moderation; it expires at its deadline."""

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="postings")
    kind = models.CharField(_("类型"), max_length=16, choices=PostingKind.choices)
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("描述"))
    occupation_code = models.CharField(_("职业代码"), max_length=16, blank=True)
    occupation_confidence = models.FloatField(_("职业编码置信度"), null=True, blank=True)
    occupation_evidence = models.JSONField(_("职业编码依据"), default=list, blank=True)
    industry_code = models.CharField(_("行业代码"), max_length=8, blank=True)
    region_code = models.CharField(_("工作地区"), max_length=6, db_index=True)
    level = models.CharField(_("技能或班级层次"), max_length=32, blank=True)
    headcount = models.PositiveIntegerField(_("人数"), null=True, blank=True)
    pay_min = models.PositiveIntegerField(_("月薪下限（元）"), null=True, blank=True)
    pay_max = models.PositiveIntegerField(_("月薪上限（元）"), null=True, blank=True)
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    requirements = models.TextField(_("要求"), blank=True)
    benefits = models.TextField(_("待遇"), blank=True)
    deadline = models.DateField(_("截止日期"), db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=PostingStatus.choices, default=PostingStatus.PENDING)
    return_reason = models.TextField(_("退回原因"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    # The words search matches, segmented once on save (Chinese has no spaces to split on).
    search_text = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="owner_id", region="owner__region_code", public=Q(status=PostingStatus.PUBLISHED)
    )

    class Meta:
        verbose_name = _("供需信息")
        verbose_name_plural = _("供需信息")
        indexes = [
            models.Index(fields=["status", "kind", "region_code"], name="posting_facets"),
            # The public list's two orders, newest first and best paid first, among a million
            # published postings: a page reads the index instead of sorting every match.
            models.Index(
                fields=["-published_at", "-id"], condition=Q(status="published"), name="posting_published_newest"
            ),
            # A learner's recommendations start from the open postings of some occupations or
            # of their middle classes (a code prefix, hence the pattern operator class).
            models.Index(
                fields=["occupation_code", "published_at"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                condition=Q(status="published"),
                name="posting_published_occupation",
            ),
            # Best paid first has an index too, on PostgreSQL only (migration 0007: SQLite cannot
            # index NULLS LAST).
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(pay_min__isnull=True) | Q(pay_max__isnull=True) | Q(pay_min__lte=models.F("pay_max")),
                name="posting_pay_range_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def level_label(self) -> str:
        """The level in the reader's language; a level not in the lists as written."""
        return str(LEVEL_LABELS.get(self.level, self.level))


class PostingRevision(models.Model):
    """A posting as it was before an edit: edits keep history."""

    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    values = models.JSONField()
    edited_by = models.CharField(max_length=150)
    edited_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="posting__owner_id", region="posting__owner__region_code")

    class Meta:
        ordering = ["posting", "-version"]
        constraints = [models.UniqueConstraint(fields=["posting", "version"], name="posting_revision_unique")]

    def __str__(self) -> str:
        return f"{self.posting_id} v{self.version}"


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("已投递")
    VIEWED = "viewed", _("已查看")
    INTERVIEW = "interview", _("面试")
    OFFER = "offer", _("录用意向")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已婉拒")
    REJECTED = "rejected", _("未录用")
    WITHDRAWN = "withdrawn", _("已撤回")


class Application(models.Model):
    """A learner's application to a job, internship or apprenticeship place."""

    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(_("状态"), max_length=16, choices=ApplicationStatus.choices, default="applied")
    message = models.TextField(_("附言"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="posting__owner_id", region="posting__owner__region_code", person="applicant_id"
    )

    class Meta:
        verbose_name = _("申请")
        verbose_name_plural = _("申请")
        constraints = [models.UniqueConstraint(fields=["posting", "applicant"], name="application_once_per_posting")]

    def __str__(self) -> str:
        return f"{self.applicant.name} → {self.posting.title}"


class OrderClassAgreement(models.Model):
    """A school's agreement to an enterprise's order class: the class it opened for it."""

    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="agreements")
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="order_class_agreements")
    school_class = models.OneToOneField("registry.SchoolClass", on_delete=models.PROTECT, related_name="agreement")
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation=("school_id", "posting__owner_id"), region="school__region_code"
    )

    class Meta:
        verbose_name = _("订单班协议")
        verbose_name_plural = _("订单班协议")

    def __str__(self) -> str:
        return f"{self.school.name} · {self.posting.title}"


class NotificationKind(models.TextChoices):
    POSTING = "posting", _("匹配的岗位")
    POLICY = "policy", _("政策通知")
    APPLICATION = "application", _("申请进展")
    # To a publisher: an application arrived, was withdrawn, an offer accepted or declined.
    APPLICANT = "applicant", _("收到的申请")
    MODERATION = "moderation", _("审核结果")


class PolicyNotice(models.Model):
    """A policy a bureau publishes to the learners it concerns (its region, optionally some major
    categories and class levels)."""

    bureau = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="policy_notices")
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"))
    major_categories = models.CharField(
        _("面向专业大类"), max_length=200, blank=True, help_text=_("专业类代码，以逗号分隔；留空为全部")
    )
    class_levels = models.CharField(_("面向班级层次"), max_length=100, blank=True)
    recipients = models.PositiveIntegerField(_("送达人数"), default=0)
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    # Published notices are public: Q() would vanish when OR-ed with the owner condition.
    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="bureau_id", region="bureau__region_code", public=Q(pk__isnull=False)
    )

    class Meta:
        verbose_name = _("政策通知")
        verbose_name_plural = _("政策通知")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """One message in an inbox on the site: a person's (a learner), or an organisation's, shared
    by its staff (a publisher hearing of applications and of the bureau's decisions, ADR 0030)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    kind = models.CharField(_("类别"), max_length=16, choices=NotificationKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    # No region path: a bureau reads no one's post.
    scope: ClassVar[ScopePaths] = ScopePaths(person="person_id", organisation="organisation_id")

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, organisation__isnull=True)
                | Q(person__isnull=True, organisation__isnull=False),
                name="notification_has_one_addressee",
            )
        ]

    def __str__(self) -> str:
        return self.title


class OutgoingEmail(models.Model):
    """An e-mail waiting to be sent (`gongjiang send-mail`), kept after sending."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    to_address = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)

    scope: ClassVar[ScopePaths] = ScopePaths(person="person_id")

    def __str__(self) -> str:
        return self.subject


class PushPreference(models.Model):
    """What a learner chooses to receive, and how."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="push_preference")
    postings = models.BooleanField(_("接收匹配的岗位"), default=True)
    policies = models.BooleanField(_("接收政策通知"), default=True)
    by_email = models.BooleanField(_("同时发送电子邮件"), default=False)
    email = models.EmailField(_("电子邮箱"), blank=True)
    # Consent, off until the learner turns it on: publishers of matching postings may then see the
    # learner's name, school, class and major among the learners recommended to them.
    discoverable = models.BooleanField(_("允许对口岗位的招聘单位看到我并邀请我申请"), default=False)

    scope: ClassVar[ScopePaths] = ScopePaths(person="person_id")

    def __str__(self) -> str:
        return str(self.person_id)
