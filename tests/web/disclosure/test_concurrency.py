"""References stay distinct when submissions race (threads, each with its own connection)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from medvigil.web.disclosure import services
from medvigil.web.disclosure.models import Report
from tests.web.disclosure.conftest import REPORT


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_references() -> None:
    if connection.vendor == "sqlite":  # the test database is in memory (shared cache: table locks)
        pytest.skip("SQLite files are covered over HTTP by bench/bench_cvd_submit.py")
    n = 16
    barrier = threading.Barrier(n)

    def submit(i: int) -> str:
        barrier.wait()
        try:
            report, _ = services.report_submit(data={**REPORT, "title": f"race {i}"})
            return report.reference
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        refs: list[Any] = list(pool.map(submit, range(n)))
    assert len(set(refs)) == n
    assert sorted(Report.objects.values_list("reference", flat=True)) == sorted(refs)
    assert sorted(int(r.rsplit("-", 1)[1]) for r in refs) == list(range(1, n + 1))
