"""A SHA-256 hash chain over audit events.

Each event is a mapping of plain fields (``HASHED_FIELDS``). Its hash is
``SHA-256(canonical(fields))`` where the fields include ``seq`` (1, 2, 3, ... without gaps) and
``prev_hash`` (the hash of event ``seq - 1``; ``GENESIS`` for the first). ``canonical`` is
sorted-key compact JSON (orjson ``OPT_SORT_KEYS``) after explicit normalisation: datetimes become
UTC ISO-8601 with microseconds and a ``Z``, dates ISO-8601, decimals and UUIDs strings, tuples
and sets lists (sets sorted). Anyone can re-verify an exported chain with these rules alone.

:func:`verify` consumes an iterator, keeps O(1) state (plus the anchors), and reports the first
broken event: a gap in the sequence (a deleted row), a link that does not point at the previous
event (rows reordered or inserted), contents that do not hash to the stored hash (a changed row),
or an anchor that the chain no longer reaches (the tail truncated).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq",
    "prev_hash",
    "timestamp",
    "actor",
    "action",
    "verb",
    "object_type",
    "object_pk",
    "object_repr",
    "changes",
    "reason",
    "remote_addr",
    "additional_data",
)
"""The fields an event hash covers (storage ids, foreign keys and display caches are not hashed)."""


def normalise(value: Any) -> Any:
    """``value`` as plain JSON data with the chain's explicit rules (see the module text)."""
    if value is None or isinstance(value, bool | int | str | float):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} in an audit event")
        if value.utcoffset():
            value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(
            (normalise(v) for v in value), key=lambda v: orjson.dumps(v, option=orjson.OPT_SORT_KEYS)
        )
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    raise TypeError(f"{type(value).__name__} cannot go into an audit event")


_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    """orjson's hook for what it does not write itself: the same rules as :func:`normalise`."""
    return normalise(value)


def canonical(fields: Mapping[str, Any]) -> bytes:
    """Sorted-key compact JSON of the hashed fields of an event (equal to the JSON of
    :func:`normalise` of them; orjson walks plain data itself, only the rest reaches the hook)."""
    try:
        picked = {name: fields[name] for name in HASHED_FIELDS}
    except KeyError:
        missing = [name for name in HASHED_FIELDS if name not in fields]
        raise ValueError(f"audit event lacks {', '.join(missing)}") from None
    return orjson.dumps(picked, option=_OPTIONS, default=_default)


def event_hash(fields: Mapping[str, Any]) -> str:
    """Hex SHA-256 of :func:`canonical`."""
    return hashlib.sha256(canonical(fields)).hexdigest()


@dataclass(frozen=True, slots=True)
class Anchor:
    """A checkpoint kept apart from the chain: the chain had ``count`` events ending in ``head_hash``."""

    count: int
    head_hash: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of :func:`verify`; ``broken_seq``/``reason`` name the first broken event."""

    ok: bool
    checked: int
    head_hash: str
    anchors_checked: int
    broken_seq: int | None = None
    reason: str = ""


def _check_row(fields: Mapping[str, Any], stored: str, expected_seq: int, prev: str) -> str:
    seq = fields["seq"]
    if seq != expected_seq:
        if seq > expected_seq:
            missing = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}-{seq - 1}"
            return f"event {missing} missing (deleted?): the next stored event is {seq}"
        return f"sequence out of order: event {seq} found where {expected_seq} was expected"
    if fields["prev_hash"] != prev:
        return (
            f"prev_hash {str(fields['prev_hash'])[:12]}... does not link to event {expected_seq - 1} "
            f"({prev[:12]}...): rows reordered or inserted"
        )
    actual = event_hash(fields)
    if actual != stored:
        return f"contents changed: stored hash {stored[:12]}... but the event hashes to {actual[:12]}..."
    return ""


def verify(rows: Iterable[tuple[Mapping[str, Any], str]], anchors: Sequence[Anchor] = ()) -> Report:
    """Check ``rows`` (``(fields, stored_hash)`` in ``seq`` order) and the ``anchors`` against them."""
    pending = sorted((a for a in anchors if a.count > 0), key=lambda a: a.count)
    next_anchor = 0
    prev = GENESIS
    count = 0
    for fields, stored in rows:
        expected = count + 1
        reason = _check_row(fields, stored, expected, prev)
        if reason:
            return Report(False, count, prev, next_anchor, broken_seq=expected, reason=reason)
        count = expected
        prev = stored
        while next_anchor < len(pending) and pending[next_anchor].count <= count:
            anchor = pending[next_anchor]
            if anchor.count == count and anchor.head_hash != stored:
                name = anchor.label or anchor.count
                why = f"anchor {name} records head {anchor.head_hash[:12]}... at event {count}, not this one"
                return Report(False, count, prev, next_anchor, broken_seq=count, reason=why)
            next_anchor += 1
    if next_anchor < len(pending):
        anchor = pending[-1]
        reason = (
            f"chain truncated: anchor {anchor.label or anchor.count} records {anchor.count} events, "
            f"the chain has {count}"
        )
        return Report(False, count, prev, next_anchor, broken_seq=count + 1, reason=reason)
    return Report(True, count, prev, next_anchor)
