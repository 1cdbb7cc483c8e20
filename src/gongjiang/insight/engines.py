"""Where indicators run: a DuckDB snapshot of the register (the default), the live database, or Spark.

All three take the same Ibis expressions (`facts`, `formula`):

- `duckdb`: a snapshot file (`<data dir>/insight/register.duckdb`) holding a copy of the register's
  tables (only the columns in `facts.SOURCE_COLUMNS`: no names, identity numbers or phones) and
  every fact already built for every year the data covers. Building it reads the live database
  once; computing the catalogue then reads only the snapshot.
- `db`: the facts are compiled to the live database's SQL dialect (SQLite or PostgreSQL) and run
  through Django's own connection, in its transaction: what you get is what the database holds
  now, and no second set of credentials is needed.
- `spark`: the snapshot's tables are handed to Spark (local mode here, a cluster for a nation's
  data) as Parquet files and the facts built there.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.datatypes as idt
import ibis.expr.types as ir
import pyarrow as pa
from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from gongjiang.core import clock
from gongjiang.insight.facts import FACTS, SOURCE_COLUMNS, SOURCE_FILTERS, Tables

Progress = Callable[[str, int, int], None]
ENGINES = ("duckdb", "db", "spark")
CHUNK = 50_000


def _no_progress(step: str, done: int, total: int) -> None:
    return None


def snapshot_path() -> Path:
    return Path(settings.DATA_DIR) / "insight" / "register.duckdb"


def _model_for(table: str) -> type[models.Model]:
    for model in apps.get_models():
        if model._meta.db_table == table:
            return model
    raise LookupError(table)


def column_types(table: str) -> dict[str, tuple[idt.DataType, pa.DataType]]:
    """Each copied column's Ibis and Arrow type, from the Django field that defines it."""
    model = _model_for(table)
    by_column = {f.column: f for f in model._meta.concrete_fields}
    types: dict[str, tuple[idt.DataType, pa.DataType]] = {}
    for column in SOURCE_COLUMNS[table]:
        field = by_column[column]
        kind = field.get_internal_type()
        if kind in {"BooleanField", "NullBooleanField"}:
            types[column] = (idt.boolean, pa.bool_())
        elif kind == "DateField":
            types[column] = (idt.date, pa.date32())
        elif kind == "DateTimeField":
            types[column] = (idt.timestamp, pa.timestamp("us"))
        elif isinstance(field, models.DecimalField):
            types[column] = (idt.Decimal(field.max_digits, field.decimal_places), pa.float64())
        elif kind in {"CharField", "TextField", "SlugField", "EmailField"}:
            types[column] = (idt.string, pa.string())
        else:  # integers, auto fields and foreign keys
            types[column] = (idt.int64, pa.int64())
    return types


def _arrow_column(values: list[Any], kind: pa.DataType) -> pa.Array:
    """One column as Arrow, whatever Python types the database driver gave (SQLite gives text
    dates, 0/1 booleans and float or text decimals; PostgreSQL gives dates, bools and Decimals)."""
    if pa.types.is_date32(kind):
        values = [dt.date.fromisoformat(v) if isinstance(v, str) else v for v in values]
    elif pa.types.is_timestamp(kind):
        values = [_naive_utc(v) for v in values]
    elif pa.types.is_boolean(kind):
        values = [None if v is None else bool(v) for v in values]
    elif pa.types.is_floating(kind):
        values = [None if v is None else float(v) for v in values]
    return pa.array(values, type=kind)


def _naive_utc(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if timezone.is_aware(value):
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value  # type: ignore[no-any-return]


def read_table(table: str) -> pa.Table:
    """A copy of one register table's listed columns, read through Django's connection."""
    types = column_types(table)
    columns = list(types)
    chunks: list[list[Any]] = [[] for _ in columns]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    # Table and column names come from the models and the filters from facts.py, never from input.
    where = f" WHERE {SOURCE_FILTERS[table]}" if table in SOURCE_FILTERS else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}{where}")
        while rows := cursor.fetchmany(CHUNK):
            for i in range(len(columns)):
                chunks[i].extend(row[i] for row in rows)
    arrays = [_arrow_column(values, types[c][1]) for c, values in zip(columns, chunks, strict=True)]
    return pa.Table.from_arrays(arrays, names=columns)


class _ConnectionTables:
    """The register's tables as an Ibis back end holds them."""

    def __init__(self, con: Any) -> None:
        self.con = con

    def table(self, name: str) -> ir.Table:
        return self.con.table(name)


class _UnboundTables:
    """The register's tables as Ibis knows them without a connection: compiled to SQL, they run
    through Django's own connection."""

    def table(self, name: str) -> ir.Table:
        schema = {c: types[0] for c, types in column_types(name).items()}
        return ibis.table(schema, name=name)


