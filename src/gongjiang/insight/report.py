"""The annual quality report (年度质量报告, 002 §27): every figure of a scope's year beside the
year before and its targets, said in sentences, with the targets missed, the majors warned and
the data-quality problems; shown as a page to print and written as a Word document to edit.

Nothing in it is typed in: each sentence is made from the computed indicators, so the report of
the same data always says the same, and a figure in it can be traced on the dashboard.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from gongjiang.core.actors import Actor
from gongjiang.insight import completeness, early_warning, quality, selectors
from gongjiang.insight.catalogue import Indicator, catalogue, format_value
from gongjiang.insight.compute import IndicatorValue, Scope, compute
from gongjiang.insight.engines import Engine
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concepts

# The report's chapters, in the order a reader expects them: what the system is, what became of
# its graduates, then how it teaches and with whom.
CHAPTERS = (
    ("scale", gettext_lazy("办学规模")),
    ("employment", gettext_lazy("毕业生就业质量")),
    ("skills", gettext_lazy("技能水平")),
    ("training", gettext_lazy("职业培训")),
    ("teachers", gettext_lazy("师资队伍")),
    ("majors", gettext_lazy("专业建设")),
    ("cooperation", gettext_lazy("校企合作")),
    ("alignment", gettext_lazy("产教对接")),
    ("conditions", gettext_lazy("办学条件")),
    ("demand", gettext_lazy("岗位需求")),
    ("data_quality", gettext_lazy("数据质量")),
)
# The report's punctuation, translated with its words: Chinese full-width marks, English ones.
COMMA = gettext_lazy("，")
SEMICOLON = gettext_lazy("；")
FULL_STOP = gettext_lazy("。")
ENUMERATION = gettext_lazy("、")
# A change in a share smaller than this (in percentage points) is called unchanged.
STEADY_POINTS = 0.05
# Said instead of a change when the year before is recorded only in part (ADR 0029).
INCOMPLETE = gettext_lazy("上年记录不完整，不作比较")


@dataclass
class Line:
    """One indicator of a chapter: its figure, the year before's, and the targets on it."""

    indicator: Indicator
    value: IndicatorValue
    before: IndicatorValue | None
    targets: list[selectors.TargetCheck]
    # Whether the register holds the year before whole for what the indicator reads (ADR 0029):
    # a year recorded only in part is shown but never compared.
    before_whole: bool = True

    @property
    def compared(self) -> float | None:
        """The year before's figure to compare with: none when that year is incomplete."""
        return self.before.value if self.before and self.before_whole else None

    @property
    def before_incomplete(self) -> bool:
        """The year before has a figure, but the register holds that year only in part."""
        return not self.before_whole and self.before is not None and self.before.value is not None

    @property
    def shown(self) -> str:
        return format_value(self.value.value, self.indicator.unit)

    @property
    def shown_before(self) -> str:
        return format_value(self.before.value if self.before else None, self.indicator.unit)

    @property
    def change(self) -> str:
        """The change from the year before in words ("" when either year has no figure)."""
        if self.before_incomplete:
            return str(INCOMPLETE)
        return change_words(self.indicator, self.value.value, self.compared)

    @property
    def judged(self) -> str:
        """ "better", "worse" or "" against the year before, by the indicator's direction (a
        neutral indicator, a missing year or a change said as unchanged is neither)."""
        moved = change(self.indicator, self.value.value, self.compared)
        if self.indicator.direction == "neutral" or not moved:
            return ""
        return "better" if (moved > 0) == (self.indicator.direction == "higher") else "worse"

    @property
    def sentence(self) -> str:
        """ "就业率 91.9%，比上年提高 2.1 个百分点（省级目标 ≥97%：未达成）"; "" without a figure."""
        if self.value.value is None:
            return ""
        text = f"{self.indicator.name} {self.shown}"
        if self.change:
            text += str(COMMA) + self.change
        verdicts = [
            _("%(level)s目标 %(goal)s：%(status)s")
            % {"level": check.target.get_level_display(), "goal": check.goal, "status": check.label}
            for check in self.targets
        ]
        if verdicts:
            text += _("（%(inside)s）") % {"inside": str(SEMICOLON).join(verdicts)}
        return text


