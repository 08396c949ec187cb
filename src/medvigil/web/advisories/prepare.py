"""Advisory records → row tuples ready for the set-based writes, without Django.

:func:`prepare` turns one mapped record into a :class:`Prepared` (every column the writer stores,
serialised and compressed) and :func:`prepare_pending` maps and prepares a batch of pending
records. Neither touches the database, so the feed import can run them in a second process
(``medvigil.web.advisories.workers``) while the importing process writes the previous chunk; the
serial path calls the very same functions in-process, so both store the same rows.

Only what depends on the store is left to the writer: the vulnerability id, the record's row id,
the run and the clock (``last_seen``, ``first_seen``), and the database's datetime adapter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from isal import isal_zlib

from medvigil.core.errors import FeedParseError
from medvigil.core.feeds.interface import FeedItem, ParsedRecord, RecordError
from medvigil.core.ids import purl_key
from medvigil.core.matching.keys import package_key
from medvigil.core.model.advisory import SOURCE_CSAF
from medvigil.core.model.advisory import AdvisoryRecord as CoreRecord
from medvigil.core.model.advisory import AffectedPackage as CoreAffected
from medvigil.web.advisories.codec import (
    affected_extra,
    best_severity,
    dumps,
    dumps_nodes,
    index_entries,
    rank,
)

RECORD_FIELDS = (
    "vulnerability", "modified", "published", "withdrawn", "rejected", "state", "summary", "details",
    "aliases", "related", "cwes", "severities", "references", "ssvc", "extra", "cvss_score",
    "cvss_vector", "cvss_version", "severity", "raw", "raw_sha256", "location", "last_seen", "import_run",
)  # fmt: skip
"""Columns written on insert and update (insert adds source, record_id, first_seen). The first
four come from the writer (vulnerability id, adapted datetimes), ``rejected`` to ``location`` from
:attr:`Prepared.values`, the last two from the writer again."""
AFFECTED_FIELDS = (
    "record", "position", "ecosystem", "name", "purl", "purl_type", "purl_namespace", "purl_name",
    "package_key", "vendor", "product", "ranges", "versions", "unaffected", "cpes", "default_status", "extra",
)  # fmt: skip
CSAF_FIELDS = (
    "record", "product_id", "status", "name", "vendor", "product_name", "product_version",
    "product_version_range", "cpe", "purl", "purl_type", "purl_namespace", "purl_name", "helpers",
    "branch_path", "relationship",
)  # fmt: skip
DERIVED_FIELDS = (
    "summary", "cvss_score", "cvss_vector", "cvss_version", "severity", "sources", "published", "modified",
    "withdrawn",
)  # fmt: skip
"""A vulnerability's fields computed from its records (:func:`derived`)."""
SUMMARY_PRECEDENCE = {"osv": 0, "cve5": 1, "csaf": 2, "nvd": 3}
"""Which source's summary a vulnerability shows first (OSV and CVE 5 write one-liners)."""
_MAPPING_ERRORS = (TypeError, ValueError, KeyError, AttributeError)


class Context(NamedTuple):
    """What preparing needs to know about the import (picklable: it travels with each batch)."""

    input_name: str
    """The input as record errors name it."""
    source_name: str
    """The ``Source`` the records are filed under (a vulnerability's ``sources``)."""
    when: Callable[[dt.datetime | None], Any]
    """The database's datetime adapter (``medvigil.web.bulk.adapters``: module-level, pickled by name)."""
    raw_by_writer: bool = False
    """Leave the compressed raw bytes out (``None``): the writer, which holds the raw bytes of
    its pending records, fills them in with :func:`with_raw` (the second process then neither
    compresses nor sends them back, which balances the two processes while the writer writes).
    Records mapped ahead (during the migration and an input's last chunks, when the second process
    has time to spare and the writer does not) are compressed there: both give the same bytes."""