def _records(table: pa.Table) -> list[dict[str, Any]]:
    return table.to_pylist()  # type: ignore[no-any-return]


class Engine:
    """One back end: builds facts for some years and runs Ibis expressions over them; `tables`
    are the register's tables as this back end holds them."""

    name = ""
    tables: Tables

    def fact(self, name: str, years: Sequence[int]) -> ir.Table:
        raise NotImplementedError

    def run(self, expr: ir.Table) -> list[dict[str, Any]]:
        raise NotImplementedError

    def stamp(self) -> str | None:
        """What tells this engine's data from any other state of it, when that data cannot change
        while the stamp stays the same; None for a back end that reads the live register."""
        return None

    def close(self) -> None:
        return None


class DuckDBEngine(Engine):
    """Reads the snapshot file; facts are tables in it, already built for every year."""

    name = "duckdb"

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or snapshot_path()
        if not self.path.exists():
            raise FileNotFoundError(self.path)
        self.con = ibis.duckdb.connect(str(self.path), read_only=True)
        self.tables = _ConnectionTables(self.con)
        self._meta_row: dict[str, Any] | None = None

    def fact(self, name: str, years: Sequence[int]) -> ir.Table:
        table = self.con.table(f"fact_{name}")
        return table.filter(table.year.isin(list(years)))

    def run(self, expr: ir.Table) -> list[dict[str, Any]]:
        return _records(self.con.to_pyarrow(expr))

    def _meta(self) -> dict[str, Any]:
        # The file is opened read-only and a rebuild writes a new one, so what this engine reads
        # never changes under it: one read of the meta row serves the engine's whole life.
        if self._meta_row is None:
            self._meta_row = _records(self.con.to_pyarrow(self.con.table("snapshot_meta")))[0]
        return self._meta_row

    def years(self) -> list[int]:
        meta = self._meta()
        return list(range(int(meta["first_year"]), int(meta["last_year"]) + 1))

    def built_at(self) -> str:
        """When the snapshot was taken, in the site's time zone."""
        built: dt.datetime = self._meta()["built_at"]
        return timezone.localtime(built.replace(tzinfo=dt.UTC)).strftime("%Y-%m-%d %H:%M")

    def stamp(self) -> str:
        """What tells this snapshot from any other: when it was taken, to the microsecond, and the
        register's last audit entry it holds."""
        meta = self._meta()
        return f"{meta['built_at'].isoformat()} {int(meta.get('last_audit_id') or 0)}"

    def is_current(self) -> bool:
        """Whether the register has had no write since the snapshot was taken (every write leaves
        an audit entry, so the last entry's id marks the register's state)."""
        return int(self._meta().get("last_audit_id") or 0) == last_audit_id()

    def close(self) -> None:
        self.con.disconnect()


class DatabaseEngine(Engine):
    """Compiles to the live database's dialect and runs through Django's connection.

    On SQLite each fact is first materialised as a temporary table of the connection and the
    queries read that: a fact inlined as nested subqueries and CTEs, and a union of several, is
    deeper than SQLite's parser accepts (`parser stack overflow`). PostgreSQL plans the inlined
    expression as a whole and takes it as it is."""

    name = "db"

    def __init__(self) -> None:
        self.dialect = {"postgresql": "postgres", "sqlite": "sqlite"}[connection.vendor]
        self.tables = _UnboundTables()
        self.materialise = connection.vendor == "sqlite"
        self.built: dict[tuple[str, tuple[int, ...]], ir.Table] = {}
        self.temporary: list[str] = []
        self.prefix = f"gj_fact_{secrets.token_hex(4)}"

    def fact(self, name: str, years: Sequence[int]) -> ir.Table:
        expr = FACTS[name].build(self.tables, years)
        if not self.materialise:
            return expr
        key = (name, tuple(years))
        if key not in self.built:
            # A temporary table lives in the connection's own temp schema: creating it takes no
            # lock on the database file. The name is generated here, never from input.
            table = f"{self.prefix}_{len(self.temporary)}"
            sql = ibis.to_sql(expr, dialect=self.dialect)
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE TEMP TABLE "{table}" AS {sql}')
            self.temporary.append(table)
            self.built[key] = ibis.table(expr.schema(), name=table)
        return self.built[key]

    def close(self) -> None:
        with connection.cursor() as cursor:
            for table in self.temporary:
                cursor.execute(f'DROP TABLE IF EXISTS temp."{table}"')
        self.built.clear()
        self.temporary.clear()

    def run(self, expr: ir.Table) -> list[dict[str, Any]]:
        sql = ibis.to_sql(expr, dialect=self.dialect)
        names = list(expr.schema().names)
        with connection.cursor() as cursor:
            cursor.execute(str(sql))
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class SparkEngine(Engine):
    """Spark in local mode over the snapshot's tables, written out as Parquet for it to read."""

    name = "spark"

    def __init__(self, path: Path | None = None) -> None:
        from pyspark.sql import SparkSession

        source = path or snapshot_path()
        if not source.exists():
            raise FileNotFoundError(source)
        self.scratch = Path(tempfile.mkdtemp(prefix="gj-spark-"))
        with duckdb.connect(str(source), read_only=True) as con:
            for table in SOURCE_COLUMNS:
                con.execute(f"COPY {table} TO '{self.scratch / table}.parquet' (FORMAT parquet)")
        self.session = (
            SparkSession.builder.master(os.environ.get("GONGJIANG_SPARK_MASTER", "local[2]"))
            .appName("gongjiang-indicators")
            .config("spark.ui.enabled", "false")
            # Local mode runs in the driver: its heap is what the joins have (the default 1 GB
            # cannot broadcast a nation's classes and schools).
            .config("spark.driver.memory", os.environ.get("GONGJIANG_SPARK_MEMORY", "4g"))
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate()
        )
        self.session.sparkContext.setLogLevel("ERROR")
        self.con = ibis.pyspark.connect(self.session)
        for table in SOURCE_COLUMNS:
            self.con.read_parquet(str(self.scratch / f"{table}.parquet"), table_name=table)
        self.tables = _ConnectionTables(self.con)

    def fact(self, name: str, years: Sequence[int]) -> ir.Table:
        return FACTS[name].build(self.tables, years)

    def run(self, expr: ir.Table) -> list[dict[str, Any]]:
        return _records(self.con.to_pyarrow(expr))

    def close(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)


