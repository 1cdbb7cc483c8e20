"""Names the demo generator composes."""

from __future__ import annotations


def test_enterprise_names_say_no_word_twice() -> None:
    from gongjiang.demo.generator import enterprise_name

    assert enterprise_name("赤峰市", "赤峰云谷", "数据科技有限公司") == "赤峰云谷数据科技有限公司"
    assert enterprise_name("包头市", "蒙西电力", "电力工程有限公司") == "包头蒙西电力工程有限公司"
    assert enterprise_name("呼和浩特市", "北方重工", "装备制造有限公司") == "呼和浩特北方重工装备制造有限公司"
