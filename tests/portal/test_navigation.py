"""What the navigation offers each kind of user."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_learner_is_not_offered_the_api_documentation(client_for: Callable[[str], Client]) -> None:
    # The API serves programs of schools, bureaus and enterprises; a student has no use for it.
    assert 'data-testid="api-link"' not in client_for("student").get("/").content.decode()
    assert 'data-testid="api-link"' in client_for("bureau").get("/").content.decode()
