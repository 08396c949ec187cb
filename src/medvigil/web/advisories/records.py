"""Chunked upsert of advisory records and their child rows.

Per chunk: one query fetches the stored ``(record_id, modified, raw_sha256)`` of the chunk's
ids; unchanged records only get ``last_seen`` bumped (one statement); new ones are inserted and
changed ones updated in place (``first_seen`` kept) with their child rows replaced, all
set-based. A record older than the stored one (by ``modified``) never overwrites it.

Records may arrive unmapped (:class:`PendingRecord`: id and raw bytes); one whose raw checksum
equals the stored one is unchanged and is never mapped, the others are mapped here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from isal import isal_zlib

from medvigil.core.feeds.interface import ParsedRecord, PendingItem, PendingRecord, RecordError
from medvigil.core.ids import purl_key
from medvigil.core.model.advisory import AdvisoryRecord as CoreRecord
from medvigil.web import bulk
from medvigil.web.advisories import aliases
from medvigil.web.advisories.codec import affected_extra, best_severity, dumps, dumps_nodes, index_entries
from medvigil.web.advisories.models import (
    AdvisoryRecord,
    AffectedPackage,
    CpeConfiguration,
    CpeIndexEntry,
    CsafProductStatus,
)

RECORD_FIELDS = (
    "vulnerability", "modified", "published", "withdrawn", "rejected", "state", "summary", "details",
    "aliases", "related", "cwes", "severities", "references", "ssvc", "extra", "cvss_score",
    "cvss_vector", "cvss_version", "severity", "raw", "raw_sha256", "location", "last_seen", "import_run",
)  # fmt: skip
"""Columns written on insert and update (insert adds source, record_id, first_seen)."""
AFFECTED_FIELDS = (
    "record", "position", "ecosystem", "name", "purl", "purl_type", "purl_namespace", "purl_name",
    "vendor", "product", "ranges", "versions", "unaffected", "cpes", "default_status", "extra",
)  # fmt: skip
CSAF_FIELDS = (
    "record", "product_id", "status", "name", "vendor", "product_name", "product_version",
    "product_version_range", "cpe", "purl", "purl_type", "purl_namespace", "purl_name", "helpers",
    "branch_path", "relationship",
)  # fmt: skip
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


def _extra(r: CoreRecord) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for name in ("assigner", "notes", "actions", "document", "database_specific_json"):
        value = getattr(r, name)
        if value:
            extra[name] = value
    return extra


def _values(item: ParsedRecord, digest: str, vuln_id: int, run_id: int, now: Any, when: Any) -> list[Any]:
    r = item.record
    assert isinstance(r, CoreRecord)
    score, vector, version, label = best_severity(r.severities)
    return [
        vuln_id, when(r.modified), when(r.published), when(r.withdrawn), r.rejected,
        (r.state or "")[:40], r.summary or "", r.details or "", dumps(r.aliases), dumps(r.related),
        dumps(r.cwes), dumps(r.severities), dumps(r.references), dumps(r.ssvc) if r.ssvc else None,
        dumps(_extra(r)), score, vector[:300], version, label, isal_zlib.compress(item.raw, 1), digest,
        item.location[:500], now, run_id,
    ]  # fmt: skip


def _affected_rows(record_pk: int, r: CoreRecord) -> list[tuple[Any, ...]]:
    return [
        (record_pk, pos, (p.ecosystem or "")[:100], p.name[:500], (p.purl or "")[:1000],
         (p.purl_type or "")[:40], (p.purl_namespace or "")[:300], (p.purl_name or "")[:300],
         (p.vendor or "")[:300], (p.product or "")[:300], dumps(p.ranges), dumps(p.versions),
         dumps(p.unaffected_versions), dumps(p.cpes), (p.default_status or "")[:20], dumps(affected_extra(p)))
        for pos, p in enumerate(r.affected)
    ]  # fmt: skip


def _csaf_rows(record_pk: int, r: CoreRecord) -> list[tuple[Any, ...]]:
    rows = []
    for status in r.csaf_products:
        p, h = status.product, status.product.helpers
        purl = (h.purl if h else None) or ""
        key = purl_key(purl) if purl else None
        rows.append((
            record_pk, status.product_id[:200], status.status[:30], p.name, (p.vendor or "")[:300],
            (p.product_name or "")[:500], (p.product_version or "")[:300],
            (p.product_version_range or "")[:300], ((h.cpe if h else None) or "")[:500], purl[:1000],
            key.type[:40] if key else "", key.namespace[:300] if key else "", key.name[:300] if key else "",
            dumps(h) if h else None, dumps(p.branch_path), dumps(p.relationship) if p.relationship else None,
        ))  # fmt: skip
    return rows


def _children(pk_of: dict[str, int], records: Sequence[CoreRecord]) -> None:
    affected: list[tuple[Any, ...]] = []
    configs: list[tuple[Any, ...]] = []
    index: list[tuple[Any, ...]] = []
    csaf: list[tuple[Any, ...]] = []
    for r in records:
        pk = pk_of[r.id]
        if r.affected:
            affected.extend(_affected_rows(pk, r))
        if r.cpe_configurations:
            configs.append((pk, dumps_nodes(r.cpe_configurations)))
            index.extend((pk, v, p) for v, p in sorted(index_entries(r.cpe_configurations)))
        if r.csaf_products:
            csaf.extend(_csaf_rows(pk, r))
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


@dataclass(frozen=True, slots=True)
class _Pending:
    item: ParsedRecord
    record: CoreRecord
    digest: str
    pk: int | None
    """Stored row id of a changed record; None for a new one."""


def raw_digest(raw: bytes) -> str:
    """The checksum stored with a record's raw bytes (hex SHA-256)."""
    return hashlib.sha256(raw).hexdigest()


