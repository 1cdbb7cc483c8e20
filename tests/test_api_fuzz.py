"""Fuzz every API operation with schemathesis, signed in as each kind of user, against a live
server: whatever the input, the answer is never a server error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from gongjiang.config.api import api
from gongjiang.directory.models import Organisation, User
from tests.conftest import build_world

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


@pytest.fixture
def signed_in(live_server: Any, transactional_db: None, request: pytest.FixtureRequest) -> Iterator[requests.Session]:
    """A browser-like session of a school clerk (writes are allowed and CSRF is satisfied)."""
    if not Organisation.objects.exists():
        build_world()
    client = Client()
    client.force_login(User.objects.get(username="school"))
    client.get("/")  # sets the CSRF cookie
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    session.cookies.set(settings.CSRF_COOKIE_NAME, token)
    session.headers.update({"X-CSRFToken": token, "Referer": live_server.url})
    yield session
    session.close()


@schema.parametrize()
@hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_api_fail(case: Any, live_server: Any, signed_in: requests.Session) -> None:
    case.call_and_validate(base_url=live_server.url, session=signed_in, checks=[not_a_server_error])
