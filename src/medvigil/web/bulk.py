"""Set-based writes shared by the apps: one statement per chunk, no model objects.

The ORM's ``bulk_create`` prepares every field of every row in Python (10,000 components took
~2 s; feed imports write hundreds of thousands of rows), so callers hand rows as tuples with JSON
already serialised (orjson); SQLite gets ``executemany`` and PostgreSQL gets COPY (3-4x faster
than pipelined INSERTs there, docs/benchmarks.md). Column names come from the models' metadata,
so statements follow migrations. Everything runs inside the caller's transaction. Used by the
feed import (``advisories``), the component-set insert (``inventory``), the re-match
(``findings``) and the notification fan-out (``notifications``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import connection, models

T = TypeVar("T")
IN_CHUNK = 5000
"""Values per ``IN (...)`` list (SQLite allows 32,766 parameters per statement)."""


def chunked(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """Split ``values`` into lists of at most ``size``."""
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _sqlite_when(value: dt.datetime | None) -> Any:
    if value is None:
        return None
    if value.tzinfo is dt.UTC:
        value = value.replace(tzinfo=None)
    elif value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(" ")


def _sqlite_day(value: dt.date | None) -> Any:
    return None if value is None else value.isoformat()


def _same(value: Any) -> Any:
    return value


def adapters() -> tuple[Callable[[dt.datetime | None], Any], Callable[[dt.date | None], Any]]:
    """``(when, day)`` adapters for the current database, bound once for a hot loop."""
    if connection.vendor == "sqlite":
        return _sqlite_when, _sqlite_day
    return _same, _same


def when(value: dt.datetime | None) -> Any:
    """A datetime as the database driver wants it (SQLite: naive UTC text, as Django writes it).

    Django's own adapter reads settings on every call; imports adapt hundreds of thousands.
    """
    return adapters()[0](value)


def day(value: dt.date | None) -> Any:
    """A date as the database driver wants it."""
    return adapters()[1](value)


def table(model: type[models.Model]) -> str:
    """The quoted table name of ``model``."""
    return connection.ops.quote_name(model._meta.db_table)


def columns(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    """The quoted column names of ``fields`` (model field names; FKs by their field name)."""
    column_of = {f.name: f.column for f in model._meta.concrete_fields if f.column}
    return [connection.ops.quote_name(column_of[name]) for name in fields]


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    skip_existing: bool = False,
) -> int:
    """Insert ``rows`` (tuples in ``fields`` order); returns the row count. ``skip_existing``:
    rows that would break a unique constraint are left out (``ON CONFLICT DO NOTHING``, both
    databases, with ``executemany``: COPY cannot skip), e.g. when two workers insert the same."""
    if skip_existing:
        return insert_into(table(model), columns(model, fields), rows, suffix=" ON CONFLICT DO NOTHING")
    return insert_into(table(model), columns(model, fields), rows)


def insert_into(
    table_sql: str, columns_sql: Sequence[str], rows: Sequence[Sequence[Any]], *, suffix: str = ""
) -> int:
    """Insert ``rows`` into a quoted table and columns: COPY on PostgreSQL, else ``executemany``
    (always ``executemany`` with a ``suffix``, e.g. ``ON CONFLICT DO NOTHING``)."""
    if not rows:
        return 0
    cols = ", ".join(columns_sql)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not suffix:
            with cursor.cursor.copy(f"COPY {table_sql} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns_sql))
            sql = f"INSERT INTO {table_sql} ({cols}) VALUES ({marks}){suffix}"  # noqa: S608 - names from model metadata
            cursor.executemany(sql, rows)
    return len(rows)


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """``UPDATE ... SET fields WHERE id = ?`` for each row (values in ``fields`` order, then the id)."""
    if not rows:
        return 0
    sets = ", ".join(f"{col} = %s" for col in columns(model, fields))
    sql = f"UPDATE {table(model)} SET {sets} WHERE id = %s"  # noqa: S608 - names from model metadata
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


ANALYZE_AFTER = 5000
"""Rows a load must have written before :func:`analyze` refreshes the statistics."""


def analyze(*models: type[models.Model], rows: int) -> None:
    """Refresh PostgreSQL's planner statistics of tables a load just grew (no-op on SQLite).

    A bulk load inside one transaction leaves the planner without statistics for the new rows;
    the set-based refreshes that follow then pick sequential scans (minutes instead of
    milliseconds on 360k EPSS rows). ANALYZE samples the rows the transaction sees; it costs
    about half a second, so small loads (``rows`` < :data:`ANALYZE_AFTER`) skip it.
    """
    if connection.vendor != "postgresql" or rows < ANALYZE_AFTER:
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(table(m) for m in models))


def delete_in(model: type[models.Model], field: str, values: Sequence[Any]) -> None:
    """``DELETE FROM model WHERE field IN values`` in chunks."""
    col = columns(model, [field])[0]
    sql = f"DELETE FROM {table(model)} WHERE {col} IN ({{marks}})"  # noqa: S608 - names from model metadata
    with connection.cursor() as cursor:
        for batch in chunked(values):
            cursor.execute(*_in_list(sql, batch))


def select_in(sql: str, values: Sequence[Any], params: Sequence[Any] = ()) -> list[Any]:
    """Rows of ``sql`` (its ``{marks}`` the placeholders of a chunk of ``values``, after ``params``).

    A raw query: the ORM spends more time preparing a 2,000-value ``IN`` list than the database
    spends answering it. Values come back as the driver returns them (SQLite datetimes naive).
    """
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for batch in chunked(values):
            statement, args = _in_list(sql, batch)
            cursor.execute(statement, [*params, *args])
            rows.extend(cursor.fetchall())
    return rows


def _in_list(sql: str, batch: list[Any]) -> tuple[str, list[Any]]:
    """``sql`` with its ``IN ({marks})`` for ``batch``: one array parameter on PostgreSQL (a
    2,000-placeholder statement costs more to plan there than to run), placeholders elsewhere."""
    if connection.vendor == "postgresql":
        return sql.replace("IN ({marks})", "= ANY(%s)"), [batch]
    return sql.format(marks=", ".join(["%s"] * len(batch))), batch


def set_in(model: type[models.Model], assignments: dict[str, Any], ids: Sequence[int]) -> None:
    """``UPDATE model SET assignments WHERE id IN ids`` in chunks."""
    if not ids:
        return
    names = list(assignments)
    sets = ", ".join(f"{col} = %s" for col in columns(model, names))
    values = [assignments[n] for n in names]
    sql = f"UPDATE {table(model)} SET {sets} WHERE id IN ({{marks}})"  # noqa: S608 - names from model metadata
    with connection.cursor() as cursor:
        for batch in chunked(ids):
            statement, args = _in_list(sql, batch)
            cursor.execute(statement, [*values, *args])
