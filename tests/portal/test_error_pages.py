"""Refusals and missing pages come in the site's own layout, in Chinese, with a way back; a
reason a view wrote for people is shown, Django's own English ones are not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_a_missing_posting_is_a_chinese_page_with_the_menu(client_for: Callable[[str], Any]) -> None:
    response = client_for("anonymous").get("/market/postings/999999/")
    body = response.content.decode()
    assert response.status_code == 404 and "没有找到这个页面" in body and "回到首页" in body
    assert "Not Found" not in body and "matches the given query" not in body


def test_a_refusal_says_why_in_chinese(client_for: Callable[[str], Any]) -> None:
    response = client_for("student").get("/insight/")
    body = response.content.decode()
    assert response.status_code == 403 and "没有权限" in body and "Forbidden" not in body


def test_a_missing_page_says_nothing_of_what_exists(client_for: Callable[[str], Any]) -> None:
    # An unknown path with Chinese in it: Django's reason there is the URL configuration.
    response = client_for("anonymous").get("/招聘/")
    body = response.content.decode()
    assert response.status_code == 404 and "没有找到这个页面" in body
    assert "tried" not in body and "urls" not in body and ".venv" not in body
    # Another region's school reads like one that does not exist.
    other = client_for("bureau_other").get("/insight/?scope=school:NOPE").content.decode()
    assert "没有找到这个页面" in other
