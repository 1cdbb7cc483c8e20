"""The register of record: schools' facts, the majors they offer, classes, and registrations whose
status is an append-only log of events, each approved by the bureau."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjiang.core.scope import ScopePaths
from gongjiang.directory.models import Organisation, Person


class ClassLevel(models.TextChoices):
    INTERMEDIATE = "intermediate", _("中级工班")
    SENIOR = "senior", _("高级工班")
    PREPARATORY_TECHNICIAN = "preparatory_technician", _("预备技师（技师）班")


class StudyForm(models.TextChoices):
    FULL_TIME = "full_time", _("全日制")
    PART_TIME = "part_time", _("非全日制")


class SchoolProfile(models.Model):
    """The facts the setting standards judge, kept per school; edited with optimistic locking."""

    school = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="profile")
    land_area_m2 = models.DecimalField(_("占地面积（平方米）"), max_digits=12, decimal_places=2, null=True, blank=True)
    floor_area_m2 = models.DecimalField(_("建筑面积（平方米）"), max_digits=12, decimal_places=2, null=True, blank=True)
    training_floor_area_m2 = models.DecimalField(
        _("实训场所面积（平方米）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    equipment_value_wan = models.DecimalField(
        _("教学仪器设备总值（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    books = models.PositiveIntegerField(_("图书（册）"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    version = models.PositiveIntegerField(default=1)

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="school_id", region="school__region_code")

    class Meta:
        verbose_name = _("院校办学条件")
        verbose_name_plural = _("院校办学条件")

    def __str__(self) -> str:
        return str(self.school)


class OfferingStatus(models.TextChoices):
    APPLIED = "applied", _("待备案")
    FILED = "filed", _("已备案")
    RETURNED = "returned", _("已退回")
    STOPPED = "stopped", _("已停办")


class MajorOffering(models.Model):
    """A major of the catalogue that a school runs (or has asked to run), with the class levels filed."""

    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="major_offerings")
    major_code = models.CharField(_("专业代码"), max_length=16)
    major_name = models.CharField(_("专业名称"), max_length=100)
    class_levels = models.JSONField(_("已备案班级层次"), default=list)
    status = models.CharField(_("状态"), max_length=16, choices=OfferingStatus.choices)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="school_id", region="school__region_code")

    class Meta:
        verbose_name = _("开设专业")
        verbose_name_plural = _("开设专业")
        ordering = ["school", "major_code"]
        constraints = [models.UniqueConstraint(fields=["school", "major_code"], name="offering_unique_major")]

    def __str__(self) -> str:
        return f"{self.major_code} {self.major_name}"


class ApplicationKind(models.TextChoices):
    ADD = "add", _("新增")
    ADJUST = "adjust", _("调整")
    STOP = "stop", _("停办")


class Decision(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")


class MajorApplication(models.Model):
    """A school's request to add, adjust or stop a major; the bureau files it or returns it with a reason."""

    offering = models.ForeignKey(MajorOffering, on_delete=models.PROTECT, related_name="applications")
    kind = models.CharField(_("申请类型"), max_length=8, choices=ApplicationKind.choices)
    class_levels = models.JSONField(_("申请班级层次"), default=list)
    reason = models.TextField(_("申请理由"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    due_on = models.DateField(_("办理期限"))
    decision = models.CharField(_("审核结果"), max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="offering__school_id", region="offering__school__region_code")

    class Meta:
        verbose_name = _("专业备案申请")
        verbose_name_plural = _("专业备案申请")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One open request per major at a time: the bureau decides on one thing.
            models.UniqueConstraint(
                fields=["offering"], condition=Q(decision="pending"), name="application_one_pending_per_offering"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.offering}"


class SchoolClass(models.Model):
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="classes")
    offering = models.ForeignKey(MajorOffering, on_delete=models.PROTECT, related_name="classes")
    name = models.CharField(_("班级名称"), max_length=60)
    class_level = models.CharField(_("班级层次"), max_length=32, choices=ClassLevel.choices)
    form = models.CharField(_("学习形式"), max_length=16, choices=StudyForm.choices)
    cohort_year = models.PositiveSmallIntegerField(_("入学年份"))
    planned_years = models.DecimalField(_("学制（年）"), max_digits=3, decimal_places=1)
    partner = models.ForeignKey(
        Organisation,
        verbose_name=_("订单班合作企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_classes",
    )
    version = models.PositiveIntegerField(default=1)

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="school_id", region="school__region_code")

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["school", "-cohort_year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "cohort_year", "name"], name="class_unique_name_per_cohort")
        ]

    def __str__(self) -> str:
        return self.name


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ENROLLED = "enrolled", _("注册在籍")
    SUSPENDED = "suspended", _("休学")
    TRANSFERRED_OUT = "transferred_out", _("已转出")
    WITHDRAWN = "withdrawn", _("退学")
    COMPLETED = "completed", _("结业")
    GRADUATED = "graduated", _("毕业")
    EXPELLED = "expelled", _("开除")
    REJECTED = "rejected", _("未通过注册")


# A registration holds the learner's place while it is pending, enrolled or suspended.
ACTIVE_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.ENROLLED, RegistrationStatus.SUSPENDED)


class Registration(models.Model):
    """A person's place in a class. `status` is the latest approved event's result, kept for queries;
    the events are the record."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="registrations")
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="registrations")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="registrations")
    form = models.CharField(_("学习形式"), max_length=16, choices=StudyForm.choices)
    enrolled_on = models.DateField(_("入学日期"))
    status = models.CharField(_("学籍状态"), max_length=16, choices=RegistrationStatus.choices)
    is_active = models.BooleanField(default=True)
    transferred_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="transferred_to"
    )
    version = models.PositiveIntegerField(default=1)

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="school_id", region="school__region_code", person="person_id")

    class Meta:
        verbose_name = _("学籍")
        verbose_name_plural = _("学籍")
        ordering = ["school", "school_class", "person__name"]
        constraints = [
            # At most one active full-time registration per person in the whole system.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(form="full_time", is_active=True),
                name="registration_one_active_full_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.school_class}"


class EventKind(models.TextChoices):
    REGISTER = "register", _("注册")
    SUSPEND = "suspend", _("休学")
    RESUME = "resume", _("复学")
    TRANSFER_OUT = "transfer_out", _("转学（转出）")
    WITHDRAW = "withdraw", _("退学")
    COMPLETE = "complete", _("结业")
    GRADUATE = "graduate", _("毕业")
    EXPEL = "expel", _("开除")


class RegistrationEvent(models.Model):
    """One change of a registration's status, with its effective date, reason and approval.
    Never edited: a decision fills the decision fields of a pending event once."""

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事项"), max_length=16, choices=EventKind.choices)
    effective_on = models.DateField(_("生效日期"))
    reason = models.TextField(_("原因"), blank=True)
    target_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("转入班级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    due_on = models.DateField(_("办理期限"))
    decision = models.CharField(_("审核结果"), max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="registration__school_id",
        region="registration__school__region_code",
        person="registration__person_id",
    )

    class Meta:
        verbose_name = _("学籍异动")
        verbose_name_plural = _("学籍异动")
        ordering = ["registration", "requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"], condition=Q(decision="pending"), name="event_one_pending_per_registration"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.registration}"
