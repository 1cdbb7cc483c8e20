"""Form labels end with the Chinese colon in the Chinese interface."""

from __future__ import annotations

from django import forms
from django.utils import translation


def test_a_form_label_ends_with_the_full_width_colon() -> None:
    class Named(forms.Form):
        name = forms.CharField(label="姓名")

    with translation.override("zh-hans"):
        assert "姓名：" in Named().as_p()
    with translation.override("en"):
        assert "姓名:" in Named().as_p()