def _raise(err: RecordError) -> None:
    raise err.as_exception()


def _distinct_runs(parsed: list[tuple[ParsedRecord, str]]) -> list[list[tuple[ParsedRecord, str]]]:
    """Split ``parsed`` into consecutive runs without a repeated record id."""
    runs: list[list[tuple[ParsedRecord, str]]] = [[]]
    ids: set[str] = set()
    for pair in parsed:
        rid = pair[0].record.id  # type: ignore[union-attr]
        if rid in ids:
            runs.append([])
            ids.clear()
        ids.add(rid)
        runs[-1].append(pair)
    return [run for run in runs if run]


class RecordWriter:
    """Writes chunks of parsed advisory records of one source within one import run."""

    def __init__(self, *, source_id: int, run_id: int, now: dt.datetime) -> None:
        self.source_id = source_id
        self.run_id = run_id
        self.now = now
        self.counts = Counts()

    def write(self, chunk: Sequence[ParsedRecord]) -> None:
        """Upsert one chunk of mapped records (record ids must be distinct within it)."""
        self.write_items(chunk, _raise)

    def write_items(self, items: Sequence[PendingItem], on_error: Callable[[RecordError], None]) -> None:
        """Upsert one chunk of mapped or pending records; record errors go to ``on_error`` in order.

        Pending records whose raw checksum equals the stored one count as unchanged unmapped.
        Ids (the pending ids and, among the mapped records, the record ids) must be distinct.
        """
        hints = [i.record_id for i in items if isinstance(i, PendingRecord) and i.record_id]
        stored = self._stored(hints) if hints else {}
        looked = set(hints)
        unchanged: list[int] = []
        parsed: list[tuple[ParsedRecord, str]] = []
        for item in items:
            if isinstance(item, RecordError):
                on_error(item)
                continue
            digest = raw_digest(item.raw)
            if isinstance(item, PendingRecord):
                old = stored.get(item.record_id)
                if old is not None and old[2] == digest:
                    unchanged.append(old[0])
                    continue
                mapped = item.map()
                if isinstance(mapped, RecordError):
                    on_error(mapped)
                    continue
                item = mapped
            assert isinstance(item.record, CoreRecord)
            parsed.append((item, digest))
        self._unchanged(unchanged)
        for index, run in enumerate(_distinct_runs(parsed)):
            ids = [p.record.id for p, _ in run]  # type: ignore[union-attr]
            if index == 0:
                stored.update(self._stored([i for i in ids if i not in looked]))
            else:  # the same id again in one chunk (only when a pending id was wrong): see the first
                stored = self._stored(ids)
            self._upsert(run, stored)

    def _unchanged(self, pks: list[int]) -> None:
        self.counts.unchanged += len(pks)
        bulk.set_in(AdvisoryRecord, {"last_seen": bulk.when(self.now)}, pks)

    def _upsert(self, run: list[tuple[ParsedRecord, str]], stored: dict[str, tuple[int, Any, str]]) -> None:
        pending: list[_Pending] = []
        unchanged: list[int] = []
        for item, digest in run:
            r = item.record
            assert isinstance(r, CoreRecord)
            if r.id not in stored:
                pending.append(_Pending(item, r, digest, None))
                continue
            pk, modified, old_digest = stored[r.id]
            if old_digest == digest or _is_stale(r.modified, modified):
                unchanged.append(pk)
            else:
                pending.append(_Pending(item, r, digest, pk))
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

    def _write(self, pending: list[_Pending]) -> None:
        vuln_ids = aliases.resolve([p.record for p in pending])
        self.counts.touched.update(vuln_ids)
        when = bulk.adapters()[0]
        now = when(self.now)
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        for p, vid in zip(pending, vuln_ids, strict=True):
            values = _values(p.item, p.digest, vid, self.run_id, now, when)
            if p.pk is None:
                inserts.append((self.source_id, p.record.id, now, *values))
            else:
                updates.append((*values, p.pk))
        bulk.insert_rows(AdvisoryRecord, ("source", "record_id", "first_seen", *RECORD_FIELDS), inserts)
        bulk.update_rows(AdvisoryRecord, RECORD_FIELDS, updates)
        changed_pks = [p.pk for p in pending if p.pk is not None]
        for model in CHILD_MODELS:
            bulk.delete_in(model, "record", changed_pks)
        pk_of = self._pks([p.record.id for p in pending])
        _children(pk_of, [p.record for p in pending])
        self.counts.new += len(inserts)
        self.counts.updated += len(updates)
        self.counts.rejected += sum(1 for p in pending if p.record.rejected)
        self.counts.withdrawn += sum(1 for p in pending if p.record.withdrawn and not p.record.rejected)
