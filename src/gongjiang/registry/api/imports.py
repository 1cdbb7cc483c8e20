"""The register's spreadsheets: import and export of registrations."""

from __future__ import annotations

import io
from typing import IO, Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from gongjiang.core.api import actor_of
from gongjiang.core.imports import XLSX_CONTENT_TYPE
from gongjiang.core.uploads import upload_refusal
from gongjiang.registry.api.base import _school, router
from gongjiang.registry.services.imports import registrations_export, registrations_import


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportReportOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: list[ImportErrorOut]


@router.post("/imports/registrations", response=ImportReportOut, summary="导入学籍（xlsx 或 csv）")
def registrations_import_endpoint(
    request: HttpRequest, school: Form[str], file: File[UploadedFile | None] = None, dry_run: Form[bool] = False
) -> dict[str, Any]:
    # The file is optional to the schema only so that one stopped for its size (and so absent)
    # is answered with the reason rather than a validation error.
    refusal = upload_refusal(request, file)
    if refusal:
        raise HttpError(413, refusal)
    if file is None:
        raise HttpError(422, _("请选择要导入的文件。"))
    report = registrations_import(
        actor=actor_of(request),
        school=_school(request, school),
        source=cast(IO[bytes], file),
        filename=file.name or "",
        dry_run=dry_run,
    )
    return report.as_dict()


@router.get("/exports/registrations", summary="导出学籍（xlsx）", response={200: None})
def registrations_export_endpoint(request: HttpRequest, school: str) -> HttpResponse:
    buffer = io.BytesIO()
    school_org = _school(request, school)
    registrations_export(actor=actor_of(request), school=school_org, target=buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="registrations-{school_org.code}.xlsx"'
    return response
