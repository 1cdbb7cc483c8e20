"""The data-quality rules speak the reader's language: every rule's labels and remedy have an
English text, shown when the reader chose English (issue 18 item 8)."""

from __future__ import annotations

from django.utils import translation

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
