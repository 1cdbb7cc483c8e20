"""Reading and writing the spreadsheets clerks exchange: xlsx, xls, ods and csv (UTF-8 or GBK).

Rows keep the number the clerk sees in Excel, so every error can point at "第N行". Values that
clerks type in many ways (dates, full-width characters) are normalised here once.

An upload is bounded before it is read: its size while it is copied, then, in a child process
(`core.sheet_reader`) under a memory and time limit, its zip directory, the cells its first sheet
really holds, and its rows and columns while they are read. A file that passes a limit, breaks the
parser or kills the child is a `SheetError` in the clerk's words; the web process never parses.

Every cell written (xlsx or csv) goes through `neutralise`: text that a spreadsheet program would
run as a formula gets a leading apostrophe, which `clean_text` takes off again on import, so an
exported file still imports back unchanged.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import logging
import os
import pickle
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

import gongjiang
from gongjiang.core import sheet_reader
from gongjiang.core.bounds import CONTROL
from gongjiang.core.uploads import upload_too_large

log = logging.getLogger(__name__)

# Bounds of what a school's real files hold (the largest, a province-wide roster, about 100,000
# rows of 15 to 30 columns), with room to spare.
MAX_ROWS = 200_000
MAX_COLUMNS = 256  # the most an .xls can hold; the import columns are fewer than 30
MAX_CELLS = 8_000_000  # the area the parser allocates: rows × columns of the used range
MAX_ZIP_MEMBERS = 2_000  # an xlsx holds about a dozen
MAX_ZIP_BYTES = 600 * 1024 * 1024  # uncompressed; 200,000 rows × 30 columns of XML are about 400 MB
MAX_ZIP_RATIO = 200  # xlsx XML compresses 5 to 30 times; a zip bomb about 1,000 times
HEADER_SEARCH_ROWS = 20  # the header row is looked for in the first rows only
WORKBOOK_SUFFIXES = sheet_reader.WORKBOOK_SUFFIXES
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug


class SheetError(Exception):
    """The file as a whole cannot be read (wrong type, no header row, too large)."""


@dataclass(frozen=True)
class SheetLimits:
    """What one read may take. The file size, memory and time come from the settings
    (`UPLOAD_MAX_BYTES`, `SHEET_READ_MEMORY_BYTES`, `SHEET_READ_SECONDS`)."""

    file_bytes: int
    memory_bytes: int
    seconds: float
    rows: int = MAX_ROWS
    columns: int = MAX_COLUMNS
    cells: int = MAX_CELLS
    zip_members: int = MAX_ZIP_MEMBERS
    zip_bytes: int = MAX_ZIP_BYTES
    zip_ratio: int = MAX_ZIP_RATIO

    @classmethod
    def configured(cls, **changes: Any) -> SheetLimits:
        limits = cls(
            file_bytes=settings.UPLOAD_MAX_BYTES,
            memory_bytes=settings.SHEET_READ_MEMORY_BYTES,
            seconds=settings.SHEET_READ_SECONDS,
        )
        return dataclasses.replace(limits, **changes)

    def for_child(self) -> dict[str, int]:
        return {
            # Rows as Excel numbers them: the data rows plus a title and header above them.
            "sheet_rows": self.rows + HEADER_SEARCH_ROWS + 1,
            "columns": self.columns,
            "cells": self.cells,
            "zip_members": self.zip_members,
            "zip_bytes": self.zip_bytes,
            "zip_ratio": self.zip_ratio,
            "memory_bytes": self.memory_bytes,
            "cpu_seconds": int(self.seconds) + 1,
        }


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"


def neutralise(value: Any) -> Any:
    """A cell as written to a file: text that Excel or WPS would take for a formula (it starts
    with = + - @, a tab or a carriage return) gets a leading apostrophe and stays text. Numbers
    are left alone: -3 is a number, not a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return NEUTRALISER + value
    return value


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]], target: IO[str]) -> None:
    """A csv with its header row, every cell neutralised."""
    writer = csv.writer(target)
    writer.writerow([neutralise(h) for h in headers])
    writer.writerows([neutralise(c) for c in row] for row in rows)


@dataclass(frozen=True)
class Table:
    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[Any]]]  # (row number as Excel shows it, cells)


