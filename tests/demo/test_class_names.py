"""The generated region's class names carry their major as schools write it: whole words, no
half-cut names (发电厂及中级26班 was one)."""

from __future__ import annotations

import pytest

from gongjiang.demo.register import class_short_name


@pytest.mark.parametrize(
    ("major", "short"),
    [
        ("发电厂及变电站电气设备", "发电厂"),
        ("机电一体化技术", "机电一体化"),
        ("电气自动化设备安装与维修", "电气自动化"),
        ("新能源汽车检测与维修", "新能源汽车"),
        ("数控加工（数控车工）", "数控加工"),
        ("汽车维修", "汽车维修"),
        ("会计", "会计"),
    ],
)
def test_a_class_name_shortens_its_major_by_whole_words(major: str, short: str) -> None:
    assert class_short_name(major) == short
