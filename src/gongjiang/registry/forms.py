"""Web forms for the records around the register. They only read and type-check what the clerk
typed; every rule lives in the services, whose refusals are shown on the form's own fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from gongjiang.core.forms import DATE_INPUT
from gongjiang.directory import selectors as directory
from gongjiang.directory.models import Organisation
from gongjiang.registry.models import (
    AssessmentResult,
    CompetitionLevel,
    DestinationKind,
    Funding,
    SkillLevel,
    TeacherCategory,
    TrainingOutcome,
)

DATE = DATE_INPUT


class OrganisationCodeField(forms.CharField):
    """An organisation named by its code (another party, outside the clerk's own scope)."""

    def __init__(self, *, kind: str = "", **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Organisation | None:
        code = super().clean(value).strip().upper()
        if not code:
            return None
        try:
            organisation = directory.organisation_by_code(code=code)
        except Http404 as exc:
            raise ValidationError(_("没有找到机构代码“%(code)s”。") % {"code": code}) from exc
        if self.kind and organisation.kind != self.kind:
            raise ValidationError(_("“%(name)s”不是企业。") % {"name": organisation.name})
        return organisation


class PersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=18)


class TeacherForm(PersonForm):
    category = forms.ChoiceField(label=_("教师类别"), choices=TeacherCategory.choices)
    hired_on = forms.DateField(label=_("聘用日期"), widget=DATE)
    full_time = forms.BooleanField(label=_("专任教师"), required=False, initial=True)
    from_enterprise = OrganisationCodeField(
        label=_("来源企业机构代码（企业兼职教师填写）"), required=False, kind="enterprise"
    )
    dual_qualified = forms.BooleanField(label=_("双师型教师"), required=False)
    dual_evidence = forms.CharField(label=_("双师型认定依据"), required=False, max_length=200)
    integrated = forms.BooleanField(label=_("一体化教师"), required=False)
    major_code = forms.CharField(label=_("任教专业代码"), required=False, max_length=16)


class TeacherEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("教师类别"), choices=TeacherCategory.choices)
    dual_qualified = forms.BooleanField(label=_("双师型教师"), required=False)
    dual_evidence = forms.CharField(label=_("双师型认定依据"), required=False, max_length=200)
    integrated = forms.BooleanField(label=_("一体化教师"), required=False)
    major_code = forms.CharField(label=_("任教专业代码"), required=False, max_length=16)


class PracticeForm(forms.Form):
    enterprise = OrganisationCodeField(label=_("实践企业机构代码（平台内企业）"), required=False, kind="enterprise")
    enterprise_name = forms.CharField(label=_("实践企业名称（平台外企业）"), required=False, max_length=100)
    started_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ended_on = forms.DateField(label=_("结束日期"), widget=DATE)


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=100)
    occupation_code = forms.CharField(label=_("职业代码（职业分类大典）"), max_length=16)
    skill_level = forms.TypedChoiceField(label=_("技能等级"), choices=SkillLevel.choices, coerce=int)
    hours = forms.IntegerField(label=_("学时"), min_value=1, max_value=5000)
    funding = forms.ChoiceField(label=_("培训性质"), choices=Funding.choices)
    funding_source = forms.CharField(label=_("资金来源"), required=False, max_length=100)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)


class TraineeForm(PersonForm):
    outcome = forms.ChoiceField(label=_("培训结果"), choices=TrainingOutcome.choices)
    certificate_no = forms.CharField(label=_("证书编号"), required=False, max_length=50)
    finished_on = forms.DateField(label=_("结束日期"), required=False, widget=DATE)


class ApprenticeshipForm(PersonForm):
    enterprise = OrganisationCodeField(label=_("企业机构代码"), kind="enterprise")
    school = OrganisationCodeField(label=_("培训院校机构代码"))
    occupation_code = forms.CharField(label=_("职业代码"), max_length=16)
    enterprise_tutor = forms.CharField(label=_("企业导师"), max_length=50)
    school_tutor = forms.CharField(label=_("院校导师"), max_length=50)
    plan = forms.CharField(label=_("培养计划"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)


class InternshipForm(forms.Form):
    registration = forms.IntegerField(label=_("学籍编号"), min_value=1)
    enterprise = OrganisationCodeField(label=_("实习单位机构代码"), kind="enterprise")
    post = forms.CharField(label=_("实习岗位"), max_length=100)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    insurance_policy_no = forms.CharField(label=_("实习责任保险保单号"), required=False, max_length=50)
    fee_charged = forms.DecimalField(
        label=_("向学生收取的费用（元）"), required=False, min_value=0, max_digits=10, decimal_places=2
    )


class DestinationForm(forms.Form):
    registration = forms.IntegerField(label=_("学籍编号"), min_value=1)
    census_date = forms.DateField(label=_("统计截止日期"), widget=DATE)
    kind = forms.ChoiceField(label=_("毕业去向"), choices=DestinationKind.choices)
    employer = OrganisationCodeField(label=_("就业单位机构代码（平台内企业）"), required=False, kind="enterprise")
    employer_name = forms.CharField(label=_("就业单位名称"), required=False, max_length=100)
    occupation_code = forms.CharField(label=_("职业代码"), required=False, max_length=16)
    in_field = forms.NullBooleanField(label=_("专业对口"), required=False)
    monthly_pay = forms.DecimalField(
        label=_("月收入（元）"), required=False, min_value=0, max_digits=10, decimal_places=2
    )


class AssessmentForm(PersonForm):
    occupation_code = forms.CharField(label=_("职业代码"), max_length=16)
    skill_level = forms.TypedChoiceField(label=_("技能等级"), choices=SkillLevel.choices, coerce=int)
    assessed_on = forms.DateField(label=_("认定日期"), widget=DATE)
    result = forms.ChoiceField(label=_("结果"), choices=AssessmentResult.choices)
    certificate_no = forms.CharField(label=_("证书编号"), required=False, max_length=50)


class AwardForm(PersonForm):
    competition = forms.CharField(label=_("竞赛名称"), max_length=200)
    level = forms.ChoiceField(label=_("竞赛级别"), choices=CompetitionLevel.choices)
    rank = forms.CharField(label=_("获奖等次"), max_length=50)
    awarded_on = forms.DateField(label=_("获奖日期"), widget=DATE)
    occupation_code = forms.CharField(label=_("职业（工种）代码"), required=False, max_length=16)