def clean_text(value: Any) -> str:
    """Full-width letters and digits to half-width, spaces (also U+3000 and nbsp) removed at the ends
    and collapsed inside."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(NEUTRALISER) and value[1:].startswith(FORMULA_TRIGGERS):
        value = value[1:]  # written so by `neutralise`: the file was exported here
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


def compact_text(value: Any) -> str:
    """As `clean_text`, with every space removed: for codes and numbers."""
    return "".join(clean_text(value).split())


CJK = re.compile(r"[\u3400-\u9fff]")


def clean_name(value: Any) -> str:
    """A person's name: spaces typed between Chinese characters (张 伟) are dropped; a Latin name
    keeps single spaces between its parts."""
    text = clean_text(value)
    return "".join(text.split()) if CJK.search(text) else text


DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
TIME_SUFFIX = re.compile(r"(?<=\d)[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
MONTH_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")


def parse_date(value: Any) -> dt.date:
    """A date as clerks type it: a real Excel date, an Excel serial number, 2021-09-01,
    2021.09.01, 2021/9/1, 2021年9月1日, 20210901, or a month (2021.9 → the 1st).
    Raises ValueError with a Chinese message."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80_000:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(_("“%(value)s”不是有效日期") % {"value": value})
    # A date that went through a CSV export often carries a midnight time: 2021-09-01 00:00:00.
    text = "".join(TIME_SUFFIX.sub("", clean_text(value)).split())
    if not text:
        raise ValueError(_("日期为空"))
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                break
    match = MONTH_PATTERN.match(text)
    if match and 1 <= int(match[2]) <= 12:
        return dt.date(int(match[1]), int(match[2]), 1)
    raise ValueError(_("“%(value)s”不是有效日期，请写成 2021-09-01") % {"value": clean_text(value)})


class _Rows(pickle.Unpickler):
    """Unpickles the child's answer, which holds only plain values: nothing else is loaded even if
    a parser bug let a file steer what the child wrote."""

    ALLOWED = {("datetime", name) for name in ("date", "datetime", "time", "timedelta")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name}")


def _copy(source: IO[bytes], target: Path, limit: int) -> None:
    """The upload to a file of its own for the child, stopping as soon as it passes the limit."""
    size = 0
    with target.open("wb") as out:
        while chunk := source.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise SheetError(upload_too_large(size) + _("（超过部分未读取）"))
            out.write(chunk)


def _parse_in_child(path: Path, suffix: str, limits: SheetLimits) -> dict[str, Any]:
    package_root = str(Path(gongjiang.__file__).resolve().parent.parent)
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-m", "gongjiang.core.sheet_reader", str(path), suffix, json.dumps(limits.for_child())]
    failed = _(
        "文件过大或已损坏，无法读取：读取时超出了内存或时间限制。请检查文件，用 Excel 另存为 xlsx 后再上传，或分批导入"
    )
    try:
        done = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, timeout=limits.seconds, env=environment, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise SheetError(failed) from exc
    if done.returncode != 0:
        log.warning("sheet reader exited with %s: %s", done.returncode, done.stderr[:1000].decode("utf-8", "replace"))
        raise SheetError(failed)
    try:
        result: dict[str, Any] = _Rows(io.BytesIO(done.stdout)).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as exc:
        raise SheetError(failed) from exc
    return result


def _refusal(code: str, details: dict[str, Any], limits: SheetLimits, suffix: str) -> str:
    if code == "rows":
        return _("文件超过 %(n)d 行，请分批导入") % {"n": limits.rows}
    if code == "columns":
        return _("文件有 %(count)d 列，超过上限 %(limit)d 列，请删除多余的列后再上传") % {
            "count": details.get("count", 0),
            "limit": limits.columns,
        }
    if code == "cells":
        return _(
            "文件过大或已损坏，无法读取：工作表的使用区域达 %(count)d 个单元格（上限 %(limit)d）。"
            "请删除表格以外的内容（包括远处的空白格式单元格），另存后再上传"
        ) % {"count": details.get("count", 0), "limit": limits.cells}
    if code in ("zip_members", "zip_bytes", "zip_ratio"):
        return _("文件过大或已损坏，无法读取：解压后的内容异常庞大。请用 Excel 打开后另存为 xlsx 再上传")
    if code == "encoding":
        return _("无法识别文件编码，请另存为 UTF-8 或 xlsx 格式")
    if code == "suffix":
        return _("不支持的文件类型“%(suffix)s”，请上传 xlsx、xls 或 csv 文件") % {"suffix": suffix}
    # calamine's reason is English and technical; the clerk needs what to do about it.
    return _("文件不是有效的 Excel 工作簿（可能已损坏或加密），请用 Excel 打开后另存为 xlsx 再上传")


