"""Forms of the assessment pages: they check types and bounds only; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjiang.registry.models import SkillLevel


class DateInput(forms.DateInput):
    input_type = "date"


class PlanForm(forms.Form):
    occupation_code = forms.CharField(
        label=_("职业代码"), max_length=16, help_text=_("职业分类大典代码，如 6-18-02-04")
    )
    skill_level = forms.TypedChoiceField(label=_("技能等级"), choices=SkillLevel.choices, coerce=int)
    theory_on = forms.DateField(label=_("理论考试日期"), widget=DateInput)
    practice_on = forms.DateField(label=_("实操考核日期"), widget=DateInput)
    place = forms.CharField(label=_("考核地点"), max_length=200)
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=5000)
    signup_opens = forms.DateField(label=_("报名开始"), widget=DateInput)
    signup_closes = forms.DateField(label=_("报名截止"), widget=DateInput)
    theory_pass = forms.DecimalField(
        label=_("理论合格分"), initial=Decimal(60), min_value=Decimal("0.1"), max_value=Decimal(100), decimal_places=1
    )
    practice_pass = forms.DecimalField(
        label=_("实操合格分"), initial=Decimal(60), min_value=Decimal("0.1"), max_value=Decimal(100), decimal_places=1
    )


class SelfSignUpForm(forms.Form):
    years_in_trade = forms.DecimalField(
        label=_("从事本职业年限（年）"),
        min_value=Decimal(0),
        max_value=Decimal(60),
        decimal_places=1,
        initial=Decimal(0),
    )


class ClassSignUpForm(forms.Form):
    school_class = forms.TypedChoiceField(label=_("班级"), coerce=int)

    def __init__(self, *args: object, classes: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["school_class"].choices = classes  # type: ignore[attr-defined]


class ScoreForm(forms.Form):
    signup = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    theory = forms.CharField(label=_("理论成绩"), max_length=8, required=False)
    practice = forms.CharField(label=_("实操成绩"), max_length=8, required=False)


class ScoresUploadForm(forms.Form):
    file = forms.FileField(label=_("成绩表（xlsx/csv）"))
    dry_run = forms.BooleanField(label=_("只检查，不导入"), required=False)


class SampleDecisionForm(forms.Form):
    confirm = forms.TypedChoiceField(
        label=_("抽查结论"), choices=[("1", _("抽查通过")), ("0", _("退回更正"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConferForm(forms.Form):
    award = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    evaluator_code = forms.CharField(label=_("评价机构代码"), max_length=32)
