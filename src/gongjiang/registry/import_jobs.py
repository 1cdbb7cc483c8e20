"""Web imports run as tasks of the queue (`core.tasks`, ADR 0021), so the page can show how far a
large file has got.

The upload is saved under the data directory and a `registry.import` task is queued; a
`gongjiang worker` imports it. The job's state (queued, running, done, failed, interrupted) and its
report are the task's row; how far it has got (phase, rows done) is a small JSON file beside the
upload, written outside the import's transaction so the page can poll it. The import itself is the
same all-or-nothing transaction as on the command line: if the worker dies half-way nothing is
written, and the task is marked failed once its heartbeat stops ("interrupted" on the page), never
run again (a file that killed a worker is not fed to the next one).

Files: the upload is removed when the import ends, or by the worker's clean-up when its worker
died; the workbook with an error column is kept `IMPORT_ERRORS_KEEP_HOURS` after the import.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from gongjiang.core import tasks
from gongjiang.core.actors import Actor
from gongjiang.core.imports import ImportReport, RowError, write_error_report
from gongjiang.core.models import TaskState
from gongjiang.core.scope import ActorKind
from gongjiang.directory.models import Organisation
from gongjiang.registry.services.imports import HEADERS, registrations_import
from gongjiang.registry.services.record_imports import KINDS, records_import

log = logging.getLogger(__name__)
TASK = "registry.import"
TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
# A file with no task waiting for it is left this long before the clean-up removes it: the task
# row commits with the upload request, a moment after the file is saved.
ORPHAN_AFTER_SECONDS = 3600


@dataclass(frozen=True)
class JobState:
    token: str
    kind: str
    filename: str
    dry_run: bool
    state: str  # queued, running, done, failed, interrupted
    phase: str  # check, write
    done: int
    total: int
    report: ImportReport | None
    error_workbook: bool

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def error_workbook_hours(self) -> int:
        """How long the workbook of errors can be downloaded after the import."""
        return int(settings.IMPORT_ERRORS_KEEP_HOURS)


def job_dir(school: Organisation) -> Path:
    path = Path(settings.DATA_DIR) / "imports" / str(school.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def error_workbook_path(school: Organisation, token: str) -> Path | None:
    """The workbook with an error column that a finished job left, if the token is well formed."""
    if not token or not set(token) <= TOKEN_CHARS:
        return None
    return job_dir(school) / f"{token}-errors.xlsx"


def _reference(school_id: int, token: str) -> str:
    return f"import:{school_id}:{token}"


def _source(folder: Path, token: str, filename: str) -> Path:
    return folder / f"{token}{Path(filename).suffix.lower()[:8]}"


def start(*, actor: Actor, school: Organisation, kind: str, upload: IO[bytes], filename: str, dry_run: bool) -> str:
    """Save the upload and queue its import; returns the job's token."""
    token = secrets.token_urlsafe(12)
    folder = job_dir(school)
    with _source(folder, token, filename).open("wb") as out:
        for chunk in iter(lambda: upload.read(1 << 20), b""):
            out.write(chunk)
    arguments = {
        "actor": dataclasses.asdict(actor), "school": school.pk, "kind": kind, "token": token,
        "filename": filename, "dry_run": dry_run,
    }  # fmt: skip
    # One attempt: an import whose worker died is reported as interrupted, not run again.
    queued = tasks.enqueue(TASK, arguments, reference=_reference(school.pk, token), max_attempts=1)
    if not settings.IMPORTS_IN_BACKGROUND:
        tasks.run_now(queued)
    return token


