"""Level assessment from the command line (issue 17), run in-process on the test database: a plan
published and a class signed up, scores imported all or nothing (and a dry run that writes nothing), submission, the
bureau's sampling and decision, final results, and a level conferred on a competition winner.
Each refusal exits with 1, names what is wrong in Chinese and changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from gongjiang.assessment.models import AssessmentPlan, PlanStatus, SignUp
from gongjiang.cli import main
from gongjiang.core.actors import Actor
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry import services as registry
from gongjiang.registry.models import SchoolClass, SkillAssessment
from tests.assessment.conftest import TODAY, WELDER
from tests.assessment.test_assessment import enrol, sat

pytestmark = pytest.mark.django_db


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def refused(result: Result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    for word in words:
        assert word in result.output, result.output


def sheet(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    book.active.append(["身份证号", "姓名", "理论成绩", "实操成绩"])
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_plan_is_published_signed_up_scored_all_or_nothing_sampled_and_made_final(
    filed: Organisation, actor_of: Callable[[str], Actor], senior_class: SchoolClass,
    new_person: Callable[..., Person], tmp_path: Path,
) -> None:  # fmt: skip
    zhou, wu = (new_person(name=name, birth=dt.date(2006, 5, i + 1)) for i, name in enumerate(["周", "吴"]))
    for person in (zhou, wu):
        enrol(actor_of, senior_class, person)
    publish_args = [
        "assessment", "plans", "publish", "--body", filed.code, "--occupation", WELDER, "--place", "呼和浩特市职业技能鉴定中心",
        "--capacity", "30", "--signup-opens", str(TODAY - dt.timedelta(days=5)),
        "--signup-closes", str(TODAY + dt.timedelta(days=10)), "--theory-on", str(TODAY + dt.timedelta(days=20)),
        "--practice-on", str(TODAY + dt.timedelta(days=21)),
    ]  # fmt: skip
    refused(cli(*publish_args, "--level", "1"), "未备案评价")  # the filing covers up to level 2
    assert not AssessmentPlan.objects.exists()
    published = cli(*publish_args, "--level", "3", "--json")
    assert published.exit_code == 0, published.output
    plan = AssessmentPlan.objects.get(pk=json.loads(published.output)["id"])
    signed = cli("assessment", "plans", "signup-class", str(plan.pk), str(senior_class.pk), "--json")
    assert signed.exit_code == 0 and json.loads(signed.output)["signed_up"] == 2, signed.output
    refused(cli("assessment", "plans", "signup-class", str(plan.pk), str(senior_class.pk)), "周（", "已报名该计划")
    assert SignUp.objects.filter(plan=plan).count() == 2
    listed = json.loads(cli("assessment", "plans", "list", "--status", "open", "--json").output)
    assert [(p["id"], p["occupation_code"], p["signups"]) for p in listed] == [(plan.pk, WELDER, 2)]
    plan = sat(plan)

    bad = sheet(tmp_path / "bad.xlsx", [[zhou.id_number, "周", 88, 77], [wu.id_number, "吴", 50, 130]])
    result = cli("assessment", "scores", "import", str(plan.pk), str(bad))
    refused(result, "第3行", "【实操成绩】", "超出0到100", "未写入任何数据")
    good = sheet(tmp_path / "good.xlsx", [[zhou.id_number, "周", 88, 77], [wu.id_number, "吴", 50, 90]])
    dry = cli("assessment", "scores", "import", str(plan.pk), str(good), "--dry-run", "--json")
    assert dry.exit_code == 0 and json.loads(dry.output)["updated"] == 2, dry.output
    assert not SignUp.objects.filter(plan=plan, theory_score__isnull=False).exists()
    refused(cli("assessment", "plans", "sample", str(plan.pk), "--signup", "1"), "只能抽查已报送")

    done = cli("assessment", "scores", "import", str(plan.pk), str(good), "--json")
    assert done.exit_code == 0 and json.loads(done.output)["updated"] == 2, done.output
    assert cli("assessment", "plans", "submit", str(plan.pk)).exit_code == 0
    refused(cli("assessment", "plans", "submit", str(plan.pk)), "已报送")
    first = SignUp.objects.filter(plan=plan).order_by("pk").first()
    assert first is not None
    sampled = cli("assessment", "plans", "sample", str(plan.pk), "--signup", str(first.pk), "--json")
    assert sampled.exit_code == 0 and json.loads(sampled.output)["status"] == "sampled", sampled.output
    refused(cli("assessment", "plans", "decide", str(plan.pk), "--return"), "退回须说明原因")
    refused(cli("assessment", "plans", "finalise", str(plan.pk)), "抽查")
    assert AssessmentPlan.objects.get(pk=plan.pk).status == PlanStatus.SAMPLED
    assert cli("assessment", "plans", "decide", str(plan.pk), "--confirm", "--note", "抽查无误").exit_code == 0
    final = cli("assessment", "plans", "finalise", str(plan.pk), "--json")
    assert final.exit_code == 0 and json.loads(final.output)["status"] == "final", final.output
    assert dict(SignUp.objects.filter(plan=plan).values_list("person__name", "result")) == {
        "周": "passed", "吴": "failed"
    }  # fmt: skip
    refused(cli("assessment", "scores", "import", "999999", str(good)), "999999")


def test_a_national_medal_confers_a_level_once_and_a_provincial_prize_does_not(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], filed: Organisation,
    new_person: Callable[..., Person],
) -> None:  # fmt: skip
    winner = new_person(name="冠军", birth=dt.date(2003, 1, 1))

    def award(level: str, rank: str) -> int:
        return registry.award_record(
            actor=actor_of("school"), recorded_by=world["school"], person=winner, competition=f"{level}技能大赛",
            level=level, rank=rank, awarded_on=TODAY - dt.timedelta(days=30), occupation_code=WELDER,
        ).pk  # fmt: skip

    medal, prize = award("national", "金牌"), award("provincial", "一等奖")
    listed = json.loads(cli("assessment", "awards", "list", "--json").output)
    assert [(a["id"], a["conferred_level"]) for a in listed] == [(medal, None)]  # world and national only
    refused(cli("assessment", "awards", "confer", str(prize), "--body", filed.code), "世界或国家级竞赛获奖")
    refused(cli("assessment", "awards", "confer", str(medal), "--body", world["school"].code), "未备案评价")
    assert not SkillAssessment.objects.exists()

    made = cli("assessment", "awards", "confer", str(medal), "--body", filed.code, "--json")
    assert made.exit_code == 0, made.output
    row = json.loads(made.output)
    assert (row["award_id"], row["evaluator"], row["skill_level"]) == (medal, filed.code, 2)
    refused(cli("assessment", "awards", "confer", str(medal), "--body", filed.code), "请勿重复认定")
    assert SkillAssessment.objects.count() == 1
