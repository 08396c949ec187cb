"""Accuracy of OSV range evaluation against the PyPA enumerated ``versions`` lists.

For every PyPI affected entry with an enumerated list and ECOSYSTEM ranges:

* every listed version must be inside the ranges (else: ``listed_outside_range``, or
  ``listed_unordered`` when the listed string is not PEP 440 and cannot be ordered);
* every *known release* of the package (the union of all PyPI enumerations in the file)
  inside the ranges must be listed (else: ``unlisted_prerelease`` / ``unlisted_release``);
* range boundary values that are inside the range but are no known release are counted as
  ``boundary_not_release`` (the list only holds released versions, so this is expected).

The disagreements must equal the reviewed fixture (causes in docs/matching-accuracy.md);
regenerate with ``MEDVIGIL_REGEN_TEST_FIXTURES=1`` and review the diff.
"""

from __future__ import annotations

import gzip
import json
import os
from collections import defaultdict
from typing import Any

import pytest
from packaging.version import InvalidVersion, Version

from medvigil.core.matching.ranges import EnumeratedVersions, PreparedRange, is_affected
from tests.conftest import FIXTURES, shared_path

FIXTURE = FIXTURES / "matching" / "pypi_enumeration_disagreements.json"

Row = tuple[str, str, str]


def _records() -> list[dict[str, Any]]:
    path = shared_path("osv", "pypi-pypa-advisory-database.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _pep440(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None


def _check_entry(rid: str, entry: dict[str, Any], known: set[str], out: dict[str, set[Row]]) -> int:
    name = entry["package"]["name"]
    ranges = [
        PreparedRange.build(r["type"], [next(iter(e.items())) for e in r["events"]], "PyPI")
        for r in entry.get("ranges", [])
        if r["type"] != "GIT"
    ]
    if not ranges:
        return 0
    listed = EnumeratedVersions.build(entry["versions"], "PyPI")
    checks = 0
    for version in entry["versions"]:
        checks += 1
        inside = is_affected(version, ranges)
        if inside is None:
            out["listed_unordered"].add((rid, name, version))
        elif not inside:
            out["listed_outside_range"].add((rid, name, version))
    boundaries = {v for r in ranges for k, v in r.events if v not in ("0", "*")}
    for version in known | boundaries:
        if listed.contains(version) or not is_affected(version, ranges):
            continue
        checks += 1
        parsed = _pep440(version)
        if version not in known:
            out["boundary_not_release"].add((rid, name, version))
        elif parsed is not None and (parsed.is_prerelease or parsed.is_devrelease):
            out["unlisted_prerelease"].add((rid, name, version))
        else:
            out["unlisted_release"].add((rid, name, version))
    return checks


def _disagreements() -> tuple[dict[str, set[Row]], int, int]:
    records = _records()
    known: dict[str, set[str]] = defaultdict(set)
    for rec in records:
        for entry in rec.get("affected", []):
            if entry["package"]["ecosystem"] == "PyPI":
                known[entry["package"]["name"].lower()].update(entry.get("versions") or ())
    out: dict[str, set[Row]] = defaultdict(set)
    entries = checks = 0
    for rec in records:
        for entry in rec.get("affected", []):
            if entry["package"]["ecosystem"] == "PyPI" and entry.get("versions"):
                entries += 1
                checks += _check_entry(rec["id"], entry, known[entry["package"]["name"].lower()], out)
    return out, entries, checks


@pytest.fixture(scope="module")
def computed() -> tuple[dict[str, set[Row]], int, int]:
    return _disagreements()


def test_disagreements_equal_the_reviewed_upstream_list(
    computed: tuple[dict[str, set[Row]], int, int],
) -> None:
    found, entries, checks = computed
    as_json = {k: sorted(list(r) for r in v) for k, v in sorted(found.items())}
    if os.environ.get("MEDVIGIL_REGEN_TEST_FIXTURES") == "1":
        FIXTURE.write_text(json.dumps(as_json, indent=0) + "\n", encoding="utf-8")
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert entries > 2500 and checks > entries
    assert set(as_json) == set(expected)
    for category, rows in expected.items():
        assert as_json[category] == rows, category


def test_listed_outside_range_are_only_the_explained_upstream_errors(
    computed: tuple[dict[str, set[Row]], int, int],
) -> None:
    found, _, _ = computed
    assert {(rid, v) for rid, _, v in found["listed_outside_range"]} == {
        ("PYSEC-2023-61", "3.2a1"),
        ("PYSEC-2023-61", "3.2b1"),
        ("PYSEC-2023-61", "3.2rc1"),
        ("PYSEC-2023-61", "4.2a1"),
        ("PYSEC-2023-61", "4.2b1"),
        ("PYSEC-2023-61", "4.2rc1"),
        ("PYSEC-2023-177", "23.9.0"),
        ("PYSEC-2023-177", "23.9.0.post1"),
        ("PYSEC-2021-114", "2.11.6"),
    }


def test_unordered_listed_versions_are_not_pep440_and_still_match_by_list(
    computed: tuple[dict[str, set[Row]], int, int],
) -> None:
    found, _, _ = computed
    for _, _, version in found["listed_unordered"]:
        assert _pep440(version) is None
    rid, name, version = sorted(found["listed_unordered"])[0]
    assert EnumeratedVersions.build([version], "PyPI").contains(version)
