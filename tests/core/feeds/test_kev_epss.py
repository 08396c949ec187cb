"""KEV catalog (JSON and CSV) and EPSS scores (FIRST and headerless variants)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from medvigil.core.errors import FeedParseError
from medvigil.core.feeds.epss import EpssFeed
from medvigil.core.feeds.kev import KevFeed
from medvigil.core.model.advisory import EpssScore, KevEntry
from tests.conftest import shared_path
from tests.core.feeds.helpers import count_lines, split


def test_kev_json_and_csv_agree() -> None:
    json_path = shared_path("kev", "known_exploited_vulnerabilities.json")
    csv_path = shared_path("kev", "known_exploited_vulnerabilities.csv")
    catalog = json.loads(json_path.read_text())
    with csv_path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    from_json, json_errors = split(KevFeed().parse(json_path))
    from_csv, csv_errors = split(KevFeed().parse(csv_path))
    assert json_errors == [] and csv_errors == []
    assert len(from_json) == len(catalog["vulnerabilities"]) == catalog["count"]
    assert len(from_csv) == len(rows)
    first = from_json[0].record
    assert isinstance(first, KevEntry)
    assert first.cve_id == catalog["vulnerabilities"][0]["cveID"]
    assert first.date_added == dt.date.fromisoformat(catalog["vulnerabilities"][0]["dateAdded"])
    assert first.catalog_version == catalog["catalogVersion"]
    by_id = {r.record.cve_id: r.record for r in from_csv if isinstance(r.record, KevEntry)}
    for item in from_json:
        entry = item.record
        assert isinstance(entry, KevEntry)
        other = by_id[entry.cve_id]
        assert (other.due_date, other.known_ransomware) == (entry.due_date, entry.known_ransomware)


def test_kev_bad_entry_is_reported_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "kev.json"
    path.write_text(
        json.dumps(
            {
                "catalogVersion": "1",
                "vulnerabilities": [
                    {"cveID": "CVE-2024-1", "dateAdded": "2024-13-45"},
                    {"cveID": "CVE-2024-2", "dateAdded": "2024-01-02", "dueDate": "2024-01-23"},
                ],
            }
        )
    )
    records, errors = split(KevFeed().parse(path))
    assert [r.record.cve_id for r in records if isinstance(r.record, KevEntry)] == ["CVE-2024-2"]
    assert [(e.record_id, e.field, e.location) for e in errors] == [
        ("CVE-2024-1", "dateAdded", "/vulnerabilities/0")
    ]


def test_epss_headerless_variant() -> None:
    path = shared_path("epss", "emba-epss-scores-by-cve.csv.gz")
    records, errors = split(EpssFeed().parse(path))
    assert errors == []
    assert len(records) == count_lines(path)
    first = records[0].record
    assert isinstance(first, EpssScore)
    assert (first.cve_id, first.epss, first.percentile, first.score_date) == (
        "CVE-1999-1593",
        0.18126,
        0.96946,
        None,
    )


def test_epss_first_format_keeps_header_date(tmp_path: Path) -> None:
    path = shared_path("epss", "first-epss-csv-format-sample.csv")
    records, errors = split(EpssFeed(score_date=dt.date(2000, 1, 1)).parse(path))
    assert errors == []
    assert len(records) == count_lines(path) - 2
    score = records[-1].record
    assert isinstance(score, EpssScore)
    assert (score.cve_id, score.epss, score.score_date, score.model_version) == (
        "CVE-1999-0005",
        0.91963,
        dt.date(2025, 2, 20),
        "v2023.03.01",
    )
    headerless = tmp_path / "scores.csv"
    headerless.write_text("CVE-2024-1;0.5;0.9\nCVE-2024-2;x;0.1\n")
    records, errors = split(EpssFeed(score_date=dt.date(2024, 5, 1)).parse(headerless))
    assert [r.record.score_date for r in records if isinstance(r.record, EpssScore)] == [dt.date(2024, 5, 1)]
    assert [(e.record_id, e.location) for e in errors] == [("CVE-2024-2", "line 2")]


def test_kev_and_epss_reject_another_sources_json(tmp_path: Path) -> None:
    nvd = tmp_path / "nvd-page.json"
    nvd.write_text(json.dumps({"format": "NVD_CVE", "vulnerabilities": [{"cve": {"id": "CVE-2024-1"}}]}))
    with pytest.raises(FeedParseError, match="not a KEV catalog"):
        list(KevFeed().parse(nvd, source="nvd-page.json"))
    osv = tmp_path / "osv.jsonl"
    osv.write_text('{"id": "GHSA-1", "modified": "2024-01-01T00:00:00Z"}\n{"id": "GHSA-2"}\n')
    with pytest.raises(FeedParseError, match="not EPSS data") as raised:
        list(EpssFeed().parse(osv, source="osv.jsonl"))
    assert raised.value.diagnostics().startswith("osv.jsonl: line 1")


def test_epss_first_row_after_a_byte_order_mark_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_bytes(b"\xef\xbb\xbfCVE-2024-1;0.5;0.9\nCVE-2024-2;0.1;0.2\n")
    records, errors = split(EpssFeed().parse(path))
    assert errors == []
    assert [r.record.cve_id for r in records if isinstance(r.record, EpssScore)] == [
        "CVE-2024-1",
        "CVE-2024-2",
    ]
