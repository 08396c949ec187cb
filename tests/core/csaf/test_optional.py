"""CSAF 2.0 optional tests (section 6.2): advice reported as warnings, never blocking an import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medvigil.core.csaf.optional import OPTIONAL_TESTS, check_optional, file_name
from medvigil.core.feeds.csaf import CsafFeed
from tests.conftest import shared_path
from tests.core.feeds.helpers import split


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_oasis_optional_test_documents() -> None:
    base = shared_path("csaf", "oasis-csaf-2.0", "test", "validator", "data")
    cases = json.loads((base / "testcases.json").read_text())["tests"]
    optional = [c for c in cases if c["group"] == "optional"]
    assert {c["id"] for c in optional} - set(OPTIONAL_TESTS) == {"6.2.20"}  # strict schema: not implemented
    checked = 0
    for case in optional:
        if case["id"] not in OPTIONAL_TESTS:
            continue
        for entry in case.get("failures", []):
            found = check_optional(_load(base / entry["name"]), [case["id"]])
            assert found and all(v.pointer.startswith("/") for v in found), entry["name"]
            checked += 1
        for entry in case.get("valid", []):
            assert check_optional(_load(base / entry["name"]), [case["id"]]) == [], entry["name"]
    assert checked == 35


def test_optional_findings_do_not_block_a_real_advisory() -> None:
    path = shared_path("csaf", "cisa", "icsma", "icsma-19-178-01.json")
    warnings = {v.test_id for v in check_optional(_load(path))}
    assert "6.2.16" in warnings  # CISA gives most products no identification helper
    records, errors = split(CsafFeed().parse(path))
    assert errors == [] and records


def test_canonical_file_name() -> None:
    assert file_name("ICSMA-19-178-01") == "icsma-19-178-01.json"
    assert file_name("Example Company/2024:001") == "example_company_2024_001.json"
