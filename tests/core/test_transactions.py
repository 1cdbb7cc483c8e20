"""Reads run in no transaction of their own (on SQLite one would take the write lock); writes run
in one, rolled back when the view fails (ADR 0019)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.transaction_urls")]


@override_settings(DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_only_unsafe_methods_run_in_a_request_transaction() -> None:
    client = Client(raise_request_exception=False)
    # The test itself runs in transactions; a request adds one only when it may write.
    read = client.get("/test/depth").json()["depth"]
    for method in ("head", "options"):
        assert getattr(client, method)("/test/depth").status_code == 200
    assert client.post("/test/depth").json()["depth"] == read + 1
    assert client.put("/test/depth").json()["depth"] == read + 1

    assert client.post("/test/write", {"name": "kept"}).status_code == 200
    assert client.post("/test/write", {"name": "refused", "fail": "404"}).status_code == 404
    assert client.post("/test/write", {"name": "broken", "fail": "500"}).status_code == 500
    assert set(Group.objects.values_list("name", flat=True)) == {"kept"}
