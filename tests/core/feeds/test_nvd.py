"""NVD parsing: every shared feed file, CPE trees, CVSS metrics, rejection."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import orjson
import pytest

from medvigil.core.errors import FeedParseError
from medvigil.core.feeds.interface import PendingRecord, RecordError
from medvigil.core.feeds.nvd import NvdFeed
from medvigil.core.model.advisory import AdvisoryRecord
from tests.conftest import FIXTURES, shared_path
from tests.core.feeds.helpers import advisory, count_lines, parsed, split


def _independent_count(path: Path) -> tuple[int, int]:
    """Items and ``** REJECT **`` items, counted by a plain JSON walk."""
    if path.name.endswith(".jsonl.gz"):
        with gzip.open(path, "rb") as fh:
            items = [orjson.loads(line) for line in fh if line.strip()]
        assert len(items) == count_lines(path)
    else:
        with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as fh:
            doc = orjson.loads(fh.read())
        items = doc.get("CVE_Items") or doc.get("vulnerabilities")
    rejected = 0
    for item in items:
        descs = item["cve"].get("description", {}).get("description_data") or [{"value": ""}]
        rejected += (
            descs[0]["value"].startswith("** REJECT **") or item["cve"].get("vulnStatus") == "Rejected"
        )
    return len(items), rejected


@pytest.mark.parametrize(
    "parts",
    [
        *(("feeds-1.1-yearly", f"nvdcve-1.1-{y}.jsonl.gz") for y in (2002, 2017, 2018, 2019, 2021, 2022)),
        ("feeds-1.1-modified-recent", "nvdcve-1.1-modified_2020-03-07.json.gz"),
        ("feeds-1.1-modified-recent", "nvdcve-1.1-modified_2020-11-12.json.gz"),
        ("feeds-1.1-modified-recent", "nvdcve-1.1-modified_2021-02-15.json.gz"),
        ("feeds-1.1-modified-recent", "nvdcve-1.1-recent_2020-03-07.json.gz"),
        ("api-2.0-samples", "nvd-cve-api-2.0-page-2023-10-18.json"),
        ("api-2.0-samples", "nvd-cve-api-2.0-single-entry.json"),
    ],
)
def test_every_nvd_file_parses_with_independent_counts(parts: tuple[str, str]) -> None:
    path = shared_path("nvd", *parts)
    records, errors = parsed("nvd", "nvd", *parts)
    expected, rejected = _independent_count(path)
    assert errors == []
    assert len(records) == expected
    advisories = [advisory(r) for r in records]
    assert sum(a.rejected for a in advisories) == rejected
    assert all(a.withdrawn is not None for a in advisories if a.rejected)


@pytest.fixture(scope="module")
def nvd_2019() -> dict[str, AdvisoryRecord]:
    records, _ = parsed("nvd", "nvd", "feeds-1.1-yearly", "nvdcve-1.1-2019.jsonl.gz")
    return {r.record.id: r.record for r in records if isinstance(r.record, AdvisoryRecord)}


def test_minimed_cpe_tree_is_preserved(nvd_2019: dict[str, AdvisoryRecord]) -> None:
    rec = nvd_2019["CVE-2019-10964"]
    roots = rec.cpe_configurations
    assert all(root.operator == "AND" and len(root.children) == 2 for root in roots)
    node = next(r for r in roots if "minimed_paradigm_523_firmware" in r.children[0].cpe_matches[0].criteria)
    firmware, hardware = node.children[0].cpe_matches[0], node.children[1].cpe_matches[0]
    assert firmware.vulnerable and firmware.version_end_including == "2.4a"
    assert (
        not hardware.vulnerable
        and hardware.criteria == "cpe:2.3:h:medtronic:minimed_paradigm_523:-:*:*:*:*:*:*:*"
    )
    assert rec.cwes == ("CWE-284",)
    v3 = next(s for s in rec.severities if s.type == "CVSS_V3")
    assert (v3.base_score, v3.version, v3.source, v3.primary) == (8.8, "3.0", "nvd@nist.gov", True)
    assert any("icsma-19-178-01" in ref.url for ref in rec.references)


def test_api_page_metrics_and_configurations() -> None:
    path = shared_path("nvd", "api-2.0-samples", "nvd-cve-api-2.0-page-2023-10-18.json")
    doc = json.loads(path.read_text())
    records = {a.id: a for a in map(advisory, split(NvdFeed().parse(path))[0])}
    for vuln in doc["vulnerabilities"]:
        cve = vuln["cve"]
        rec = records[cve["id"]]
        assert isinstance(rec, AdvisoryRecord)
        assert rec.state == cve["vulnStatus"]
        assert len(rec.cpe_configurations) == len(cve.get("configurations", []))
        expected = [(m["source"], m["type"] == "Primary") for m in cve["metrics"].get("cvssMetricV31", [])]
        assert [(s.source, s.primary) for s in rec.severities if s.version == "3.1"] == expected
    anded = [
        c
        for v in doc["vulnerabilities"]
        for c in v["cve"].get("configurations", [])
        if c.get("operator") == "AND"
    ]
    ands = [n for r in records.values() for n in r.cpe_configurations if n.operator == "AND"]
    assert len(ands) == len(anded) > 0
    assert ands[0].children[1].cpe_matches[0].match_criteria_id


def test_api_rejected_status_means_withdrawn() -> None:
    records, _ = split(NvdFeed().parse(FIXTURES / "feeds" / "nvd" / "api-2.0-rejected.json"))
    rec = records[0].record
    assert isinstance(rec, AdvisoryRecord)
    assert rec.rejected and rec.state == "Rejected" and rec.withdrawn == rec.modified


def test_wrong_format_and_bad_item(tmp_path: Path) -> None:
    wrong = tmp_path / "x.json"
    wrong.write_text('{"hello": 1}')
    with pytest.raises(FeedParseError, match="neither an NVD API 2.0 response"):
        list(NvdFeed().parse(wrong))
    lines = tmp_path / "items.jsonl"
    lines.write_text('{"cve": {"id": "CVE-1", "lastModified": "yesterday"}}\n{"x": 1}\n')
    _, errors = split(NvdFeed().parse(lines))
    assert [(e.location, e.field, e.record_id) for e in errors] == [
        ("line 1", "/cve/lastModified", "CVE-1"),
        ("line 2", "", ""),
    ]


def test_another_sources_jsonl_fails_the_whole_input(tmp_path: Path) -> None:
    osv = tmp_path / "osv.jsonl"
    osv.write_text('not json\n{"id": "GHSA-1", "modified": "2024-01-01T00:00:00Z", "affected": []}\n')
    with pytest.raises(FeedParseError, match="not NVD data") as raised:
        list(NvdFeed().parse(osv, source="osv.jsonl"))
    assert raised.value.diagnostics().startswith("osv.jsonl: line 2")


def test_pending_records_carry_id_and_raw_and_map_like_parse() -> None:
    path = shared_path("nvd", "feeds-1.1-yearly", "nvdcve-1.1-2002.jsonl.gz")
    pending = list(NvdFeed().parse_pending(path))
    mapped = list(NvdFeed().parse(path))
    assert len(pending) == len(mapped) == count_lines(path)
    for item, full in zip(pending[:50] + pending[-50:], mapped[:50] + mapped[-50:], strict=True):
        assert isinstance(item, PendingRecord) and not isinstance(full, RecordError)
        assert item.raw == full.raw
        assert item.record_id == advisory(full).id
        assert item.map() == full


@pytest.mark.parametrize(
    ("field", "value", "pointer", "message"),
    [
        ("descriptions", "oops", "/cve/descriptions", "expected an array, got a string"),
        ("metrics", {"cvssMetricV31": "x"}, "/cve/metrics/cvssMetricV31", "expected an array, got a string"),
        ("references", ["x"], "/cve/references/0", "expected an object, got a string"),
        ("configurations", [{"nodes": [{"cpeMatch": 3}]}], "/cve/configurations/0/nodes/0/cpeMatch",
         "expected an array, got a number"),
    ],
)  # fmt: skip
def test_a_type_broken_record_names_its_field(
    tmp_path: Path, field: str, value: object, pointer: str, message: str
) -> None:
    cve = {"id": "CVE-2026-0001", "lastModified": "2026-01-02T00:00:00", field: value}
    path = tmp_path / "nvd.json"
    path.write_text(json.dumps({"format": "NVD_CVE", "version": "2.0", "vulnerabilities": [{"cve": cve}]}))
    (error,) = NvdFeed().parse(path)
    assert isinstance(error, RecordError)
    assert error.field == pointer and error.record_id == "CVE-2026-0001"
    assert message in error.message and "AttributeError" not in error.message
