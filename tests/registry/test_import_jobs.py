"""Web imports as jobs: the page follows a running job's progress, shows the report when it is
done, and says plainly when a job was interrupted (nothing was written)."""

from __future__ import annotations

import io
import json
import time
from typing import Any

from openpyxl import Workbook

from gongjiang.directory.models import Organisation
from gongjiang.registry import import_jobs


def _job_file(school: Organisation, token: str, **data: Any) -> None:
    path = import_jobs.job_dir(school) / f"{token}.json"
    record = {"kind": "registrations", "filename": "名册.xlsx", "dry_run": False, "state": "running"}
    path.write_text(json.dumps({**record, **data}, ensure_ascii=False), encoding="utf-8")


def test_a_running_job_shows_its_progress_and_keeps_polling(client_for: Any, world: dict[str, Organisation]) -> None:
    _job_file(world["school"], "job-running", phase="check", done=1000, total=3000, heartbeat=time.time())
    page = client_for("school").get("/registry/import/jobs/job-running/", HTTP_HX_REQUEST="true").content.decode()
    assert "正在逐行校验：1000 / 3000 行" in page
    assert 'value="33"' in page and "hx-get" in page
    _job_file(world["school"], "job-writing", phase="write", done=2500, total=3000, heartbeat=time.time())
    page = client_for("school").get("/registry/import/jobs/job-writing/").content.decode()
    assert "正在写入：2500 / 3000 行" in page and "<h1>" in page  # without htmx: the whole page


def test_a_job_whose_process_died_shows_as_interrupted(client_for: Any, world: dict[str, Organisation]) -> None:
    stale = time.time() - import_jobs.STALE_AFTER_SECONDS - 5
    _job_file(world["school"], "job-dead", phase="write", done=10, total=3000, heartbeat=stale)
    page = client_for("school").get("/registry/import/jobs/job-dead/", HTTP_HX_REQUEST="true").content.decode()
    assert "中断" in page and "未写入任何数据" in page and "hx-get" not in page


def test_jobs_belong_to_their_school(client_for: Any, world: dict[str, Organisation]) -> None:
    _job_file(
        world["school"],
        "job-mine",
        state="done",
        report={"rows": 0, "created": 0, "updated": 0, "unchanged": 0, "errors": []},
    )
    assert client_for("school").get("/registry/import/jobs/job-mine/").status_code == 200
    assert client_for("school2").get("/registry/import/jobs/job-mine/").status_code == 404
    assert client_for("school").get("/registry/import/jobs/..%2F..%2Fsecret/").status_code == 404
    assert client_for("bureau").get("/registry/import/jobs/job-mine/").status_code == 403


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
    assert "未写入任何数据" in body and "专业代码“9999”未在本校备案" in body
    token = body.split("/registry/import/errors/")[1].split("/")[0]
    download = client.get(f"/registry/import/errors/{token}/")
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_for("school2").get(f"/registry/import/errors/{token}/").status_code == 404
    # The upload itself is not kept once the job is done.
    assert not list(import_jobs.job_dir(world["school"]).glob(f"{token}.xlsx"))
