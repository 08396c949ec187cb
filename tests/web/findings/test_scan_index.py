"""The candidate queries of a CPE scan look records up through an index, on both databases.

A scan asks for the CPE index rows of its components' products (a component's vendor may be ANY
or an alias, so the product alone is the key). With the index on ``(vendor, product)`` both
databases read the whole table for that (~213,000 rows of the NVD yearly feeds, ~30-45 ms a
query, three queries in a split scan), and these tests failed.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medvigil.web.advisories.models import CpeIndexEntry
from medvigil.web.advisories.services import feed_import
from medvigil.web.findings import candidates
from tests.web.findings.test_scan_cpe_names import FIXTURE

pytestmark = pytest.mark.django_db

_PAIRS = {"aspose:aspose.pdf_for_c\\+\\+", "daj:i-filter_browser_\\&_cloud_multiagent", "linux:linux_kernel"}


def _index_queries() -> list[str]:
    feed_import(path=FIXTURE)
    assert CpeIndexEntry.objects.exists()
    with CaptureQueriesContext(connection) as ctx:
        candidates.cpe_entry_counts(_PAIRS)
        candidates._cpe_records(_PAIRS)
    table = CpeIndexEntry._meta.db_table
    return [q["sql"] for q in ctx.captured_queries if table in q["sql"]]


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # a tiny test table is cheaper to read whole: ask whether an index can serve the query
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_candidate_queries_search_the_product_index() -> None:
    queries = _index_queries()
    assert len(queries) == 2, queries  # the count for the scan's parts, and the rows
    for sql in queries:
        plan = _plan(sql)
        assert "cpe_index_pv" in plan, f"{sql}\n{plan}"
        if connection.vendor == "sqlite":
            assert plan.startswith("SEARCH"), plan
        else:
            assert "Seq Scan" not in plan, plan
