"""A file over the upload limit is stopped as it arrives and the clerk told why, on every page and
endpoint that takes one; nothing of it is imported."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from gongjiang.directory.models import Organisation

pytestmark = pytest.mark.django_db


def big_file(name: str) -> io.BytesIO:
    data = io.BytesIO(("姓名,身份证号\n" + "张伟,150203200805041011\n" * 100_000).encode())  # about 2.6 MB
    data.name = name
    return data


@pytest.fixture(autouse=True)
def small_limit(settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024


def test_the_api_answers_413_with_the_reason_in_json(
    client_for: Callable[[str], Client], world: dict[str, Organisation]
) -> None:
    response = client_for("school").post(
        "/api/v1/registry/imports/registrations", {"school": world["school"].code, "file": big_file("名册.csv")}
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "文件过大" in response.json()["detail"] and "最多 1 MB" in response.json()["detail"]


def test_the_api_asks_for_a_file_when_none_came(
    client_for: Callable[[str], Client], world: dict[str, Organisation]
) -> None:
    response = client_for("school").post("/api/v1/registry/imports/registrations", {"school": world["school"].code})
    assert response.status_code == 422 and "请选择要导入的文件" in response.json()["detail"]


def test_the_import_page_says_the_file_is_too_large(client_for: Callable[[str], Client]) -> None:
    page = client_for("school").post(
        "/registry/import/", {"kind": "teachers", "file": big_file("教师.csv")}, follow=True
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "文件过大" in text and "请分批导入" in text and "请选择要导入的文件" not in text


def test_the_archive_import_says_the_file_is_too_large(client_for: Callable[[str], Client]) -> None:
    page = client_for("bureau").post("/market/moderation/archive/", {"file": big_file("岗位.csv")})
    assert page.status_code == 200 and "文件过大" in page.content.decode()