def last_audit_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM core_auditentry")
        return int(cursor.fetchone()[0] or 0)


def data_years(today: dt.date | None = None) -> tuple[int, int]:
    """The years the register's records cover: from the first enrolment, or the first posting
    when earlier ones were recorded (demand history), to this year."""
    today = today or clock.today()
    years = [today.year]
    with connection.cursor() as cursor:
        for query in (
            "SELECT MIN(enrolled_on) FROM registry_registration",
            "SELECT MIN(published_at) FROM market_posting",
        ):
            cursor.execute(query)
            first = cursor.fetchone()[0]
            if first is not None:
                years.append(int(str(first)[:4]) if isinstance(first, str) else first.year)
    return min(years), today.year


def _store(con: Any, name: str, data: pa.Table) -> None:
    # Straight through DuckDB's own connection: Ibis 12's create_table from Arrow emits a DROP
    # VIEW statement that the sqlglot release installed with it renders without a name.
    raw = con.con
    raw.register("incoming", data)
    try:
        raw.execute(f'CREATE TABLE "{name}" AS SELECT * FROM incoming')
    finally:
        raw.unregister("incoming")


def build_snapshot(
    path: Path | None = None,
    progress: Progress = _no_progress,
    read: Callable[[str], pa.Table] = read_table,
    years: tuple[int, int] | None = None,
) -> Path:
    """Copy the register into a new DuckDB file and build every fact for every year, then put
    the file in place at once, so a reader never sees half a snapshot. `read` gives each source
    table (the live database's by default); `years` the first and last year to build."""
    target = path or snapshot_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    first_year, last_year = years or data_years()
    # Taken before the copy: a write during the copy makes the snapshot look stale, never current.
    mark = last_audit_id() if read is read_table else 0
    every_year = list(range(first_year, last_year + 1))
    steps = len(SOURCE_COLUMNS) + len(FACTS)
    done = 0
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        building = Path(scratch) / target.name
        con = ibis.duckdb.connect(str(building))
        try:
            for table in SOURCE_COLUMNS:
                progress(table, done, steps)
                _store(con, table, read(table))
                done += 1
            tables = _ConnectionTables(con)
            for name, fact in FACTS.items():
                progress(f"fact_{name}", done, steps)
                con.create_table(f"fact_{name}", fact.build(tables, every_year))
                done += 1
            meta = {
                "built_at": [timezone.now().astimezone(dt.UTC).replace(tzinfo=None)],
                "first_year": [first_year],
                "last_year": [last_year],
                "last_audit_id": [mark],
            }
            _store(con, "snapshot_meta", pa.table(meta))
        finally:
            con.disconnect()
        building.replace(target)
    progress("", steps, steps)
    return target


def open_engine(name: str, snapshot: Path | None = None, refresh: bool = False) -> Engine:
    """The named engine; the DuckDB and Spark engines build the snapshot first when it is
    missing or `refresh` is asked for."""
    if name not in ENGINES:
        raise ValueError(name)
    if name == "db":
        return DatabaseEngine()
    path = snapshot or snapshot_path()
    if refresh or not path.exists():
        build_snapshot(path)
    return DuckDBEngine(path) if name == "duckdb" else SparkEngine(path)
