"""Fuzz every API operation with schemathesis, signed in as a school clerk: whatever the input,
the answer is never a server error.

The requests go to the WSGI application in this process, inside the test's transaction, so each
operation starts from the session's world and leaves nothing behind; a live server would need a
committed world, emptied and rebuilt after every operation (most of this test's time before).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from gongjiang.config.api import api
from gongjiang.directory.models import User

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
APP = get_wsgi_application()


@pytest.fixture
def signed_in(db: None) -> Iterator[dict[str, dict[str, str]]]:
    """The cookies and headers of a school clerk's browser session (writes are allowed and CSRF is
    satisfied)."""
    client = Client()
    client.force_login(User.objects.get(username="school"))
    client.get("/")  # sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    # As in Django's test client (which reconnects them after each of its own requests), a request
    # must not close the connection that holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {
            "cookies": {
                settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
                settings.CSRF_COOKIE_NAME: token,
            },
            "headers": {"X-CSRFToken": token},
        }
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_api_fail(case: Any, signed_in: dict[str, dict[str, str]]) -> None:
    case.call_and_validate(
        base_url="http://testserver",
        app=APP,
        headers=signed_in["headers"],
        cookies=signed_in["cookies"],
        checks=[not_a_server_error],
    )
