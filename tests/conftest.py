"""Shared fixtures: the named personas on a generated region, and the audit guard.

The personas (DESIGN.md rule 9) are built once per session through the real services:
`bureau` (provincial bureau), `bureau_other` (a city bureau whose region excludes `school`),
`school`, `school2` (another school, which must see nothing of the first), `enterprise`,
`evaluator`, `student` (a learner) and the anonymous public.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.test import Client

from gongjiang.core.actors import Actor, system_actor
from gongjiang.core.models import AuditEntry
from gongjiang.demo.generator import Populated, build_region, populate_region
from gongjiang.directory.models import Organisation, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.refdata.builtin import BUILTIN_DIR
from gongjiang.refdata.services import refdata_load

SHARED = Path(__file__).resolve().parents[2] / "shared"
RAW_REFDATA = SHARED / "refdata" / "raw"
PASSWORD = "persona-pass-1"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

PERSONA_USERS = {
    "bureau": "bureau",
    "bureau_other": "u-bur-150400",
    "school": "school",
    "school2": "school2",
    "enterprise": "enterprise",
    "evaluator": "u-v150000001",
    "student": "student",
}
PERSONAS = ["anonymous", *PERSONA_USERS]


def require_or_skip(available: bool, why: str) -> None:
    """In CI a missing browser or database is a failure; on a laptop the test is skipped."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI must run this test: {why}")
    pytest.skip(why)


def build_world() -> None:
    actor = system_actor("tests")
    refdata_load(actor=actor, path=BUILTIN_DIR)
    build_region(actor=actor, seed=2025, password=PASSWORD)
    for username in PERSONA_USERS.values():
        user = User.objects.get(username=username)
        if not user.has_usable_password():
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        build_world()


# Where the world is copied for tests that commit data (`committed_world`): a schema of the test
# database that Django's flush does not see.
WORLD_COPY_SCHEMA = "test_world_copy"


class WorldCopy:
    """The session's world copied once, table by table, into a schema of the test database, and
    put back before each test that commits data.

    Transactional and live-server tests empty every table after themselves (Django's flush), so
    each such test used to build the world again (reference data, the region, the personas'
    passwords: seconds each). Putting the copied rows back is one transaction of plain
    `INSERT … SELECT`: the same rows, ids included, as the session's world.
    """

    def __init__(self) -> None:
        self.tables: dict[str, list[str]] = {}

    def take(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {WORLD_COPY_SCHEMA} CASCADE")
            cursor.execute(f"CREATE SCHEMA {WORLD_COPY_SCHEMA}")
            for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
                # Generated columns (the postings' search vector) are computed again on insert.
                cursor.execute(
                    "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
                    " AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                    [connection.ops.quote_name(table)],
                )
                self.tables[table] = [connection.ops.quote_name(name) for (name,) in cursor.fetchall()]
                quoted = connection.ops.quote_name(table)
                cursor.execute(f"CREATE TABLE {WORLD_COPY_SCHEMA}.{quoted} AS SELECT * FROM {quoted}")

    def restore(self) -> None:
        quoted = [connection.ops.quote_name(table) for table in self.tables]
        with transaction.atomic(), connection.cursor() as cursor:
            # Also what a flush left behind: content types and permissions made again after it.
            cursor.execute(f"TRUNCATE {', '.join(quoted)}")
            # Django's foreign keys are deferred to the commit, so the order of the tables is free.
            for table, columns in zip(quoted, self.tables.values(), strict=True):
                names = ", ".join(columns)
                cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {WORLD_COPY_SCHEMA}.{table}")
        # The ids of the content types are the copy's again, not those made after the flush.
        ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def world_copy(django_db_setup: None, django_db_blocker: Any) -> WorldCopy | None:
    """The world copied once for the tests that commit data (PostgreSQL; None elsewhere)."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            return None
        if not Organisation.objects.exists():
            build_world()  # an earlier test that committed data has emptied the tables
        copy = WorldCopy()
        copy.take()
        return copy


@pytest.fixture
def committed_world(transactional_db: None, world_copy: WorldCopy | None) -> None:
    """The personas' world, committed, for a test that commits data (a live server, a worker in
    another process): put back from the copy, or built again where there is none (SQLite)."""
    if world_copy is not None:
        world_copy.restore()
    elif not Organisation.objects.exists():
        build_world()


# As many students as `--scale small`: enough graduates per major category for rates to mean something.
STUDENTS = 2_000


@contextmanager
def kept_for_module(django_db_blocker: Any) -> Iterator[None]:
    """Data a whole module reads, written once inside a transaction that is rolled back after the
    module, so other modules keep the plain world; each test runs in a savepoint of it. Building
    it once per module instead of once per test is most of what keeps the suite fast."""
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.fixture(scope="module")
def populated(django_db_setup: None, django_db_blocker: Any) -> Iterator[Populated]:
    """The session's world given students, graduates, the records around them and the
    marketplace (`--scale small`), kept for the module (`kept_for_module`)."""
    with kept_for_module(django_db_blocker):
        with django_db_blocker.unblock():
            # Without the demo's three years of earlier postings (2,600 of them, a minute to
            # write): the forecast tests record the history they need.
            made = populate_region(
                actor=system_actor("tests"), students=STUDENTS, rng=random.Random(11), history_months=0
            )
        yield made


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that commit data (live servers, transactional tests) empty the database afterwards,
    which would take the session's world from the tests after them; they are marked `serial` so
    that `./gj test` runs them in their own stage, after the parallel one. Marked here, before `-m`
    selects, so a new test of that kind cannot forget the marker."""
    for item in items:
        if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.serial)


