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
        return f"{ApplicationKind(self.kind).label} {self.offering}"


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
        # The order of the registration list pages (school, class, registration), and the
        # schools overview's counts by status.
        indexes = [
            models.Index(fields=["school", "school_class", "id"], name="registration_list_order"),
            models.Index(fields=["school", "status"], name="registration_school_status"),
        ]
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
    # Within the school: to another class of the same major (its level or study form may differ),
    # or to a class of another major. The registration moves to the target class on approval.
    CHANGE_CLASS = "change_class", _("转班")
    CHANGE_MAJOR = "change_major", _("转专业")


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
    # The class a 转班 or 转专业 leaves, kept so the history reads "from → to" after the move.
    from_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("原班级"),
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
        # The approval queue reads the pending ones by deadline.
        indexes = [models.Index(fields=["due_on", "id"], condition=Q(decision="pending"), name="event_pending_by_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"], condition=Q(decision="pending"), name="event_one_pending_per_registration"
            )
        ]

    def __str__(self) -> str:
        # The enum's label, not get_kind_display(): that hashes the whole choice table on every
        # call, and an intake's audit labels thousands of events.
        return f"{EventKind(self.kind).label} {self.registration}"


# ---------------------------------------------------------------------------------------------
# Teachers


class TeacherCategory(models.TextChoices):
    SPECIALIST = "specialist", _("专业课教师")
    GENERAL = "general", _("文化课教师")


class Teacher(models.Model):
    """A person teaching at a school: full-time staff or a part-time teacher from an enterprise."""

    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teachers")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="teaching_posts")
    category = models.CharField(_("教师类别"), max_length=16, choices=TeacherCategory.choices)
    full_time = models.BooleanField(_("专任教师"), default=True)
    from_enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("来自企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teachers_lent",
    )
    dual_qualified = models.BooleanField(_("双师型"), default=False)
    dual_evidence = models.TextField(_("双师型依据"), blank=True)
    integrated = models.BooleanField(_("一体化教师"), default=False)
    major_code = models.CharField(_("所教专业代码"), max_length=16, blank=True)
    hired_on = models.DateField(_("聘用日期"))
    left_on = models.DateField(_("离职日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="school_id", region="school__region_code", person="person_id")

    class Meta:
        verbose_name = _("教师")
        verbose_name_plural = _("教师")
        ordering = ["school", "person__name"]
        constraints = [models.UniqueConstraint(fields=["school", "person"], name="teacher_unique_per_school")]

    def __str__(self) -> str:
        return f"{self.person.name} @ {self.school.name}"


class EnterprisePractice(models.Model):
    """A specialist teacher's period of practice in an enterprise (6 months every 5 years, 004 §13)."""

    teacher = models.ForeignKey(Teacher, on_delete=models.PROTECT, related_name="practices")
    enterprise = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    enterprise_name = models.CharField(_("实践企业"), max_length=120)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"))
    months = models.DecimalField(_("月数"), max_digits=5, decimal_places=1)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation=("teacher__school_id", "enterprise_id"), region="teacher__school__region_code"
    )

    class Meta:
        verbose_name = _("企业实践")
        verbose_name_plural = _("企业实践")
        ordering = ["teacher", "started_on"]

    def __str__(self) -> str:
        return f"{self.enterprise_name} {self.started_on:%Y-%m}–{self.ended_on:%Y-%m}"


# ---------------------------------------------------------------------------------------------
# Training


class Funding(models.TextChoices):
    SUBSIDISED = "subsidised", _("补贴性培训")
    MARKET = "market", _("市场化培训")


class SkillLevel(models.IntegerChoices):
    BASIC = 5, _("初级工")
    INTERMEDIATE = 4, _("中级工")
    SENIOR = 3, _("高级工")
    TECHNICIAN = 2, _("技师")
    SENIOR_TECHNICIAN = 1, _("高级技师")


class TrainingProgramme(models.Model):
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="training_programmes")
    name = models.CharField(_("培训项目"), max_length=120)
    occupation_code = models.CharField(_("职业代码"), max_length=16)
    skill_level = models.PositiveSmallIntegerField(_("技能等级"), choices=SkillLevel.choices)
    hours = models.PositiveIntegerField(_("学时"))
    funding = models.CharField(_("培训性质"), max_length=16, choices=Funding.choices)
    funding_source = models.CharField(_("资金来源"), max_length=120, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="provider_id", region="provider__region_code")

    class Meta:
        verbose_name = _("培训项目")
        verbose_name_plural = _("培训项目")
        ordering = ["provider", "-starts_on"]

    def __str__(self) -> str:
        return self.name