def change(indicator: Indicator, value: float | None, before: float | None) -> float | None:
    """The change from the year before: in percentage points for a share, in per cent of the
    year before for anything else; 0 when it is too small to call a change (under
    `STEADY_POINTS`, or the two figures are written alike); None when either year has no figure,
    or the year before was 0."""
    if value is None or before is None:
        return None
    if format_value(value, indicator.unit) == format_value(before, indicator.unit):
        return 0.0
    if indicator.unit == "%":
        moved = value - before
    elif before == 0:
        return None
    else:
        moved = (value - before) / abs(before) * 100
    return 0.0 if abs(moved) < STEADY_POINTS else moved


def change_words(indicator: Indicator, value: float | None, before: float | None) -> str:
    """比上年提高 2.1 个百分点 for a share; 比上年增长 4.5% for anything else; 与上年持平."""
    moved = change(indicator, value, before)
    if moved is None:
        return ""
    if moved == 0:
        return _("与上年持平")
    if indicator.unit == "%":
        words = _("比上年提高 %(n).1f 个百分点") if moved > 0 else _("比上年下降 %(n).1f 个百分点")
    else:
        words = _("比上年增长 %(n).1f%%") if moved > 0 else _("比上年减少 %(n).1f%%")
    return words % {"n": abs(moved)}


@dataclass
class Chapter:
    title: str
    lines: list[Line]

    @property
    def summary(self) -> str:
        """The chapter's figures in one paragraph; the indicators without a figure are named."""
        said = [line.sentence for line in self.lines if line.sentence]
        missing = [line.indicator.name for line in self.lines if not line.sentence]
        text = str(SEMICOLON).join(said) + str(FULL_STOP) if said else ""
        if missing:
            text += _("暂无数据：%(names)s。") % {"names": str(ENUMERATION).join(missing)}
        return text


@dataclass
class Problem:
    """A data-quality rule broken in the scope's year: by how many schools, and how many
    offences (people, for a rule that must find none and names what it counts)."""

    rule: quality.Rule
    schools: int
    offences: int

    @property
    def words(self) -> str:
        """实习均已投保：3 所学校，未投保实习的学生 12 人; a comparison rule: 2 所学校."""
        text = _("%(rule)s：%(schools)s 所学校") % {"rule": self.rule.name, "schools": self.schools}
        if self.rule.counts_offences and self.rule.left_label:
            text += str(COMMA) + _("%(label)s %(n)s %(unit)s") % {
                "label": self.rule.left_label,
                "n": f"{self.offences:,}",
                "unit": self.rule.left_unit,
            }
        return text.rstrip()


