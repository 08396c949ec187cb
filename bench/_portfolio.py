"""A 200-version portfolio (20 products x 10 versions x 100 real PyPI/Go components) for benchmarks.

:func:`portfolio_create` imports the SBOMs (versions of a product share most components, as real
releases do); ``bench_rematch.py`` matches it on a throw-away copy of the store. For read
benchmarks, :func:`use_portfolio` keeps a matched copy (with cases synced) in
``MEDVIGIL_BENCH_PORTFOLIO`` (default ``/tmp/medvigil-bench-portfolio``) so that re-runs start at
once; :func:`ensure_portfolio` builds it the first time (~2 min on top of the store).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from pathlib import Path
from typing import Any

from _store import STORE, ensure_store, sbom, use_store

PORTFOLIO = Path(os.environ.get("MEDVIGIL_BENCH_PORTFOLIO", "/tmp/medvigil-bench-portfolio"))
_DONE = "portfolio.done"


def portfolio_create(products: int = 20, versions: int = 10, components: int = 100) -> list[Any]:
    """Import ``products`` x ``versions`` SBOMs of ``components`` components; returns the versions."""
    from medvigil.web.inventory import services as inv

    pool = sbom(1500, seed=11)["components"]
    rng = random.Random(3)
    out = []
    for p in range(products):
        product = inv.product_create(name=f"Bench device {p} {time.time_ns()}")
        base = rng.sample(pool, components + 2 * versions)
        for v in range(versions):
            comps = base[v : v + components]
            doc = {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": comps}
            pv = inv.version_create(product=product, version=f"{v}.0")
            inv.sbom_import(product_version=pv, data=json.dumps(doc).encode(), filename="bom.json")
            out.append(pv)
    return out


def disconnect_hooks() -> None:
    """Match and sync cases explicitly instead of from the post-import hooks."""
    from django.db.models.signals import post_save

    from medvigil.web.advisories.models import ImportRun
    from medvigil.web.inventory.models import SbomDocument

    post_save.disconnect(sender=SbomDocument, dispatch_uid="findings-sbom-import")
    post_save.disconnect(sender=SbomDocument, dispatch_uid="risk-cases-after-sbom-import")
    post_save.disconnect(sender=ImportRun, dispatch_uid="risk-cases-after-feed-import")


def use_portfolio() -> Path:
    """Point Django at the matched portfolio copy (a fresh copy of the store if it is not built yet)."""
    if not (PORTFOLIO / _DONE).exists():
        shutil.rmtree(PORTFOLIO, ignore_errors=True)
        if not (STORE / "medvigil.sqlite3").exists():
            use_store()
            return STORE  # ensure_portfolio builds the store first, then copies it
        return use_store(copy_to=PORTFOLIO)
    os.environ["MEDVIGIL_DATA_DIR"] = str(PORTFOLIO)
    os.environ.setdefault("MEDVIGIL_TASKS_URL", "immediate")
    return PORTFOLIO


def ensure_portfolio() -> None:
    """Build the matched portfolio (after :func:`use_portfolio`) unless it is complete; migrate it."""
    from medvigil.cli import _django

    if os.environ.get("MEDVIGIL_DATA_DIR") == str(STORE):
        ensure_store()
        raise SystemExit("the store was just built; run again to copy it and build the portfolio")
    _django.migrate()
    if (PORTFOLIO / _DONE).exists():
        return
    from medvigil.web.findings import services
    from medvigil.web.inventory.models import Product
    from medvigil.web.risk.services.cases import cases_sync

    disconnect_hooks()
    t0 = time.perf_counter()
    versions = portfolio_create()
    print(f"portfolio: {len(versions)} versions imported in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    full = services.rematch_all()
    print(f"portfolio: matched in {time.perf_counter() - t0:.1f} s, {full.counts()}")
    t0 = time.perf_counter()
    for product in Product.objects.all():
        cases_sync(product=product)
    print(f"portfolio: cases synced in {time.perf_counter() - t0:.1f} s")
    (PORTFOLIO / _DONE).write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))


_PG_SKIP = {
    "advisories_affectedpackage",
    "advisories_cpeconfiguration",
    "advisories_cpeindexentry",
    "advisories_csafproductstatus",
    "findings_matchkey",
    "django_session",
}
"""Matching-only tables the list pages never read (left empty in the PostgreSQL copy)."""


def copy_to_postgres(url: str) -> None:
    """Create the database of ``url`` afresh, migrate it and copy the portfolio's rows into it.

    Run with ``MEDVIGIL_DATABASE_URL=url`` set before Django starts. Records keep empty ``raw``
    bytes and the tables in :data:`_PG_SKIP` stay empty: the list pages do not read them.
    """
    import sqlite3

    import psycopg
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection, models

    from medvigil.cli import _django

    name = url.rsplit("/", 1)[1]
    if name in ("test", "postgres"):
        raise SystemExit(f"refusing to overwrite database {name!r}")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    _django.migrate()
    src = sqlite3.connect(f"file:{PORTFOLIO / 'medvigil.sqlite3'}?mode=ro", uri=True)
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        pg = cursor.connection
        pg.execute("SET session_replication_role = replica")  # no FK checks while loading
        todo = [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy]
        pg.execute("TRUNCATE " + ", ".join(f'"{m._meta.db_table}"' for m in todo) + " CASCADE")
        for model in todo:
            table = model._meta.db_table
            if table in _PG_SKIP:
                continue
            fields = model._meta.local_concrete_fields
            cols = [f.column for f in fields]
            bools = [i for i, f in enumerate(fields) if isinstance(f, models.BooleanField)]
            raw = cols.index("raw") if table == "advisories_advisoryrecord" else -1
            quoted = ", ".join(f'"{c}"' for c in cols)
            rows = src.execute(f'SELECT {quoted} FROM "{table}"')  # noqa: S608 - names from metadata
            n = 0
            with pg.cursor().copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    values = list(row)
                    for i in bools:
                        values[i] = None if values[i] is None else bool(values[i])
                    if raw >= 0:
                        values[raw] = b""
                    copy.write_row(values)
                    n += 1
            if n:
                for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
                    pg.execute(sql)
        pg.execute("SET session_replication_role = DEFAULT")
        pg.execute("VACUUM ANALYZE")  # what autovacuum would do after the load: visibility map, statistics
    print(f"portfolio copied to PostgreSQL {name} in {time.perf_counter() - t0:.1f} s")


def drop_postgres(url: str) -> None:
    """Drop the benchmark's PostgreSQL database (closing Django's connection first)."""
    import psycopg
    from django.db import connections

    connections.close_all()
    name = url.rsplit("/", 1)[1]
    if name in ("test", "postgres"):
        raise SystemExit(f"refusing to drop database {name!r}")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    print(f"dropped PostgreSQL database {name}")