def _rows_of(source: IO[bytes], filename: str, limits: SheetLimits) -> list[tuple[int, list[Any]]]:
    """The rows that hold anything, numbered as Excel shows them, read by the child process."""
    suffix = Path(filename).suffix.lower()
    if suffix != ".csv" and suffix not in WORKBOOK_SUFFIXES:
        raise SheetError(
            _("不支持的文件类型“%(suffix)s”，请上传 xlsx、xls 或 csv 文件") % {"suffix": suffix or filename}
        )
    with tempfile.TemporaryDirectory(prefix="gongjiang-sheet-") as folder:
        path = Path(folder) / f"upload{suffix}"
        _copy(source, path, limits.file_bytes)
        result = _parse_in_child(path, suffix, limits)
    if "error" in result:
        raise SheetError(_refusal(str(result["error"]), result, limits, suffix))
    rows: list[tuple[int, list[Any]]] = result["rows"]
    return rows


def read_table(
    source: IO[bytes], filename: str, *, required_any: Sequence[str], limits: SheetLimits | None = None
) -> Table:
    """Read the first sheet; the header row is the first row holding any of `required_any`
    (a title row above the table is allowed). Blank rows are skipped. `limits` defaults to
    the configured ones."""
    limits = limits or SheetLimits.configured()
    header: list[str] | None = None
    header_row = 0
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in _rows_of(source, filename, limits):
        if header is None:
            texts = [compact_text(c) for c in cells]
            if any(name in texts for name in required_any):
                header, header_row = texts, number
            elif number > HEADER_SEARCH_ROWS:
                break
            continue
        if not any(clean_text(c) for c in cells):
            continue
        for index, cell in enumerate(cells):
            if isinstance(cell, str) and CONTROL.search(cell):
                # Never typed by a clerk (it comes from a copied web page or a broken system's
                # export), and once stored it breaks exports: the file is refused, named.
                column = header[index] if index < len(header) and header[index] else get_column_letter(index + 1)
                raise SheetError(
                    _("第%(row)d行“%(column)s”列含有不可见的控制字符，请删除后重新导入。")
                    % {"row": number, "column": column}
                )
        rows.append((number, cells))
        if len(rows) > limits.rows:
            raise SheetError(_("文件超过 %(n)d 行，请分批导入") % {"n": limits.rows})
    if header is None:
        raise SheetError(_("没有找到表头行（应包含：%(names)s）") % {"names": "、".join(required_any)})
    return Table(headers=header, header_row=header_row, rows=rows)


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    target: Path | IO[bytes],
    *,
    highlight_column: str = "",
    title: str = "",
) -> None:
    """Write one sheet with a bold header; `highlight_column` (the error column) is shaded. A
    `title` (what the table is, its scope and when it was made) goes in a first row above the
    header, for a report read on paper; files meant to be imported again have none."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("数据")
    if title:
        sheet.append([neutralise(title)])
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
        if len(headers) > 1:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append([neutralise(h) for h in headers])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    # A coordinate, not a cell: asking for the cell would create it and push the rows down.
    sheet.freeze_panes = f"A{header_row + 1}"
    marked = list(headers).index(highlight_column) + 1 if highlight_column in headers else 0
    fill = PatternFill("solid", fgColor="FDECEC")
    for row in rows:
        sheet.append([neutralise(c) for c in row])
        if marked and row[marked - 1]:
            sheet.cell(row=sheet.max_row, column=marked).fill = fill
    for index, name in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(name) * 3))
    workbook.save(target)


def write_template(columns: Sequence[tuple[str, bool, str]], target: Path | IO[bytes]) -> None:
    """A blank workbook to fill in: the header row on the first sheet (the one imports read) and,
    on a second sheet, each column with whether it is required and what it accepts.

    Every column is formatted as text: Excel otherwise turns an 18-digit 身份证号 into a number
    and drops its last digits, and a code such as 0102 into 102."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("填写")
    sheet.append([neutralise(name) for name, _required, _note in columns])
    for index, (name, required, _note) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="B42318" if required else "000000")
        column = sheet.column_dimensions[get_column_letter(index)]
        column.width = max(12, min(40, len(name) * 3))
        column.number_format = "@"
    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("列名"), _("是否必填"), _("说明")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for name, required, note in columns:
        notes.append([neutralise(name), _("必填") if required else _("选填"), neutralise(note)])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["C"].width = 90
    workbook.save(target)
