"""Inserting many new rows at once, for imports and generators.

On PostgreSQL the rows stream in with COPY, several times faster than the multi-row INSERT that
`bulk_create` sends: the ids are drawn from the table's own sequence first, so the objects come
back with their primary keys set, as `bulk_create` would return them. Elsewhere (SQLite in the
demo) it is `bulk_create`.

Only for plain new rows: no signals are sent and `save()` is not called, exactly as with
`bulk_create`; field defaults and `auto_now_add` are applied.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import gc
import json
import operator
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import DateTimeField, Field, JSONField, Model
from django.utils import timezone

from gongjiang.core.bounds import check_bounds

M = TypeVar("M", bound=Model)
BATCH_SIZE = 1000


# How a field's value reaches COPY: as it is when of a plain type psycopg adapts (PLAIN), the
# batch's timestamp (STAMP), JSON text (JSON), or through the field's own conversion (FIELD).
PLAIN, STAMP, JSON, FIELD = range(4)
PLAIN_TYPES = frozenset({str, int, bool, type(None), dt.date, decimal.Decimal})


def _how(field: Field[Any, Any]) -> int:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return STAMP
    if isinstance(field, JSONField):
        return JSON
    if isinstance(field, DateTimeField):
        return FIELD  # a naive datetime needs the field's time-zone handling
    return PLAIN


def _converted(field: Field[Any, Any], how: int, value: Any, obj: Model, connection: Any) -> Any:
    if how == JSON:
        return None if value is None else json.dumps(value, cls=field.encoder)  # type: ignore[attr-defined]
    return field.get_db_prep_save(field.pre_save(obj, True), connection)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector while a bulk job builds hundreds of thousands of objects.

    Each full collection walks every live object, and an import keeps its rows alive until it
    ends, so collections grow costlier as it goes (about a sixth of an import's time). Reference
    counting still frees everything that is not in a cycle; the collector runs again after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def fast_commits() -> Iterator[None]:
    """For a generator that commits tens of thousands of small transactions: PostgreSQL answers
    each commit before its log is flushed to disk (`synchronous_commit = off`). A crash may lose
    the last moments of work but never leaves anything half-written, which is right for demo data
    that can be generated again, and wrong for a clerk's import (never used there)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def insert_many(objects: Sequence[M], batch_size: int = BATCH_SIZE) -> Sequence[M]:
    """Insert new, unsaved objects of one model; returns them with their primary keys set."""
    if not objects:
        return objects
    model = type(objects[0])
    for obj in objects:  # what `save()` checks through its signal, which bulk writes do not send
        check_bounds(obj)
    # The connection itself, not the thread-local proxy: it is consulted for every cell.
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objects, batch_size=batch_size)
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if not f.generated]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objects)],
        )
        for obj, (new_id,) in zip(objects, cursor.fetchall(), strict=True):
            setattr(obj, pk.attname, new_id)
        # Timestamps filled in on save get one value for the whole batch (it is one transaction).
        now = timezone.now()
        hows = [_how(f) for f in fields]
        for f, how in zip(fields, hows, strict=True):
            if how == STAMP:
                for obj in objects:
                    setattr(obj, f.attname, now)
        # attrgetter of several names returns a tuple in one C call; a model with a primary key
        # and one more column has at least two.
        values_of = operator.attrgetter(*(f.attname for f in fields))
        # The raw psycopg cursor's errors are turned into Django's (IntegrityError and the like)
        # here, as Django's own cursor would, so callers can tell a duplicate from a failure.
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row(
                    [
                        value
                        if (how == PLAIN and type(value) in PLAIN_TYPES) or how == STAMP
                        else _converted(f, how, value, obj, connection)
                        for value, f, how in zip(values_of(obj), fields, hows, strict=True)
                    ]
                )
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects


def insert_values(model: type[Model], rows: Sequence[Mapping[str, Any]], batch_size: int = BATCH_SIZE) -> None:
    """Insert new rows given as values by attribute name, without building a model object for each
    (for append-only rows nobody reads back, such as audit entries). The primary key comes from the
    table's default; a missing value is the field's default, a timestamp filled on save is now."""
    if not rows:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.generated and not f.primary_key]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**row) for row in rows], batch_size=batch_size)
        return
    now = timezone.now()
    hows = [_how(f) for f in fields]
    defaults = [f.get_default() for f in fields]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    plan = list(zip(fields, hows, defaults, strict=True))
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            cells = []
            for f, how, default in plan:
                value = row.get(f.attname, default)
                if how == STAMP:
                    value = now
                elif how == JSON:
                    value = None if value is None else json.dumps(value, cls=f.encoder)  # type: ignore[attr-defined]
                elif type(value) not in PLAIN_TYPES:
                    value = f.get_db_prep_save(value, connection)
                cells.append(value)
            copy.write_row(cells)
