"""Chunked upsert of advisory records and their child rows.

Per chunk: one query fetches the stored ``(record_id, modified, raw_sha256)`` of the chunk's
ids; unchanged records only get ``last_seen`` bumped (one statement); new ones are inserted and
changed ones updated in place (``first_seen`` kept) with their child rows replaced, all
set-based. A record older than the stored one (by ``modified``) never overwrites it.

Records may arrive unmapped (:class:`PendingRecord`: id and raw bytes); one whose raw checksum
equals the stored one is unchanged and is never mapped, the others are mapped and turned into rows
by :mod:`.prepare` (in this process, or in the import's second process). A vulnerability created
for the chunk's records is inserted once with its derived fields (no blank row refreshed later).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from medvigil.core.feeds.interface import FeedItem, ParsedRecord, PendingItem, PendingRecord, RecordError
from medvigil.web import bulk
from medvigil.web.advisories import aliases
from medvigil.web.advisories.models import (
    AdvisoryRecord,
    AffectedPackage,
    CpeConfiguration,
    CpeIndexEntry,
    CsafProductStatus,
)
from medvigil.web.advisories.prepare import (
    AFFECTED_FIELDS,
    CSAF_FIELDS,
    RAW_AT,
    RECORD_FIELDS,
    Context,
    Prepared,
    derived,
    derived_row,
    flatten,
    prepare_item,
    prepare_pending,
    raw_digest,
    with_raw,
)

CHILD_MODELS = (AffectedPackage, CpeConfiguration, CpeIndexEntry, CsafProductStatus)


@dataclass
class Counts:
    """What a run did to its records."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    rejected: int = 0
    touched: set[int] = field(default_factory=set)
    """Vulnerability ids whose denormalised fields need a refresh."""


def _children(pk_of: dict[str, int], prepared: Sequence[Prepared]) -> None:
    affected: list[tuple[Any, ...]] = []
    configs: list[tuple[Any, ...]] = []
    index: list[tuple[Any, ...]] = []
    csaf: list[tuple[Any, ...]] = []
    for p in prepared:
        pk = pk_of[p.record_id]
        if p.affected:
            affected.extend(flatten(p.affected, pk))
        if p.nodes is not None:
            configs.append((pk, p.nodes))
            index.extend(flatten(p.cpe_index, pk))
        if p.csaf:
            csaf.extend(flatten(p.csaf, pk))
    bulk.insert_rows(AffectedPackage, AFFECTED_FIELDS, affected)
    bulk.insert_rows(CpeConfiguration, ("record", "nodes"), configs)
    bulk.insert_rows(CpeIndexEntry, ("record", "vendor", "product"), index)
    bulk.insert_rows(CsafProductStatus, CSAF_FIELDS, csaf)


def _is_stale(incoming: dt.datetime | None, stored: Any) -> bool:
    """Whether ``incoming`` is older than the stored ``modified`` (SQLite: naive UTC)."""
    if incoming is None or stored is None:
        return False
    if isinstance(stored, str):
        stored = dt.datetime.fromisoformat(stored)
    if stored.tzinfo is None:
        stored = stored.replace(tzinfo=dt.UTC)
    return bool(incoming < stored)


def _raise(err: RecordError) -> None:
    raise err.as_exception()


def _distinct_runs(prepared: list[Prepared]) -> list[list[Prepared]]:
    """Split ``prepared`` into consecutive runs without a repeated record id."""
    runs: list[list[Prepared]] = [[]]
    ids: set[str] = set()
    for p in prepared:
        if p.record_id in ids:
            runs.append([])
            ids.clear()
        ids.add(p.record_id)
        runs[-1].append(p)
    return [run for run in runs if run]


@dataclass
class Plan:
    """A chunk looked up against the store, waiting for its records to be mapped and written."""

    items: list[PendingItem]
    stored: dict[str, tuple[int, Any, str]]
    """Stored ``(pk, modified, raw_sha256)`` of the pending ids that were safe to look up early."""
    looked: set[str]
    unchanged: list[int]
    """Row ids of pending records whose raw checksum is the stored one (never mapped)."""
    to_map: list[tuple[str, str, Callable[[], FeedItem]]]
    """``(location, record id, mapper)`` of the pending records to map, in chunk order."""
    skip: list[bool]
    """Per item: a pending record counted unchanged without mapping."""