@dataclass
class Report:
    scope: Scope
    scope_name: str
    year: int
    made_at: dt.datetime
    chapters: list[Chapter]
    targets: dict[str, list[selectors.TargetCheck]] = field(default_factory=dict)
    warnings: list[tuple[str, early_warning.MajorWarning]] = field(default_factory=list)
    warning_counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def title(self) -> str:
        return _("%(scope)s技工教育质量年度报告（%(year)s 年）") % {"scope": self.scope_name, "year": self.year}

    @property
    def partial(self) -> bool:
        """The year is not over: its year-end figures count the records up to today only."""
        return self.year >= self.made_at.year

    @property
    def overview(self) -> str:
        """The year in one paragraph: how many figures improved and worsened on the year before
        (by each indicator's direction), and which worsened, for the reader to look at first."""
        lines = [line for chapter in self.chapters for line in chapter.lines]
        better = [line for line in lines if line.judged == "better"]
        worse = [line for line in lines if line.judged == "worse"]
        incomplete = sum(line.before_incomplete for line in lines)
        unlike = _("%(n)s 项指标的上年记录不完整，未与上年比较。") % {"n": incomplete} if incomplete else ""
        if not better and not worse:
            return _("本年度与上年可比的指标没有明显变化，或上年尚无数据。") + unlike
        text = _("与上年相比，%(better)s 项指标改善，%(worse)s 项变差。") % {
            "better": len(better),
            "worse": len(worse),
        }
        if worse:
            named = str(ENUMERATION).join(
                _("%(name)s（%(change)s）") % {"name": line.indicator.name, "change": line.change} for line in worse
            )
            text += _("变差的指标：%(names)s。") % {"names": named}
        return text + unlike

    @property
    def target_summary(self) -> str:
        if not any(self.targets.values()):
            return _("本范围本年度没有设定目标。")
        return _(
            "适用的目标 %(all)s 项：达成 %(achieved)s 项，接近 %(near)s 项，未达成 %(missed)s 项，无数据 %(none)s 项。"
        ) % {
            "all": sum(len(v) for v in self.targets.values()),
            "achieved": len(self.targets.get("achieved", [])),
            "near": len(self.targets.get("near", [])),
            "missed": len(self.targets.get("missed", [])),
            "none": len(self.targets.get("no_data", [])),
        }

    @property
    def warning_summary(self) -> str:
        counts = self.warning_counts
        if not sum(counts.values()):
            return _("本年度窗口内没有全日制毕业生，未作专业预警。")
        return _(
            "红色预警 %(red)s 个专业，黄色预警 %(yellow)s 个，正常 %(green)s 个，样本不足未作判断 %(few)s 个。"
        ) % {
            "red": counts.get("red", 0),
            "yellow": counts.get("yellow", 0),
            "green": counts.get("green", 0),
            "few": counts.get("insufficient", 0),
        }

    @property
    def quality_summary(self) -> str:
        if not self.problems:
            return _("数据质量规则检查未发现问题。")
        schools = max(problem.schools for problem in self.problems)
        return _(
            "数据质量规则检查发现 %(rules)s 类问题，最多的一类涉及 %(schools)s 所学校；各校可在“数据质量”页面查看并改正。"
        ) % {
            "rules": len(self.problems),
            "schools": schools,
        }


def build(engine: Engine, *, actor: Actor, scope: Scope, scope_name: str, year: int) -> Report:
    """The report of one scope and year, from the engine's data."""
    indicators = list(catalogue().values())
    values = compute(engine, indicators, years=[year - 1, year], scope=scope)
    whole = completeness.whole_years(engine, [year - 1, year])
    by_key = {(v.code, v.year): v for v in values}
    checks = selectors.target_checks(actor=actor, engine=engine, year=year, scope=scope)
    targets_of: dict[str, list[selectors.TargetCheck]] = {}
    for check in checks:
        targets_of.setdefault(check.target.indicator_code, []).append(check)
    chapters = []
    for group, title in CHAPTERS:
        lines = [
            Line(
                i,
                by_key[(i.code, year)],
                by_key.get((i.code, year - 1)),
                targets_of.get(i.code, []),
                before_whole=whole.indicator(i, year - 1),
            )
            for i in indicators
            if i.group == group
        ]
        if lines:
            chapters.append(Chapter(str(title), lines))
    by_status: dict[str, list[selectors.TargetCheck]] = {}
    for check in checks:
        by_status.setdefault(check.status, []).append(check)
    warned = early_warning.major_warnings(engine, scope=scope, year=year)
    names = {c.code: c.name for c in concepts(Scheme.MAJOR)}
    found = quality.violations(engine, scope=scope, years=[year])
    schools: dict[str, set[str]] = {}
    offences: Counter[str] = Counter()
    broken: dict[str, quality.Rule] = {}
    for violation in found:
        broken[violation.rule.code] = violation.rule
        schools.setdefault(violation.rule.code, set()).add(violation.school_code)
        # A rule that must find none counts its offences (people); any other, its schools.
        offences[violation.rule.code] += int(violation.left) if violation.rule.counts_offences else 1
    return Report(
        scope=scope,
        scope_name=scope_name,
        year=year,
        made_at=timezone.localtime(),
        chapters=chapters,
        targets=by_status,
        warnings=[(names.get(w.major_code, w.major_code), w) for w in warned if w.level == "red"],
        warning_counts=dict(Counter(w.level for w in warned)),
        problems=sorted(
            (Problem(broken[code], len(s), offences[code]) for code, s in schools.items()),
            key=lambda p: (-p.schools, p.rule.name),
        ),
    )


