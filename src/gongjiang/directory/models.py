"""Who is who: organisations, natural persons, user accounts and their memberships."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.scope import ScopePaths


class OrganisationKind(models.TextChoices):
    BUREAU = "bureau", _("人社部门")
    SCHOOL = "school", _("技工院校")
    ENTERPRISE = "enterprise", _("企业")
    EVALUATOR = "evaluator", _("评价机构")


class SchoolTier(models.TextChoices):
    TECHNICIAN_COLLEGE = "technician_college", _("技师学院")
    SENIOR_SCHOOL = "senior_school", _("高级技工学校")
    TECHNICAL_SCHOOL = "technical_school", _("技工学校")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公办")
    ENTERPRISE = "enterprise", _("企业办")
    PRIVATE = "private", _("民办")
    MIXED = "mixed", _("混合所有制")


class Organisation(models.Model):
    """Any body that uses the platform. A bureau is bound to a region and oversees the region below it."""

    code = models.CharField(_("机构代码"), max_length=32, unique=True)
    kind = models.CharField(_("机构类型"), max_length=16, choices=OrganisationKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    region_code = models.CharField(_("行政区划代码"), max_length=6, db_index=True)
    tier = models.CharField(_("院校层次"), max_length=32, choices=SchoolTier.choices, blank=True)
    ownership = models.CharField(_("举办性质"), max_length=16, choices=Ownership.choices, blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="id", region="region_code")

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["kind", "region_code", "code"]

    def __str__(self) -> str:
        return self.name


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    HK_MO_PERMIT = "hk_mo_permit", _("港澳居民来往内地通行证")
    TW_PERMIT = "tw_permit", _("台湾居民来往大陆通行证")
    FOREIGN_PERMANENT = "foreign_permanent", _("外国人永久居留身份证")
    PASSPORT = "passport", _("护照")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Person(models.Model):
    """A natural person, keyed on an identity document; learners, teachers, trainees and staff are persons."""

    name = models.CharField(_("姓名"), max_length=60)
    id_type = models.CharField(_("证件类型"), max_length=24, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = models.CharField(_("证件号码"), max_length=32)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    household_registration = models.CharField(_("户籍地"), max_length=100, blank=True)
    # An identity as an organisation gave it, for a document number the register already holds
    # under a person that organisation may not read (ADR 0023). It holds only what the organisation
    # typed, so its records show nothing it did not know; the bureau confirms it is the registered
    # person (its records then move to them) or returns it.
    claims = models.ForeignKey(
        "self",
        verbose_name=_("待核对的已登记人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimants",
    )
    claimed_by = models.ForeignKey(
        Organisation,
        verbose_name=_("填报机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("核对确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope: ClassVar[ScopePaths] = ScopePaths(person="id")

    class Meta:
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")
        constraints = [
            # One registered person per document; claims on it wait beside it until the bureau decides.
            models.UniqueConstraint(
                fields=["id_type", "id_number"],
                condition=models.Q(claims__isnull=True),
                name="person_unique_id_document",
            ),
            models.UniqueConstraint(
                fields=["claims", "claimed_by", "name"],
                condition=models.Q(claims__isnull=False, merged_at__isnull=True),
                name="person_one_open_claim_per_org_and_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A login. Staff act through memberships; a learner account is bound to a person."""

    person = models.OneToOneField(
        Person,
        verbose_name=_("本人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    STAFF = "staff", _("工作人员")
    VIEWER = "viewer", _("只读")


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[ScopePaths] = ScopePaths(organisation="organisation_id", region="organisation__region_code")

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_org")]

    def __str__(self) -> str:
        return f"{self.user.username} @ {self.organisation.code}"


class SignInFailure(models.Model):
    """One refused sign-in (wrong password or unknown account). Kept, not deleted: a later
    success or an admin's unlock marks the account's failures cleared, so the count that locks
    an account starts again while the trail of attempts stays."""

    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True, db_index=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    cleared = models.BooleanField(_("已清除"), default=False)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")

    def __str__(self) -> str:
        return f"{self.username} @ {self.address or '-'}"


class TwoFactor(models.Model):
    """A user's TOTP authenticator (RFC 6238). Confirmed once the user has typed a code from it;
    from then on sign-in asks for a code after the password. Recovery codes are kept hashed."""

    user = models.OneToOneField(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(_("密钥"), max_length=64)
    confirmed_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    # The last time step accepted: a code is good once, so one seen over a shoulder cannot be replayed.
    last_step = models.BigIntegerField(default=0)
    recovery_codes = models.JSONField(_("恢复码（哈希）"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("两步验证")
        verbose_name_plural = _("两步验证")

    def __str__(self) -> str:
        return f"{self.user.username} TOTP"