class RecordWriter:
    """Writes chunks of advisory records of one source within one import run.

    A chunk is first *planned* (:meth:`plan`: one lookup of the pending ids' stored checksums;
    unchanged records need no mapping), then its remaining records are mapped and prepared
    (:func:`~medvigil.web.advisories.prepare.prepare_pending`, in this process or in the import's
    second process), then *written* (:meth:`write_planned`). The feed import plans chunk N+1 while
    chunk N is being mapped; ids seen in an earlier chunk of the run are then looked up again at
    write time, so the early lookup can never hide a row that an earlier chunk wrote.
    """

    def __init__(
        self, *, source_id: int, run_id: int, now: dt.datetime, source_name: str = "", input_name: str = ""
    ) -> None:
        self.source_id = source_id
        self.source_name = source_name
        """The source's name (for ``Vulnerability.sources``); empty: new identities are refreshed later."""
        self.input_name = input_name
        """The input as record errors name it."""
        self.run_id = run_id
        self.now = now
        self.counts = Counts()
        self._seen: set[str] = set()
        """Pending ids of the chunks planned so far in this run."""
        self._misread: set[str] = set()
        """Record ids written under another pending id (a later chunk's early lookup may miss them)."""

    def write(self, chunk: Sequence[ParsedRecord]) -> None:
        """Upsert one chunk of mapped records (record ids must be distinct within it)."""
        self.write_items(chunk, _raise)

    def write_items(self, items: Sequence[PendingItem], on_error: Callable[[RecordError], None]) -> None:
        """Plan, map (in this process) and write one chunk; record errors go to ``on_error`` in order."""
        plan = self.plan(items)
        self.write_planned(plan, prepare_pending(plan.to_map, self.context()), on_error)

    def context(self, *, raw_by_writer: bool = False) -> Context:
        """What preparing this writer's records needs (sent along to the second process, which
        leaves the raw bytes to :meth:`write_planned`: ``raw_by_writer``)."""
        return Context(self.input_name, self.source_name, bulk.adapters()[0], raw_by_writer)

    def plan(self, items: Sequence[PendingItem]) -> Plan:
        """Look the chunk's pending ids up; pick the records that need mapping.

        Ids (the pending ids and, among the mapped records, the record ids) must be distinct.
        """
        hints = [i.record_id for i in items if isinstance(i, PendingRecord) and i.record_id]
        safe = [h for h in hints if h not in self._seen]
        self._seen.update(hints)
        stored = self._stored(safe) if safe else {}
        unchanged: list[int] = []
        to_map: list[tuple[str, str, Callable[[], FeedItem]]] = []
        skip: list[bool] = []
        for item in items:
            if isinstance(item, PendingRecord):
                old = stored.get(item.record_id)
                if old is not None and old[2] == raw_digest(item.raw):
                    unchanged.append(old[0])
                    skip.append(True)
                    continue
                to_map.append((item.location, item.record_id, item.mapper))
            skip.append(False)
        return Plan(list(items), stored, set(safe), unchanged, to_map, skip)

    def write_planned(
        self, plan: Plan, mapped: Sequence[Prepared | RecordError], on_error: Callable[[RecordError], None]
    ) -> None:
        """Write a planned chunk given its mapped records (``mapped``: one per ``plan.to_map``, in order).

        Pending records whose raw checksum equals the stored one count as unchanged unmapped.
        """
        results = iter(zip(plan.to_map, mapped, strict=True))
        prepared: list[Prepared] = []
        for item, skipped in zip(plan.items, plan.skip, strict=True):
            if skipped:
                continue
            if isinstance(item, RecordError):
                on_error(item)
                continue
            if isinstance(item, PendingRecord):
                (_, hint, _), result = next(results)
                if isinstance(result, RecordError):
                    on_error(result)
                    continue
                if result.record_id != hint:
                    self._misread.add(result.record_id)
                prepared.append(result if result.values[RAW_AT] is not None else with_raw(result, item.raw))
                continue
            ready = prepare_item(item, self.context())
            if isinstance(ready, RecordError):
                on_error(ready)
                continue
            prepared.append(ready)
        self._unchanged(plan.unchanged)
        stored = plan.stored
        for index, run in enumerate(_distinct_runs(prepared)):
            ids = [p.record_id for p in run]
            if index == 0:
                stored.update(self._stored([i for i in ids if i not in plan.looked or i in self._misread]))
            else:  # the same id again in one chunk (only when a pending id was wrong): see the first
                stored = self._stored(ids)
            self._upsert(run, stored)

    def _unchanged(self, pks: list[int]) -> None:
        self.counts.unchanged += len(pks)
        bulk.set_in(AdvisoryRecord, {"last_seen": bulk.when(self.now)}, pks)

    def _upsert(self, run: list[Prepared], stored: dict[str, tuple[int, Any, str]]) -> None:
        pending: list[tuple[Prepared, int | None]] = []
        unchanged: list[int] = []
        for p in run:
            if p.record_id not in stored:
                pending.append((p, None))
                continue
            pk, modified, old_digest = stored[p.record_id]
            if old_digest == p.digest or _is_stale(p.modified, modified):
                unchanged.append(pk)
            else:
                pending.append((p, pk))
        self._unchanged(unchanged)
        if pending:
            self._write(pending)

    def _stored(self, ids: list[str]) -> dict[str, tuple[int, Any, str]]:
        """``record_id -> (pk, modified as the driver returns it, raw_sha256)`` of stored ids."""
        if not ids:
            return {}
        sql = (
            f"SELECT record_id, id, modified, raw_sha256 FROM {bulk.table(AdvisoryRecord)} "  # noqa: S608
            "WHERE source_id = %s AND record_id IN ({marks})"
        )
        return {
            rid: (pk, modified, digest)
            for rid, pk, modified, digest in bulk.select_in(sql, ids, [self.source_id])
        }

    def _pks(self, ids: list[str]) -> dict[str, int]:
        sql = f"SELECT record_id, id FROM {bulk.table(AdvisoryRecord)} WHERE source_id = %s AND record_id IN ({{marks}})"  # noqa: S608,E501
        return dict(bulk.select_in(sql, ids, [self.source_id]))

    def _write(self, pending: list[tuple[Prepared, int | None]]) -> None:
        when = bulk.adapters()[0]
        source = self.source_name

        def fields_of(indices: list[int]) -> tuple[Any, ...]:
            if len(indices) == 1:
                return pending[indices[0]][0].alone
            rows = [pending[i][0] for i in indices]
            return derived(
                [derived_row(0, source, p.values, p.published, p.modified, p.withdrawn) for p in rows], when
            )

        resolved = aliases.resolve([p.identifiers for p, _ in pending], derive=fields_of if source else None)
        self.counts.touched.update(resolved.touched)
        now = when(self.now)
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        for (p, pk), vid in zip(pending, resolved.ids, strict=True):
            values = (
                vid,
                when(p.modified),
                when(p.published),
                when(p.withdrawn),
                *p.values,
                now,
                self.run_id,
            )
            if pk is None:
                inserts.append((self.source_id, p.record_id, now, *values))
            else:
                updates.append((*values, pk))
        bulk.insert_rows(AdvisoryRecord, ("source", "record_id", "first_seen", *RECORD_FIELDS), inserts)
        bulk.update_rows(AdvisoryRecord, RECORD_FIELDS, updates)
        changed_pks = [pk for _, pk in pending if pk is not None]
        for model in CHILD_MODELS:
            bulk.delete_in(model, "record", changed_pks)
        pk_of = self._pks([p.record_id for p, _ in pending])
        _children(pk_of, [p for p, _ in pending])
        self.counts.new += len(inserts)
        self.counts.updated += len(updates)
        self.counts.rejected += sum(1 for p, _ in pending if p.rejected)
        self.counts.withdrawn += sum(1 for p, _ in pending if p.withdrawn and not p.rejected)
