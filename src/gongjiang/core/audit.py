"""Recording writes. Services call `record()` inside their transaction, so an entry exists exactly
when the write it describes was committed."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ParamSpec

from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.dispatch import Signal

from gongjiang.core.actors import Actor
from gongjiang.core.bulk import insert_values
from gongjiang.core.models import AuditEntry

P = ParamSpec("P")
_PLAIN = frozenset({str, int, float, bool, type(None)})
_TEMPORAL = (dt.datetime, dt.date, dt.time)
_TEXTUAL = (decimal.Decimal, uuid.UUID)


def _jsonable(value: Any) -> Any:
    # The plain case first: imports call this hundreds of thousands of times.
    if type(value) in _PLAIN:
        return value
    if isinstance(value, _TEMPORAL):
        return value.isoformat()
    if isinstance(value, _TEXTUAL):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


DEFAULT_EXCLUDE = ("password", "created_at", "updated_at", "last_login")


class Snapshot(dict[str, Any]):
    """Field values already made JSON-ready, so `entry` need not convert them again."""


def snapshot(obj: Model, exclude: Iterable[str] = DEFAULT_EXCLUDE) -> Snapshot:
    """The concrete field values of a row, JSON-ready, foreign keys as their ids.

    Bookkeeping timestamps are left out: the entry's own time says when, and they would make
    every update look like a change of two fields.
    """
    attnames = _snapshot_fields(type(obj), tuple(exclude))
    return Snapshot({attname: _jsonable(getattr(obj, attname)) for attname in attnames})


@functools.cache
def _snapshot_fields(model: type[Model], exclude: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields if f.name not in exclude and f.attname not in exclude)


def _json_ready(values: Mapping[str, Any]) -> dict[str, Any]:
    return values if isinstance(values, Snapshot) else _jsonable(dict(values))


def _as_entry(values_of: Callable[P, dict[str, Any]]) -> Callable[P, AuditEntry]:
    """`entry`, with the very signature of `entry_values` (kept in one place)."""

    def build_entry(*args: P.args, **kwargs: P.kwargs) -> AuditEntry:
        values = values_of(*args, **kwargs)
        # Positional construction, in the model's field order, is Django's fast path (the one
        # rows read from the database take).
        build: Callable[..., AuditEntry] = AuditEntry
        return build(*[values.get(attname) for attname in _entry_fields()])

    build_entry.__doc__ = "An unsaved entry; takes the arguments of `entry_values`."
    return build_entry


def entry_values(
    *,
    actor: Actor,
    action: str,
    entity: Model | None = None,
    entity_type: str = "",
    entity_id: str = "",
    entity_label: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    scope_organisation_id: int | None = None,
    scope_organisation_code: str = "",
    scope_region_code: str = "",
    owner: Model | None = None,
) -> dict[str, Any]:
    """The column values of an entry, by attribute name. `owner` is the organisation the write
    belongs to (its id, code and region scope the entry); without one, the organisation the actor
    acts for."""
    if owner is not None:
        scope_organisation_id = owner.pk
        scope_organisation_code = str(getattr(owner, "code", ""))
        scope_region_code = str(getattr(owner, "region_code", ""))
    if scope_organisation_id is None and not scope_region_code:
        # By default a write belongs to the organisation the actor acts for.
        scope_organisation_id = actor.organisation_id
        scope_organisation_code = actor.organisation_code
        scope_region_code = actor.region_code
    if entity is not None:
        entity_type = entity_type or entity._meta.label_lower
        entity_id = entity_id or str(entity.pk)
        entity_label = entity_label or str(entity)[:200]
    return {
        "actor_user_id": actor.user_id,
        "actor_username": actor.username or "anonymous",
        "actor_kind": str(actor.kind),
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "entity_label": entity_label,
        "scope_organisation_id": scope_organisation_id,
        "scope_organisation_code": scope_organisation_code,
        "scope_region_code": scope_region_code,
        "before": _json_ready(before) if before is not None else None,
        "after": _json_ready(after) if after is not None else None,
    }


entry = _as_entry(entry_values)


@functools.cache
def _entry_fields() -> tuple[str, ...]:
    return tuple(f.attname for f in AuditEntry._meta.concrete_fields)


# Sent after entries are written (inside the writer's transaction) with `organisations`, the ids of
# the organisations whose records changed (empty for writes scoped to none, such as a reference-data
# load), so that apps above core can react once the transaction commits (insight re-checks a
# school's data quality and rebuilds its snapshot) without core knowing them.
written = Signal()


def record(**kwargs: Any) -> AuditEntry:
    """Write one entry now (inside the caller's transaction). Takes the arguments of `entry`."""
    built = entry(**kwargs)
    built.save()
    scoped = {built.scope_organisation_id} if built.scope_organisation_id is not None else set()
    written.send(sender=AuditEntry, organisations=scoped)
    return built


def record_many(rows: Iterable[Mapping[str, Any]]) -> None:
    """Write many entries at once, given as `entry_values` results, for bulk services such as
    imports (COPY on PostgreSQL). No model object is built for each: an import writes three entries
    a row, and building them was a fifth of its time."""
    values = list(rows)
    insert_values(AuditEntry, values)
    if not values:
        return
    organisations = {row["scope_organisation_id"] for row in values if row.get("scope_organisation_id") is not None}
    written.send(sender=AuditEntry, organisations=organisations)