@pytest.fixture
def actor_of(db: None) -> Callable[[str], Actor]:
    """The actor a persona acts as, by user name."""
    return lambda username: actor_for_user(User.objects.get(username=username))


def persona_organisations() -> dict[str, Organisation]:
    """The organisations the personas act for, by persona name."""
    return {
        "bureau": Organisation.objects.get(code="BUR-150000"),
        "bureau_other": Organisation.objects.get(code="BUR-150400"),
        "school": User.objects.get(username="school").memberships.get().organisation,
        "school2": User.objects.get(username="school2").memberships.get().organisation,
        "enterprise": User.objects.get(username="enterprise").memberships.get().organisation,
        "evaluator": Organisation.objects.get(code="V150000001"),
    }


@pytest.fixture
def world(db: None) -> dict[str, Organisation]:
    """The organisations the personas act for, by persona name."""
    return persona_organisations()


@pytest.fixture
def client_for(db: None) -> Any:
    def make(persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(User.objects.get(username=PERSONA_USERS[persona]))
        return client

    return make


@pytest.fixture
def raw_refdata() -> Path:
    require_or_skip(RAW_REFDATA.is_dir(), f"the shared reference tables are not at {RAW_REFDATA}")
    return RAW_REFDATA


@pytest.fixture(autouse=True)
def audit_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every write to a platform table made during a test must have left an audit entry.

    Login bookkeeping (`last_login`) is Django's, not a write through a service; derived results
    kept to save recomputing them (`DERIVED`) are not changes of the register.
    """
    database = next((f for f in ("transactional_db", "db") if f in request.fixturenames), None)
    if database is None:
        yield
        return
    # Set the database up first, so that the check below runs before it is rolled back.
    request.getfixturevalue(database)
    saved: list[Any] = []

    def remember(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
        if not sender.__module__.startswith("gongjiang.") or sender is AuditEntry:
            return
        if sender._meta.label in DERIVED:
            return
        if update_fields is not None and set(update_fields) <= {"last_login"}:
            return
        saved.append(instance)

    post_save.connect(remember, weak=False, dispatch_uid="audit_guard")
    try:
        yield
        for instance in saved:
            if not type(instance)._default_manager.filter(pk=instance.pk).exists():
                continue  # rolled back with its transaction: nothing was written
            exists = AuditEntry.objects.filter(
                entity_type=instance._meta.label_lower, entity_id=str(instance.pk)
            ).exists()
            assert exists, f"write without audit entry: {instance._meta.label} {instance.pk}"
    finally:
        post_save.disconnect(dispatch_uid="audit_guard")


# Kept results computed from audited records (ADR 0015: a school's last data-quality check), the
# task queue's bookkeeping (ADR 0021), which records work to do, not changes of the register, and
# inbox messages, written in the transaction of the audited act they tell of (market/push.py).
DERIVED = {"insight.QualityCheck", "core.Task", "core.TaskWorker", "market.Notification"}


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    require_or_skip(path is not None, "Chromium is not installed (apt-get install chromium)")
    assert path is not None
    return path
