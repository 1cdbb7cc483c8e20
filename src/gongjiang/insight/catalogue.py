"""The indicator catalogue: kept as data (`catalogue/indicators.toml`), checked when loaded.

Each indicator has a code, Chinese and English names, a numerator and an optional denominator
written in the formula language (`formula.py`), a unit, a direction, the disaggregations it
supports and its source (document and clause). Loading parses and checks every formula against
the facts, and refuses a disaggregation that one of the facts it reads does not have.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gongjiang.insight.facts import SCHEMAS
from gongjiang.insight.formula import Formula, FormulaError, parse

CATALOGUE_FILE = Path(__file__).with_name("catalogue") / "indicators.toml"

# The names a user asks for, and the fact columns they are.
DISAGGREGATIONS: dict[str, str] = {
    "year": "year",
    "region": "region_code",
    "school": "school_code",
    "tier": "tier",
    "ownership": "ownership",
    "major": "major_code",
    "class_level": "class_level",
    "form": "form",
    "city": "city_code",
    "occupation": "occupation_code",
    "skill_level": "skill_level",
}
# Groupings computed from another dimension rather than stored: a school's city (地市) from its
# county's region code. An indicator that can be grouped by the one can be by the other.
DERIVED_DISAGGREGATIONS: dict[str, str] = {"city": "region"}
UNITS: dict[str, float] = {"%": 100.0, "ratio": 1.0, "count": 1.0, "yuan": 1.0, "months": 1.0}
Direction = Literal["higher", "lower", "neutral"]


class CatalogueError(ValueError):
    """A catalogue entry that cannot be used; names the indicator and the field."""


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    numerator: Formula
    denominator: Formula | None
    unit: str
    direction: Direction
    disaggregations: tuple[str, ...]
    source: str
    description: str
    group: str
    # The source and the description in English, shown when the reader chose English.
    source_en: str = ""
    description_en: str = ""

    def supports(self, name: str) -> bool:
        """Whether the indicator can be grouped by `name`, stored or derived."""
        return name in self.disaggregations or DERIVED_DISAGGREGATIONS.get(name) in self.disaggregations

    @property
    def name(self) -> str:
        """The name in the interface's language (the catalogue holds Chinese and English)."""
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    @property
    def shown_source(self) -> str:
        return self.source_en if self.source_en and (get_language() or "").startswith("en") else self.source

    @property
    def shown_description(self) -> str:
        english = self.description_en and (get_language() or "").startswith("en")
        return self.description_en if english else self.description

    @property
    def facts(self) -> frozenset[str]:
        return self.numerator.facts | (self.denominator.facts if self.denominator else frozenset())

    @property
    def scale(self) -> float:
        return UNITS[self.unit]

    @property
    def unit_label(self) -> str:
        """The unit as the interface writes it (the catalogue keeps a code: count, yuan …)."""
        labels = {"%": "%", "ratio": _("比值"), "count": _("人（次、个）"), "yuan": _("元"), "months": _("月")}
        return str(labels[self.unit])

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "numerator": self.numerator.text,
            "denominator": self.denominator.text if self.denominator else None,
            "unit": self.unit,
            "direction": self.direction,
            "disaggregations": list(self.disaggregations),
            "source": self.source,
            "description": self.description,
            "group": self.group,
        }


def _formula(code: str, key: str, text: Any) -> Formula:
    if not isinstance(text, str) or not text.strip():
        raise CatalogueError(_("指标 %(code)s：%(key)s 必须是非空的公式") % {"code": code, "key": key})
    try:
        return parse(text, SCHEMAS)
    except FormulaError as exc:
        raise CatalogueError(
            _("指标 %(code)s 的 %(key)s：%(error)s") % {"code": code, "key": key, "error": exc}
        ) from exc