class Prepared(NamedTuple):
    """One advisory record as rows (a tuple: cheap to send between processes)."""

    record_id: str
    digest: str
    """SHA-256 of the raw bytes (the unchanged test)."""
    modified: dt.datetime | None
    published: dt.datetime | None
    withdrawn: dt.datetime | None
    stamps: tuple[Any, Any, Any]
    """``modified``, ``published``, ``withdrawn`` adapted for the database."""
    alone: tuple[Any, ...]
    """The :data:`DERIVED_FIELDS` of a vulnerability that has this record only."""
    rejected: bool
    identifiers: tuple[str, ...]
    """The ids naming the record's vulnerability, preferred key first (:func:`identifiers`)."""
    values: tuple[Any, ...]
    """The columns ``rejected`` .. ``location`` of :data:`RECORD_FIELDS`."""
    affected: tuple[tuple[Any, ...], ...]
    """Affected-package rows without the record id."""
    nodes: str | None
    """The CPE configuration trees as JSON, None without any."""
    cpe_index: tuple[tuple[str, str], ...]
    """Distinct ``(vendor, product)`` of the vulnerable CPE matches, sorted."""
    csaf: tuple[tuple[Any, ...], ...]
    """CSAF product-status rows without the record id."""


def raw_digest(raw: bytes) -> str:
    """The checksum stored with a record's raw bytes (hex SHA-256)."""
    return hashlib.sha256(raw).hexdigest()


def compress_raw(raw: bytes) -> bytes:
    """A record's raw bytes as stored (zlib, level 1)."""
    return isal_zlib.compress(raw, 1)


RAW_AT = 15
"""Position of the compressed raw bytes in :attr:`Prepared.values`."""


def with_raw(p: Prepared, raw: bytes) -> Prepared:
    """``p`` (prepared with :attr:`Context.raw_by_writer`) with its compressed raw bytes."""
    v = p.values
    return p._replace(values=(*v[:RAW_AT], compress_raw(raw), *v[RAW_AT + 1 :]))


def identifiers(record: CoreRecord) -> tuple[str, ...]:
    """The ids that name the record's vulnerability, preferred key first.

    The record id and its aliases; for CSAF the vulnerability's CVE and ids come before the
    ``<tracking id>/<...>`` record id (the document id itself is in ``related`` and is not an
    identity: one document covers several vulnerabilities).
    """
    if not record.aliases:
        rid = record.id.strip()[:200] if record.id else ""
        return (rid,) if rid else ()
    ordered = [*record.aliases, record.id] if record.source == SOURCE_CSAF else [record.id, *record.aliases]
    return tuple(dict.fromkeys(i.strip()[:200] for i in ordered if i and i.strip()))


def _extra(r: CoreRecord) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for name in ("assigner", "notes", "actions", "document", "database_specific_json"):
        value = getattr(r, name)
        if value:
            extra[name] = value
    return extra


def _package_key(p: CoreAffected) -> str:
    """The join key of an affected package ("" without purl coordinates), at most 700 characters
    (the candidate query cuts the components' keys the same way)."""
    if not p.purl_type or not p.purl_name:
        return ""
    return package_key(p.purl_type, p.purl_namespace, p.purl_name)[:700]


def _affected_rows(r: CoreRecord) -> tuple[tuple[Any, ...], ...]:
    return tuple(
        (pos, (p.ecosystem or "")[:100], p.name[:500], (p.purl or "")[:1000],
         (p.purl_type or "")[:40], (p.purl_namespace or "")[:300], (p.purl_name or "")[:300],
         _package_key(p), (p.vendor or "")[:300], (p.product or "")[:300], dumps(p.ranges), dumps(p.versions),
         dumps(p.unaffected_versions), dumps(p.cpes), (p.default_status or "")[:20], dumps(affected_extra(p)))
        for pos, p in enumerate(r.affected)
    )  # fmt: skip


def _csaf_rows(r: CoreRecord) -> tuple[tuple[Any, ...], ...]:
    rows = []
    for status in r.csaf_products:
        p, h = status.product, status.product.helpers
        purl = (h.purl if h else None) or ""
        key = purl_key(purl) if purl else None
        rows.append((
            status.product_id[:200], status.status[:30], p.name, (p.vendor or "")[:300],
            (p.product_name or "")[:500], (p.product_version or "")[:300],
            (p.product_version_range or "")[:300], ((h.cpe if h else None) or "")[:500], purl[:1000],
            key.type[:40] if key else "", key.namespace[:300] if key else "", key.name[:300] if key else "",
            dumps(h) if h else None, dumps(p.branch_path), dumps(p.relationship) if p.relationship else None,
        ))  # fmt: skip
    return tuple(rows)


