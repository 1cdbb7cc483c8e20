"""Web forms of the marketplace: they only type-check; the services decide and explain."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjiang.core.forms import DATE_INPUT
from gongjiang.market.models import CLASS_LEVELS, SKILL_LEVELS, EnterpriseSize, PostingKind
from gongjiang.registry.models import ClassLevel

DATE = DATE_INPUT


class PostingForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=PostingKind.choices)
    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(label=_("描述"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    occupation_code = forms.CharField(
        label=_("职业代码"),
        required=False,
        max_length=16,
        help_text=_(
            "招聘、实习、学徒岗位和订单班留空时按标题和描述自动编码（把握不足时仍为空），可修改；其他类型请自行填写"
        ),
    )
    industry_code = forms.CharField(label=_("行业代码"), required=False, max_length=8)
    region_code = forms.CharField(label=_("工作地区代码"), max_length=6)
    level = forms.ChoiceField(
        label=_("技能或班级层次"),
        required=False,
        choices=[
            ("", _("不限")),
            (_("职业技能等级"), [(level, level) for level in SKILL_LEVELS]),
            (_("班级层次"), [(level, level) for level in CLASS_LEVELS]),
        ],
    )
    headcount = forms.IntegerField(label=_("人数"), required=False, min_value=1)
    pay_min = forms.IntegerField(label=_("月薪下限（元）"), required=False, min_value=0)
    pay_max = forms.IntegerField(label=_("月薪上限（元）"), required=False, min_value=0)
    starts_on = forms.DateField(label=_("开始日期"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), required=False, widget=DATE)
    requirements = forms.CharField(
        label=_("要求"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )
    benefits = forms.CharField(
        label=_("待遇"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    deadline = forms.DateField(label=_("截止日期"), widget=DATE)


class ProfileForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    industry_code = forms.CharField(label=_("行业代码（国民经济行业分类）"), max_length=8)
    size = forms.ChoiceField(label=_("企业规模"), choices=EnterpriseSize.choices)
    is_integration_enterprise = forms.BooleanField(label=_("产教融合型企业"), required=False)
    is_rural = forms.BooleanField(label=_("位于乡村"), required=False)
    description = forms.CharField(
        label=_("企业简介"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=3000
    )
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    contact_email = forms.EmailField(label=_("电子邮箱"), required=False)
    address = forms.CharField(label=_("地址"), required=False, max_length=200)


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(choices=[("publish", _("发布")), ("return", _("退回"))])
    reason = forms.CharField(label=_("退回原因"), required=False, max_length=500)


class PreferenceForm(forms.Form):
    postings = forms.BooleanField(label=_("接收与我专业对口的新岗位"), required=False)
    policies = forms.BooleanField(label=_("接收与我有关的政策通知"), required=False)
    by_email = forms.BooleanField(label=_("同时发送电子邮件"), required=False)
    email = forms.CharField(label=_("电子邮箱"), required=False, max_length=254)
    discoverable = forms.BooleanField(
        label=_("允许对口岗位的招聘单位看到我的姓名、学校、班级和专业，并邀请我申请"), required=False
    )


class PolicyForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000)
    major_categories = forms.CharField(
        label=_("面向专业大类代码（以逗号分隔，留空为全部）"), required=False, max_length=200
    )
    class_levels = forms.MultipleChoiceField(
        label=_("面向班级层次（不选为全部）"),
        required=False,
        choices=ClassLevel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
