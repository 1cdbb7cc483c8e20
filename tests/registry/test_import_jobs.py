"""Web imports as jobs: the page follows a running job's progress, shows the report when it is
done, and says plainly when a job was interrupted (nothing was written)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from gongjiang.core import tasks
from gongjiang.core.models import Task, TaskState
from gongjiang.directory.models import Organisation
from gongjiang.registry import import_jobs


def _job(school: Organisation, token: str, state: str = TaskState.RUNNING, **fields: Any) -> Task:
    """A job's task row as a worker leaves it, with its progress file while it runs."""
    arguments = {"actor": {}, "school": school.pk, "kind": "registrations", "token": token, "filename": "名册.xlsx"}
    task = tasks.enqueue(
        import_jobs.TASK, {**arguments, "dry_run": False}, reference=f"import:{school.pk}:{token}", max_attempts=1
    )
    Task.objects.filter(pk=task.pk).update(state=state, **fields)
    return task


def _progress(school: Organisation, token: str, **data: Any) -> None:
    (import_jobs.job_dir(school) / f"{token}.json").write_text(json.dumps(data), encoding="utf-8")


def test_a_queued_job_says_it_waits_and_keeps_polling(client_for: Any, world: dict[str, Organisation]) -> None:
    _job(world["school"], "job-queued", state=TaskState.QUEUED)
    page = client_for("school").get("/registry/import/jobs/job-queued/", HTTP_HX_REQUEST="true").content.decode()
    assert "已排队" in page and "hx-get" in page


def test_a_running_job_shows_its_progress_and_keeps_polling(client_for: Any, world: dict[str, Organisation]) -> None:
    _job(world["school"], "job-running", heartbeat_at=timezone.now())
    _progress(world["school"], "job-running", phase="check", done=1000, total=3000)
    page = client_for("school").get("/registry/import/jobs/job-running/", HTTP_HX_REQUEST="true").content.decode()
    assert "正在逐行校验：1000 / 3000 行" in page
    assert 'value="33"' in page and "hx-get" in page
    _job(world["school"], "job-writing", heartbeat_at=timezone.now())
    _progress(world["school"], "job-writing", phase="write", done=2500, total=3000)
    page = client_for("school").get("/registry/import/jobs/job-writing/").content.decode()
    assert "正在写入：2500 / 3000 行" in page and "<h1>" in page  # without htmx: the whole page


def test_a_job_whose_worker_died_shows_as_interrupted_and_its_upload_goes(
    client_for: Any, world: dict[str, Organisation]
) -> None:
    school = world["school"]
    old = timezone.now() - dt.timedelta(hours=1)  # far past the heartbeat's limit
    _job(school, "job-dead", heartbeat_at=old, attempts=1, worker="gone")
    upload = import_jobs.job_dir(school) / "job-dead.xlsx"
    upload.write_bytes(b"PK")
    _progress(school, "job-dead", phase="write", done=10, total=3000)
    assert tasks.recover_lost() == 1
    page = client_for("school").get("/registry/import/jobs/job-dead/", HTTP_HX_REQUEST="true").content.decode()
    assert "中断" in page and "未写入任何数据" in page and "hx-get" not in page
    assert not upload.exists() and not list(import_jobs.job_dir(school).glob("job-dead*"))


def test_jobs_belong_to_their_school(client_for: Any, world: dict[str, Organisation]) -> None:
    report = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0, "errors": []}
    _job(world["school"], "job-mine", state=TaskState.DONE, result={"report": report, "error_workbook": False})
    assert client_for("school").get("/registry/import/jobs/job-mine/").status_code == 200
    assert client_for("school2").get("/registry/import/jobs/job-mine/").status_code == 404
    assert client_for("school").get("/registry/import/jobs/..%2F..%2Fsecret/").status_code == 404
    assert client_for("bureau").get("/registry/import/jobs/job-mine/").status_code == 403


def test_the_clean_up_removes_old_error_workbooks_and_orphaned_uploads(
    world: dict[str, Organisation], settings: Any
) -> None:
    school = world["school"]
    folder = import_jobs.job_dir(school)
    _job(school, "job-waiting", state=TaskState.QUEUED)
    waiting = folder / "job-waiting.xlsx"
    _job(school, "job-ended", state=TaskState.FAILED)
    ended = folder / "job-ended.csv"
    fresh, old = folder / "job-fresh-errors.xlsx", folder / "job-old-errors.xlsx"
    for path in (waiting, ended, fresh, old):
        path.write_bytes(b"PK")
    settings.IMPORT_ERRORS_KEEP_HOURS = 24
    long_ago = timezone.now().timestamp() - 25 * 3600
    os.utime(old, (long_ago, long_ago))
    import_jobs.clean_up()
    assert waiting.exists() and fresh.exists()
    assert not ended.exists() and not old.exists()
    waiting.unlink()
    fresh.unlink()


def test_an_upload_becomes_a_job_with_a_report_and_an_error_workbook(
    client_for: Any, world: dict[str, Organisation]
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号", "专业代码", "班级", "班级层次", "学习形式", "入学日期"])
    sheet.append(["错号", "150203200805045011", "9999", "数控1班", "高级", "全日制", "2025-09-01"])
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "名册.xlsx"
    client = client_for("school")
    page = client.post("/registry/import/", {"kind": "registrations", "file": upload}, HTTP_HX_REQUEST="true")
    body = page.content.decode()
    assert "未写入任何数据" in body and "专业代码“9999”未在本校备案" in body and "保留 24 小时" in body
    # Beside the errors, what the rows without any would do (here: none of the one row checked).
    assert "已检查 1 行。没有错误的行中：可新增 0，可更新 0，未变 0。" in body
    token = body.split("/registry/import/errors/")[1].split("/")[0]
    download = client.get(f"/registry/import/errors/{token}/")
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_for("school2").get(f"/registry/import/errors/{token}/").status_code == 404
    # The upload itself is not kept once the job is done; the job is the queue's row.
    assert not list(import_jobs.job_dir(world["school"]).glob(f"{token}.xlsx"))
    task = Task.objects.get(reference=f"import:{world['school'].pk}:{token}")
    assert task.state == TaskState.DONE and task.worker == "immediate"
