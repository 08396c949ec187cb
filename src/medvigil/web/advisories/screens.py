"""Compact CPE screens of the candidate index, filled after an import instead of during it.

A feed import writes its :class:`~medvigil.web.advisories.models.CpeIndexEntry` rows with
``screen`` NULL (computing the screens cost the NVD import ~15% of its CPU); a background job
(:func:`~medvigil.web.advisories.tasks.cpe_screens_fill_task`, queued after each import that
wrote such rows; ``medvigil feeds screens`` runs it now) fills them with :func:`cpe_screens_fill`.
A scan reads a filled row's screen and decodes the configurations of the others: a row still NULL
(not filled yet, or a crash mid-fill) is only slower to scan, never wrong.

Rows whose keys are not exactly their record's screen keys (a malformed criterion, a name cut to
200 characters) get :data:`NO_SCREEN`, which a scan treats like NULL, so that a fill does not
select them again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from medvigil.web.advisories.codec import cpe_node, index_rows
from medvigil.web.advisories.models import CpeConfiguration, CpeIndexEntry, ImportRun

__all__ = ["BATCH_RECORDS", "NO_SCREEN", "cpe_screens_fill", "cpe_screens_pending"]

BATCH_RECORDS = 4000
"""Records screened per transaction."""
NO_SCREEN = ""
"""``screen`` of a row the fill could not screen (decoded by a scan, like NULL)."""


def _sql() -> dict[str, str]:
    """The statements of the fill (``{marks}``: the record ids of a batch)."""
    index, configs = CpeIndexEntry._meta.db_table, CpeConfiguration._meta.db_table
    return {
        "pending": f"SELECT COUNT(DISTINCT record_id) FROM {index} WHERE screen IS NULL",  # noqa: S608
        "records": f"SELECT DISTINCT record_id FROM {index} WHERE screen IS NULL AND record_id > %s"  # noqa: S608
        " ORDER BY record_id LIMIT %s",
        "nodes": f"SELECT record_id, nodes FROM {configs} WHERE record_id IN ({{marks}}) ORDER BY id",  # noqa: S608
        "rows": f"SELECT id, record_id, vendor, product FROM {index}"  # noqa: S608
        " WHERE screen IS NULL AND record_id IN ({marks})",
        "update": f"UPDATE {index} SET screen = %s WHERE id = %s",  # noqa: S608
    }


def cpe_screens_pending() -> int:
    """Number of records with index rows not screened yet."""
    with connection.cursor() as cur:
        cur.execute(_sql()["pending"])
        return int(cur.fetchone()[0])


def cpe_screens_fill(limit: int | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Fill the screens of index rows stored without one (NULL), in record order, a batch of
    records per transaction (idempotent; after a crash the next run goes on); at most ``limit``
    records. ``progress`` is called with the records done so far. Returns the rows updated."""
    sql = _sql()
    updated = done = last = 0
    while limit is None or done < limit:
        size = BATCH_RECORDS if limit is None else min(BATCH_RECORDS, limit - done)
        with transaction.atomic():
            batch = _fill_batch(sql, last, size)
        if batch is None:
            break
        last, rows, records = batch
        updated += rows
        done += records
        if progress is not None:
            progress(done)
    return updated


def _fill_batch(sql: dict[str, str], after: int, size: int) -> tuple[int, int, int] | None:
    """Screen the next ``size`` records after record id ``after``: ``(last record id, rows
    updated, records)``, ``None`` when none is left."""
    with connection.cursor() as cur:
        cur.execute(sql["records"], [after, size])
        pks = [int(r[0]) for r in cur.fetchall()]
        if not pks:
            return None
        marks = ",".join(["%s"] * len(pks))
        # the rows before the trees: rows an import replaces meanwhile (PostgreSQL) are then gone
        # when updated (their new rows stay NULL for the fill it queues), never given old screens
        cur.execute(sql["rows"].format(marks=marks), pks)
        rows = cur.fetchall()
        cur.execute(sql["nodes"].format(marks=marks), pks)
        nodes: dict[int, list[Any]] = {}
        for record, text in cur.fetchall():
            data = orjson.loads(text) if isinstance(text, str | bytes) else text
            nodes.setdefault(int(record), []).extend(data or ())
        screens: dict[int, dict[tuple[str, str], str | None]] = {}
        for record, data in nodes.items():
            screens[record] = {(v, p): s for v, p, s in index_rows([cpe_node(n) for n in data])}
        updates = [
            (screens.get(int(record), {}).get((vendor, product)) or NO_SCREEN, pk)
            for pk, record, vendor, product in rows
        ]
        cur.executemany(sql["update"], updates)
    return pks[-1], len(updates), len(pks)


@receiver(post_save, sender=ImportRun, dispatch_uid="advisories-cpe-screens")
def _feed_imported(sender: Any, instance: ImportRun, **kwargs: Any) -> None:
    """A succeeded import that wrote index rows without screens queues a fill (after commit)."""
    if instance.status != ImportRun.Status.SUCCEEDED:
        return
    run_id = instance.pk

    def enqueue() -> None:
        from medvigil.web.advisories import tasks

        if CpeIndexEntry.objects.filter(record__import_run_id=run_id, screen__isnull=True).exists():
            tasks.cpe_screens_enqueue()

    transaction.on_commit(enqueue)
