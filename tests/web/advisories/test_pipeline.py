"""The pipelined feed import (records mapped in a second process) stores exactly what the serial one does.

Both paths import the same NVD extracts (several chunks, with malformed records, a record imported
twice in one run, a record whose id the line-level reader misreads, then a re-import with changes)
into an empty store; the canonical dumps, counts and record errors must be equal.
"""

from __future__ import annotations

import functools
import gzip
import json
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medvigil.core.errors import FeedParseError
from medvigil.web import bulk
from medvigil.web.advisories import models as m
from medvigil.web.advisories import services, workers
from medvigil.web.advisories.prepare import Context, prepare_pending
from medvigil.web.advisories.records import RecordWriter
from medvigil.web.advisories.services import feed_import
from tests.conftest import shared_path
from tests.web.advisories.crash import die, slow
from tests.web.advisories.store_dump import store_dump

N = 4600
"""Lines of the first input: five chunks (250, 500, 1,000, 2,000, 850: more than kept in flight)."""


def _lines(year: str, n: int) -> list[str]:
    with gzip.open(shared_path("nvd", "feeds-1.1-yearly", f"nvdcve-1.1-{year}.jsonl.gz"), "rt") as fh:
        return [line.rstrip("\n") for _, line in zip(range(n), fh, strict=False)]


def _changed(line: str, day: str, text: str, bogus_id: str = "") -> str:
    item = json.loads(line)
    item["lastModifiedDate"] = f"2030-01-{day}T00:00Z"
    item["cve"]["description"]["description_data"][0]["value"] = text
    if bogus_id:  # an "id" key before the CVE's own: the line reader takes it for the record id
        item = {"id": bogus_id, **item}
    return json.dumps(item)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: Any) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("pipeline")
    lines = _lines("2019", N)
    first = list(lines)
    first[10] = '{"cve": {"CVE_data_meta": '  # not JSON
    bad = json.loads(first[2100])
    bad["lastModifiedDate"] = "yesterday"
    first[2100] = json.dumps(bad)
    first[300] = _changed(lines[4400], "02", "misread id, newer copy", bogus_id="BOGUS-1")
    first.append(_changed(lines[50], "03", "same record again, later in the run"))
    second = lines[:1000] + [_changed(x, "04", f"changed {i}") for i, x in enumerate(lines[1000:1200])]
    second += _lines("2022", 150)
    a, b = tmp / "nvd-a.jsonl.gz", tmp / "nvd-b.jsonl"
    with gzip.open(a, "wt") as fh:
        fh.write("\n".join(first) + "\n")
    b.write_text("\n".join(second) + "\n")
    return a, b


def _wipe() -> None:
    names = ("CpeIndexEntry", "CpeConfiguration", "AffectedPackage", "CsafProductStatus", "AdvisoryRecord",
             "Alias", "Vulnerability", "KevEntry", "EpssScore", "ImportRun", "Source")  # fmt: skip
    for name in names:
        queryset = getattr(m, name).objects.all()
        queryset._raw_delete(queryset.db)


def _import_both(
    inputs: tuple[Path, Path], workers_: int, *, ahead: bool = False
) -> tuple[dict[str, Any], list[Any]]:
    """Import both inputs; ``ahead``: the first one mapped ahead by the second process before
    the import starts (as the CLI does while migrating), the second while the first finishes."""
    _wipe()
    outcomes = []
    if ahead:
        services.import_map_ahead(inputs[0])
    for index, path in enumerate(inputs):
        then = inputs[index + 1] if ahead and index + 1 < len(inputs) else None
        pending = services._ahead.get(str(path.resolve()))
        if pending is not None:  # back before the import starts (else its records are mapped here)
            pending.future.result()
        result = feed_import(path=path, workers=workers_, then=then)
        assert not result.failed, result.message
        outcomes.append((result.counts, result.errors, result.run.error_count if result.run else 0))
    return store_dump(), outcomes


def _assert_pipelined_store_equals(
    inputs: tuple[Path, Path], serial: dict[str, Any], serial_outcomes: list[Any]
) -> None:
    """Import both inputs with the worker (into the store as it is) and check the store, counts
    and record errors equal the serial import's."""
    outcomes = []
    for path in inputs:
        result = feed_import(path=path, workers=1)
        assert not result.failed, result.message
        outcomes.append((result.counts, result.errors, result.run.error_count if result.run else 0))
    assert outcomes == serial_outcomes
    dump = store_dump()
    for part in serial:
        assert dump[part] == serial[part], part


