"""The part of reading a spreadsheet that runs in a child process (`python -m gongjiang.core.sheet_reader`).

A hostile or broken file can make a parser allocate without bound or abort (python-calamine is
Rust: a failed allocation ends the process). So the parsing happens here, under a memory and CPU
limit the child sets on itself, and the web process only ever receives plain rows or an error
code; `core.sheets` turns the codes into the clerk's words. This module imports nothing but the
standard library and python-calamine, so the child starts quickly and needs no Django.

Before a workbook is parsed its zip directory (members, uncompressed size, compression ratio)
and, for xlsx, the cells the first sheet really holds (the largest cell reference, read by
streaming the sheet's XML) are checked against the limits; rows and columns are counted while
reading, which stops as soon as a limit is passed.

Protocol: argv is the file's path, its suffix and the limits as JSON; stdout receives one pickle,
`{"rows": [(row number, cells), ...]}` with blank rows left out, or `{"error": code, **details}`.
"""

from __future__ import annotations

import csv
import json
import pickle
import re
import resource
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ZIP_SUFFIXES = (".xlsx", ".xlsm", ".ods")
WORKBOOK_SUFFIXES = (*ZIP_SUFFIXES, ".xls")
CHUNK = 1 << 20
# Members smaller than this are never refused for their ratio: a tiny, very regular styles.xml
# compresses well and harms no one.
RATIO_FLOOR_BYTES = 1 << 20

# The `r` attribute of cells (A1) and rows (1): two plain scans, fast in C, rather than one that
# would hand a million tuples to Python. Excel and every library write a space before an
# attribute; the slower patterns, for any whitespace, run only on text that has another kind.
COLUMN_REF = re.compile(rb' r="([A-Z]{1,3})[0-9]')
ROW_NUMBER = re.compile(rb' r="[A-Z]{0,3}([0-9]{1,9})"')
ANY_COLUMN_REF = re.compile(rb'\sr="([A-Z]{1,3})[0-9]')
ANY_ROW_NUMBER = re.compile(rb'\sr="[A-Z]{0,3}([0-9]{1,9})"')
ODD_SPACE = re.compile(rb'[\t\r\n]r="')
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="(?:[A-Z]{1,3}[0-9]{1,9}:)?([A-Z]{1,3})([0-9]{1,9})"')
FIRST_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]+)"')
RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>")
ATTRIBUTE = re.compile(rb'(\w+)="([^"]*)"')