class TrainingOutcome(models.TextChoices):
    ENROLLED = "enrolled", _("在训")
    COMPLETED = "completed", _("结业")
    CERTIFIED = "certified", _("取证")
    DROPPED = "dropped", _("中途退出")


class TrainingRecord(models.Model):
    """One trainee in one programme: anyone, student or not."""

    programme = models.ForeignKey(TrainingProgramme, on_delete=models.PROTECT, related_name="records")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="training_records")
    outcome = models.CharField(_("培训结果"), max_length=16, choices=TrainingOutcome.choices)
    certificate_no = models.CharField(_("证书编号"), max_length=64, blank=True)
    finished_on = models.DateField(_("结束日期"), null=True, blank=True)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="programme__provider_id", region="programme__provider__region_code", person="person_id"
    )

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        constraints = [models.UniqueConstraint(fields=["programme", "person"], name="training_record_unique")]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.programme.name}"


# ---------------------------------------------------------------------------------------------
# Apprenticeships and internships


class Consent(models.TextChoices):
    """A record naming two organisations stands only when both agree: the one that did not write
    it answers the request (ADR 0024)."""

    AGREED = "agreed", _("双方已确认")
    PENDING = "pending", _("待对方确认")
    DECLINED = "declined", _("对方已拒绝")


class ConsentFields(models.Model):
    consent = models.CharField(_("对方确认"), max_length=16, choices=Consent.choices, default=Consent.AGREED)
    # The organisation whose answer is awaited (or was given); none when both wrote it together.
    awaiting = models.ForeignKey(
        Organisation, verbose_name=_("待确认方"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_note = models.CharField(_("确认意见"), max_length=200, blank=True)

    class Meta:
        abstract = True


class PlacementStatus(models.TextChoices):
    ACTIVE = "active", _("进行中")
    COMPLETED = "completed", _("已完成")
    TERMINATED = "terminated", _("已终止")


class Apprenticeship(ConsentFields):
    """企业新型学徒制: an employee trained by the enterprise and a school together ('recruited = enrolled')."""

    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="apprenticeships")
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="school_apprenticeships")
    apprentice = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="apprenticeships")
    occupation_code = models.CharField(_("职业代码"), max_length=16)
    enterprise_tutor = models.CharField(_("企业导师"), max_length=60)
    school_tutor = models.CharField(_("学校导师"), max_length=60)
    plan = models.TextField(_("培养计划"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=16, choices=PlacementStatus.choices, default=PlacementStatus.ACTIVE)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation=("school_id", "enterprise_id"), region="school__region_code", person="apprentice_id"
    )

    class Meta:
        verbose_name = _("企业新型学徒")
        verbose_name_plural = _("企业新型学徒")
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["-starts_on", "id"], name="apprenticeship_newest_first")]

    def __str__(self) -> str:
        return f"{self.apprentice.name} @ {self.enterprise.name}"


class Internship(ConsentFields):
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="internships")
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="internships")
    post = models.CharField(_("实习岗位"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    insurance_policy_no = models.CharField(_("实习保险保单号"), max_length=64, blank=True)
    fee_charged = models.DecimalField(_("向学生收取的费用（元）"), max_digits=10, decimal_places=2, default=0)
    status = models.CharField(_("状态"), max_length=16, choices=PlacementStatus.choices, default=PlacementStatus.ACTIVE)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation=("registration__school_id", "enterprise_id"),
        region="registration__school__region_code",
        person="registration__person_id",
    )

    class Meta:
        verbose_name = _("实习")
        verbose_name_plural = _("实习")
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["-starts_on", "id"], name="internship_newest_first")]

    def __str__(self) -> str:
        return f"{self.registration.person.name} @ {self.enterprise.name}"


# ---------------------------------------------------------------------------------------------
# Destinations, assessments, awards


class DestinationKind(models.TextChoices):
    EMPLOYED = "employed", _("就业")
    FURTHER_STUDY = "further_study", _("升学")
    SELF_EMPLOYED = "self_employed", _("自主创业")
    ENLISTED = "enlisted", _("应征入伍")
    NOT_EMPLOYED = "not_employed", _("待就业")