def test_the_pipelined_import_stores_exactly_what_the_serial_one_stores(
    db: Any, inputs: tuple[Path, Path]
) -> None:
    serial, serial_outcomes = _import_both(inputs, 0)
    piped, piped_outcomes = _import_both(inputs, 1)
    assert piped_outcomes == serial_outcomes
    for part in serial:
        assert piped[part] == serial[part], part
    first, second = serial_outcomes
    lines = _lines("2019", N)
    cve = [json.loads(line)["cve"]["CVE_data_meta"]["ID"] for line in lines]
    # 4,601 lines: 2 malformed, the misread copy of line 4401 (new; the original later is older:
    # unchanged), line 51 again (updated); line 301's own record was replaced by the copy
    assert (first[0]["new"], first[0]["updated"], first[0]["unchanged"]) == (N - 3, 1, 1)
    assert [(e["location"], e["record_id"], e["field"]) for e in first[1]] == [
        ("line 11", "", ""),
        ("line 2101", cve[2100], "/lastModifiedDate"),
    ]
    # lines 11 and 301 come in for the first time with the 150 of 2022
    assert (second[0]["new"], second[0]["updated"], second[0]["unchanged"]) == (152, 200, 998)
    records = {r["record_id"]: r for r in serial["records"]}
    assert records[cve[4400]]["details"] == "misread id, newer copy"
    assert records[cve[50]]["details"] == "same record again, later in the run"
    assert len(serial["vulnerabilities"]) == len(records) == N - 1 + 150


def _count_mapped_ahead(monkeypatch: Any) -> list[int]:
    used = [0]
    original = services._Load._mapped_ahead

    def spy(self: Any, plan: Any, ctx: Any) -> list[Any]:
        ready = original(self, plan, ctx)
        used[0] += sum(r is not None for r in ready)
        return ready

    monkeypatch.setattr(services._Load, "_mapped_ahead", spy)
    return used


def test_records_mapped_ahead_store_exactly_what_the_serial_import_stores(
    db: Any, inputs: tuple[Path, Path], monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "PIPELINE_MIN_BYTES", 0)
    used = _count_mapped_ahead(monkeypatch)
    serial, serial_outcomes = _import_both(inputs, 0)
    ahead, ahead_outcomes = _import_both(inputs, 1, ahead=True)
    assert ahead_outcomes == serial_outcomes  # counts and record errors, in order
    for part in serial:
        assert ahead[part] == serial[part], part
    # every record of the first input (4,601 lines) and the second's 353 to map came from the
    # read-ahead: its 152 new and 200 changed ones and line 51's original (older than the copy
    # stored from the first input: mapped, then unchanged); its 997 others are unchanged unmapped
    assert used[0] == N + 1 + 353
    assert services._ahead == {}


def test_a_read_ahead_of_other_bytes_is_not_used(db: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "PIPELINE_MIN_BYTES", 0)
    used = _count_mapped_ahead(monkeypatch)
    lines = _lines("2019", 300)
    path = tmp_path / "nvd.jsonl"
    path.write_text("\n".join(lines) + "\n")
    services.import_map_ahead(path)
    services._ahead[str(path.resolve())].future.result()  # mapped from the old bytes
    path.write_text("\n".join(lines[:100] + [_changed(x, "05", "rewritten") for x in lines[100:]]) + "\n")
    assert not feed_import(path=path, workers=1).failed
    assert used[0] == 100
    details = dict(m.AdvisoryRecord.objects.values_list("record_id", "details"))
    cve = [json.loads(line)["cve"]["CVE_data_meta"]["ID"] for line in lines]
    assert details[cve[99]] != "rewritten"
    assert all(details[c] == "rewritten" for c in cve[100:])


