"""What `gongjiang demo` prints about the region it built, including the assessment plans it ran."""

from __future__ import annotations

from gongjiang.cli.site import region_summary
from gongjiang.demo.generator import DemoRegion
from gongjiang.demo.plans import PlanCounts


def test_the_summary_names_the_plans_their_candidates_and_certificates() -> None:
    counts = PlanCounts(plans=2, signups=31, passed=22, failed=7, absent=2, sampled=6, certificates=22)
    lines = region_summary(DemoRegion(organisations=40, students=2000, plans=counts))
    assert lines[0] == "演示地区已生成：40 个机构，2000 名学生。"
    assert lines[-1] == (
        "技能等级认定计划 2 个，从发布到签发走完全程：报名考生 31 名（合格 22、不合格 7、缺考 2），"
        "抽查 6 名，签发职业技能等级证书 22 张。"
    )
    # A region built without students ran no plans, and says nothing about them.
    assert len(region_summary(DemoRegion(organisations=40))) == 1
