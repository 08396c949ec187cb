"""The candidate queries of a CPE scan look records up through an index, on both databases, and
read only the records whose stored screens admit a component.

A scan asks for the CPE index rows of its components' products (a component's vendor may be ANY
or an alias, so the product alone is the key). With the index on ``(vendor, product)`` both
databases read the whole table for that (~213,000 rows of the NVD yearly feeds, ~30-45 ms a
query), and these tests failed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medvigil.cli.main import run
from medvigil.core.model import Component
from medvigil.web.advisories.models import CpeConfiguration, CpeIndexEntry
from medvigil.web.advisories.screens import cpe_screens_fill
from medvigil.web.advisories.services import feed_import
from medvigil.web.findings import candidates
from medvigil.web.findings.scan import scan_components
from tests.web.findings.test_scan_cpe_names import ASPOSE_CVES, FIXTURE

pytestmark = pytest.mark.django_db

ASPOSE_192 = "cpe:2.3:a:aspose:aspose.pdf_for_c\\+\\+:19.2:*:*:*:*:*:*:*"

_PAIRS = {"aspose:aspose.pdf_for_c\\+\\+", "daj:i-filter_browser_\\&_cloud_multiagent", "linux:linux_kernel"}


def _index_queries() -> list[str]:
    feed_import(path=FIXTURE)
    assert CpeIndexEntry.objects.exists()
    with CaptureQueriesContext(connection) as ctx:
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
    assert len(queries) == 1, queries
    for sql in queries:
        plan = _plan(sql)
        assert "cpe_index_pv" in plan, f"{sql}\n{plan}"
        if connection.vendor == "sqlite":
            assert plan.startswith("SEARCH"), plan
        else:
            assert "Seq Scan" not in plan, plan


def test_records_whose_screens_admit_no_component_are_not_read() -> None:
    # Other versions of a product: the index rows' screens rule the records out before their
    # configurations and record rows are read; the findings are those of a full read.
    feed_import(path=FIXTURE)
    cpe_screens_fill()
    aspose = "cpe:2.3:a:aspose:aspose.pdf_for_c\\+\\+:{}:*:*:*:*:*:*:*"
    fixed = [Component("aspose.pdf", "99.0", cpes=(aspose.format("99.0"),), bom_ref="new")]
    affected = [Component("aspose.pdf", "19.2", cpes=(aspose.format("19.2"),), bom_ref="old")]
    configs = CpeConfiguration._meta.db_table
    with CaptureQueriesContext(connection) as ctx:
        none = candidates.load_index(fixed, infer=False, devices=False)
    assert none.record_pks == []
    assert not [q for q in ctx.captured_queries if configs in q["sql"]]
    some = candidates.load_index(affected, infer=False, devices=False)
    assert len(some.record_pks) == 3  # CVE-2019-5042, -5066, -5067
    assert scan_components(fixed).findings == []
    assert {f["vulnerability"]["id"] for f in scan_components(affected).findings} == ASPOSE_CVES
    # rows not screened yet (NULL) are read and decided from the trees, with the same result
    CpeIndexEntry.objects.update(screen=None)
    assert len(candidates.load_index(fixed, infer=False, devices=False).record_pks) == 3
    assert scan_components(fixed).findings == []


def test_a_scan_counts_the_candidate_rows_not_screened_yet_and_the_cli_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Until the screens job runs (CLI-only set-ups run no worker) a scan decodes the candidates'
    # configurations instead: the same findings, slower. The scan counts such rows and the CLI
    # says what to run; once screened, it says nothing.
    feed_import(path=FIXTURE)
    components = [Component("aspose.pdf", "19.2", cpes=(ASPOSE_192,), bom_ref="old")]
    before = scan_components(components)
    assert before.unscreened == 3 and len(before.findings) == 3
    bom = tmp_path / "bom.json"
    bom.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
        {"type": "library", "name": "aspose.pdf", "version": "19.2", "cpe": ASPOSE_192}]}))  # fmt: skip
    assert run(["scan", str(bom), "-f", "json"]) == 0
    out, err = capsys.readouterr()
    assert len(json.loads(out)["findings"]) == 3
    assert "3 CPE index rows" in err and "medvigil feeds screens" in err
    cpe_screens_fill()
    after = scan_components(components)
    assert after.unscreened == 0 and after.findings == before.findings
    assert run(["scan", str(bom), "-f", "json"]) == 0
    assert capsys.readouterr().err == ""