def test_a_fresh_identity_is_written_once_with_its_derived_fields(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "nvd.jsonl"
    path.write_text("\n".join(_lines("2019", 30)) + "\n")
    table = connection.ops.quote_name(m.Vulnerability._meta.db_table)
    with CaptureQueriesContext(connection) as queries:
        assert not feed_import(path=path, workers=0).failed
    updates = [q["sql"] for q in queries if q["sql"].startswith(f"UPDATE {table}")]
    assert updates == []  # no blank row refreshed afterwards
    vuln = m.Vulnerability.objects.get(key="CVE-2019-0001")
    record = vuln.records.get()
    assert vuln.sources == ["nvd"] and not vuln.withdrawn
    assert (vuln.cvss_score, vuln.cvss_vector, vuln.severity) == (5.9, record.cvss_vector, "medium")
    assert (vuln.published, vuln.modified) == (record.published, record.modified)
    assert vuln.summary == record.details[:300] and vuln.summary


def test_a_fresh_identity_with_an_epss_score_still_gets_it(db: Any, tmp_path: Path) -> None:
    epss = tmp_path / "epss.csv"
    epss.write_text("cve,epss,percentile\nCVE-2019-0001,0.5,0.9\n")
    assert not feed_import(path=epss, source="epss").failed
    path = tmp_path / "nvd.jsonl"
    path.write_text("\n".join(_lines("2019", 3)) + "\n")
    assert not feed_import(path=path, workers=1).failed
    assert m.Vulnerability.objects.get(key="CVE-2019-0001").epss == 0.5
    assert m.Vulnerability.objects.get(key="CVE-2019-0002").epss is None


def test_a_failure_in_the_worker_names_the_input_and_the_record() -> None:
    batch: list[tuple[str, str, Any]] = [("line 7", "CVE-2019-0007", functools.partial(int, "not a record"))]
    ctx = Context("nvd.jsonl", "nvd", bulk.adapters()[0])
    with pytest.raises(FeedParseError) as here:
        prepare_pending(batch, ctx)
    pool = workers.worker_pool()
    assert pool is not None
    with pytest.raises(FeedParseError) as there:
        pool.submit(workers.prepare_batch, batch, ctx).result()
    for exc in (here.value, there.value):
        assert (exc.source, exc.location) == ("nvd.jsonl", "line 7 (CVE-2019-0007)")
        assert "not a record" in exc.message


def test_a_worker_that_dies_fails_the_run_keeps_nothing_and_the_next_import_works(
    db: Any, inputs: tuple[Path, Path], monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "prepare_batch", die)
    with pytest.raises(Exception, match="terminated abruptly"):
        feed_import(path=inputs[0], workers=1)
    run = m.ImportRun.objects.get()
    assert run.status == m.ImportRun.Status.FAILED and "BrokenProcessPool" in run.message
    assert not m.AdvisoryRecord.objects.exists() and not m.Vulnerability.objects.exists()
    monkeypatch.undo()
    result = feed_import(path=inputs[0], workers=1)
    assert not result.failed and result.counts["new"] == N - 3


def test_records_are_mapped_here_while_their_read_ahead_is_not_back(
    db: Any, inputs: tuple[Path, Path], monkeypatch: Any
) -> None:
    """A worker still starting (its read-ahead not back) does not make the import wait: the chunks
    the read-ahead covers are mapped in this process, the later ones by the worker; same store."""
    monkeypatch.setattr(services, "PIPELINE_MIN_BYTES", 0)
    serial, serial_outcomes = _import_both(inputs, 0)
    used = _count_mapped_ahead(monkeypatch)
    here = [0]
    original = prepare_pending

    def counted(batch: Any, ctx: Any) -> Any:
        here[0] += len(batch)
        return original(batch, ctx)

    monkeypatch.setattr(services, "prepare_pending", counted)
    monkeypatch.setattr(services._Load, "_map_while_waiting", lambda self: None)  # counted apart
    late: Future[Any] = Future()  # a read-ahead that fails only long after the import needs it
    timer = threading.Timer(60, late.set_exception, [RuntimeError("worker never started")])
    timer.start()
    monkeypatch.setattr(services, "submit_early", lambda *args: late)
    _wipe()
    services.import_map_ahead(inputs[0], count=1000)
    _assert_pipelined_store_equals(inputs, serial, serial_outcomes)
    assert used[0] == 0
    # the chunks starting within the first 1,000 records (250, 500, 1,000 records) were mapped
    # here; the rest of the first input and all of the second went to the worker
    assert 1000 <= here[0] <= 1750 + 2
    assert services._ahead == {}
    timer.cancel()


def test_the_first_chunks_are_mapped_here_while_the_worker_boots(
    db: Any, inputs: tuple[Path, Path], monkeypatch: Any
) -> None:
    """An import that starts while the worker boots maps its chunks itself until the worker is up,
    then hands the next ones over; same store, counts and errors as the serial import."""
    monkeypatch.setattr(services, "PIPELINE_MIN_BYTES", 0)
    serial, serial_outcomes = _import_both(inputs, 0)
    workers.worker_pool()  # up; the import below is told it still boots until its fourth chunk
    booting = iter([True, True, True, True])  # the import's pool choice, then its first 3 chunks
    monkeypatch.setattr(services, "worker_starting", lambda: next(booting, False))
    here, sent = [], [0]
    original_here, original_sent = RecordWriter.write_items, services._Load._hand_over

    def counted_here(self: Any, items: Any, on_error: Any) -> None:
        here.append(len(items))
        original_here(self, items, on_error)

    def counted_sent(self: Any, chunk: Any) -> None:
        sent[0] += 1
        original_sent(self, chunk)

    monkeypatch.setattr(RecordWriter, "write_items", counted_here)
    monkeypatch.setattr(services._Load, "_hand_over", counted_sent)
    _wipe()
    _assert_pipelined_store_equals(inputs, serial, serial_outcomes)
    # the first input's first three chunks (250, 500, 1,000 records) were mapped here, its next
    # two and all of the second input's went to the worker
    assert here == [250, 500, 1000]
    assert sent[0] >= 3


def test_a_writer_that_would_wait_maps_a_queued_chunk_itself(
    db: Any, inputs: tuple[Path, Path], monkeypatch: Any
) -> None:
    """With a worker slower than the writer, the writer maps the newest chunk whose task has not
    started (cancelled) instead of waiting; the stored rows, counts and errors are unchanged."""
    serial, serial_outcomes = _import_both(inputs, 0)
    monkeypatch.setattr(services, "prepare_batch", slow)
    stolen = [0]
    original = services._Load._map_while_waiting

    def counted(self: Any) -> None:
        before = self.mapped_here
        original(self)
        stolen[0] += self.mapped_here - before

    monkeypatch.setattr(services._Load, "_map_while_waiting", counted)
    piped, piped_outcomes = _import_both(inputs, 1)
    assert piped_outcomes == serial_outcomes
    for part in serial:
        assert piped[part] == serial[part], part
    assert stolen[0] >= 1