def prepare(item: ParsedRecord, ctx: Context, digest: str | None = None) -> Prepared:
    """The rows of one mapped advisory record (``digest``: its raw checksum when known)."""
    r = item.record
    assert isinstance(r, CoreRecord)
    score, vector, version, label = best_severity(r.severities)
    values = (
        r.rejected, (r.state or "")[:40], r.summary or "", r.details or "", dumps(r.aliases),
        dumps(r.related), dumps(r.cwes), dumps(r.severities), dumps(r.references),
        dumps(r.ssvc) if r.ssvc else None, dumps(_extra(r)), score, vector[:300], version, label,
        None if ctx.raw_by_writer else compress_raw(item.raw), digest or raw_digest(item.raw),
        item.location[:500],
    )  # fmt: skip
    configs = r.cpe_configurations
    when = ctx.when
    alone = derived([derived_row(0, ctx.source_name, values, r.published, r.modified, r.withdrawn)], when)
    return Prepared(
        r.id, values[16], r.modified, r.published, r.withdrawn,
        (when(r.modified), when(r.published), when(r.withdrawn)), alone, r.rejected, identifiers(r), values,
        _affected_rows(r) if r.affected else (),
        dumps_nodes(configs) if configs else None,
        tuple(sorted(index_entries(configs))) if configs else (),
        _csaf_rows(r) if r.csaf_products else (),
    )  # fmt: skip


def prepare_item(item: ParsedRecord, ctx: Context) -> Prepared | RecordError:
    """:func:`prepare`, with a record whose values cannot be stored as a located record error."""
    try:
        return prepare(item, ctx)
    except _MAPPING_ERRORS as exc:
        rid = str(getattr(item.record, "id", "") or "")
        return RecordError(f"cannot store record: {exc!r}", ctx.input_name, item.location, "", rid)


def prepare_pending(
    batch: Sequence[tuple[str, str, Callable[[], FeedItem]]], ctx: Context
) -> list[Prepared | RecordError]:
    """Map and prepare ``(location, record id, mapper)`` of pending records, in order.

    A record that cannot be mapped or stored comes back as its :class:`RecordError` (location,
    record id and field as the parser gives them); the rest of the batch still prepares. Any
    other failure raises :class:`FeedParseError` naming the input, the location and the record
    id (it fails the whole input). This is the unit of work of the import's second process; the
    serial path calls it in-process.
    """
    out: list[Prepared | RecordError] = []
    for location, record_id, mapper in batch:
        try:
            item = mapper()
            out.append(item if isinstance(item, RecordError) else prepare_item(item, ctx))
        except Exception as exc:  # noqa: BLE001 - re-raised with the place it happened
            where = f"{location} ({record_id})" if record_id else location
            raise FeedParseError(
                f"cannot map record: {exc!r}", source=ctx.input_name, location=where
            ) from exc
    return out


def _summary(rows: Sequence[tuple[Any, ...]]) -> str:
    ranked = sorted(rows, key=lambda r: SUMMARY_PRECEDENCE.get(r[1], 9))
    for row in ranked:
        if row[6]:
            return str(row[6])
    return next((str(r[7]) for r in ranked if r[7]), "")


def derived(rows: Sequence[tuple[Any, ...]], when: Callable[[Any], Any]) -> tuple[Any, ...]:
    """The :data:`DERIVED_FIELDS` values of one vulnerability from its records' (vid, source name,
    score, vector, version, severity, summary, details up to 300 characters, published, modified,
    withdrawn, rejected) rows; ``when`` adapts the two datetimes for the database."""
    scored = [r for r in rows if r[2] is not None]
    best = max(scored, key=lambda r: rank(r[4], r[2])) if scored else None
    published = [r[8] for r in rows if r[8] is not None]
    modified = [r[9] for r in rows if r[9] is not None]
    return (
        _summary(rows), best[2] if best else None, best[3] if best else "", best[4] if best else "",
        best[5] if best else "", dumps(sorted({r[1] for r in rows})),
        when(min(published)) if published else None, when(max(modified)) if modified else None,
        not any(r[10] is None and not r[11] for r in rows),
    )  # fmt: skip


def derived_row(
    vid: int, source: str, v: tuple[Any, ...], published: Any, modified: Any, withdrawn: Any
) -> tuple[Any, ...]:
    """The row :func:`derived` takes, for a record's prepared ``values`` (as the refresh reads it back)."""
    return (vid, source, v[11], v[12], v[13], v[14], v[2], v[3][:300], published, modified, withdrawn, v[0])


def flatten(rows: Iterable[tuple[Any, ...]], pk: int) -> list[tuple[Any, ...]]:
    """Child rows with the record id in front."""
    return [(pk, *row) for row in rows]
