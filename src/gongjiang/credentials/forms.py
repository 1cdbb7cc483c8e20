"""Forms of the credentials pages: they check types and sizes; the services decide."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjiang.credentials.models import BodyKind, CertificateStatus
from gongjiang.credentials.services.sharing import MAX_DAYS, MIN_DAYS

_LINE = re.compile(r"^\s*(\d-\d{2}-\d{2}-\d{2})\s+([1-5])\s*$")


class FilingForm(forms.Form):
    organisation_code = forms.CharField(label=_("机构代码"), max_length=32)
    body_kind = forms.ChoiceField(label=_("评价机构类型"), choices=BodyKind.choices)
    occupations = forms.CharField(
        label=_("可评价的职业与最高等级"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个：职业代码 最高等级（1 高级技师 … 5 初级工），如“6-18-01-07 3”。"),
    )
    valid_from = forms.DateField(label=_("有效期起"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("有效期止"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_occupations(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for number, line in enumerate(str(self.cleaned_data["occupations"]).splitlines(), start=1):
            if not line.strip():
                continue
            match = _LINE.match(line)
            if match is None:
                raise forms.ValidationError(_("第%(n)d行应为“职业代码 最高等级”，如“6-18-01-07 3”。") % {"n": number})
            found[match.group(1)] = int(match.group(2))
        return found


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500)


class FilingStatusForm(ReasonForm):
    action = forms.ChoiceField(
        label=_("变更"), choices=[("suspend", _("暂停")), ("reinstate", _("恢复")), ("end", _("终止"))]
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CertificateStatusForm(ReasonForm):
    status = forms.ChoiceField(label=_("改为"), choices=CertificateStatus.choices)


class ShareForm(forms.Form):
    days = forms.IntegerField(label=_("有效天数"), min_value=MIN_DAYS, max_value=MAX_DAYS, initial=30)
    label = forms.CharField(label=_("用途说明（仅自己可见）"), max_length=60, required=False)


class EquivalenceForm(forms.Form):
    enabled = forms.TypedChoiceField(
        label=_("规则"), choices=[("1", _("启用")), ("0", _("停用"))], coerce=lambda v: v == "1"
    )
    effective_on = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如依据的文件和条款。"),
    )  # fmt: skip


class DualForm(forms.Form):
    diploma = forms.CharField(widget=forms.HiddenInput, max_length=24)
    # Not required here: the service names what is missing.
    skills = forms.MultipleChoiceField(label=_("职业技能等级证书"), widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["skills"].choices = choices  # type: ignore[attr-defined]