def state(*, school: Organisation, token: str) -> JobState | None:
    if not token or not set(token) <= TOKEN_CHARS:
        return None
    task = tasks.for_reference(_reference(school.pk, token))
    if task is None or task.name != TASK:
        return None
    status = str(task.state)
    if status == TaskState.FAILED and task.error == tasks.LOST:
        status = "interrupted"
    progress: dict[str, Any] = {}
    if status == TaskState.RUNNING:
        try:
            progress = json.loads((job_dir(school) / f"{token}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            progress = {}
    result = task.result or {}
    report = None
    if status == TaskState.DONE and "report" in result:
        raw = result["report"]
        report = ImportReport(
            rows=raw["rows"], created=raw["created"], updated=raw["updated"], unchanged=raw["unchanged"],
            errors=[RowError(**e) for e in raw["errors"]], dry_run=task.args["dry_run"],
            new_classes=list(raw.get("new_classes", [])),
        )  # fmt: skip
    workbook = error_workbook_path(school, token)
    return JobState(
        token=token,
        kind=task.args["kind"],
        filename=task.args["filename"],
        dry_run=task.args["dry_run"],
        state=status,
        phase=progress.get("phase", "check"),
        done=int(progress.get("done", 0)),
        total=int(progress.get("total", 0)),
        report=report,
        error_workbook=bool(result.get("error_workbook")) and workbook is not None and workbook.exists(),
    )


def _write(path: Path, data: dict[str, Any]) -> None:
    # Written beside and renamed, so a poll never reads half a file.
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    partial.replace(path)


def run(arguments: dict[str, Any]) -> dict[str, Any]:
    """The `registry.import` task: import the saved upload; the result is the report."""
    school = Organisation.objects.get(pk=arguments["school"])
    actor = Actor(**{**arguments["actor"], "kind": ActorKind(arguments["actor"]["kind"])})
    kind, token, filename = arguments["kind"], arguments["token"], arguments["filename"]
    folder = job_dir(school)
    status_path = folder / f"{token}.json"
    source = _source(folder, token, filename)
    last = 0.0

    def progress(phase: str, done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= 0.25 or done == total:
            last = now
            _write(status_path, {"phase": phase, "done": done, "total": total})

    try:
        with source.open("rb") as stream:
            if kind == "registrations":
                report = registrations_import(
                    actor=actor, school=school, source=stream, filename=filename, dry_run=arguments["dry_run"],
                    progress=progress,
                )  # fmt: skip
                headers = HEADERS["id_number"] + HEADERS["name"]
            else:
                report = records_import(
                    actor=actor, kind=KINDS[kind], school=school, source=stream, filename=filename,
                    dry_run=arguments["dry_run"], progress=progress,
                )  # fmt: skip
                headers = KINDS[kind].headers["id_number"]
        error_workbook = bool(report.errors and report.errors[0].row)
        if error_workbook:
            with source.open("rb") as stream:
                write_error_report(stream, filename, report, folder / f"{token}-errors.xlsx", headers)
        return {"report": report.as_dict(), "error_workbook": error_workbook}
    finally:
        # Nothing was written if the import raised (it is one transaction); the page says try again.
        discard(arguments)


def discard(arguments: dict[str, Any]) -> None:
    """Remove an import's upload and progress file (its end, or the clean-up of a lost one)."""
    folder = Path(settings.DATA_DIR) / "imports" / str(arguments["school"])
    _source(folder, arguments["token"], arguments["filename"]).unlink(missing_ok=True)
    (folder / f"{arguments['token']}.json").unlink(missing_ok=True)


def clean_up() -> int:
    """Remove what no import needs any more: workbooks of errors older than
    `IMPORT_ERRORS_KEEP_HOURS`, and uploads or progress files that no waiting or running import
    owns (left by a process that died before it could remove them). Returns how many."""
    root = Path(settings.DATA_DIR) / "imports"
    now = time.time()
    removed = 0
    for path in root.glob("*/*") if root.is_dir() else []:
        age = now - path.stat().st_mtime
        if path.name.endswith("-errors.xlsx"):
            stale = age > settings.IMPORT_ERRORS_KEEP_HOURS * 3600
        else:
            token = path.name.split(".")[0]
            task = tasks.for_reference(_reference(int(path.parent.name), token)) if path.parent.name.isdigit() else None
            active = task is not None and task.state in {TaskState.QUEUED, TaskState.RUNNING}
            stale = not active and (task is not None or age > ORPHAN_AFTER_SECONDS)
        if stale:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
