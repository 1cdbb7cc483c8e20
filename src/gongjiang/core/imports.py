"""The spreadsheet-import framework every app's imports share: a report of rows checked, created,
updated and unchanged beside the errors (row, column, Chinese message), the workbook of the
clerk's rows with an error column, and the row loop of imports that apply each row through a
service (`import_rows`).

A report with errors still counts what the rows without errors would have done, so the clerk
sees how much of the file is fine (issue 18).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongjiang.core.sheets import SheetError, clean_text, parse_date, read_table, write_xlsx

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_COLUMN = "错误"

# (phase, rows done, rows in all); the phases are "check" (reading and validating every row)
# and "write" (applying them).
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    # Classes the file names that the school does not have yet: made by the import, so a
    # mistyped class name shows here before it becomes a class.
    new_classes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [asdict(e) for e in self.errors],
            "new_classes": self.new_classes,
        }

    def summary(self, *, refused: bool = False) -> dict[str, Any]:
        """What the audit keeps of an import: counts, never the rows."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": len(self.errors),
            "dry_run": self.dry_run,
            "refused": refused,
        }


def write_error_report(
    source: IO[bytes],
    filename: str,
    report: ImportReport,
    target: Path | IO[bytes],
    required_any: Sequence[str],
) -> None:
    """The clerk's own rows with an error column: fix the marked cells and import again."""
    table = read_table(source, filename, required_any=required_any)
    by_row: dict[int, list[str]] = {}
    for error in report.errors:
        by_row.setdefault(error.row, []).append(f"{error.column}：{error.message}" if error.column else error.message)
    rows = [[_cell_text(c) for c in cells] + ["；".join(by_row.get(number, []))] for number, cells in table.rows]
    write_xlsx([*table.headers, ERROR_COLUMN], rows, target, highlight_column=ERROR_COLUMN)


def _cell_text(value: Any) -> Any:
    return value.date() if isinstance(value, dt.datetime) else value


class CellError(Exception):
    """A cell that cannot be read; carries the field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


class RowRefusedError(Exception):
    """A service's refusal of a row, its fields renamed to the file's."""

    def __init__(self, messages: dict[str, str]) -> None:
        self.messages = messages
        super().__init__("; ".join(messages.values()))


def cell_date(value: Any, field: str) -> dt.date:
    try:
        return parse_date(value)
    except ValueError as exc:
        raise CellError(field, str(exc)) from exc


def import_rows(
    report: ImportReport,
    *,
    source: IO[bytes],
    filename: str,
    headers: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    required_any: tuple[str, ...],
    apply: Callable[[dict[str, Any]], str],
    progress: Progress | None = None,
    denied: tuple[str, str] | None = None,
) -> None:
    """Read a file and apply each row (`apply` returns created, updated or unchanged) in one
    transaction, each row in a savepoint; every refusal becomes an error on its row and column,
    and nothing stays unless every row passes (nor in a dry run). `denied` is the field and
    message a refused permission is reported with (else the refusal's own words)."""
    try:
        table = read_table(source, filename, required_any=required_any)
    except SheetError as exc:
        report.errors.append(RowError(row=0, column="", message=str(exc)))
        return
    position = {f: next((i for i, h in enumerate(table.headers) if h in names), None) for f, names in headers.items()}
    header = {f: table.headers[i] if i is not None else headers[f][0] for f, i in position.items()}
    missing = [headers[f][0] for f in required if position[f] is None]
    report.rows = len(table.rows)
    if missing:
        report.errors.append(
            RowError(
                row=table.header_row, column="", message=_("缺少必需的列：%(cols)s") % {"cols": "、".join(missing)}
            )
        )
        return
    with transaction.atomic():
        for done, (number, cells) in enumerate(table.rows, start=1):
            if progress:
                # Rows are checked by applying them; nothing stays unless every row passes.
                progress("check", done, report.rows)
            row = {f: (cells[i] if i is not None and i < len(cells) else None) for f, i in position.items()}
            empty = [f for f in required if not clean_text(row[f])]
            if empty:
                for f in empty:
                    report.errors.append(RowError(row=number, column=header[f], message=_("不能为空")))
                continue
            try:
                with transaction.atomic():
                    outcome = apply(row)
            except CellError as exc:
                report.errors.append(RowError(row=number, column=header.get(exc.field, ""), message=str(exc)))
            except RowRefusedError as exc:
                for field, message in exc.messages.items():
                    report.errors.append(RowError(row=number, column=header.get(field, ""), message=message))
            except ValidationError as exc:
                fields = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
                for field, messages in fields.items():
                    report.errors.append(RowError(row=number, column=header.get(field, ""), message=messages[0]))
            except PermissionDenied as exc:
                field, message = denied if denied is not None else ("", str(exc))
                report.errors.append(RowError(row=number, column=header.get(field, ""), message=message))
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
        if report.errors or report.dry_run:
            transaction.set_rollback(True)
