"""The pure hash chain: canonical form, hashes, and each kind of tampering found at the right event."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

import orjson
import pytest

from medvigil.core.audit.chain import GENESIS, Anchor, canonical, event_hash, normalise, verify


def _chain(n: int) -> list[tuple[dict[str, Any], str]]:
    rows: list[tuple[dict[str, Any], str]] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        fields: dict[str, Any] = {
            "seq": seq,
            "prev_hash": prev,
            "timestamp": dt.datetime(2026, 12, 2, 10, 0, seq, 1234, tzinfo=dt.UTC),
            "actor": "alice",
            "action": 1,
            "verb": "update",
            "object_type": "inventory.product",
            "object_pk": str(seq),
            "object_repr": f"Pump {seq}",
            "changes": {"name": ["a", "b"]},
            "reason": "",
            "remote_addr": None,
            "additional_data": None,
        }
        prev = event_hash(fields)
        rows.append((fields, prev))
    return rows


def test_canonical_is_sorted_compact_json_with_explicit_normalisation() -> None:
    fields = _chain(1)[0][0] | {"additional_data": {"b": Decimal("1.50"), "a": dt.date(2026, 1, 2)}}
    text = canonical(fields)
    assert text.startswith(b'{"action":1,"actor":"alice","additional_data":{"a":"2026-01-02","b":"1.50"}')
    assert b'"timestamp":"2026-12-02T10:00:01.001234Z"' in text
    assert event_hash(fields) == hashlib.sha256(text).hexdigest()
    assert orjson.loads(text)["seq"] == 1


def test_normalise_converts_zones_to_utc_and_refuses_naive_and_unknown() -> None:
    cet = dt.timezone(dt.timedelta(hours=1))
    assert normalise(dt.datetime(2026, 1, 1, 1, 0, tzinfo=cet)) == "2026-01-01T00:00:00.000000Z"
    with pytest.raises(ValueError, match="naive"):
        normalise(dt.datetime(2026, 1, 1))  # noqa: DTZ001 - the naive value under test
    with pytest.raises(TypeError, match="object"):
        normalise(object())


def test_intact_chain_verifies_with_its_anchor() -> None:
    rows = _chain(5)
    report = verify(iter(rows), [Anchor(3, rows[2][1]), Anchor(5, rows[4][1])])
    assert report.ok and report.checked == 5 and report.anchors_checked == 2
    assert report.head_hash == rows[-1][1]


def test_changed_field_is_named() -> None:
    rows = _chain(5)
    rows[2][0]["object_repr"] = "forged"
    report = verify(rows)
    assert not report.ok and report.broken_seq == 3 and "contents changed" in report.reason


def test_deleted_middle_row_is_a_gap() -> None:
    rows = _chain(5)
    del rows[1]
    report = verify(rows)
    assert (report.broken_seq, report.checked) == (2, 1) and "event 2 missing" in report.reason


def test_swapped_sequence_numbers_break_the_link() -> None:
    rows = _chain(5)
    (a, ha), (b, hb) = rows[1], rows[2]
    a["seq"], b["seq"] = 3, 2
    report = verify([rows[0], (b, hb), (a, ha), *rows[3:]])
    assert report.broken_seq == 2 and "does not link" in report.reason


def test_inserted_forged_row_is_found() -> None:
    rows = _chain(3)
    forged = dict(rows[2][0], seq=4, prev_hash=rows[2][1], object_repr="forged")
    report = verify([*rows, (forged, "f" * 64)])
    assert report.broken_seq == 4 and "contents changed" in report.reason


def test_truncated_tail_after_an_anchor() -> None:
    rows = _chain(5)
    report = verify(rows[:3], [Anchor(5, rows[4][1], label="hourly")])
    assert not report.ok and report.broken_seq == 4
    assert "truncated" in report.reason and "5 events" in report.reason and "has 3" in report.reason


def test_anchor_with_another_head_fails() -> None:
    rows = _chain(3)
    report = verify(rows, [Anchor(2, "e" * 64)])
    assert not report.ok and report.broken_seq == 2 and "anchor" in report.reason


def test_canonical_equals_the_json_of_the_normalised_fields() -> None:
    import uuid

    fields = _chain(1)[0][0] | {
        "additional_data": {
            "d": dt.date(2026, 1, 2),
            "n": Decimal("2.0"),
            "u": uuid.UUID(int=7),
            "s": {3, 1},
        },
        "changes": {"at": [dt.datetime(2026, 1, 1, tzinfo=dt.UTC), None], "t": (1, 2.5)},
    }
    expected = orjson.dumps(normalise({k: fields[k] for k in fields}), option=orjson.OPT_SORT_KEYS)
    assert canonical(fields) == expected
