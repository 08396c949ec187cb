"""A new SQLite store created from a snapshot of its migrated schema instead of replaying migrations.

Replaying the 64 migrations on an empty SQLite file costs ~4 CPU-s (Django re-renders the model
states after each operation), the largest serial step of a first ``medvigil feeds import`` or
``medvigil init``. Like Rails' ``db:schema:load``, a new store instead runs the statements that
migrating produced (``sqlite_snapshot.json``: every table, index and trigger in creation order, the
rows the migrations' ``post_migrate`` handlers write, e.g. content types and permissions, and the
applied migrations), in one transaction.

The snapshot is used only when it is exact for this installation: the engine is SQLite, the file
has no table at all, and the snapshot's fingerprint (the Django version and the bytes of every
installed app's migration files) equals this installation's. Anything else (an added or edited
migration, another Django release, a store with any table) migrates as before, so an upgrade path
never goes through it. ``tests/web/config/test_store_snapshot.py`` checks the snapshot is current
and that a store created from it equals a migrated one, row for row; ``make schema-snapshot``
regenerates it. ``MEDVIGIL_SCHEMA_SNAPSHOT=0`` turns it off.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sqlite3
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from medvigil.web.config.env import env_bool

SNAPSHOT = Path(__file__).with_name("sqlite_snapshot.json")
FORMAT = 1
_SKIP_DATA = {"django_migrations", "sqlite_sequence"}


def enabled() -> bool:
    return env_bool("MEDVIGIL_SCHEMA_SNAPSHOT", True)


def migration_files() -> list[tuple[str, Path]]:
    """(app label, file) of every migration module of the installed apps, in a stable order."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    out: list[tuple[str, Path]] = []
    for config in apps.get_app_configs():
        module, _explicit = MigrationLoader.migrations_module(config.label)
        if module is None:
            continue
        try:
            spec = importlib.util.find_spec(module)
        except ModuleNotFoundError:
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        for folder in spec.submodule_search_locations:
            out += [(config.label, p) for p in sorted(Path(folder).glob("*.py"))]
    return out


def fingerprint(files: Iterable[tuple[str, Path]], django_version: str) -> str:
    """Digest of the Django release and each migration file's label, name and bytes."""
    h = hashlib.sha256(f"django {django_version}\n".encode())
    for label, path in files:
        h.update(f"{label}/{path.name}\n".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def current_fingerprint() -> str:
    import django

    return fingerprint(migration_files(), django.get_version())


def dump(conn: sqlite3.Connection) -> dict[str, Any]:
    """The snapshot of a migrated store: schema in creation order, seed rows, applied migrations."""
    schema = [
        sql
        for (sql,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        )
    ]
    data: list[dict[str, Any]] = []
    tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for table in tables:
        if table in _SKIP_DATA or table.startswith("sqlite_"):
            continue
        cursor = conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid')  # noqa: S608 - names from sqlite_master
        rows = [list(r) for r in cursor]
        if not rows:
            continue
        if any(isinstance(v, bytes) for r in rows for v in r):
            raise ValueError(f"snapshot: table {table} holds binary values, which the snapshot cannot keep")
        data.append({"table": table, "columns": [d[0] for d in cursor.description], "rows": rows})
    sequences = [list(r) for r in conn.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name")]
    migrations = [list(r) for r in conn.execute("SELECT id, app, name FROM django_migrations ORDER BY id")]
    return {"schema": schema, "data": data, "sequences": sequences, "migrations": migrations}


def create(conn: sqlite3.Connection, snapshot: dict[str, Any]) -> bool:
    """Run ``snapshot`` on an empty SQLite store in one transaction; False (nothing done) if any table exists.

    ``conn`` must be in autocommit mode (``isolation_level=None``). A failing statement rolls back
    everything: SQLite's schema changes are transactional.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]:
            conn.execute("ROLLBACK")
            return False
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for sql in snapshot["schema"]:
            conn.execute(sql)
        for block in snapshot["data"]:
            columns = ", ".join(f'"{c}"' for c in block["columns"])
            marks = ", ".join("?" * len(block["columns"]))
            conn.executemany(f'INSERT INTO "{block["table"]}" ({columns}) VALUES ({marks})', block["rows"])  # noqa: S608
        if snapshot["sequences"]:
            conn.execute("DELETE FROM sqlite_sequence")
            conn.executemany("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", snapshot["sequences"])
        now = datetime.now(UTC).isoformat(sep=" ")
        conn.executemany(
            "INSERT INTO django_migrations (id, app, name, applied) VALUES (?, ?, ?, ?)",
            [(pk, app, name, now) for pk, app, name in snapshot["migrations"]],
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True


def load(path: Path | None = None) -> dict[str, Any] | None:
    """The snapshot at ``path`` (default :data:`SNAPSHOT`); None: missing, unreadable, other format."""
    try:
        found: dict[str, Any] = orjson.loads((path or SNAPSHOT).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return found if found.get("format") == FORMAT else None


def _applicable() -> dict[str, Any] | None:
    """The snapshot if it fits the default store's engine and this installation's migrations."""
    from django.db import connection

    if not enabled() or connection.vendor != "sqlite" or connection.settings_dict["NAME"] == ":memory:":
        return None
    snapshot = load()
    if snapshot is None or snapshot["fingerprint"] != current_fingerprint():
        return None
    return snapshot


def applies() -> bool:
    """Whether :func:`create_store` would create the default store now (it has no table yet)."""
    from django.db import connection

    return _applicable() is not None and not connection.introspection.table_names()


def create_store() -> bool:
    """Create the default store from the snapshot if it applies (see the module's docstring)."""
    from django.db import connection

    snapshot = _applicable()
    if snapshot is None:
        return False
    connection.ensure_connection()
    if not connection.get_autocommit() or connection.in_atomic_block:
        return False
    return create(connection.connection, snapshot)


def write(path: Path) -> None:
    """Migrate a new temporary SQLite store with migrations only and write its snapshot to ``path``.

    Runs in a fresh process (``python -m medvigil.web.config.store_snapshot --write``): Django
    must be set up on that temporary store.
    """
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "sqlite":
        raise SystemExit("the snapshot is taken from a SQLite store: unset MEDVIGIL_DATABASE_URL")
    call_command("migrate", interactive=False, verbosity=0)
    connection.ensure_connection()
    snapshot = {"format": FORMAT, "fingerprint": current_fingerprint(), **dump(connection.connection)}
    text = orjson.dumps(snapshot, option=orjson.OPT_INDENT_2) + b"\n"
    path.write_bytes(text)


def _main(argv: list[str]) -> None:
    import tempfile

    if argv[1:] not in (["--write"], ["--print"]):
        raise SystemExit("usage: python -m medvigil.web.config.store_snapshot --write | --print")
    folder = tempfile.mkdtemp(prefix="medvigil-snapshot-")
    os.environ["MEDVIGIL_DATA_DIR"] = folder
    os.environ.pop("MEDVIGIL_DATABASE_URL", None)
    os.environ["MEDVIGIL_SCHEMA_SNAPSHOT"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medvigil.web.config.settings")
    import django

    django.setup()
    target = SNAPSHOT if argv[1] == "--write" else Path(folder) / "snapshot.json"
    write(target)
    if argv[1] == "--print":
        sys.stdout.buffer.write(target.read_bytes())


if __name__ == "__main__":
    _main(sys.argv)
