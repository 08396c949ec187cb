"""Pages by ids: the same rows as OFFSET slicing, in order, for three queries per page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import Paginator

from medvigil.web.advisories.models import Vulnerability
from medvigil.web.paging import RowsById


@pytest.fixture
def vulns(db: Any) -> None:
    Vulnerability.objects.bulk_create(
        Vulnerability(key=f"CVE-2026-{i:04d}", cvss_score=None if i % 9 == 0 else i % 7) for i in range(230)
    )


def _ordered() -> Any:
    return Vulnerability.objects.order_by("-cvss_score", "key")


def test_a_deep_page_holds_the_rows_offset_slicing_gives(vulns: None) -> None:
    rows = RowsById(_ordered())
    assert [v.key for v in rows[150:200]] == [v.key for v in _ordered()[150:200]]
    assert rows.count() == len(rows) == 230
    assert rows[500:550] == []
    assert rows[0] == _ordered()[0]
    with pytest.raises(IndexError):
        rows[230]


def test_the_paginator_counts_and_reads_one_page_only(vulns: None, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(3):  # count, the page's ids, the page's rows: never every row
        page = Paginator(RowsById(_ordered()), 50).get_page(4)
        keys = [v.key for v in page]
    assert page.paginator.num_pages == 5 and keys == [v.key for v in _ordered()[150:200]]


def test_materialized_ids_are_read_once(vulns: None, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(2):  # every id (and so the count), then the page's rows
        rows = RowsById(_ordered().filter(key__contains="-00"), materialize=True)
        assert rows.count() == 100 and len(rows[90:120]) == 10
