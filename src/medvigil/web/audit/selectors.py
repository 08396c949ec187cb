"""Reads of the audit trail: filtered lists, the streamed chain for verification and export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from django.db import connection
from django.db.models import QuerySet

from medvigil.core.audit.chain import GENESIS, HASHED_FIELDS, Anchor, Report, normalise, verify
from medvigil.core.errors import InputError
from medvigil.web.audit.models import AuditAnchor, AuditEvent

CHUNK = 20_000
_COLUMNS = tuple("actor_label" if f == "actor" else f for f in HASHED_FIELDS)


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What the audit page, the API and the export may filter on (all optional)."""

    actor: str = ""
    object_type: str = ""
    action: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    object_pk: str = ""

    @property
    def empty(self) -> bool:
        return not (
            self.actor or self.object_type or self.action or self.since or self.until or self.object_pk
        )


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def events(flt: EventFilter | None = None) -> QuerySet[AuditEvent]:
    """Events newest first, filtered."""
    flt = flt or EventFilter()
    if flt.since and flt.until and flt.since > flt.until:
        raise InputError(f"date range: from {flt.since} is after to {flt.until}", field="since")
    rows: QuerySet[AuditEvent] = AuditEvent.objects.order_by("-seq")
    if flt.actor:
        rows = rows.filter(actor_label=flt.actor)
    if flt.object_type:
        rows = rows.filter(object_type=flt.object_type)
    if flt.action:
        rows = rows.filter(verb=flt.action)
    if flt.object_pk:
        rows = rows.filter(object_pk=flt.object_pk)
    if flt.since:
        rows = rows.filter(timestamp__gte=_day_start(flt.since))
    if flt.until:
        rows = rows.filter(timestamp__lt=_day_start(flt.until + dt.timedelta(days=1)))
    return rows


def choices() -> dict[str, list[str]]:
    """Distinct actors, object types and actions for the filter menus."""
    base = AuditEvent.objects.order_by()
    return {
        "actors": sorted(base.values_list("actor_label", flat=True).distinct()),
        "object_types": sorted(base.values_list("object_type", flat=True).distinct()),
        "actions": sorted(base.values_list("verb", flat=True).distinct()),
    }


def _when(value: Any) -> dt.datetime:
    if isinstance(value, str):  # SQLite: naive UTC text
        value = dt.datetime.fromisoformat(value)
    when: dt.datetime = value
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def chain_rows(chunk: int = CHUNK, ascending_from: int = 0) -> Iterator[tuple[dict[str, Any], str]]:
    """Every event as ``(hashed fields, stored hash)`` in ``seq`` order, read in keyset chunks.

    Plain SQL (the ORM's per-row converters cost more than the hashing): JSON columns are read as
    text and parsed with orjson, timestamps as UTC."""
    text = "::text" if connection.vendor == "postgresql" else ""
    columns = ", ".join(f"{c}{text}" if c in ("changes", "additional_data") else c for c in _COLUMNS)
    table = AuditEvent._meta.db_table
    sql = f"SELECT {columns}, hash FROM {table} WHERE seq > %s ORDER BY seq LIMIT %s"  # noqa: S608 - fixed names
    last = ascending_from
    names = HASHED_FIELDS
    at_time, at_changes, at_data, at_addr = (
        names.index(n) for n in ("timestamp", "changes", "additional_data", "remote_addr")
    )
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [last, chunk])
            batch = cursor.fetchall()
        if not batch:
            return
        for row in batch:
            values = list(row)
            values[at_time] = _when(values[at_time])
            values[at_changes] = _json(values[at_changes])
            values[at_data] = _json(values[at_data])
            values[at_addr] = values[at_addr] or None
            yield dict(zip(names, values[:-1], strict=True)), values[-1]
        last = batch[-1][0]


def anchors() -> list[Anchor]:
    """The anchors stored in the database."""
    return [
        Anchor(count=a.count, head_hash=a.head_hash, label=f"{a.created_at.isoformat()} ({a.count})")
        for a in AuditAnchor.objects.order_by("count")
    ]


def chain_verify(extra_anchors: list[Anchor] | None = None, chunk: int = CHUNK) -> Report:
    """Verify the whole chain against the stored anchors and any kept outside the database."""
    return verify(chain_rows(chunk), anchors() + list(extra_anchors or []))


def event_dict(event: AuditEvent) -> dict[str, Any]:
    """An event for the API and the export: the hashed fields (as hashed), its hash and ids."""
    values: dict[str, Any] = {
        name: getattr(event, col) for name, col in zip(HASHED_FIELDS, _COLUMNS, strict=True)
    }
    values["remote_addr"] = values["remote_addr"] or None
    values = normalise(values)
    values["hash"] = event.hash
    return values


def export_chunks(flt: EventFilter | None = None, chunk: int = CHUNK) -> Iterator[bytes]:
    """The JSON export, streamed: the chain rules, the anchors, then every event (oldest first).

    With a filter the export is ``"complete": false``: each event still carries its hash and link,
    but only a complete export can be re-verified end to end."""
    flt = flt or EventFilter()
    head = {
        "format": "medvigil-audit-export/1",
        "hash": "sha256",
        "canonical": "orjson OPT_SORT_KEYS compact JSON of the hashed fields; datetimes UTC "
        "YYYY-MM-DDTHH:MM:SS.ffffffZ, decimals and UUIDs as strings",
        "hashed_fields": list(HASHED_FIELDS),
        "genesis": GENESIS,
        "complete": flt.empty,
        "filter": {k: str(v) for k, v in vars_of(flt).items() if v},
        "anchors": [{"count": a.count, "head_hash": a.head_hash, "label": a.label} for a in anchors()],
    }
    yield orjson.dumps(head)[:-1] + b',"events":['
    first = True
    last = 0
    base = events(flt).order_by("seq")
    while True:
        batch = list(base.filter(seq__gt=last)[:chunk])
        if not batch:
            break
        for event in batch:
            yield (b"" if first else b",") + orjson.dumps(event_dict(event))
            first = False
        last = batch[-1].seq
    yield b"]}\n"


def vars_of(flt: EventFilter) -> dict[str, Any]:
    return {
        name: getattr(flt, name) for name in ("actor", "object_type", "action", "since", "until", "object_pk")
    }


def chain_head() -> dict[str, Any]:
    """The newest event's sequence number and hash, and the newest anchor."""
    last = AuditEvent.objects.order_by("-seq").values("seq", "hash", "timestamp").first()
    anchor = AuditAnchor.objects.order_by("-count").values("count", "head_hash", "created_at").first()
    return {"event": last, "anchor": anchor}