class RefusedError(Exception):
    """The file passes a limit; `code` and `details` say which, for the parent's message."""

    def __init__(self, code: str, **details: int | str) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def check_zip(archive: zipfile.ZipFile, limits: dict[str, int]) -> None:
    """The zip directory against the limits, before anything is decompressed."""
    members = archive.infolist()
    if len(members) > limits["zip_members"]:
        raise RefusedError("zip_members", count=len(members))
    total = sum(member.file_size for member in members)
    if total > limits["zip_bytes"]:
        raise RefusedError("zip_bytes", size=total)
    for member in members:
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > limits["zip_ratio"] * max(
            member.compress_size, 1
        ):
            raise RefusedError("zip_ratio", ratio=member.file_size // max(member.compress_size, 1))


def first_sheet_member(archive: zipfile.ZipFile) -> str | None:
    """The xlsx member holding the first sheet (the one imports read), from workbook.xml and its
    relationships; None when the workbook does not say."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    with archive.open("xl/workbook.xml") as stream:
        first = FIRST_SHEET.search(stream.read(CHUNK))
    if first is None:
        return None
    with archive.open("xl/_rels/workbook.xml.rels") as stream:
        relationships = stream.read(CHUNK)
    for tag in RELATIONSHIP.findall(relationships):
        attributes = dict(ATTRIBUTE.findall(tag))
        if attributes.get(b"Id") == first[1]:
            target = attributes.get(b"Target", b"").decode("utf-8", "replace")
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return member if member in names else None
    return None


def check_xlsx_cells(archive: zipfile.ZipFile, limits: dict[str, int]) -> None:
    """The rows, columns and area the first sheet declares and really holds, by streaming its XML
    (the largest cell reference decides how much the parser allocates, whatever <dimension> says)."""
    member = first_sheet_member(archive)
    sheets = [member] if member else [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
    for name in sheets:
        rows = columns = 0
        tail = b""
        with archive.open(name) as stream:
            while chunk := stream.read(CHUNK):
                # A tag cut by the chunk boundary is read whole with the next chunk.
                text = tail + chunk
                cut = text.rfind(b"<")
                text, tail = text[:cut], text[cut:]
                found = DIMENSION.search(text) if not rows and not columns else None
                if found:  # declared before the cells, so in the first chunk
                    columns, rows = column_number(found[1]), int(found[2])
                odd = ODD_SPACE.search(text) is not None
                letters = (ANY_COLUMN_REF if odd else COLUMN_REF).findall(text)
                numbers = (ANY_ROW_NUMBER if odd else ROW_NUMBER).findall(text)
                columns = max([columns, *map(column_number, set(letters))])
                rows = max([rows, *map(int, numbers)])
                check_area(rows, columns, limits)


def check_area(rows: int, columns: int, limits: dict[str, int]) -> None:
    if columns > limits["columns"]:
        raise RefusedError("columns", count=columns)
    if rows > limits["sheet_rows"]:
        raise RefusedError("rows", count=rows)
    if rows * columns > limits["cells"]:
        raise RefusedError("cells", count=rows * columns)


def numbered(rows: Iterable[list[Any]], limits: dict[str, int], first: int = 1) -> list[tuple[int, list[Any]]]:
    """Rows that hold anything, with the number Excel shows; stops once past the row limit."""
    kept: list[tuple[int, list[Any]]] = []
    for number, cells in enumerate(rows, start=first):
        if len(cells) > limits["columns"]:
            raise RefusedError("columns", count=len(cells))
        if any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
            kept.append((number, cells))
            if len(kept) > limits["sheet_rows"]:
                raise RefusedError("rows", count=len(kept))
    return kept


def read_csv(path: Path, limits: dict[str, int]) -> list[tuple[int, list[Any]]]:
    """A csv in UTF-8 (with or without BOM) or GBK, read line by line."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with path.open(encoding=encoding, newline="") as stream:
                reader = csv.reader(stream)
                rows: list[tuple[int, list[Any]]] = []
                for cells in reader:
                    if len(cells) > limits["columns"]:
                        raise RefusedError("columns", count=len(cells))
                    if any(c.strip() for c in cells):
                        rows.append((reader.line_num, list(cells)))
                        if len(rows) > limits["sheet_rows"]:
                            raise RefusedError("rows", count=len(rows))
                return rows
        except UnicodeDecodeError:
            continue
    raise RefusedError("encoding")


def read_workbook(path: Path, suffix: str, limits: dict[str, int]) -> list[tuple[int, list[Any]]]:
    from python_calamine import CalamineError, CalamineWorkbook

    if suffix in ZIP_SUFFIXES:
        try:
            with zipfile.ZipFile(path) as archive:
                check_zip(archive, limits)
                if suffix != ".ods":
                    check_xlsx_cells(archive, limits)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, EOFError, OSError) as exc:
            raise RefusedError("broken") from exc
    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            sheet = workbook.get_sheet_by_index(0)
            check_area(sheet.total_height, sheet.total_width, limits)
            # iter_rows starts at row 1 but at the first column holding data; pad the columns
            # so that cells keep their place whatever the sheet's left margin.
            margin = [""] * (sheet.start[1] if sheet.start else 0)
            return numbered(([*margin, *cells] for cells in sheet.iter_rows()), limits)
    except (CalamineError, IndexError, ValueError, OSError) as exc:
        raise RefusedError("broken") from exc


def read(path: Path, suffix: str, limits: dict[str, int]) -> dict[str, Any]:
    try:
        if suffix == ".csv":
            return {"rows": read_csv(path, limits)}
        if suffix in WORKBOOK_SUFFIXES:
            return {"rows": read_workbook(path, suffix, limits)}
        raise RefusedError("suffix")
    except RefusedError as refused:
        return {"error": refused.code, **refused.details}


def confine(limits: dict[str, int]) -> None:
    """Limits the child sets on itself: setting them from the parent (preexec_fn) is unsafe in a
    web process that runs threads."""
    for which, soft, hard in (
        (resource.RLIMIT_AS, limits["memory_bytes"], limits["memory_bytes"]),
        (resource.RLIMIT_CPU, limits["cpu_seconds"], limits["cpu_seconds"] + 1),
    ):
        # Never above a hard limit the machine already sets (raising it is not allowed).
        current = resource.getrlimit(which)[1]
        if current != resource.RLIM_INFINITY:
            soft, hard = min(soft, current), min(hard, current)
        resource.setrlimit(which, (soft, hard))


def main(argv: list[str]) -> None:
    path, suffix, raw = argv
    limits = json.loads(raw)
    confine(limits)
    sys.stdout.buffer.write(pickle.dumps(read(Path(path), suffix, limits), protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
