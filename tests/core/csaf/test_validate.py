"""CSAF 2.0 mandatory tests (section 6.1): OASIS conformance documents, real advisories, edge cases."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from medvigil.core.csaf.validate import MANDATORY_TESTS, CsafViolation, validate_csaf
from medvigil.core.feeds.csaf import CsafFeed
from tests.conftest import shared_path
from tests.core.feeds.helpers import split


def _mandatory_cases() -> list[tuple[str, Path, bool]]:
    base = shared_path("csaf", "oasis-csaf-2.0", "test", "validator", "data")
    cases = json.loads((base / "testcases.json").read_text())
    return [
        (case["id"], base / entry["name"], entry["valid"])
        for case in cases["tests"]
        if case["group"] == "mandatory"
        for entry in (*case.get("failures", []), *case.get("valid", []))
    ]


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_registry_has_every_mandatory_test_of_the_conformance_suite() -> None:
    ids = {test_id for test_id, _, _ in _mandatory_cases()}
    assert len(ids) == 43
    assert ids == set(MANDATORY_TESTS)


def test_every_invalid_oasis_document_fails_its_own_test_and_every_valid_one_passes() -> None:
    cases = _mandatory_cases()
    assert sum(not valid for _, _, valid in cases) == 87
    for test_id, path, valid in cases:
        found = validate_csaf(_load(path))
        if valid:
            assert found == [], (path.name, [str(v) for v in found])
        else:
            own = [v for v in found if v.test_id == test_id]
            assert own, (path.name, [str(v) for v in found])
            assert all(v.pointer.startswith("/") and v.message for v in own), path.name


def _real_documents() -> list[Path]:
    csaf = shared_path("csaf")
    files = [
        *sorted((csaf / "cisa" / "icsma").glob("*.json")),
        *sorted((csaf / "cisa" / "icsa").glob("*.json")),
        *sorted((csaf / "cisa" / "it-vex").glob("*.json")),
        *sorted((csaf / "oasis-csaf-2.0" / "examples" / "csaf").rglob("*.json")),
    ]
    return [f for f in files if "csaf_version" in f.read_text(encoding="utf-8")]


def test_real_cisa_and_oasis_example_documents_pass_every_mandatory_test() -> None:
    """No real advisory in the shared data violates a mandatory test, so none is exempted here."""
    docs = _real_documents()
    assert len(docs) >= 210
    failing = {path.name: [str(v) for v in validate_csaf(_load(path))] for path in docs}
    assert {name: found for name, found in failing.items() if found} == {}


# --- hand-made documents for the trickiest tests -------------------------------------------------


def _doc(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "document": {
            "category": "csaf_base",
            "csaf_version": "2.0",
            "lang": "en",
            "publisher": {"category": "vendor", "name": "ACME", "namespace": "https://acme.example"},
            "title": "t",
            "tracking": {
                "id": "ACME-1",
                "status": "final",
                "version": "2",
                "initial_release_date": "2024-01-01T00:00:00Z",
                "current_release_date": "2024-02-01T00:00:00Z",
                "revision_history": [
                    {"number": "1", "date": "2024-01-01T00:00:00Z", "summary": "first"},
                    {"number": "2", "date": "2024-02-01T00:00:00Z", "summary": "second"},
                ],
            },
        },
        "product_tree": {
            "full_product_names": [
                {"name": "A", "product_id": "A"},
                {"name": "B", "product_id": "B"},
            ],
            "product_groups": [{"group_id": "G", "product_ids": ["A", "B"]}],
        },
    }
    doc.update(overrides)
    return doc


def _ids(found: list[CsafViolation]) -> list[tuple[str, str]]:
    return [(v.test_id, v.pointer) for v in found]


def test_the_base_document_is_valid() -> None:
    assert validate_csaf(_doc()) == []


def test_contradicting_status_only_across_status_groups() -> None:
    same_group = _doc(vulnerabilities=[{"product_status": {"known_affected": ["A"], "last_affected": ["A"]}}])
    assert validate_csaf(same_group) == []
    contradicting = _doc(vulnerabilities=[{"product_status": {"known_affected": ["A"], "fixed": ["A"]}}])
    assert _ids(validate_csaf(contradicting)) == [("6.1.6", "/vulnerabilities/0/product_status/fixed/0")]


def test_circular_relationship_through_two_relationships() -> None:
    doc = _doc()
    doc["product_tree"]["relationships"] = [
        {
            "category": "default_component_of",
            "product_reference": "Y",
            "relates_to_product_reference": "A",
            "full_product_name": {"name": "X", "product_id": "X"},
        },
        {
            "category": "default_component_of",
            "product_reference": "X",
            "relates_to_product_reference": "B",
            "full_product_name": {"name": "Y", "product_id": "Y"},
        },
    ]
    assert {v.test_id for v in validate_csaf(doc)} == {"6.1.3"}


def _score(cvss: dict[str, Any], key: str = "cvss_v3") -> dict[str, Any]:
    return _doc(vulnerabilities=[{"scores": [{"products": ["A"], key: cvss}]}])


def test_cvss_scores_must_follow_from_the_vector() -> None:
    vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    good = {"version": "3.1", "vectorString": vector, "baseScore": 9.8, "baseSeverity": "CRITICAL"}
    assert validate_csaf(_score(good)) == []
    assert _ids(validate_csaf(_score({**good, "baseSeverity": "HIGH"}))) == [
        ("6.1.9", "/vulnerabilities/0/scores/0/cvss_v3/baseSeverity")
    ]
    # without temporal metrics the temporal score is the base score
    assert validate_csaf(_score({**good, "temporalScore": 9.8, "temporalSeverity": "CRITICAL"})) == []
    v2 = {
        "version": "2.0",
        "vectorString": "AV:N/AC:L/Au:N/C:P/I:P/A:P",
        "baseScore": 7.5,
        "temporalScore": 7.5,
    }
    assert validate_csaf(_score(v2, "cvss_v2")) == []
    assert {v.test_id for v in validate_csaf(_score({**v2, "accessComplexity": "MEDIUM"}, "cvss_v2"))} == {
        "6.1.10"
    }


def test_revision_history_order_ties_and_sub_microsecond_dates() -> None:
    doc = _doc()
    history = doc["document"]["tracking"]["revision_history"]
    # same instant written two ways: numbers of one date may come in any order
    history[0]["date"] = "2024-02-01T00:00:00.000Z"
    history[:] = [history[1], history[0]]
    assert validate_csaf(doc) == []
    # 100 microseconds later is later, even though the text is longer
    history[1]["date"] = "2024-02-01T00:00:00.00010Z"
    # now "2" is older than "1": unsorted (6.1.14), not the latest (6.1.16), and the history starts
    # with 2 (6.1.21)
    found = {v.test_id for v in validate_csaf(doc)}
    assert found == {"6.1.14", "6.1.16", "6.1.21"}


def test_missing_major_version_and_mixed_schemes() -> None:
    doc = _doc()
    tracking = doc["document"]["tracking"]
    tracking["version"] = "3.0.0"
    tracking["revision_history"] = [
        {"number": "1.0.0", "date": "2024-01-01T00:00:00Z", "summary": "a"},
        {"number": "1.1.0", "date": "2024-01-02T00:00:00Z", "summary": "b"},
        {"number": "3.0.0", "date": "2024-01-03T00:00:00Z", "summary": "c"},
    ]
    assert {v.test_id for v in validate_csaf(doc)} == {"6.1.21"}
    tracking["revision_history"][2]["number"] = "2"
    tracking["version"] = "2"
    assert {v.test_id for v in validate_csaf(doc)} == {"6.1.30"}


def test_vex_impact_statement_may_come_through_a_product_group() -> None:
    vuln: dict[str, Any] = {
        "cve": "CVE-2024-0001",
        "notes": [{"category": "description", "text": "x"}],
        "product_status": {"known_not_affected": ["A", "B"]},
        "flags": [{"label": "component_not_present", "group_ids": ["G"]}],
    }
    vex = _doc(vulnerabilities=[vuln])
    vex["document"]["category"] = "csaf_vex"
    assert validate_csaf(vex) == []
    vuln["flags"] = [{"label": "component_not_present", "product_ids": ["A"]}]
    assert _ids(validate_csaf(vex)) == [
        ("6.1.27.9", "/vulnerabilities/0/product_status/known_not_affected/1")
    ]


def test_product_version_with_a_range_word_but_not_inside_a_name() -> None:
    def tree(version: str) -> dict[str, Any]:
        return {
            "branches": [
                {
                    "category": "vendor",
                    "name": "ACME",
                    "branches": [
                        {
                            "category": "product_version",
                            "name": version,
                            "product": {"name": "A", "product_id": "A"},
                        }
                    ],
                }
            ],
        }

    assert validate_csaf(_doc(product_tree=tree("after-eight"))) == []
    found = validate_csaf(_doc(product_tree=tree("4.1 and earlier")))
    assert _ids(found) == [("6.1.31", "/product_tree/branches/0/branches/0/name")]


def test_cwe_name_must_match_but_a_newer_cwe_is_not_judged() -> None:
    def with_cwe(cwe_id: str, name: str) -> dict[str, Any]:
        return _doc(vulnerabilities=[{"cwe": {"id": cwe_id, "name": name}}])

    assert validate_csaf(with_cwe("CWE-20", "Improper Input Validation")) == []
    assert _ids(validate_csaf(with_cwe("CWE-20", "Input Validation"))) == [
        ("6.1.11", "/vulnerabilities/0/cwe/name")
    ]
    deprecated = "DEPRECATED: Technology-specific Environment Issues"
    assert validate_csaf(with_cwe("CWE-3", deprecated)) == []
    assert validate_csaf(with_cwe("CWE-99999", "From a later catalog")) == []


@pytest.mark.parametrize(
    ("category", "ok"),
    [
        ("csaf_vex", True),
        ("Example Company Advisory", True),
        ("Security-Advisory", False),
        ("csaf vex", False),
        ("csaf_something_new", False),
    ],
)
def test_document_category_names(category: str, ok: bool) -> None:
    doc = _doc()
    doc["document"]["category"] = category
    found = {v.test_id for v in validate_csaf(doc, ["6.1.26"])}
    assert found == (set() if ok else {"6.1.26"})


def test_malformed_documents_give_violations_not_crashes() -> None:
    for doc in ({}, {"document": 5, "vulnerabilities": "x"}, {"vulnerabilities": [None, {"scores": [7]}]}):
        validate_csaf(doc)
    broken = _doc(vulnerabilities=[{"scores": [{"products": ["A"], "cvss_v3": {"vectorString": 7}}]}])
    assert {v.test_id for v in validate_csaf(broken)} == {"6.1.8"}


# --- the feed ------------------------------------------------------------------------------------


def test_feed_reports_violations_as_record_errors_and_skips_the_document(tmp_path: Path) -> None:
    example = shared_path("csaf", "oasis-csaf-2.0", "test", "validator", "data", "mandatory")
    doc = _load(example / "oasis_csaf_tc-csaf_2_0-2021-6-1-11-01.json")
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    records, errors = split(CsafFeed().parse(path))
    assert records == []
    assert [(e.message.split(":")[0], e.field, e.record_id) for e in errors] == [
        ("CSAF 6.1.11", "/vulnerabilities/0/cwe/name", doc["document"]["tracking"]["id"])
    ]
    # without validation only the product-id tests that the mapping needs run
    records, errors = split(CsafFeed(validate=False).parse(path))
    assert errors == [] and records
    broken = copy.deepcopy(doc)
    broken["vulnerabilities"][0]["product_status"] = {"fixed": ["NOPE"]}
    path.write_text(json.dumps(broken))
    _, errors = split(CsafFeed(validate=False).parse(path))
    assert [e.message.split(":")[0] for e in errors] == ["CSAF 6.1.1"]
