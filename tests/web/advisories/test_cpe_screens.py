"""The CPE screens of the candidate index are filled after an import (not during it): the same
screens the import computed before, the same scan findings before and after, a resumable fill,
and one fill queued after an import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from medvigil.core.feeds.interface import ParsedRecord
from medvigil.core.feeds.registry import parser_for
from medvigil.core.model import Component
from medvigil.core.model.advisory import AdvisoryRecord
from medvigil.web.advisories import tasks
from medvigil.web.advisories.codec import index_rows
from medvigil.web.advisories.models import CpeIndexEntry
from medvigil.web.advisories.screens import NO_SCREEN, cpe_screens_fill
from medvigil.web.advisories.services import feed_import
from medvigil.web.findings import candidates
from medvigil.web.findings.scan import scan_components

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "matching" / "nvd_escaped_cpes.jsonl"
LONG = "p" * 230  # cut to 200 characters in the index: the record gets no screen


def _match(uri: str, **bounds: str) -> dict[str, Any]:
    return {"vulnerable": True, "cpe23Uri": uri, **bounds}


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    """The escaped-names fixture plus records with version ranges and one with a too-long name."""
    lines = FIXTURE.read_bytes().splitlines()
    first = orjson.loads(lines[0])
    ranged = [
        _match("cpe:2.3:a:acme:pump_firmware:*:*:*:*:*:*:*:*",
               versionStartIncluding="1.0", versionEndExcluding="2.4"),
        _match("cpe:2.3:a:acme:pump_firmware:3.1:*:*:*:*:*:*:*"),
        _match("cpe:2.3:a:acme:gateway:*:*:*:*:*:*:*:*", versionEndIncluding="5.0.2"),
    ]  # fmt: skip
    extra = []
    for n, matches in enumerate((ranged, [_match(f"cpe:2.3:a:acme:{LONG}:1.0:*:*:*:*:*:*:*")])):
        record = orjson.loads(lines[0])
        record["cve"]["CVE_data_meta"]["ID"] = f"CVE-2030-{1000 + n}"
        record["configurations"]["nodes"] = [{"operator": "OR", "cpe_match": matches}]
        extra.append(orjson.dumps(record))
    assert first["configurations"]["nodes"]
    path = tmp_path / "nvd.jsonl"
    path.write_bytes(b"\n".join([*lines, *extra]) + b"\n")
    return path


def _import_time_screens(path: Path) -> dict[tuple[str, str, str], str]:
    """What the import stored before the fill moved out of it: ``index_rows`` of the parsed
    records' configurations (NULL there is ``NO_SCREEN`` here)."""
    out = {}
    for item in parser_for(path).parse(path):
        assert isinstance(item, ParsedRecord) and isinstance(item.record, AdvisoryRecord)
        for vendor, product, screen in index_rows(item.record.cpe_configurations):
            out[item.record.id, vendor, product] = NO_SCREEN if screen is None else screen
    return out


def _stored() -> dict[tuple[str, str, str], str | None]:
    rows = CpeIndexEntry.objects.values_list("record__record_id", "vendor", "product", "screen")
    return {(r, v, p): s for r, v, p, s in rows}


def _components() -> list[Component]:
    aspose = "cpe:2.3:a:aspose:aspose.pdf_for_c\\+\\+"
    return [
        *(Component("aspose.pdf", v, cpes=(f"{aspose}:{v}:*:*:*:*:*:*:*",), bom_ref=f"a{v}")
          for v in ("19.2", "20")),
        *(Component("pump", v, cpes=(f"cpe:2.3:a:acme:pump_firmware:{v}:*:*:*:*:*:*:*",), bom_ref=f"p{v}")
          for v in ("0.9", "1.0", "2.3.9", "2.4", "3.1", "3.2")),
        *(Component("gw", v, cpes=(f"cpe:2.3:a:acme:gateway:{v}:*:*:*:*:*:*:*",), bom_ref=f"g{v}")
          for v in ("5.0.2", "5.0.3")),
        Component("long", "1.0", cpes=(f"cpe:2.3:a:acme:{LONG}:1.0:*:*:*:*:*:*:*",), bom_ref="long"),
    ]  # fmt: skip


def _scan() -> set[tuple[str, str]]:
    found = scan_components(_components()).findings
    return {(f["component"]["bom_ref"], f["vulnerability"]["id"]) for f in found}


def test_import_leaves_screens_to_the_fill_which_stores_the_import_time_ones(feed: Path) -> None:
    feed_import(path=feed)
    assert set(_stored().values()) == {None}
    expected = _import_time_screens(feed)
    assert NO_SCREEN in expected.values() and len({s for s in expected.values() if s}) >= 4
    assert cpe_screens_fill() == len(expected)
    assert _stored() == expected


def test_scan_finds_the_same_before_and_after_the_fill(feed: Path) -> None:
    feed_import(path=feed)
    candidates._stored_configs.clear()
    before = _scan()
    assert {"p1.0", "p2.3.9", "p3.1", "g5.0.2", "a19.2"} <= {ref for ref, _ in before}
    assert not {"p0.9", "p2.4", "p3.2", "g5.0.3", "a20"} & {ref for ref, _ in before}
    cpe_screens_fill()
    candidates._stored_configs.clear()
    candidates._stored_trees.clear()
    assert _scan() == before
    assert not candidates._stored_configs  # screened from the filled rows, nothing decoded
    CpeIndexEntry.objects.update(screen=NO_SCREEN)  # "no screen": decoded, like NULL
    assert _scan() == before
    assert candidates._stored_configs


def test_fill_is_resumable_and_idempotent(feed: Path) -> None:
    feed_import(path=feed)
    first = cpe_screens_fill(limit=2)  # as if the fill stopped after a batch of two records
    stored = _stored()
    assert 0 < first < len(stored)
    assert sum(s is None for s in stored.values()) == len(stored) - first
    assert cpe_screens_fill() == len(stored) - first
    assert cpe_screens_fill() == 0  # the NO_SCREEN rows are not selected again
    assert _stored() == _import_time_screens(feed)


def test_an_import_queues_one_fill_at_a_time(feed: Path, django_capture_on_commit_callbacks: Any) -> None:
    tasks.cpe_screens_unmark()
    with django_capture_on_commit_callbacks(execute=True):
        feed_import(path=feed)
    assert _stored() == _import_time_screens(feed)  # the fill ran (tasks are immediate in tests)
    from huey.contrib.djhuey import HUEY

    def fills() -> int:
        return sum(isinstance(t, tasks.cpe_screens_fill_task.task_class) for t in HUEY.pending())

    HUEY.immediate = False  # queued, not run
    try:
        HUEY.storage.flush_queue()
        assert tasks.cpe_screens_enqueue() and fills() == 1
        assert not tasks.cpe_screens_enqueue() and fills() == 1  # one pending fill is enough
        tasks.cpe_screens_unmark()  # the queued fill starts: the next import queues another
        assert tasks.cpe_screens_enqueue() and fills() == 2
        HUEY.storage.flush_queue()  # the queued fills are lost; their pending mark is not
        assert tasks.cpe_screens_enqueue() and fills() == 1  # queued again: the mark does not stick
        assert not tasks.cpe_screens_enqueue()
    finally:
        HUEY.storage.flush_queue()
        HUEY.immediate = True
        tasks.cpe_screens_unmark()
