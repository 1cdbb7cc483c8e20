"""Web forms of the marketplace: they only type-check; the services decide and explain."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongjiang.core.forms import DATE_INPUT
from gongjiang.market.models import CLASS_LEVELS, LEVEL_LABELS, SKILL_LEVELS, EnterpriseSize, PostingKind
from gongjiang.refdata.models import Concept, Scheme
from gongjiang.refdata.selectors import ancestors, concept_get, concept_search, normalise_query
from gongjiang.registry.models import ClassLevel

DATE = DATE_INPUT
PICK_OPTIONS = 8  # suggestions shown under a picker as one types
PICK_QUERY_CHARS = 30  # a name, pinyin or code is never longer


def concept_path(concept: Concept) -> str:
    """A concept with what it belongs to, as a reader names it: 内蒙古自治区 › 包头市 › 昆都仑区."""
    return " › ".join(c.name for c in [*ancestors(concept), concept])


class CodePicker(forms.TextInput):
    """A code field that finds its code as one types a name, pinyin or code (htmx asks
    `market:pick` for suggestions; choosing one puts its code in the field) and shows the name of
    the code it holds. Without JavaScript the field still takes a code, or a name that
    `ConceptCodeField` resolves on submit."""

    template_name = "market/_code_picker.html"

    def __init__(self, scheme: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", **(attrs or {})})
        self.scheme = scheme

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        code = str(value or "").strip()[:PICK_QUERY_CHARS]
        chosen = concept_get(self.scheme, code) if code else None
        context["widget"]["picker"] = {
            "url": reverse("market:pick", args=[self.scheme]) + f"?name={name}",
            "chosen": concept_path(chosen) if chosen else "",
            "scheme": self.scheme,
        }
        return context


class ConceptCodeField(forms.CharField):
    """A code of a reference table, typed as a code or as a name (the picker without JavaScript):
    a name found once becomes its code; a name found several times asks which one, naming them."""

    def __init__(self, scheme: str, *, noun: str | Promise, **kwargs: Any) -> None:
        kwargs.setdefault("widget", CodePicker(scheme))
        super().__init__(**kwargs)
        self.scheme, self.noun = scheme, noun

    def clean(self, value: Any) -> str:
        text: str = super().clean(value)
        if not text or concept_get(self.scheme, text) is not None or not any("\u3400" <= ch <= "\u9fff" for ch in text):
            # Empty, a known code, or something that is no name: the service checks codes.
            return text
        found = concept_search(self.scheme, normalise_query(text)[:PICK_QUERY_CHARS], limit=PICK_OPTIONS)
        exact = [c for c in found if c.name == text or concept_path(c).replace(" › ", "") == text]
        if len(exact) == 1 or len(found) == 1:
            return (exact or found)[0].code
        if not found:
            raise ValidationError(
                gettext("没有找到名为“%(name)s”的%(noun)s：请从输入时出现的列表中选择，或填写代码。")
                % {"name": text, "noun": self.noun}
            )
        names = "、".join(f"{concept_path(c)}（{c.code}）" for c in (exact or found)[:5])
        raise ValidationError(
            gettext("“%(name)s”对应多个%(noun)s：%(names)s。请选择其一，或填写代码。")
            % {"name": text, "noun": self.noun, "names": names}
        )


class PostingForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=PostingKind.choices)
    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(label=_("描述"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    occupation_code = ConceptCodeField(
        Scheme.OCCUPATION,
        noun=_("职业"),
        label=_("职业"),
        required=False,
        max_length=PICK_QUERY_CHARS,
        help_text=_(
            "招聘、实习、学徒岗位和订单班留空时按标题和描述自动编码（把握不足时仍为空），可修改；其他类型请自行填写"
        ),
    )
    industry_code = ConceptCodeField(
        Scheme.INDUSTRY, noun=_("行业"), label=_("行业"), required=False, max_length=PICK_QUERY_CHARS
    )
    region_code = ConceptCodeField(Scheme.REGION, noun=_("地区"), label=_("工作地区"), max_length=PICK_QUERY_CHARS)
    level = forms.ChoiceField(
        label=_("技能或班级层次"),
        required=False,
        choices=[
            ("", _("不限")),
            (_("职业技能等级"), [(level, LEVEL_LABELS[level]) for level in SKILL_LEVELS]),
            (_("班级层次"), [(level, LEVEL_LABELS[level]) for level in CLASS_LEVELS]),
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
    industry_code = ConceptCodeField(
        Scheme.INDUSTRY, noun=_("行业"), label=_("行业（国民经济行业分类）"), max_length=PICK_QUERY_CHARS
    )
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
