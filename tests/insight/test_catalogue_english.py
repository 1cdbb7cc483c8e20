"""The catalogues speak the reader's language: every data-quality rule's labels and remedy, and every
indicator's source and description, have an English text, shown when the reader chose English
(issue 18 item 8)."""

from __future__ import annotations

from django.utils import translation

from gongjiang.insight.catalogue import load_catalogue
from gongjiang.insight.quality import rules


def test_every_rule_has_english_labels_and_remedy() -> None:
    for rule in rules():
        assert rule.fix_en, rule.code
        assert bool(rule.left_label_en) == bool(rule.left_label_zh), rule.code
        assert bool(rule.right_label_en) == bool(rule.right_label_zh), rule.code
    rule = next(r for r in rules() if r.code == "profile_complete")
    with translation.override("en"):
        assert (rule.left_label, rule.fix) == (rule.left_label_en, rule.fix_en)
        assert rule.fix.startswith("In the school's profile")
    with translation.override("zh-hans"):
        assert rule.fix == "在学校资料中填写占地面积、建筑面积、实训场所面积、设备总值和图书册数。"


def test_every_indicator_has_an_english_source_and_description() -> None:
    catalogue = load_catalogue()
    for indicator in catalogue.values():
        assert indicator.source_en, indicator.code
        assert bool(indicator.description_en) == bool(indicator.description), indicator.code
    graduates = catalogue["graduates"]
    with translation.override("en"):
        assert graduates.shown_description == "Registrations approved as graduated in the year."
    with translation.override("zh-hans"):
        assert graduates.shown_description == "当年经审核毕业的学籍数。"
