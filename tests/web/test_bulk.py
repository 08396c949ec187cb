"""The shared set-based writes (COPY on PostgreSQL, executemany on SQLite) and both apps using them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction

from medvigil.core.model import Component as CoreComponent
from medvigil.web import bulk
from medvigil.web.advisories import records
from medvigil.web.advisories.models import Alias, Vulnerability
from medvigil.web.inventory import bulk as inventory_bulk
from medvigil.web.inventory.models import Component, Product, ProductVersion, SbomDocument

NOW = dt.datetime(2026, 12, 2, 10, 30, tzinfo=dt.UTC)
FIELDS = (
    "key",
    "summary",
    "cvss_vector",
    "cvss_version",
    "severity",
    "kev",
    "sources",
    "withdrawn",
    "created_at",
)


def _vulns(n: int, summary: str = "") -> int:
    rows = [(f"CVE-2026-{i:05d}", summary, "", "", "", False, "[]", False, bulk.when(NOW)) for i in range(n)]
    return bulk.insert_rows(Vulnerability, FIELDS, rows)


def test_insert_rows_writes_every_row_with_its_values(db: Any) -> None:
    assert bulk.insert_rows(Vulnerability, FIELDS, []) == 0
    assert _vulns(3, summary="tab\there, quote ' and \\ backslash") == 3
    stored = list(Vulnerability.objects.order_by("key").values_list("key", "summary", "created_at"))
    assert stored == [(f"CVE-2026-{i:05d}", "tab\there, quote ' and \\ backslash", NOW) for i in range(3)]


def test_insert_rows_can_skip_rows_that_exist_already(db: Any) -> None:
    # the notification fan-out: two dispatchers may insert the same (event, subscription) pair
    assert _vulns(2, summary="first") == 2
    rows = [(f"CVE-2026-{i:05d}", "second", "", "", "", False, "[]", False, bulk.when(NOW)) for i in range(4)]
    with pytest.raises(Exception, match="(?i)unique"), transaction.atomic():
        bulk.insert_rows(Vulnerability, FIELDS, rows)
    bulk.insert_rows(Vulnerability, FIELDS, rows, skip_existing=True)
    stored = dict(Vulnerability.objects.values_list("key", "summary"))
    assert stored == {"CVE-2026-00000": "first", "CVE-2026-00001": "first", "CVE-2026-00002": "second",
                      "CVE-2026-00003": "second"}  # fmt: skip


def test_select_update_delete_work_in_chunks_past_the_in_list_size(db: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(bulk, "IN_CHUNK", 7)
    _vulns(20)
    key = bulk.columns(Vulnerability, ["key"])[0]
    sql = f"SELECT {key}, id FROM {bulk.table(Vulnerability)} WHERE {key} IN ({{marks}})"  # noqa: S608
    ids = dict(bulk.select_in(sql, [f"CVE-2026-{i:05d}" for i in range(20)] + ["CVE-1999-0001"]))
    assert len(ids) == 20
    pks = sorted(ids.values())
    bulk.set_in(Vulnerability, {"summary": "set"}, pks[:15])
    bulk.update_rows(Vulnerability, ("summary", "cvss_score"), [("updated", 9.8, pks[-1])])
    by_summary = sorted(Vulnerability.objects.values_list("summary", flat=True))
    assert by_summary == ["", "", "", "", *["set"] * 15, "updated"]
    bulk.delete_in(Vulnerability, "id", pks[:10])
    assert Vulnerability.objects.count() == 10
    assert Vulnerability.objects.get(id=pks[-1]).cvss_score == 9.8


def test_insert_into_takes_quoted_names_for_tables_without_a_model(db: Any) -> None:
    vid = Vulnerability.objects.create(key="CVE-2026-0001").pk
    cols = bulk.columns(Alias, ["alias", "vulnerability"])
    assert bulk.insert_into(bulk.table(Alias), cols, [("GHSA-xxxx", vid), ("CVE-2026-0001", vid)]) == 2
    assert sorted(Alias.objects.values_list("alias", flat=True)) == ["CVE-2026-0001", "GHSA-xxxx"]


@pytest.mark.parametrize("chunk", [3, 5000])
def test_chunked_keeps_order_and_sizes(chunk: int) -> None:
    batches = list(bulk.chunked(range(10), chunk))
    assert [v for b in batches for v in b] == list(range(10))
    assert all(len(b) <= chunk for b in batches)


def test_both_apps_write_through_the_shared_insert(db: Any, monkeypatch: Any) -> None:
    """The component-set insert and the feed import's record writes go through ``bulk.insert_into``."""
    calls: list[str] = []
    real = bulk.insert_into

    def spy(table_sql: str, columns_sql: Any, rows: Any) -> int:
        calls.append(table_sql.strip('"`'))
        return real(table_sql, columns_sql, rows)

    monkeypatch.setattr(bulk, "insert_into", spy)
    product = Product.objects.create(name="Pump")
    version = ProductVersion.objects.create(product=product, version="1.0")
    document = SbomDocument.objects.create(
        product_version=version,
        filename="a.json",
        format="cyclonedx-json",
        sha256="0" * 64,
        content=b"{}",
        size=2,
        component_count=1,
    )
    comps = [CoreComponent(name="zlib", version="1.2.13", purl="pkg:generic/zlib@1.2.13")]
    assert inventory_bulk.insert_components(
        version_id=version.pk, document_id=document.pk, components=comps, edges={}
    )
    assert Component.objects.get().purl_name == "zlib"
    assert records.bulk is bulk  # type: ignore[attr-defined]  # the feed import's writer uses the same module
    assert calls == [Component._meta.db_table]
    assert connection.vendor in ("sqlite", "postgresql")
