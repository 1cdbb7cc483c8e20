"""Web imports run as jobs, so the page can show how far a large file has got.

The upload is saved under the data directory and imported in a background thread; the job's
state (phase, rows done, the report at the end) is a small JSON file beside it, which the page
polls. The import itself is the same all-or-nothing transaction as on the command line: if the
process dies half-way nothing is written, and the job shows as interrupted once its heartbeat
is old.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connections

from gongjiang.core.actors import Actor
from gongjiang.directory.models import Organisation
from gongjiang.registry.imports import HEADERS, ImportReport, RowError, registrations_import, write_error_report
from gongjiang.registry.record_imports import KINDS, records_import

log = logging.getLogger(__name__)
STALE_AFTER_SECONDS = 120  # no heartbeat for this long: the process running it has gone
TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


@dataclass(frozen=True)
class JobState:
    token: str
    kind: str
    filename: str
    dry_run: bool
    state: str  # running, done, failed, interrupted
    phase: str  # check, write
    done: int
    total: int
    report: ImportReport | None
    error_workbook: bool

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0


def job_dir(school: Organisation) -> Path:
    path = Path(settings.DATA_DIR) / "imports" / str(school.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def error_workbook_path(school: Organisation, token: str) -> Path | None:
    """The workbook with an error column that a finished job left, if the token is well formed."""
    if not token or not set(token) <= TOKEN_CHARS:
        return None
    return job_dir(school) / f"{token}-errors.xlsx"


def start(*, actor: Actor, school: Organisation, kind: str, upload: IO[bytes], filename: str, dry_run: bool) -> str:
    """Save the upload and start importing it; returns the job's token."""
    token = secrets.token_urlsafe(12)
    folder = job_dir(school)
    suffix = Path(filename).suffix.lower()[:8]
    source = folder / f"{token}{suffix}"
    with source.open("wb") as out:
        for chunk in iter(lambda: upload.read(1 << 20), b""):
            out.write(chunk)
    _write(folder / f"{token}.json", {"kind": kind, "filename": filename, "dry_run": dry_run, "state": "running"})
    arguments: dict[str, Any] = {"actor": actor, "school": school, "kind": kind, "token": token, "filename": filename}
    if settings.IMPORTS_IN_BACKGROUND:
        threading.Thread(target=_run_in_thread, kwargs=arguments, name=f"import-{token}", daemon=True).start()
    else:
        _run(**arguments)
    return token


def state(*, school: Organisation, token: str) -> JobState | None:
    if not token or not set(token) <= TOKEN_CHARS:
        return None
    path = job_dir(school) / f"{token}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    status = data["state"]
    if status == "running" and time.time() - float(data.get("heartbeat", path.stat().st_mtime)) > STALE_AFTER_SECONDS:
        status = "interrupted"
    report = None
    if "report" in data:
        raw = data["report"]
        report = ImportReport(
            rows=raw["rows"], created=raw["created"], updated=raw["updated"], unchanged=raw["unchanged"],
            errors=[RowError(**e) for e in raw["errors"]], dry_run=data["dry_run"],
            new_classes=list(raw.get("new_classes", [])),
        )  # fmt: skip
    return JobState(
        token=token,
        kind=data["kind"],
        filename=data["filename"],
        dry_run=data["dry_run"],
        state=status,
        phase=data.get("phase", "check"),
        done=int(data.get("done", 0)),
        total=int(data.get("total", 0)),
        report=report,
        error_workbook=bool(data.get("error_workbook")),
    )


def _write(path: Path, data: dict[str, Any]) -> None:
    # Written beside and renamed, so a poll never reads half a file.
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({**data, "heartbeat": time.time()}, ensure_ascii=False), encoding="utf-8")
    partial.replace(path)


def _run_in_thread(**arguments: Any) -> None:
    try:
        _run(**arguments)
    finally:
        # The thread's own database connection; Django closes only the request threads' ones.
        connections.close_all()


def _run(*, actor: Actor, school: Organisation, kind: str, token: str, filename: str) -> None:
    folder = job_dir(school)
    status_path = folder / f"{token}.json"
    data = json.loads(status_path.read_text(encoding="utf-8"))
    source = folder / f"{token}{Path(filename).suffix.lower()[:8]}"
    last = 0.0

    def progress(phase: str, done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= 0.25 or done == total:
            last = now
            _write(status_path, {**data, "phase": phase, "done": done, "total": total})

    try:
        with source.open("rb") as stream:
            if kind == "registrations":
                report = registrations_import(
                    actor=actor, school=school, source=stream, filename=filename, dry_run=data["dry_run"],
                    progress=progress,
                )  # fmt: skip
                headers = HEADERS["id_number"] + HEADERS["name"]
            else:
                report = records_import(
                    actor=actor, kind=KINDS[kind], school=school, source=stream, filename=filename,
                    dry_run=data["dry_run"], progress=progress,
                )  # fmt: skip
                headers = KINDS[kind].headers["id_number"]
        error_workbook = bool(report.errors and report.errors[0].row)
        if error_workbook:
            with source.open("rb") as stream:
                write_error_report(stream, filename, report, folder / f"{token}-errors.xlsx", headers)
        _write(status_path, {**data, "state": "done", "report": report.as_dict(), "error_workbook": error_workbook})
    except Exception:
        # Nothing was written (the import is one transaction); the clerk is told to try again.
        log.exception("import job %s failed", token)
        _write(status_path, {**data, "state": "failed"})
    finally:
        source.unlink(missing_ok=True)
