"""PostgreSQL only: indexes in the list's sort order, NULLS LAST included.

The list sorts ``DESC NULLS LAST`` (unscored findings last). SQLite puts NULLs last in a descending
index anyway, so the indexes of ``Finding.Meta`` serve the sort there; a PostgreSQL b-tree read
backwards gives ``DESC NULLS FIRST`` and cannot, so PostgreSQL gets these (SQLite has no ``NULLS
LAST`` in CREATE INDEX). They are not in the model state: makemigrations leaves them alone.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEXES = {
    "finding_pg_score": "state, severity_score DESC NULLS LAST, epss DESC NULLS LAST, id DESC",
    "finding_pg_epss": "state, epss DESC NULLS LAST, severity_score DESC NULLS LAST, id DESC",
    "finding_pg_kev": "state, kev DESC, severity_score DESC NULLS LAST, epss DESC NULLS LAST, id DESC",
}


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON findings_finding ({columns})")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("findings", "0003_list_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
