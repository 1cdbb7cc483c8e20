"""Reading and writing the spreadsheets clerks exchange: xlsx, xls, ods and csv (UTF-8 or GBK).

Rows keep the number the clerk sees in Excel, so every error can point at "第N行". Values that
clerks type in many ways (dates, full-width characters) are normalised here once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook

MAX_ROWS = 200_000
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug


class SheetError(Exception):
    """The file as a whole cannot be read (wrong type, no header row, too large)."""


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


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError(_("无法识别文件编码，请另存为 UTF-8 或 xlsx 格式"))


def _rows_of(source: IO[bytes], filename: str) -> Iterable[tuple[int, list[Any]]]:
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        text = _decode(source.read())
        reader = csv.reader(io.StringIO(text, newline=""))
        for cells in reader:
            yield reader.line_num, list(cells)
        return
    if suffix in WORKBOOK_SUFFIXES:
        # calamine (Rust) reads a 100,000-row sheet several times faster than openpyxl, and also
        # the old .xls and .ods files clerks still keep.
        try:
            sheet = CalamineWorkbook.from_filelike(source).get_sheet_by_index(0)
            values = sheet.to_python(skip_empty_area=False)
        except (CalamineError, IndexError, ValueError, OSError) as exc:
            # calamine's reason is English and technical; the clerk needs what to do about it.
            raise SheetError(
                _("文件不是有效的 Excel 工作簿（可能已损坏或加密），请用 Excel 打开后另存为 xlsx 再上传")
            ) from exc
        yield from enumerate(values, start=1)
        return
    raise SheetError(_("不支持的文件类型“%(suffix)s”，请上传 xlsx、xls 或 csv 文件") % {"suffix": suffix or filename})


def read_table(source: IO[bytes], filename: str, *, required_any: Sequence[str]) -> Table:
    """Read the first sheet; the header row is the first row holding any of `required_any`
    (a title row above the table is allowed). Blank rows are skipped."""
    header: list[str] | None = None
    header_row = 0
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in _rows_of(source, filename):
        if header is None:
            texts = [compact_text(c) for c in cells]
            if any(name in texts for name in required_any):
                header, header_row = texts, number
            elif number > 20:
                break
            continue
        if not any(clean_text(c) for c in cells):
            continue
        rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise SheetError(_("文件超过 %(n)d 行，请分批导入") % {"n": MAX_ROWS})
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
        sheet.append([title])
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
        if len(headers) > 1:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(list(headers))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    # A coordinate, not a cell: asking for the cell would create it and push the rows down.
    sheet.freeze_panes = f"A{header_row + 1}"
    marked = list(headers).index(highlight_column) + 1 if highlight_column in headers else 0
    fill = PatternFill("solid", fgColor="FDECEC")
    for row in rows:
        sheet.append(list(row))
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
    sheet.append([name for name, _required, _note in columns])
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
        notes.append([name, _("必填") if required else _("选填"), note])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["C"].width = 90
    workbook.save(target)
