"""Importing a plan's scores from a spreadsheet with the register's all-or-nothing import
(`core.imports.import_rows`): each row goes through `score_enter`, a refused row is
named by its row and column, and nothing stays unless every row passes (nor in a dry run)."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gongjiang.assessment import services
from gongjiang.assessment.models import AssessmentPlan, SignUp
from gongjiang.core import audit
from gongjiang.core.actors import Actor
from gongjiang.core.imports import CellError, ImportReport, Progress, RowError, import_rows
from gongjiang.core.policies import require
from gongjiang.core.sheets import compact_text, write_template

HEADERS: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号", "身份证号码", "证件号码"),
    "name": ("姓名",),
    "theory_score": ("理论成绩", "理论", "理论知识考试成绩"),
    "practice_score": ("实操成绩", "实操", "操作技能考核成绩"),
}
REQUIRED = ("id_number", "name")


def _apply(actor: Actor, plan: AssessmentPlan, by_number: dict[str, SignUp], row: dict[str, Any]) -> str:
    number = compact_text(row["id_number"]).upper()
    signup = by_number.get(number)
    if signup is None:
        raise CellError("id_number", _("身份证号为“%(number)s”的考生未报名本计划") % {"number": number[:18]})
    if compact_text(row["name"]) != signup.person.name:
        raise CellError("name", _("姓名与报名信息“%(name)s”不一致") % {"name": signup.person.name})
    before = (signup.theory_score, signup.practice_score)
    signup = services.score_enter(
        actor=actor, signup=signup, theory=row["theory_score"], practice=row["practice_score"]
    )
    by_number[number] = signup
    return "unchanged" if (signup.theory_score, signup.practice_score) == before else "updated"


def scores_import(
    *,
    actor: Actor,
    plan: AssessmentPlan,
    source: IO[bytes],
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    try:
        require(actor, "assessment.plan.score", plan)
    except PermissionDenied as exc:
        report.errors.append(RowError(row=0, column="", message=str(exc)))
        return report
    by_number = {s.person.id_number.upper(): s for s in plan.signups.select_related("person")}
    import_rows(
        report, source=source, filename=filename, headers=HEADERS, required=REQUIRED,
        required_any=HEADERS["id_number"], apply=lambda row: _apply(actor, plan, by_number, row), progress=progress,
    )  # fmt: skip
    audit.record(
        actor=actor, action="assessment.scores.import", entity=plan,
        after={"filename": filename[:200], **report.summary()}, owner=plan.evaluator,
    )  # fmt: skip
    return report


def template_write(target: Path | IO[bytes]) -> None:
    """The blank score sheet: the headers the import reads, the required ones marked."""
    notes = {
        "id_number": _("报名时的身份证号"),
        "theory_score": _("0到100，最多一位小数；缺考留空"),
        "practice_score": _("0到100，最多一位小数；缺考留空"),
    }
    write_template([(names[0], f in REQUIRED, notes.get(f, "")) for f, names in HEADERS.items()], target)
