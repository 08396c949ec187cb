"""The audit chain in the database (SQLite and PostgreSQL): capture, set-level events, every kind of
tampering found by ``medvigil audit verify`` with the first broken event named, anchors, and two
concurrent appenders on PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import orjson
import pytest
from django.db import connection, connections

from medvigil.cli.main import run
from medvigil.core.audit.chain import GENESIS, canonical
from medvigil.web.audit.chain import audit_context
from medvigil.web.audit.models import AuditAnchor, AuditEvent
from medvigil.web.audit.selectors import chain_verify, event_dict, export_chunks
from medvigil.web.audit.services import anchor_write, audit_record
from medvigil.web.inventory import services as inventory
from medvigil.web.inventory.models import Product

TABLE = AuditEvent._meta.db_table


def _products(n: int) -> list[Product]:
    return [inventory.product_create(name=f"Pump {i}", slug=f"pump-{i}") for i in range(n)]


def _sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _verify(capsys: Any, *extra: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = run(["audit", "verify", "--format", "json", *extra])
    return code, orjson.loads(capsys.readouterr().out)


def test_row_changes_are_captured_with_actor_diff_and_chain(db: Any, admin: Any) -> None:
    with audit_context(actor=admin):
        product = inventory.product_create(name="Pump", slug="pump")
        inventory.product_update(product=product, name="Pump II")
    rows = list(AuditEvent.objects.filter(object_type="inventory.product").order_by("seq"))
    assert [e.verb for e in rows] == ["create", "update"]
    assert rows[1].changes["name"] == ["Pump", "Pump II"]
    assert {e.actor_label for e in rows} == {"alice"}
    assert "versions" not in rows[0].changes and "cases" not in rows[0].changes  # own columns only
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    first = AuditEvent.objects.get(seq=1)
    assert first.prev_hash == GENESIS
    assert chain_verify().ok


def test_user_and_role_changes_are_captured_without_the_password(db: Any, admin: Any) -> None:
    events = AuditEvent.objects.filter(object_type="auth.user", object_pk=str(admin.pk))
    assert events.filter(verb="create").exists()
    assert events.filter(changes__groups__operation="add").exists()
    assert not any("password" in (e.changes or {}) for e in events)


def test_sbom_import_is_one_set_level_event(db: Any, version: Any) -> None:
    from tests.web.conftest import demo_file

    before = AuditEvent.objects.count()
    result = inventory.sbom_import(
        product_version=version, data=demo_file("dropwizard-1.3.15.cdx.json"), filename="dropwizard.cdx.json"
    )
    new = list(AuditEvent.objects.filter(seq__gt=before))
    assert [e.verb for e in new if e.verb.startswith("sbom")] == ["sbom.import"]
    event = next(e for e in new if e.verb == "sbom.import")
    assert event.additional_data["components"] == result.component_count > 10
    assert not AuditEvent.objects.filter(object_type="inventory.component").exists()


def test_cli_actor_label_and_reason(db: Any) -> None:
    product = _products(1)[0]
    with audit_context(label="cli:tester", reason="inspection prep"):
        event = audit_record("settings.change", product, changes={"x": [1, 2]})
    assert (event.actor_label, event.reason) == ("cli:tester", "inspection prep")


def test_events_are_append_only(db: Any) -> None:
    _products(1)
    event = AuditEvent.objects.first()
    assert event is not None
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_export_lets_an_inspector_reverify(db: Any) -> None:
    import hashlib

    _products(3)
    doc = orjson.loads(b"".join(export_chunks()))
    assert doc["complete"] and doc["genesis"] == GENESIS
    prev = GENESIS
    for event in doc["events"]:
        fields = {k: event[k] for k in doc["hashed_fields"]}
        digest = hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).hexdigest()
        assert (event["prev_hash"], digest) == (prev, event["hash"])
        prev = digest
    assert canonical(event_dict(AuditEvent.objects.get(seq=1)))


def test_intact_chain_exits_0(db: Any, capsys: Any) -> None:
    _products(4)
    code, out = _verify(capsys)
    assert code == 0 and out["ok"] and out["checked"] == AuditEvent.objects.count()


def test_raw_update_of_a_field_is_found(db: Any, capsys: Any) -> None:
    _products(5)
    _sql(f"UPDATE {TABLE} SET object_repr = 'forged' WHERE seq = 3")  # noqa: S608 - test table name
    code, out = _verify(capsys)
    assert code == 1 and out["broken_seq"] == 3 and "contents changed" in out["reason"]


def test_raw_update_of_the_timestamp_is_found(db: Any, capsys: Any) -> None:
    _products(5)
    _sql(f"UPDATE {TABLE} SET timestamp = %s WHERE seq = 2", ["2020-01-01 00:00:00+00:00"])  # noqa: S608
    code, out = _verify(capsys)
    assert code == 1 and out["broken_seq"] == 2


def test_delete_of_a_middle_row_is_found(db: Any, capsys: Any) -> None:
    _products(5)
    _sql(f"DELETE FROM {TABLE} WHERE seq = 3")  # noqa: S608
    code, out = _verify(capsys)
    assert code == 1 and out["broken_seq"] == 3 and "missing" in out["reason"]


def test_swapping_two_sequence_numbers_is_found(db: Any, capsys: Any) -> None:
    _products(5)
    _sql(f"UPDATE {TABLE} SET seq = -1 WHERE seq = 2")  # noqa: S608
    _sql(f"UPDATE {TABLE} SET seq = 2 WHERE seq = 3")  # noqa: S608
    _sql(f"UPDATE {TABLE} SET seq = 3 WHERE seq = -1")  # noqa: S608
    code, out = _verify(capsys)
    assert code == 1 and out["broken_seq"] == 2 and "does not link" in out["reason"]


def test_inserted_forged_row_is_found(db: Any, capsys: Any) -> None:
    _products(5)
    head = AuditEvent.objects.order_by("-seq").first()
    assert head is not None
    # a forged row spliced in the middle: following rows shifted up by one
    _sql(f"UPDATE {TABLE} SET seq = seq + 1000 WHERE seq >= 3")  # noqa: S608
    _sql(f"UPDATE {TABLE} SET seq = seq - 999 WHERE seq >= 1003")  # noqa: S608
    cols = [f.column for f in AuditEvent._meta.concrete_fields if f.column != "id"]
    picked = ", ".join("3" if c == "seq" else c for c in cols)
    _sql(f"INSERT INTO {TABLE} ({', '.join(cols)}) SELECT {picked} FROM {TABLE} WHERE seq = 2")  # noqa: S608
    _sql(f"UPDATE {TABLE} SET object_repr = 'forged', hash = %s WHERE seq = 3", ["a" * 64])  # noqa: S608
    code, out = _verify(capsys)
    assert code == 1 and out["broken_seq"] == 3


def test_truncated_tail_after_an_anchor_is_found(db: Any, capsys: Any) -> None:
    _products(3)
    anchor = anchor_write()
    assert anchor is not None and anchor.count == AuditEvent.objects.count()
    assert anchor_write() is None  # head unchanged: no second anchor
    _sql(f"DELETE FROM {TABLE} WHERE seq > %s", [anchor.count - 2])  # noqa: S608
    code, out = _verify(capsys)
    assert code == 1 and out["broken_seq"] == anchor.count - 1 and "truncated" in out["reason"]


def test_an_anchor_kept_outside_catches_truncation_of_anchors_too(
    db: Any, capsys: Any, tmp_path: Any
) -> None:
    _products(3)
    capsys.readouterr()
    assert run(["audit", "anchor", "--format", "json"]) == 0
    kept = tmp_path / "anchor.json"
    kept.write_bytes(capsys.readouterr().out.encode())
    count = orjson.loads(kept.read_bytes())["count"]
    AuditAnchor.objects.all().delete()
    _sql(f"DELETE FROM {TABLE} WHERE seq = %s", [count])  # noqa: S608
    assert _verify(capsys)[0] == 0  # the database alone cannot tell
    code, out = _verify(capsys, "--anchor", str(kept))
    assert code == 1 and out["broken_seq"] == count and "truncated" in out["reason"]


def test_verify_streams_in_chunks(db: Any) -> None:
    _products(7)
    assert chain_verify(chunk=2).checked == AuditEvent.objects.count()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_appenders_never_fork_the_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE; the lock under test is PostgreSQL's")
    product = _products(1)[0]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(25):
                audit_record("concurrency.test", product, data={"writer": n, "i": i})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert AuditEvent.objects.filter(verb="concurrency.test").count() == 50
    assert chain_verify().ok


def test_case_sync_is_one_summary_event_and_none_when_nothing_changed(db: Any, product: Any) -> None:
    from medvigil.web.audit.services import audit_set

    with audit_set("cases.sync", product) as data:
        inventory.product_update(product=product, name="renamed inside a set write")
        data.update({"opened": 2, "joined": 0})
    assert not AuditEvent.objects.filter(verb="update", object_type="inventory.product").exists()
    event = AuditEvent.objects.get(verb="cases.sync")
    assert event.additional_data == {"opened": 2, "joined": 0}
    with audit_set("cases.sync", product) as data:
        data.update({"opened": 0})
    assert AuditEvent.objects.filter(verb="cases.sync").count() == 1
