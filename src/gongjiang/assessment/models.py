"""Skill-level assessment (职业技能等级认定): plans a filed evaluation body publishes, the candidates
who sign up, their scores, and the rules (as data) that decide who may sit and which competition
awards confer a level. Final results go to the register as `registry.SkillAssessment` (ADR 0027)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjiang.core.scope import ScopePaths
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry.models import ClassLevel, CompetitionLevel, Registration, SkillAssessment, SkillLevel


class PlanStatus(models.TextChoices):
    OPEN = "open", _("已发布")
    SUBMITTED = "submitted", _("成绩已报送")
    SAMPLED = "sampled", _("抽查中")
    RETURNED = "returned", _("抽查退回")
    CONFIRMED = "confirmed", _("抽查通过")
    FINAL = "final", _("结果已确定")


# While scores may still change: before submission, and after the bureau sent them back.
SCORING_STATUSES = (PlanStatus.OPEN, PlanStatus.RETURNED)


class AssessmentPlan(models.Model):
    """One sitting an evaluation body publishes, inside its filing: occupation, level, dates,
    place, capacity, the sign-up window and the pass marks (data per plan, default 60/60)."""

    evaluator = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="assessment_plans")
    occupation_code = models.CharField(_("职业代码"), max_length=16)
    occupation_name = models.CharField(_("职业名称"), max_length=120)
    skill_level = models.PositiveSmallIntegerField(_("技能等级"), choices=SkillLevel.choices)
    theory_on = models.DateField(_("理论考试日期"))
    practice_on = models.DateField(_("实操考核日期"))
    place = models.CharField(_("考核地点"), max_length=200)
    capacity = models.PositiveIntegerField(_("名额"))
    signup_opens = models.DateField(_("报名开始"))
    signup_closes = models.DateField(_("报名截止"))
    theory_pass = models.DecimalField(_("理论合格分"), max_digits=4, decimal_places=1, default=Decimal(60))
    practice_pass = models.DecimalField(_("实操合格分"), max_digits=4, decimal_places=1, default=Decimal(60))
    status = models.CharField(_("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    sample_note = models.CharField(_("抽查意见"), max_length=500, blank=True)
    sampled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    # Plans open for sign-up are a public notice: candidates and schools find them.
    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation="evaluator_id", region="evaluator__region_code", public=Q(status=PlanStatus.OPEN)
    )

    class Meta:
        verbose_name = _("认定计划")
        verbose_name_plural = _("认定计划")
        ordering = ["-theory_on", "-pk"]
        indexes = [models.Index(fields=["status", "theory_on"], name="plan_status_theory_on")]
        constraints = [
            models.CheckConstraint(condition=Q(skill_level__gte=1, skill_level__lte=5), name="plan_level_1_5"),
            models.CheckConstraint(condition=Q(signup_closes__gte=models.F("signup_opens")), name="plan_window"),
        ]

    def __str__(self) -> str:
        return f"{self.occupation_name} {SkillLevel(self.skill_level).label} {self.theory_on}"


class SignUpResult(models.TextChoices):
    PENDING = "", _("待定")
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")
    ABSENT = "absent", _("缺考")


class SignUp(models.Model):
    """A candidate on a plan: signed up by themselves (with the years in the trade they declare) or
    by their school (with the registration that made them eligible)."""

    plan = models.ForeignKey(AssessmentPlan, on_delete=models.PROTECT, related_name="signups")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessment_signups")
    school = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="assessment_signups"
    )
    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.PROTECT, related_name="assessment_signups"
    )
    years_in_trade = models.DecimalField(_("从事本职业年限"), max_digits=3, decimal_places=1, default=Decimal(0))
    theory_score = models.DecimalField(_("理论成绩"), max_digits=4, decimal_places=1, null=True, blank=True)
    practice_score = models.DecimalField(_("实操成绩"), max_digits=4, decimal_places=1, null=True, blank=True)
    sampled = models.BooleanField(_("抽查"), default=False)
    result = models.CharField(_("结果"), max_length=8, choices=SignUpResult.choices, blank=True, default="")
    skill_assessment = models.OneToOneField(
        SkillAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="signup"
    )
    signed_up_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    scope: ClassVar[ScopePaths] = ScopePaths(
        organisation=("plan__evaluator_id", "school_id"), region="plan__evaluator__region_code", person="person_id"
    )

    class Meta:
        verbose_name = _("认定报名")
        verbose_name_plural = _("认定报名")
        ordering = ["plan", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "person"], name="signup_once_per_plan")]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.plan}"


class EligibilityRule(models.Model):
    """One way of qualifying to sit a level (申报条件), in force over a period: hold a prior level in
    the occupation and declare enough years in the trade, or study in the final year of a school
    class of a given level. A candidate qualifies when any rule in force for the level holds;
    changing the conditions is a new row with new dates, never an edit of code."""

    skill_level = models.PositiveSmallIntegerField(_("申报等级"), choices=SkillLevel.choices)
    prior_level = models.PositiveSmallIntegerField(
        _("须已取得的等级"), choices=SkillLevel.choices, null=True, blank=True
    )
    min_years = models.DecimalField(_("从事本职业年限不少于"), max_digits=3, decimal_places=1, default=Decimal(0))
    class_level = models.CharField(_("在读班级层次"), max_length=32, choices=ClassLevel.choices, blank=True)
    final_year = models.BooleanField(_("须为最后一学年"), default=False)
    effective_from = models.DateField(_("生效日期"))
    effective_until = models.DateField(_("失效日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("申报条件")
        verbose_name_plural = _("申报条件")
        ordering = ["skill_level", "pk"]

    def __str__(self) -> str:
        return f"{SkillLevel(self.skill_level).label} #{self.pk}"


class AwardRule(models.Model):
    """Which competition awards confer which level directly (竞赛获奖直接认定), in force over a period."""

    competition_level = models.CharField(_("竞赛级别"), max_length=16, choices=CompetitionLevel.choices)
    ranks = models.JSONField(_("名次或奖项"))
    skill_level = models.PositiveSmallIntegerField(_("认定等级"), choices=SkillLevel.choices)
    effective_from = models.DateField(_("生效日期"))
    effective_until = models.DateField(_("失效日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("竞赛获奖认定规则")
        verbose_name_plural = _("竞赛获奖认定规则")
        ordering = ["competition_level", "skill_level"]

    def __str__(self) -> str:
        return f"{self.competition_level} → {SkillLevel(self.skill_level).label}"
