"""CVE JSON 5 parsing: the Vulnrichment corpus, SSVC, ADP claims, affected version ranges."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from medvigil.core.errors import FeedParseError
from medvigil.core.feeds.cve5 import Cve5Feed, cve5_affected
from medvigil.core.model.advisory import AdvisoryRecord
from tests.conftest import shared_path
from tests.core.feeds.helpers import split


def test_vulnrichment_corpus() -> None:
    path = shared_path("cve-json5", "cisa-vulnrichment.jsonl.gz")
    lines = rejected = ssvc = 0
    with gzip.open(path, "rb") as fh:
        for line in fh:
            doc = orjson.loads(line)
            lines += 1
            rejected += doc["cveMetadata"]["state"] == "REJECTED"
            ssvc += any(
                m.get("other", {}).get("type") == "ssvc"
                for adp in doc["containers"].get("adp", [])
                if adp["providerMetadata"].get("shortName") == "CISA-ADP"
                for m in adp.get("metrics", [])
            )
    records, errors = split(Cve5Feed().parse(path))
    assert errors == []
    assert len(records) == lines
    recs = [r.record for r in records if isinstance(r.record, AdvisoryRecord)]
    assert sum(r.rejected for r in recs) == rejected
    assert sum(r.ssvc is not None and r.ssvc.provider == "CISA-ADP" for r in recs) == ssvc
    regre = next(r for r in recs if r.id == "CVE-2024-6387")
    assert (
        regre.ssvc is not None and regre.ssvc.exploitation == "poc" and regre.ssvc.technical_impact == "total"
    )
    assert any(s.type == "CVSS_V3" and s.base_score == 8.1 and s.primary for s in regre.severities)
    assert {a.provider for a in regre.affected} >= {"redhat"}


def test_affected_versions_map_to_ranges() -> None:
    pkg = cve5_affected(
        {
            "vendor": "acme",
            "product": "pump",
            "packageName": "Django_Foo",
            "collectionURL": "https://pypi.org",
            "cpes": ["cpe:2.3:a:acme:pump:*:*:*:*:*:*:*:*"],
            "defaultStatus": "unaffected",
            "versions": [
                {
                    "version": "0",
                    "lessThan": "2.0",
                    "status": "affected",
                    "versionType": "semver",
                    "changes": [{"at": "1.5", "status": "unaffected"}],
                },
                {"version": "3.0", "lessThanOrEqual": "3.2", "status": "affected"},
                {"version": "4.1", "status": "affected"},
                {"version": "4.2", "status": "unaffected"},
            ],
        },
        "CISA-ADP",
    )
    assert (pkg.ecosystem, pkg.purl, pkg.vendor, pkg.product) == (
        "PyPI",
        "pkg:pypi/django-foo",
        "acme",
        "pump",
    )
    first, second = pkg.ranges
    assert first.type == "SEMVER"
    assert [(e.kind, e.value) for e in first.events] == [
        ("introduced", "0"),
        ("fixed", "1.5"),
        ("fixed", "2.0"),
    ]
    assert [(e.kind, e.value) for e in second.events] == [("introduced", "3.0"), ("last_affected", "3.2")]
    assert pkg.versions == ("4.1",) and pkg.unaffected_versions == ("4.2",)
    assert pkg.default_status == "unaffected" and pkg.provider == "CISA-ADP"


def test_structural_errors(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(
        '{"dataType": "CVE_RECORD", "cveMetadata": {"cveId": "CVE-2024-1", "state": "DRAFT"},'
        ' "containers": {}}\n'
        '{"dataType": "CVE_RECORD", "cveMetadata": {"cveId": "CVE-2024-2", "state": "PUBLISHED"}}\n'
    )
    _, errors = split(Cve5Feed().parse(path))
    assert [(e.record_id, e.field) for e in errors] == [
        ("CVE-2024-1", "/cveMetadata/state"),
        ("CVE-2024-2", "/containers/cna"),
    ]
    single = tmp_path / "one.json"
    single.write_text('{"dataType": "CVE_RECORD"}')
    with pytest.raises(FeedParseError, match="cveId"):
        list(Cve5Feed().parse(single))