def to_docx(report: Report) -> bytes:
    """The report as a Word document, for the bureau to edit and publish: the same chapters,
    sentences and tables as the page."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = document.styles[style_name]
        # Word picks an East Asian font by this attribute; without it Chinese falls back unevenly.
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimSun")
    document.styles["Normal"].font.size = Pt(11)
    _declare_language(document)
    document.add_heading(report.title, level=0)
    made = report.made_at.strftime("%Y-%m-%d %H:%M")
    document.add_paragraph(
        _("本报告由工匠平台按登记记录自动生成（%(time)s），每个数字都可在“监测指标”页面追溯到记录。") % {"time": made}
    )
    if report.partial:
        document.add_paragraph(PARTIAL_NOTE % {"year": report.year})
    document.add_heading(_("概要"), level=1)
    document.add_paragraph(report.overview)
    document.add_paragraph(report.target_summary)
    for number, chapter in enumerate(report.chapters, start=1):
        document.add_heading(f"{number}. {chapter.title}", level=1)
        document.add_paragraph(chapter.summary)
        table = document.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, table_headers(report.year), strict=True):
            cell.text = text
        for line in chapter.lines:
            cells = table.add_row().cells
            for cell, text in zip(cells, table_row(line), strict=True):
                cell.text = text
    number = len(report.chapters)
    document.add_heading(f"{number + 1}. {_('目标达成')}", level=1)
    document.add_paragraph(report.target_summary)
    for check in report.targets.get("missed", []):
        document.add_paragraph(missed_words(check), style="List Bullet")
    document.add_heading(f"{number + 2}. {_('专业预警')}", level=1)
    document.add_paragraph(report.warning_summary)
    for name, warning in report.warnings:
        document.add_paragraph(reasons_words(name, warning), style="List Bullet")
    document.add_heading(f"{number + 3}. {_('数据质量')}", level=1)
    document.add_paragraph(report.quality_summary)
    for problem in report.problems:
        document.add_paragraph(problem.words, style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _declare_language(document: Any) -> None:
    """Declare the text Chinese (zh-CN), English where the report is written in English: python-docx's
    template declares Japanese for East Asian text, which sets Word's proofing and fonts wrong."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    defaults = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr")
    if not defaults:
        return
    found = defaults[0].xpath("w:lang")
    if found:
        lang = found[0]
    else:
        lang = OxmlElement("w:lang")
        defaults[0].append(lang)
    lang.set(qn("w:val"), "en-US" if (get_language() or "").startswith("en") else "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")


PARTIAL_NOTE = gettext_lazy("%(year)s 年尚未结束：年末统计的数字只计入了到生成时为止的记录，与上年的比较仅供参考。")


def table_headers(year: int) -> list[str]:
    return [_("指标"), _("%(year)s 年") % {"year": year}, _("上年"), _("变化"), _("目标")]


def table_row(line: Line) -> list[str]:
    targets = str(SEMICOLON).join(
        _("%(level)s %(goal)s：%(status)s") % {"level": c.target.get_level_display(), "goal": c.goal, "status": c.label}
        for c in line.targets
    )
    return [line.indicator.name, line.shown, line.shown_before, line.change, targets]


def reasons_words(name: str, warning: early_warning.MajorWarning) -> str:
    """A warned major and its reasons: 会计：就业率 83.1%，低于 85.0%；……"""
    return _("%(name)s：%(reasons)s") % {"name": name, "reasons": str(SEMICOLON).join(warning.reasons)}


def missed_words(check: selectors.TargetCheck) -> str:
    """A target not met, in words: 省级目标 就业率 ≥97，实际 91.9%."""
    indicator = catalogue()[check.target.indicator_code]
    return _("%(level)s目标 %(name)s %(goal)s，实际 %(actual)s") % {
        "level": check.target.get_level_display(),
        "name": indicator.name,
        "goal": check.goal,
        "actual": format_value(check.value, indicator.unit),
    }
