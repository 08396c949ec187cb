"""Go SEMVER ranges and npm advisory ranges agree with an independent SemVer implementation.

The oracle is the ``semver`` PyPI package (3.x) used only here: its ``Version`` ordering and
``match()`` comparisons, with the OSV walk and npm comparator sets re-implemented in the
test. Versions are generated around every boundary (the boundary, its neighbours, a
pre-release of it), so ordering mistakes at the edges show up.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import semver

from medvigil.core.matching.native_ranges import parse_npm_range
from medvigil.core.matching.ranges import PreparedRange
from tests.conftest import shared_path


def _neighbours(boundary: str) -> Iterator[str]:
    v = semver.Version.parse(boundary)
    yield str(v)
    yield str(v.bump_patch())
    yield str(v.bump_minor())
    yield str(v.bump_major())
    yield str(v.replace(prerelease="alpha.1", build=None))
    yield str(v.replace(prerelease="0", build=None))
    yield str(v.replace(prerelease="0.20200101000000-abcdef123456", build=None))
    if v.prerelease:
        yield str(v.replace(prerelease=None))
    if v.patch:
        yield str(v.replace(patch=v.patch - 1, prerelease=None, build=None))
    if v.minor:
        yield str(v.replace(minor=v.minor - 1, patch=99, prerelease=None, build=None))
    yield "0.0.0"
    yield "999.0.0"


_RANK = {"fixed": 0, "introduced": 1, "last_affected": 2}


def _oracle_osv(version: semver.Version, events: list[tuple[str, str]]) -> bool:
    limits = [semver.Version.parse(v) for k, v in events if k == "limit" and v != "*"]
    if limits and not any(version < lim for lim in limits):
        return False
    steps = sorted(
        (
            (semver.Version.parse("0.0.0") if v == "0" else semver.Version.parse(v), _RANK[k], v)
            for k, v in events
            if k != "limit"
        ),
        key=lambda s: (s[2] != "0", s[0]),  # stable; "0" sorts before every version
    )
    affected = False
    for bound, rank, raw in steps:
        if rank == 1 and (raw == "0" or version >= bound):
            affected = True
        elif rank == 0 and version >= bound or rank == 2 and version > bound:
            affected = False
    return affected


def _go_ranges() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    path = shared_path("osv", "go-vulndb.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            for entry in rec.get("affected", []):
                for rng in entry.get("ranges", []):
                    if rng["type"] == "SEMVER":
                        yield rec["id"], [next(iter(e.items())) for e in rng["events"]]


def test_go_semver_ranges_agree_with_the_semver_package() -> None:
    ranges = checked = 0
    mismatches: list[tuple[str, str]] = []
    for rid, events in _go_ranges():
        ranges += 1
        prepared = PreparedRange.build("SEMVER", events, "Go")
        assert prepared.evaluable, (rid, prepared.unknown_reason)
        candidates = {n for _, v in events if v not in ("0", "*") for n in _neighbours(v)}
        for candidate in candidates:
            checked += 1
            if prepared.contains(candidate) != _oracle_osv(semver.Version.parse(candidate), events):
                mismatches.append((rid, candidate))
    assert ranges > 4000 and checked > 40000
    assert mismatches == []


# --- npm ------------------------------------------------------------------------------------

_SIMPLE = re.compile(r"^(<=|>=|<|>|=)?\s*v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$")
_MATCH_OP = {"": "==", "=": "==", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
# The few advisory ranges that use ~, ^ or x-ranges, desugared by hand (node-semver rules).
_HAND: dict[str, list[list[str]]] = {
    "2.0.x || 2.1.x": [[">=2.0.0-0", "<2.1.0-0"], [">=2.1.0-0", "<2.2.0-0"]],
    ">= 2.2.x": [[">=2.2.0-0"]],
    ">= 1.x": [[">=1.0.0-0"]],
    "~1.6.5 || >=1.7.2": [[">=1.6.5", "<1.7.0-0"], [">=1.7.2"]],
    "~0.2.2 || >=0.3.2": [[">=0.2.2", "<0.3.0-0"], [">=0.3.2"]],
    ">= 0.2.0 <= 0.9.6 || ~0.8.0-pre": [[">=0.2.0", "<=0.9.6"], [">=0.8.0-pre", "<0.9.0-0"]],
    "^1.1.7 || >= 2.0.1": [[">=1.1.7", "<2.0.0-0"], [">=2.0.1"]],
    "^2.0.18 || ^3.0.16 || ^3.1.6 || ^4.0.8 || ^5.0.0-beta.5": [
        [">=2.0.18", "<3.0.0-0"], [">=3.0.16", "<4.0.0-0"], [">=3.1.6", "<4.0.0-0"],
        [">=4.0.8", "<5.0.0-0"], [">=5.0.0-beta.5", "<6.0.0-0"],
    ],
    "<3.11 || >= 4 <4.5": [["<3.11.0-0"], [">=4.0.0-0", "<4.5.0-0"]],
    ">=3.11 <4 || >=4.5": [[">=3.11.0-0", "<4.0.0-0"], [">=4.5.0-0"]],
    "<= 1.0": [["<1.1.0-0"]],
    ">= 1.1": [[">=1.1.0-0"]],
    "*": [[]],
}  # fmt: skip


def _oracle_sets(text: str) -> list[list[str]] | None:
    if text in _HAND:
        return _HAND[text]
    sets: list[list[str]] = []
    for part in text.split("||"):
        tokens = re.sub(r"(<=|>=|<|>|=)\s+", r"\1", part.strip()).split()
        comps = []
        for tok in tokens:
            m = _SIMPLE.match(tok)
            if m is None:
                return None
            comps.append(_MATCH_OP[m.group(1) or ""] + m.group(2))
        sets.append(comps)
    return sets


def _oracle_npm(version: semver.Version, sets: list[list[str]]) -> bool:
    return any(all(version.match(c) for c in s) for s in sets)


def _npm_ranges() -> list[tuple[str, str]]:
    path = shared_path("advisories-other", "nodejs-security-wg", "npm-index.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return [
        (f"{key}:{field}", adv[field])
        for key, adv in data.items()
        for field in ("vulnerable_versions", "patched_versions")
        if adv.get(field)
    ]


def test_npm_advisory_ranges_agree_with_the_semver_package() -> None:
    rows = _npm_ranges()
    checked = 0
    mismatches: list[tuple[str, str, str]] = []
    for rid, text in rows:
        sets = _oracle_sets(text)
        assert sets is not None, f"oracle cannot read {text!r}: add it to _HAND"
        parsed = parse_npm_range(text)
        bounds = {re.sub(r"^[<>=v]+", "", c) for s in sets for c in s}
        for candidate in {n for b in bounds if b for n in _neighbours(b.lstrip("v"))}:
            checked += 1
            if parsed.contains(candidate) != _oracle_npm(semver.Version.parse(candidate), sets):
                mismatches.append((rid, text, candidate))
    assert len(rows) > 800 and checked > 8000
    assert mismatches == []


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("<=v2.0.0-alpha7", ["2.0.0-alpha7", "1.9.9"], ["2.0.0-alpha8", "2.0.0"]),
        ("<= 1.0", ["1.0.9", "0.1.0"], ["1.1.0-0", "1.1.0"]),
        ("1.2.3 - 2.3", ["1.2.3", "2.3.9"], ["1.2.2", "2.4.0-0"]),
        ("^0.0.3", ["0.0.3"], ["0.0.4-0", "0.0.4"]),
    ],
)
def test_npm_partial_and_loose_forms(text: str, inside: list[str], outside: list[str]) -> None:
    parsed = parse_npm_range(text)
    assert all(parsed.contains(v) for v in inside)
    assert not any(parsed.contains(v) for v in outside)