def indicator_from_entry(entry: dict[str, Any]) -> Indicator:
    """One catalogue entry, checked."""
    code = str(entry.get("code", "")).strip()
    if not code:
        raise CatalogueError(_("指标缺少 code"))
    for key in ("name_zh", "name_en", "numerator", "unit", "direction", "source"):
        if not entry.get(key):
            raise CatalogueError(_("指标 %(code)s 缺少 %(key)s") % {"code": code, "key": key})
    numerator = _formula(code, "numerator", entry["numerator"])
    denominator = _formula(code, "denominator", entry["denominator"]) if entry.get("denominator") else None
    unit = entry["unit"]
    if unit not in UNITS:
        raise CatalogueError(
            _("指标 %(code)s 的单位 %(unit)s 不在 %(known)s 之中")
            % {"code": code, "unit": unit, "known": ", ".join(UNITS)}
        )
    direction = entry["direction"]
    if direction not in {"higher", "lower", "neutral"}:
        raise CatalogueError(_("指标 %(code)s 的方向应为 higher、lower 或 neutral") % {"code": code})
    facts = numerator.facts | (denominator.facts if denominator else frozenset())
    disaggregations = tuple(entry.get("disaggregations", ["year", "region"]))
    for name in disaggregations:
        column = DISAGGREGATIONS.get(DERIVED_DISAGGREGATIONS.get(name, name))
        if column is None:
            raise CatalogueError(_("指标 %(code)s：未知的分组维度 %(name)s") % {"code": code, "name": name})
        lacking = sorted(f for f in facts if column not in SCHEMAS[f].dimensions)
        if lacking:
            raise CatalogueError(
                _("指标 %(code)s 不能按 %(name)s 分组：事实表 %(facts)s 没有这个维度")
                % {"code": code, "name": name, "facts": "、".join(lacking)}
            )
    return Indicator(
        code=code,
        name_zh=entry["name_zh"],
        name_en=entry["name_en"],
        numerator=numerator,
        denominator=denominator,
        unit=unit,
        direction=direction,
        disaggregations=disaggregations,
        source=entry["source"],
        description=entry.get("description", ""),
        group=entry.get("group", ""),
        source_en=entry.get("source_en", ""),
        description_en=entry.get("description_en", ""),
    )


def load_catalogue(path: Path = CATALOGUE_FILE) -> dict[str, Indicator]:
    """Every indicator of the catalogue file, by code, in the file's order."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    catalogue: dict[str, Indicator] = {}
    for entry in data.get("indicator", []):
        indicator = indicator_from_entry(entry)
        if indicator.code in catalogue:
            raise CatalogueError(_("指标代码 %(code)s 重复") % {"code": indicator.code})
        catalogue[indicator.code] = indicator
    return catalogue


@cache
def catalogue() -> dict[str, Indicator]:
    """The catalogue shipped with the platform, loaded once per process."""
    return load_catalogue()


UNIT_NAMES = {"%": "%", "ratio": "比值", "count": "数量", "yuan": "元", "months": "月"}
DIRECTION_NAMES = {"higher": "越高越好", "lower": "越低越好", "neutral": "规模，不判断好坏"}


def catalogue_markdown(indicators: dict[str, Indicator] | None = None) -> str:
    """The catalogue as the guide prints it (docs/guide/indicators.md is this, regenerated by
    `gongjiang indicators --catalogue`)."""
    every = indicators if indicators is not None else catalogue()
    lines = [
        "# 指标目录",
        "",
        "由 `gongjiang indicators --catalogue` 从 `src/gongjiang/insight/catalogue/indicators.toml` 生成，"
        "请勿手改。公式语言见 [指标公式](indicator-formulas.md)。",
        "",
    ]
    for indicator in every.values():
        lines += [
            f"## {indicator.name_zh}（{indicator.name_en}）",
            "",
            f"- 代码：`{indicator.code}`；分组：{indicator.group}；单位：{UNIT_NAMES[indicator.unit]}；"
            f"方向：{DIRECTION_NAMES[indicator.direction]}",
            f"- 分子：`{' '.join(indicator.numerator.text.split())}`",
        ]
        if indicator.denominator:
            lines.append(f"- 分母：`{' '.join(indicator.denominator.text.split())}`")
        lines += [
            f"- 可分组：{'、'.join(indicator.disaggregations)}",
            f"- 依据：{indicator.source}",
            f"- 说明：{indicator.description}",
            "",
        ]
    return "\n".join(lines)


def format_value(value: float | None, unit: str) -> str:
    """A figure as the pages and the report write it: a share to one decimal with %, counts
    whole with separators, money whole in 元, ratios to two decimals, "—" for none."""
    if value is None:
        return "—"
    if unit == "%":
        shown = f"{value:.1f}"
        # 5,145 of 5,147 is not 100.0 %, nor is 1 of 5,000 0.0 %: two decimals where one would
        # round a share that is not whole or nothing to 100 or 0.
        if shown == "100.0" and value < 100:
            shown = f"{min(value, 99.99):.2f}"
        elif shown == "0.0" and value > 0:
            shown = f"{max(value, 0.01):.2f}"
        return f"{shown}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "yuan":
        return _("%(n)s 元") % {"n": f"{value:,.0f}"}
    return f"{value:,.2f}"