class Destination(models.Model):
    """A graduate's destination at a census date (one record per graduate and date)."""

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="destinations")
    census_date = models.DateField(_("统计时点"))
    kind = models.CharField(_("去向"), max_length=16, choices=DestinationKind.choices)
    employer = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    employer_name = models.CharField(_("就业单位"), max_length=120, blank=True)
    occupation_code = models.CharField(_("职业代码"), max_length=16, blank=True)
    in_field = models.BooleanField(_("对口就业"), null=True, blank=True)
    monthly_pay = models.DecimalField(_("月收入（元）"), max_digits=9, decimal_places=2, null=True, blank=True)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="registration__school_id",
        region="registration__school__region_code",
        person="registration__person_id",
    )

    class Meta:
        verbose_name = _("毕业去向")
        verbose_name_plural = _("毕业去向")
        indexes = [models.Index(fields=["-census_date", "registration"], name="destination_list_order")]
        constraints = [
            models.UniqueConstraint(fields=["registration", "census_date"], name="destination_one_per_census")
        ]

    def __str__(self) -> str:
        return f"{self.registration.person.name} {DestinationKind(self.kind).label}"


class AssessmentResult(models.TextChoices):
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")


class AssessmentBasis(models.TextChoices):
    RECORDED = "recorded", _("登记")
    PLAN = "plan", _("认定计划")
    AWARD = "award", _("竞赛获奖直接认定")


class SkillAssessment(models.Model):
    """A skill-level assessment by a recognised evaluation body (or a school filed as one): typed
    in, the final result of an assessment plan, or a level a competition award confers (the
    award is then its evidence)."""

    evaluator = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="assessments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments")
    occupation_code = models.CharField(_("职业代码"), max_length=16)
    skill_level = models.PositiveSmallIntegerField(_("技能等级"), choices=SkillLevel.choices)
    assessed_on = models.DateField(_("认定日期"))
    result = models.CharField(_("结果"), max_length=8, choices=AssessmentResult.choices)
    certificate_no = models.CharField(_("证书编号"), max_length=64, blank=True)
    basis = models.CharField(
        _("认定依据"), max_length=16, choices=AssessmentBasis.choices, default=AssessmentBasis.RECORDED
    )
    award = models.OneToOneField(
        "CompetitionAward",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conferred",
        verbose_name=_("依据的竞赛获奖"),
    )

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="evaluator_id", region="evaluator__region_code", person="person_id"
    )

    class Meta:
        verbose_name = _("技能等级认定")
        verbose_name_plural = _("技能等级认定")
        ordering = ["-assessed_on"]

    def __str__(self) -> str:
        return f"{self.person.name} {self.occupation_code} {SkillLevel(self.skill_level).label}"


class CompetitionLevel(models.TextChoices):
    WORLD = "world", _("世界技能大赛")
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")


class CompetitionAward(models.Model):
    recorded_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="awards")
    competition = models.CharField(_("竞赛名称"), max_length=150)
    level = models.CharField(_("竞赛级别"), max_length=16, choices=CompetitionLevel.choices)
    rank = models.CharField(_("名次或奖项"), max_length=40)
    occupation_code = models.CharField(_("职业代码"), max_length=16, blank=True)
    awarded_on = models.DateField(_("获奖日期"))

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="recorded_by_id", region="recorded_by__region_code", person="person_id"
    )

    class Meta:
        verbose_name = _("技能竞赛获奖")
        verbose_name_plural = _("技能竞赛获奖")
        ordering = ["-awarded_on"]

    def __str__(self) -> str:
        return f"{self.person.name} {self.competition} {self.rank}"


class ClaimReturn(models.Model):
    """The bureau's return of an identity claim to the organisation that typed it, with its reason
    (ADR 0032). The organisation corrects the name or number of its records; the correction is
    checked as a new write is, and the result goes back to the bureau. The row keeps what was
    returned and when it was corrected; it never says whom the correction resolved to."""

    claim = models.ForeignKey(Person, verbose_name=_("退回的身份"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("填报单位"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("退回原因"), max_length=300)
    returned_at = models.DateTimeField(_("退回时间"), auto_now_add=True)
    corrected_at = models.DateTimeField(_("更正时间"), null=True, blank=True)
    # Who the corrected records are about now: the bureau's to read, never shown to the writer.
    corrected_to = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="organisation_id", region="organisation__region_code")

    class Meta:
        verbose_name = _("身份核对退回")
        verbose_name_plural = _("身份核对退回")
        ordering = ["-returned_at", "-pk"]
        constraints = [
            # A claim is returned once at a time: a second return waits for the correction.
            models.UniqueConstraint(
                fields=["claim"], condition=Q(corrected_at__isnull=True), name="claim_return_one_open_per_claim"
            )
        ]

    def __str__(self) -> str:
        return f"{self.claim.name} · {self.reason}"
