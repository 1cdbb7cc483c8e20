"""`assessment`: level assessment from the command line (issue 17): plans published and listed, a
school's class signed up, scores imported from a spreadsheet (the all-or-nothing import the page
uses), the body's submission, the bureau's sampling and its decision, final results, and levels
conferred on competition winners.
Each step calls the service the pages and the API call and refuses what they refuse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from gongjiang.cli.base import _organisation, _refusals, _setup, data_dir_option, main

_AS_JSON = click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
_ID = click.IntRange(1, 2**63 - 1)


@main.group("assessment")
def assessment_group() -> None:
    """职业技能等级认定：认定计划、成绩导入、报送、抽查、确定结果、竞赛获奖直接认定。"""


@assessment_group.group("plans")
def plans_group() -> None:
    """认定计划：列出，发布，按班级报名，报送成绩，抽查，确定结果。"""


def _plan_row(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk, "evaluator": p.evaluator.code, "occupation_code": p.occupation_code,
        "occupation_name": p.occupation_name, "skill_level": p.skill_level, "status": p.status,
        "theory_on": p.theory_on.isoformat(), "practice_on": p.practice_on.isoformat(), "capacity": p.capacity,
        "signups": getattr(p, "taken", None), "version": p.version,
    }  # fmt: skip


def _print_plan(row: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(row, ensure_ascii=False, indent=2))
        return
    taken = "" if row["signups"] is None else f" 已报 {row['signups']}/{row['capacity']}"
    click.echo(
        f"{row['id']:>6} {row['status']:<10} {row['evaluator']:<20} {row['occupation_code']} {row['occupation_name']} "
        f"{row['skill_level']}级 理论 {row['theory_on']}{taken}"
    )


@plans_group.command("list")
@data_dir_option
@click.option(
    "--status", type=click.Choice(["open", "submitted", "sampled", "returned", "confirmed", "final"]), default=None,
    help="计划状态。",
)  # fmt: skip
@_AS_JSON
def plans_list(data_dir: Path | None, status: str | None, as_json: bool) -> None:
    """列出认定计划（编号、状态、评价机构、职业、等级、理论考试日期、报名人数）。"""
    _setup(data_dir)
    from gongjiang.assessment.selectors import plan_list
    from gongjiang.core.actors import system_actor

    rows = [_plan_row(p) for p in plan_list(actor=system_actor(), status=status or "")]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        _print_plan(row, as_json=False)


def _plan(actor: Any, plan_id: int) -> Any:
    from django.http import Http404

    from gongjiang.assessment.selectors import plan_get

    try:
        return plan_get(actor=actor, plan_id=plan_id)
    except Http404:
        raise click.ClickException(f"没有编号为 {plan_id} 的认定计划。") from None


_DATE = click.DateTime(formats=["%Y-%m-%d"])


@plans_group.command("publish")
@data_dir_option
@click.option("--body", "body_code", required=True, help="发布计划的评价机构（或备案的技工院校）的机构代码。")
@click.option("--occupation", "occupation_code", required=True, help="职业分类大典代码。")
@click.option("--level", "skill_level", type=click.IntRange(1, 5), required=True, help="等级：1 高级技师 … 5 初级工。")
@click.option("--theory-on", type=_DATE, required=True, help="理论考试日期（YYYY-MM-DD）。")
@click.option("--practice-on", type=_DATE, required=True, help="实操考核日期（YYYY-MM-DD）。")
@click.option("--place", required=True, help="考核地点（最多 200 字）。")
@click.option("--capacity", type=click.IntRange(1, 5_000), required=True, help="名额。")
@click.option("--signup-opens", type=_DATE, required=True, help="报名开始日期。")
@click.option("--signup-closes", type=_DATE, required=True, help="报名截止日期。")
@click.option("--theory-pass", type=click.FloatRange(0, 100), default=60, show_default=True, help="理论合格分。")
@click.option("--practice-pass", type=click.FloatRange(0, 100), default=60, show_default=True, help="实操合格分。")
@_AS_JSON
def plans_publish(
    data_dir: Path | None, body_code: str, occupation_code: str, skill_level: int, theory_on: Any,
    practice_on: Any, place: str, capacity: int, signup_opens: Any, signup_closes: Any, theory_pass: float,
    practice_pass: float, as_json: bool,
) -> None:  # fmt: skip
    """以评价机构的名义发布认定计划；只能发布该机构备案覆盖考试日期的职业和等级。"""
    _setup(data_dir)
    from decimal import Decimal

    from gongjiang.assessment.services import plan_publish
    from gongjiang.core.actors import system_actor

    if len(place) > 200:
        raise click.BadParameter("考核地点最多 200 字。", param_hint="--place")
    body = _organisation(body_code, "--body")
    actor = system_actor("gongjiang assessment plans publish")
    with _refusals():
        plan = plan_publish(
            actor=actor, evaluator=body, occupation_code=occupation_code[:16], skill_level=skill_level,
            theory_on=theory_on.date(), practice_on=practice_on.date(), place=place, capacity=capacity,
            signup_opens=signup_opens.date(), signup_closes=signup_closes.date(),
            theory_pass=Decimal(str(theory_pass)), practice_pass=Decimal(str(practice_pass)),
        )  # fmt: skip
    _print_plan(_plan_row(plan), as_json)


@plans_group.command("signup-class")
@data_dir_option
@click.argument("plan_id", type=_ID)
@click.argument("class_id", type=_ID)
@_AS_JSON
def plans_signup_class(data_dir: Path | None, plan_id: int, class_id: int, as_json: bool) -> None:
    """以学校的名义为班级中注册在籍的学生全部报名：有任何一名学生不符合条件时全班都不报名，逐一列出原因。"""
    _setup(data_dir)
    from gongjiang.assessment.services import signup_class
    from gongjiang.core.actors import system_actor
    from gongjiang.registry.selectors import class_list

    actor = system_actor("gongjiang assessment plans signup-class")
    school_class = class_list(actor=actor).filter(pk=class_id).first()
    if school_class is None:
        raise click.ClickException(f"没有编号为 {class_id} 的班级。")
    with _refusals():
        signups = signup_class(actor=actor, plan=_plan(actor, plan_id), school_class=school_class)
    if as_json:
        click.echo(json.dumps({"plan": plan_id, "class": class_id, "signed_up": len(signups)}))
    else:
        click.echo(f"“{school_class.name}”已报名 {len(signups)} 人。")


@plans_group.command("submit")
@data_dir_option
@click.argument("plan_id", type=_ID)
@_AS_JSON
def plans_submit(data_dir: Path | None, plan_id: int, as_json: bool) -> None:
    """评价机构报送计划的成绩；此后人社部门可以抽查。"""
    _setup(data_dir)
    from gongjiang.assessment.services import plan_submit
    from gongjiang.core.actors import system_actor

    actor = system_actor("gongjiang assessment plans submit")
    with _refusals():
        plan = plan_submit(actor=actor, plan=_plan(actor, plan_id))
    _print_plan(_plan_row(plan), as_json)


@plans_group.command("sample")
@data_dir_option
@click.argument("plan_id", type=_ID)
@click.option("--signup", "signup_ids", type=_ID, multiple=True, required=True, help="抽查的报名编号；可多次给出。")
@_AS_JSON
def plans_sample(data_dir: Path | None, plan_id: int, signup_ids: tuple[int, ...], as_json: bool) -> None:
    """人社部门抽查已报送的成绩：标出要核对试卷的考生。"""
    _setup(data_dir)
    from gongjiang.assessment.services import plan_sample
    from gongjiang.core.actors import system_actor

    actor = system_actor("gongjiang assessment plans sample")
    with _refusals():
        plan = plan_sample(actor=actor, plan=_plan(actor, plan_id), signup_ids=signup_ids)
    _print_plan(_plan_row(plan), as_json)


@plans_group.command("decide")
@data_dir_option
@click.argument("plan_id", type=_ID)
@click.option(
    "--confirm/--return", "confirm", required=True, help="抽查无误（--confirm）或退回更正（--return，须写意见）。"
)
@click.option("--note", default="", help="抽查意见；退回时必填（最多 500 字）。")
@_AS_JSON
def plans_decide(data_dir: Path | None, plan_id: int, confirm: bool, note: str, as_json: bool) -> None:
    """人社部门对抽查作出决定：确认（结果可确定）或退回评价机构更正。"""
    _setup(data_dir)
    from gongjiang.assessment.services import plan_sample_decide
    from gongjiang.core.actors import system_actor

    if len(note) > 500:
        raise click.BadParameter("抽查意见最多 500 字。", param_hint="--note")
    actor = system_actor("gongjiang assessment plans decide")
    with _refusals():
        plan = plan_sample_decide(actor=actor, plan=_plan(actor, plan_id), confirm=confirm, note=note)
    _print_plan(_plan_row(plan), as_json)


@plans_group.command("finalise")
@data_dir_option
@click.argument("plan_id", type=_ID)
@_AS_JSON
def plans_finalise(data_dir: Path | None, plan_id: int, as_json: bool) -> None:
    """确定结果并记入登记：抽查确认后，或抽查期限已过而未抽查时。"""
    _setup(data_dir)
    from gongjiang.assessment.services import plan_finalise
    from gongjiang.core.actors import system_actor

    actor = system_actor("gongjiang assessment plans finalise")
    with _refusals():
        plan = plan_finalise(actor=actor, plan=_plan(actor, plan_id))
    _print_plan(_plan_row(plan), as_json)


@assessment_group.group("scores")
def scores_group() -> None:
    """认定成绩：从表格导入。"""


@scores_group.command("import")
@data_dir_option
@click.argument("plan_id", type=_ID)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="只校验并报告，不写入。")
@_AS_JSON
def scores_import(data_dir: Path | None, plan_id: int, file: Path, dry_run: bool, as_json: bool) -> None:
    """从 xlsx 或 csv 导入计划的成绩（身份证号、姓名、理论成绩、实操成绩）：逐行校验，全部无误才写入。
    有错误时退出码为 1。"""
    _setup(data_dir)
    from gongjiang.assessment.imports import scores_import as import_scores
    from gongjiang.cli.spreadsheets import _import_bar, _print_report
    from gongjiang.core.actors import system_actor

    actor = system_actor("gongjiang assessment scores import")
    plan = _plan(actor, plan_id)
    with file.open("rb") as source, _import_bar() as update:
        report = import_scores(
            actor=actor, plan=plan, source=source, filename=file.name, dry_run=dry_run, progress=update
        )
    _print_report(report, dry_run=dry_run, as_json=as_json)


@assessment_group.group("awards")
def awards_group() -> None:
    """世界和国家级竞赛获奖：列出，直接认定等级。"""


@awards_group.command("list")
@data_dir_option
@_AS_JSON
def awards_list(data_dir: Path | None, as_json: bool) -> None:
    """列出可直接认定等级的竞赛获奖（编号、竞赛、名次、职业、已认定的等级），新的在前。"""
    _setup(data_dir)
    from gongjiang.assessment.selectors import award_list
    from gongjiang.core.actors import system_actor

    rows = []
    for a in award_list(actor=system_actor()):
        conferred = getattr(a, "conferred", None)
        rows.append({
            "id": a.pk, "competition": a.competition, "level": a.level, "rank": a.rank,
            "awarded_on": a.awarded_on.isoformat(), "occupation_code": a.occupation_code or None,
            "conferred_level": None if conferred is None else conferred.skill_level,
        })  # fmt: skip
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        done = "未认定" if row["conferred_level"] is None else f"已认定 {row['conferred_level']} 级"
        click.echo(
            f"{row['id']:>6} {row['awarded_on']} {row['competition']} {row['rank']} {row['occupation_code']} {done}"
        )


@awards_group.command("confer")
@data_dir_option
@click.argument("award_id", type=_ID)
@click.option("--body", "body_code", required=True, help="记录认定的备案评价机构的机构代码。")
@_AS_JSON
def awards_confer(data_dir: Path | None, award_id: int, body_code: str, as_json: bool) -> None:
    """据世界或国家级竞赛获奖直接认定等级（按人社部门的获奖认定规则），由备案的评价机构记录。
    之后可用 gongjiang credentials issue 认定编号 签发证书。"""
    _setup(data_dir)
    from django.http import Http404

    from gongjiang.assessment.selectors import award_get
    from gongjiang.assessment.services import award_confer
    from gongjiang.core.actors import system_actor

    actor = system_actor("gongjiang assessment awards confer")
    try:
        award = award_get(actor=actor, award_id=award_id)
    except Http404:
        raise click.ClickException(f"没有编号为 {award_id} 的世界或国家级竞赛获奖记录。") from None
    body = _organisation(body_code, "--body")
    with _refusals():
        made = award_confer(actor=actor, award=award, evaluator=body)
    row = {
        "assessment_id": made.pk, "award_id": award.pk, "evaluator": body.code,
        "occupation_code": made.occupation_code, "skill_level": made.skill_level,
        "assessed_on": made.assessed_on.isoformat(),
    }  # fmt: skip
    if as_json:
        click.echo(json.dumps(row, ensure_ascii=False, indent=2))
    else:
        click.echo(
            f"已认定：{row['occupation_code']} {row['skill_level']} 级（认定记录 {row['assessment_id']}），"
            f"可用 gongjiang credentials issue {row['assessment_id']} 签发证书。"
        )
