"""Uploads bounded while they arrive: a file over `UPLOAD_MAX_BYTES` is not written to disk in
full; the rest of the request is read and discarded, and the page or endpoint says why the
file is missing (`upload_refusal`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.utils.translation import gettext as _

REFUSED = "gongjiang_upload_refused"


class BoundedUploadHandler(FileUploadHandler):
    """First of the upload handlers: passes chunks on until a file passes the limit, then stops
    the upload (Django deletes what the next handlers had written)."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        size = start + len(raw_data)
        if size > settings.UPLOAD_MAX_BYTES:
            if self.request is not None:
                setattr(self.request, REFUSED, size)
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        return None


def upload_too_large(size: int | None) -> str:
    """The message for a file over the size limit, or "" when it is within it."""
    limit = settings.UPLOAD_MAX_BYTES
    if size is None or size <= limit:
        return ""
    return _("文件过大（%(size).1f MB），最多 %(limit)d MB，请分批导入") % {
        "size": size / 1024 / 1024,
        "limit": limit // (1024 * 1024),
    }


def upload_refusal(request: HttpRequest, upload: UploadedFile | None) -> str:
    """Why the request's upload cannot be taken ("" when it can): stopped on arrival, or over the
    limit (a file received whole, e.g. by a test client)."""
    stopped = getattr(request, REFUSED, None)
    if stopped is not None:
        return upload_too_large(int(stopped)) + _("（超过部分未接收）")
    return upload_too_large(upload.size if upload is not None else None)
