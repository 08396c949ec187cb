"""CISA version wording in CSAF product trees."""

from __future__ import annotations

import json
from typing import Any

import pytest

from medvigil.core.matching.csaf_versions import parse_csaf_version
from tests.conftest import shared_path


def _branch_versions(node: dict[str, Any], out: list[str]) -> None:
    for branch in node.get("branches") or []:
        if branch.get("category") in ("product_version", "product_version_range"):
            out.append(branch["name"])
        _branch_versions(branch, out)


def _all_icsma_versions() -> list[str]:
    out: list[str] = []
    for path in sorted(shared_path("csaf", "cisa", "icsma").glob("*.json")):
        _branch_versions(json.loads(path.read_text(encoding="utf-8")).get("product_tree", {}), out)
    return out


def test_understands_most_icsma_version_strings() -> None:
    strings = _all_icsma_versions()
    understood = [s for s in strings if parse_csaf_version(s) is not None]
    distinct = set(strings)
    distinct_understood = {s for s in distinct if parse_csaf_version(s) is not None}
    # measured: 607 strings (285 distinct), 515 understood (216 distinct); the rest are
    # model names, dates ("< july 1 2017") and free text, which must stay unparsed.
    assert len(strings) == 607 and len(distinct) == 285
    assert len(understood) >= 515 and len(distinct_understood) >= 216
    for unparsed in ("<  july 1 2017", "<8/30/2024", "2nd Edition", "MMT-508 MiniMed pump", "A10 < A11"):
        assert unparsed in distinct and parse_csaf_version(unparsed) is None


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("versions prior to 8.2", ["8.1", "8.1 SP2", "7"], ["8.2", "9.0"]),
        ("prior to 8.2", ["8.1.9"], ["8.2.0"]),
        ("8.1 and earlier", ["8.1", "8.0"], ["8.1.1", "8.2"]),
        ("8.1 and prior", ["8.1"], ["8.2"]),
        ("Software versions 2.4A or lower", ["2.4a", "2.4", "2.3z"], ["2.4b", "2.5"]),
        ("<= 2.4A", ["2.4A"], ["2.5A"]),
        ("all versions", ["1.0", "zz9"], []),
        ("<=8.1", ["8.1"], ["8.1.1"]),
        ("vers:generic/<8.2", ["8.1"], ["8.2"]),
        ("version 8.1", ["8.1", "8.1.0"], ["8.1.1", "8.0"]),
        ("8.0 through 8.3", ["8.0", "8.3"], ["7.9", "8.3.1"]),
        ("Versions 4.01 through 4.34", ["4.01", "4.2"], ["4.35"]),
        ("8.x", ["8.0", "8.9.1"], ["9.0", "7.9"]),
        ("<= 12.2.x.x", ["12.2.9.9"], ["12.3"]),
        (">= 1.0.0  | <= 1.3.1", ["1.0.0", "1.3.1"], ["0.9", "1.3.2"]),
        ("<= U61 |<= L81", ["U60", "L81"], ["U62"]),
        ("3.0|3.1", ["3.0", "3.1"], ["3.2"]),
        ("<= 2.01 (end-of-life Nov 2017)", ["2.01"], ["2.02"]),
        ("v6.x (with Wireless Battery Modules v17 | >= v20D29)", ["6.1"], ["7.0"]),
    ],
)
def test_phrases(text: str, inside: list[str], outside: list[str]) -> None:
    parsed = parse_csaf_version(text)
    assert parsed is not None
    assert [parsed.contains(v) for v in inside] == [True] * len(inside)
    assert [parsed.contains(v) for v in outside] == [False] * len(outside)


def test_qualifier_is_kept() -> None:
    parsed = parse_csaf_version("* running on old, unsupported operating systems such as Windows 2000")
    assert parsed is not None and parsed.all_versions
    assert parsed.qualifier.startswith("running on")
