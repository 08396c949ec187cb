"""Scans reuse prepared candidate rows within a process, and never serve a changed record stale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from medvigil.core.model import Component
from medvigil.web.advisories.services import feed_import
from medvigil.web.findings import candidates
from medvigil.web.findings.scan import scan_components

pytestmark = pytest.mark.django_db

COMPONENTS = [
    Component(name="demo-lib", version="1.4.0", purl="pkg:pypi/demo-lib@1.4.0", bom_ref="a"),
    Component(name="demo-lib", version="2.0", purl="pkg:pypi/demo-lib@2.0", bom_ref="b"),
    Component(name="Demo_Lib", version="2.0.0", purl="pkg:pypi/Demo_Lib@2.0.0", bom_ref="c"),
]


def _osv(tmp_path: Path, name: str, modified: str, **affected: Any) -> Path:
    record = {
        "schema_version": "1.6.0",
        "id": "PYSEC-2099-1",
        "modified": modified,
        "aliases": ["CVE-2099-0001"],
        "affected": [{"package": {"ecosystem": "PyPI", "name": "demo-lib"}, **affected}],
    }
    path = tmp_path / name
    path.write_text(json.dumps(record) + "\n")
    return path


def _hits() -> list[tuple[str, str, str]]:
    found = scan_components(COMPONENTS).findings
    return sorted((f["component"]["bom_ref"], f["vulnerability"]["id"], f["match"]["method"]) for f in found)


def test_repeat_scan_uses_prepared_rows_and_gives_the_same_findings(tmp_path: Path) -> None:
    ranges = [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.5"}]}]
    feed_import(path=_osv(tmp_path, "a.jsonl", "2099-01-01T00:00:00Z", ranges=ranges), source="osv")
    first = _hits()
    assert first == [("a", "CVE-2099-0001", "purl-range")]
    cached = dict(candidates._prepared_rows)
    assert cached  # the row was prepared once and kept
    assert _hits() == first
    assert candidates._prepared_rows.keys() == cached.keys()
    for key, value in cached.items():
        assert candidates._prepared_rows[key] is value  # reused, not prepared again


def test_updated_record_is_prepared_again(tmp_path: Path) -> None:
    ranges = [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.5"}]}]
    feed_import(path=_osv(tmp_path, "a.jsonl", "2099-01-01T00:00:00Z", ranges=ranges), source="osv")
    assert _hits() == [("a", "CVE-2099-0001", "purl-range")]

    # the advisory now enumerates 2.0 instead (PEP 440: 2.0 == 2.0.0, and Demo_Lib is demo-lib)
    later = _osv(tmp_path, "b.jsonl", "2099-02-01T00:00:00Z", versions=["2.0"])
    assert feed_import(path=later, source="osv").counts["updated"] == 1
    assert _hits() == [("b", "CVE-2099-0001", "purl-enumerated"), ("c", "CVE-2099-0001", "purl-enumerated")]


def test_cache_is_bounded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(candidates, "_CACHE_LIMIT", 1)
    monkeypatch.setattr(candidates, "_prepared_rows", {("stale",): (None, ())})
    ranges = [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]
    feed_import(path=_osv(tmp_path, "a.jsonl", "2099-01-01T00:00:00Z", ranges=ranges), source="osv")
    assert len(_hits()) == 3
    assert ("stale",) not in candidates._prepared_rows
    assert len(candidates._prepared_rows) == 1
