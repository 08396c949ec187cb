"""CSAF 2.0 parsing: CISA and OASIS documents, product trees, schema and product-id errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from medvigil.core.errors import FeedParseError
from medvigil.core.feeds.csaf import CsafFeed
from medvigil.core.model.advisory import AdvisoryRecord
from tests.conftest import shared_path
from tests.core.feeds.helpers import split


def _documents() -> list[Path]:
    csaf = shared_path("csaf")
    files = [
        *sorted((csaf / "cisa").glob("*/*.json")),
        *sorted((csaf / "oasis-csaf-2.0" / "examples" / "csaf").rglob("*.json")),
    ]
    return [f for f in files if "csaf_version" in f.read_text(encoding="utf-8")]


def _records(path: Path) -> list[AdvisoryRecord]:
    records, errors = split(CsafFeed().parse(path))
    assert errors == [], [e.diagnostics() for e in errors]
    return [r.record for r in records if isinstance(r.record, AdvisoryRecord)]


def test_every_cisa_and_oasis_example_document_parses() -> None:
    docs = _documents()
    assert len(docs) >= 144 + 50 + 4 + 6 + 13
    total = expected = 0
    for path in docs:
        raw = json.loads(path.read_text(encoding="utf-8"))
        vulns = raw.get("vulnerabilities") or []
        records = _records(path)
        assert len(records) == max(1, len(vulns)), path.name
        assert sorted(a for r in records for a in r.aliases if a.startswith("CVE-")) == sorted(
            v["cve"] for v in vulns if "cve" in v
        )
        total += len(records)
        expected += max(1, len(vulns))
        statuses = sum(len(ids) for v in vulns for ids in v.get("product_status", {}).values())
        assert sum(len(r.csaf_products) for r in records if raw.get("vulnerabilities")) == statuses, path.name
    assert total == expected


def test_folder_of_documents() -> None:
    folder = shared_path("csaf", "cisa", "it-vex")
    records, errors = split(CsafFeed().parse(folder))
    expected = sum(max(1, len(json.loads(p.read_text())["vulnerabilities"])) for p in folder.glob("*.json"))
    assert errors == [] and len(records) == expected


def test_minimed_advisory_links_document_and_cve() -> None:
    (rec,) = _records(shared_path("csaf", "cisa", "icsma", "icsma-19-178-01.json"))
    assert rec.id == "ICSMA-19-178-01/CVE-2019-10964"
    assert rec.aliases == ("CVE-2019-10964",)
    assert rec.related == ("ICSMA-19-178-01",)
    assert rec.document is not None and rec.document.tracking_id == "ICSMA-19-178-01"
    assert rec.document.revisions[0].legacy_version == "Initial"
    first = next(s for s in rec.csaf_products if s.product_id == "CSAFPID-0001")
    assert first.status == "known_affected"
    product = first.product
    assert product.vendor == "Medtronic"
    assert product.product_name == "MiniMed Paradigm 522K/722K pumps"
    assert product.product_version == "vers:all/*"  # CISA files "vers:all/*" as a product_version branch
    ranges = {s.product.product_version_range for s in rec.csaf_products} - {None}
    assert any(r.startswith("<=") for r in ranges if r)
    assert product.name == "MiniMed Paradigm 522K/722K pumps: All versions"
    assert any(s.type == "CVSS_V3" and s.base_score for s in rec.severities)
    assert {a.kind for a in rec.actions} >= {"remediation"}


def test_relationships_and_helpers_follow_the_raw_tree() -> None:
    seen_relationship = seen_helper = False
    for path in _documents():
        raw = json.loads(path.read_text(encoding="utf-8"))
        products = {s.product_id: s.product for r in _records(path) for s in r.csaf_products}
        for rel in raw.get("product_tree", {}).get("relationships", []):
            pid = rel["full_product_name"]["product_id"]
            if pid in products:
                seen_relationship = True
                assert products[pid].relationship == (
                    rel["category"],
                    rel["product_reference"],
                    rel["relates_to_product_reference"],
                )
                assert products[pid].name == rel["full_product_name"]["name"]
        for full in _raw_products(raw.get("product_tree", {})):
            helper = full.get("product_identification_helper", {})
            if full["product_id"] in products and (helper.get("purl") or helper.get("cpe")):
                seen_helper = True
                got = products[full["product_id"]].helpers
                assert got is not None and (got.purl, got.cpe) == (helper.get("purl"), helper.get("cpe"))
    assert seen_relationship and seen_helper


def _raw_products(tree: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(tree.get("full_product_names", []))
    todo = list(tree.get("branches", []))
    while todo:
        branch = todo.pop()
        if "product" in branch:
            found.append(branch["product"])
        todo.extend(branch.get("branches", []))
    return found


def _oasis_tests() -> list[tuple[str, str, bool]]:
    base = shared_path("csaf", "oasis-csaf-2.0", "test", "validator", "data")
    cases = json.loads((base / "testcases.json").read_text())
    return [
        (case["id"], str(base / entry["name"]), entry["valid"])
        for case in cases["tests"]
        if case["group"] == "mandatory"
        for entry in (*case.get("failures", []), *case.get("valid", []))
    ]


def test_oasis_mandatory_test_documents() -> None:
    """Every invalid OASIS mandatory test document is rejected with its own test id; valid ones parse."""
    cases = _oasis_tests()
    assert len(cases) == 147
    for test_id, name, valid in cases:
        records, errors = split(CsafFeed().parse(Path(name)))
        if valid:
            assert errors == [], (name, [e.diagnostics() for e in errors])
            assert records
            continue
        assert errors and not records, name
        assert any(e.message.startswith(f"CSAF {test_id}: ") for e in errors), (
            name,
            [e.message for e in errors],
        )
        assert all(e.field.startswith("/") and e.record_id for e in errors), name


def test_precise_error_for_invalid_cvss_and_missing_product() -> None:
    base = shared_path("csaf", "oasis-csaf-2.0", "test", "validator", "data", "mandatory")
    _, errors = split(CsafFeed().parse(base / "oasis_csaf_tc-csaf_2_0-2021-6-1-08-01.json"))
    assert errors[0].field == "/vulnerabilities/0/scores/0/cvss_v3/version"
    _, errors = split(CsafFeed().parse(base / "oasis_csaf_tc-csaf_2_0-2021-6-1-01-01.json"))
    assert "6.1.1" in errors[0].message and errors[0].field.startswith("/")


def test_wrong_format_raises(tmp_path: Path) -> None:
    rolie = shared_path("csaf", "cisa", "feeds", "cisa-csaf-it-feed-tlp-white.json")
    with pytest.raises(FeedParseError, match="not a CSAF document"):
        list(CsafFeed().parse(rolie))
    broken = tmp_path / "doc.json"
    broken.write_text('{"document": ')
    with pytest.raises(FeedParseError, match="not valid JSON"):
        list(CsafFeed().parse(broken))
