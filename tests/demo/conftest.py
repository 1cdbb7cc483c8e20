"""A populated demo region for the generator's tests: the session's world given students,
graduates, the records around them and the marketplace, rolled back when the module that asked
for it ends."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from gongjiang.core.actors import system_actor
from gongjiang.demo.generator import Populated, populate_region

# As many students as `--scale small`: enough graduates per major category for rates to mean something.
STUDENTS = 2_000


@pytest.fixture(scope="module")
def populated(django_db_setup: None, django_db_blocker: Any) -> Iterator[Populated]:
    """Built once per module inside a transaction that is rolled back afterwards, so the other
    tests keep the plain world; each test runs in a savepoint of it."""
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            made = populate_region(actor=system_actor("tests"), students=STUDENTS, rng=random.Random(11))
        except BaseException:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)
            raise
    yield made
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        block.__exit__(None, None, None)
