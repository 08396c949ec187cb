"""Differential tests: the engine's affected / not-affected decisions against independent oracles.

For every ecosystem we match, components are generated around each range boundary of real OSV
records (../shared/data/osv: PyPI, Go, and the GHSA conversion test data for npm, Maven and PyPI)
and of seeded synthetic records (npm, crates.io, Maven, NuGet, Hex, Pub: ecosystems we hold no
feed for): the boundary itself, just below and above it, pre-releases of it, equal spellings.
Each component goes through the whole engine (OSV record -> ``MatchIndex`` -> ``match``, purl
key and all) and the result must equal the oracle's OSV walk (events sorted by version with a
stable sort, ``introduced`` / ``fixed`` / ``last_affected`` as the OSV schema's pseudocode; an
enumerated ``versions`` entry equal in the ecosystem's order also counts).

Oracles, none of them our code:

* PyPI: ``packaging`` (PEP 440 ``Version`` order and equality), names by
  ``packaging.utils.canonicalize_name``.
* SemVer ecosystems (npm, crates.io, Go after stripping ``v``, Hex, Pub): the ``semver`` package.
* Maven: :class:`MavenOrder` below, written from the documented version order specification
  (https://maven.apache.org/pom.html#version-order-specification), not from ComparableVersion's
  source.
* NuGet: :func:`nuget_order` below, from NuGet's documented rules
  (https://learn.microsoft.com/nuget/concepts/package-versioning): up to four numeric parts,
  missing ones are 0, pre-release labels in SemVer 2.0 order without case.

Where the engine legitimately differs from an oracle, the case is listed in ``KNOWN`` with the
reason; anything else fails. Sampling is seeded and sized to keep the whole module at a few
seconds.
"""

from __future__ import annotations

import functools
import gzip
import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import semver
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from medvigil.core.feeds._purl import ECOSYSTEM_PURL_TYPES
from medvigil.core.feeds.osv import osv_record
from medvigil.core.matching.engine import MatchIndex, match
from medvigil.core.matching.versions import get_scheme
from medvigil.core.model import Component
from tests.conftest import shared_path

SEED = 20261202
SAMPLE = 400
"""Real records sampled per file (seeded)."""
SYNTHETIC = 150
"""Synthetic records per ecosystem (seeded)."""

Order = Callable[[str], Any]
"""An oracle: version string -> sort key (raises ValueError when the oracle cannot order it)."""


# --- oracles -----------------------------------------------------------------------------


def pep440_order(version: str) -> Version:
    try:
        return Version(version)
    except InvalidVersion as exc:
        raise ValueError(str(exc)) from None


@functools.total_ordering
class _SemverKey:
    """``semver.Version`` ordered by SemVer 2.0 precedence (build metadata ignored)."""

    def __init__(self, version: semver.Version) -> None:
        self.v = version.replace(build=None)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _SemverKey) and self.v.compare(other.v) == 0

    def __lt__(self, other: _SemverKey) -> bool:
        return self.v.compare(other.v) < 0

    def __hash__(self) -> int:
        return hash(str(self.v))


def semver_order(version: str) -> _SemverKey:
    return _SemverKey(semver.Version.parse(version))


def go_order(version: str) -> _SemverKey:
    """Go module versions: SemVer with a leading ``v`` (OSV Go events have none)."""
    return semver_order(version[1:] if version.startswith("v") else version)


_MAVEN_KNOWN = {"alpha": 0, "beta": 1, "milestone": 2, "rc": 3, "cr": 3, "snapshot": 4}
_MAVEN_KNOWN |= {"": 5, "final": 5, "ga": 5, "sp": 6}
_MAVEN_NULLS = {"0", "", "final", "ga"}
_MAVEN_PART = re.compile(r"\d+|[^\d.\-]+")
_MAVEN_SHORT = {"a": "alpha", "b": "beta", "m": "milestone"}


@functools.total_ordering
class MavenOrder:
    """Maven's documented version order (pom.html, "Version Order Specification").

    Tokens are split at ``.``, ``-`` and digit/letter transitions (a transition counts as ``-``),
    empty tokens are ``0``; trailing null tokens (``0``, ``""``, ``final``, ``ga``) are trimmed
    at the end and before each remaining hyphen; sequences compare token by token, the shorter
    padded with the null of the other's prefix (``.0`` or ``-""``); with the same prefix numbers
    compare naturally and qualifiers as alpha < beta < milestone < rc = cr < snapshot <
    "" = final = ga < sp < other qualifiers (alphabetical); otherwise
    ``.qualifier`` = ``-qualifier`` < ``-number`` < ``.number``. ``a``/``b``/``m`` directly
    followed by a number are alpha/beta/milestone.
    """

    def __init__(self, version: str) -> None:
        self.tokens = self._trim(self._split(version.lower()))

    @staticmethod
    def _split(text: str) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        prefix, i, prev_kind = ".", 0, ""
        while i <= len(text):
            if i < len(text) and text[i] in ".-":
                if not tokens or prev_kind == "sep":
                    tokens.append((prefix, "0"))
                prefix, prev_kind, i = text[i], "sep", i + 1
                continue
            m = _MAVEN_PART.match(text, i)
            if m is None:
                if prev_kind == "sep":
                    tokens.append((prefix, "0"))
                break
            kind = "num" if m.group()[0].isdigit() else "str"
            if prev_kind in ("num", "str") and kind != prev_kind:
                prefix = "-"  # a digit/letter transition is a hyphen
                if kind == "num" and tokens[-1][1] in _MAVEN_SHORT:  # a1 = alpha-1
                    tokens[-1] = (tokens[-1][0], _MAVEN_SHORT[tokens[-1][1]])
            tokens.append((prefix, m.group()))
            prev_kind, i = kind, m.end()
        return tokens

    @staticmethod
    def _trim(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for prefix, tok in tokens:  # trim the segment before each hyphen, then the end
            if prefix == "-":
                while out and out[-1][1] in _MAVEN_NULLS:
                    out.pop()
            out.append((prefix, tok))
        while out and out[-1][1] in _MAVEN_NULLS:
            out.pop()
        return out

    @staticmethod
    def _rank(token: tuple[str, str]) -> tuple[int, Any]:
        prefix, tok = token
        if tok.isdigit():
            return (2 if prefix == "." else 1, int(tok))
        known = _MAVEN_KNOWN.get(tok)
        return (0, (known, "") if known is not None else (7, tok))

    def _cmp(self, other: MavenOrder) -> int:
        a, b = self.tokens, other.tokens
        for i in range(max(len(a), len(b))):
            left = a[i] if i < len(a) else (b[i][0], "0" if b[i][0] == "." else "")
            right = b[i] if i < len(b) else (a[i][0], "0" if a[i][0] == "." else "")
            ka, kb = self._rank(left), self._rank(right)
            if ka[0] == kb[0] or (ka[0] == 0 and kb[0] == 0):
                if ka != kb:
                    return -1 if ka < kb else 1
            else:
                return -1 if ka[0] < kb[0] else 1
        return 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MavenOrder) and self._cmp(other) == 0

    def __lt__(self, other: MavenOrder) -> bool:
        return self._cmp(other) < 0

    def __hash__(self) -> int:
        return 0


_NUGET = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def nuget_order(version: str) -> tuple[tuple[int, ...], Any]:
    m = _NUGET.match(version.strip())
    if m is None:
        raise ValueError(f"not a NuGet version: {version!r}")
    release = tuple(int(p or 0) for p in m.groups()[:4])
    pre = m.group(5)
    if pre is None:
        return (release, (1, None))
    return (release, (0, _SemverKey(semver.Version(0, 0, 0, prerelease=pre.lower()))))


class OracleEntry:
    """One package's ranges and enumerated versions, parsed once with the oracle's order."""

    def __init__(self, order: Order, ranges: list[list[tuple[str, str]]], listed: list[str]) -> None:
        self.order = order
        self.listed: list[Any] = []
        for item in listed:
            try:
                self.listed.append(order(item))
            except ValueError:
                continue
        self.walks = [
            sorted(
                ((k, None if k == "introduced" and v == "0" else order(v)) for k, v in events),
                key=functools.cmp_to_key(_cmp_step),  # a stable sort: ties keep the record's order
            )
            for events in ranges
        ]

    def affected(self, version: str) -> bool:
        """The OSV schema's evaluation with the oracle's order."""
        key = self.order(version)
        if any(key == item for item in self.listed):
            return True
        for walk in self.walks:
            affected = False
            for kind, bound in walk:
                if kind == "introduced":
                    affected = affected or bound is None or key >= bound
                elif bound is not None and (key >= bound if kind == "fixed" else key > bound):
                    affected = False  # fixed: at or above it; last_affected: above it
            if affected:
                return True
        return False


def _cmp_step(x: tuple[str, Any], y: tuple[str, Any]) -> int:
    return _cmp_event(x[1], y[1])


def _cmp_event(a: Any, b: Any) -> int:
    if a is None or b is None:
        return (b is None) - (a is None)
    return -1 if a < b else (1 if b < a else 0)


# --- version generation around boundaries -------------------------------------------------


def semver_neighbours(boundary: str, rng: random.Random) -> Iterator[str]:
    v = semver.Version.parse(boundary)
    yield str(v)
    yield str(v.bump_patch())
    yield str(v.bump_minor())
    yield str(v.replace(prerelease="alpha.1", build=None))
    yield str(v.replace(prerelease="0", build=None))
    yield str(v.replace(prerelease=f"rc.{rng.randint(1, 12)}", build=None))
    yield str(v.replace(build="build.7"))
    if v.prerelease:
        yield str(v.replace(prerelease=None))
        yield str(v.replace(prerelease=f"{v.prerelease}.1"))
    if v.patch:
        yield str(v.replace(patch=v.patch - 1, prerelease=None, build=None))
    elif v.minor:
        yield str(v.replace(minor=v.minor - 1, patch=rng.randint(0, 40), prerelease=None, build=None))
    elif v.major:
        yield str(v.replace(major=v.major - 1, minor=rng.randint(0, 9), prerelease=None, build=None))


def pep440_neighbours(boundary: str, rng: random.Random) -> Iterator[str]:
    v = Version(boundary)
    base = v.base_version
    rel = list(v.release)
    yield boundary
    yield f"{base}.0" if not v.pre and not v.post and not v.dev and not v.local else boundary
    yield f"{base}a1"
    yield f"{base}rc{rng.randint(1, 3)}"
    yield f"{base}.dev0"
    yield f"{base}.post1"
    yield f"{base}+local.1"
    up = [*rel[:-1], rel[-1] + 1]
    yield ".".join(map(str, up))
    if rel[-1] > 0:
        yield ".".join(map(str, [*rel[:-1], rel[-1] - 1]))
    if v.pre or v.dev:
        yield base


def maven_neighbours(boundary: str, rng: random.Random) -> Iterator[str]:
    yield boundary
    yield f"{boundary}-SNAPSHOT"
    yield f"{boundary}-alpha-1"
    yield f"{boundary}-rc{rng.randint(1, 3)}"
    yield f"{boundary}.1"
    yield f"{boundary}-1"
    yield f"{boundary}-sp1"
    yield f"{boundary}.0"
    yield f"{boundary}.Final"
    parts = re.match(r"^(\d+(?:\.\d+)*)(.*)$", boundary)
    if parts:
        nums = [int(p) for p in parts.group(1).split(".")]
        yield ".".join(map(str, [*nums[:-1], nums[-1] + 1])) + parts.group(2)
        if nums[-1]:
            yield ".".join(map(str, [*nums[:-1], nums[-1] - 1])) + parts.group(2)


def nuget_neighbours(boundary: str, rng: random.Random) -> Iterator[str]:
    yield boundary
    yield f"{boundary}.0" if boundary.count(".") < 3 and "-" not in boundary else boundary
    yield f"{boundary}-beta" if "-" not in boundary else boundary.upper()
    yield f"{boundary}-Beta.{rng.randint(1, 3)}" if "-" not in boundary else boundary.split("-")[0]
    nums = [int(p) for p in boundary.split("-")[0].split(".")]
    yield ".".join(map(str, [*nums[:-1], nums[-1] + 1]))
    yield ".".join(map(str, [*nums, 1])) if len(nums) < 4 else boundary
    if nums[-1]:
        yield ".".join(map(str, [*nums[:-1], nums[-1] - 1]))


# --- the ecosystems ---------------------------------------------------------------------


def _purl_name(ecosystem: str, name: str) -> str:
    if ecosystem == "Maven":
        return name.replace(":", "/", 1)
    if ecosystem == "npm" and name.startswith("@"):
        return "%40" + name[1:]
    return name


_PURL_TYPE = {"PyPI": "pypi", "Go": "golang", "npm": "npm", "Maven": "maven", "crates.io": "cargo"}
_PURL_TYPE |= {"NuGet": "nuget", "Hex": "hex", "Pub": "pub"}
ORACLES: dict[str, tuple[Order, Callable[[str, random.Random], Iterator[str]], str]] = {
    # ecosystem: (order, neighbours, version prefix of components)
    "PyPI": (pep440_order, pep440_neighbours, ""),
    "Go": (go_order, semver_neighbours, "v"),
    "npm": (semver_order, semver_neighbours, ""),
    "crates.io": (semver_order, semver_neighbours, ""),
    "Hex": (semver_order, semver_neighbours, ""),
    "Pub": (semver_order, semver_neighbours, ""),
    "Maven": (MavenOrder, maven_neighbours, ""),
    "NuGet": (nuget_order, nuget_neighbours, ""),
}

KNOWN: list[tuple[str, re.Pattern[str], str]] = [
    (
        "Maven",
        re.compile(r"(?i)\.(final|ga)\.\d"),
        "a null qualifier followed by more tokens (2.0.8.Final.1): the specification pads the shorter "
        "version with .0 and ranks .qualifier below .number, so 2.0.8.Final.1 < 2.0.8; Maven's "
        "ComparableVersion, which the engine follows (via univers), compares 'final' like the padding "
        "and gives 2.0.8.Final.1 > 2.0.8. Real versions of this shape are rare.",
    ),
]
"""(ecosystem, component versions, why the engine's decision legitimately differs)."""


def _known(ecosystem: str, version: str) -> str | None:
    for eco, pattern, reason in KNOWN:
        if eco == ecosystem and pattern.search(version):
            return reason
    return None


class Tally:
    def __init__(self) -> None:
        self.cases = 0
        self.skipped = 0
        self.disagreements: dict[tuple[str, str, str], tuple[bool, bool]] = {}


def _variant(ecosystem: str, name: str, rng: random.Random) -> str:
    """A spelling the ecosystem treats as the same name (PyPI: case and separators)."""
    if ecosystem != "PyPI":
        return name
    out = "".join(c.upper() if rng.random() < 0.3 else c for c in name)
    return re.sub(r"[-_.]", lambda _: rng.choice("-_."), out)


def check_record(doc: dict[str, Any], rng: random.Random, tally: Tally) -> None:
    """Every package of one record: generated versions, engine vs oracle (any entry of the
    package counts, as the engine reports one match per record and component)."""
    index = MatchIndex.build([osv_record(doc)])
    packages: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in doc.get("affected", []):
        ecosystem, name = entry["package"]["ecosystem"], entry["package"]["name"]
        if ecosystem in ORACLES:
            packages.setdefault((ecosystem, name), []).append(entry)
    for (ecosystem, name), entries in packages.items():
        order, neighbours, vprefix = ORACLES[ecosystem]
        ranges = [
            [next(iter(e.items())) for e in r["events"]]
            for entry in entries
            for r in entry.get("ranges", [])
            if r["type"] != "GIT"
        ]
        listed = [v for entry in entries for v in entry.get("versions", [])]
        boundaries = {v for events in ranges for _, v in events if v != "0"}
        versions: set[str] = set()
        for boundary in sorted(boundaries):
            try:
                versions.update(neighbours(boundary, rng))
            except (ValueError, InvalidVersion):
                continue
        versions.update(rng.sample(listed, min(len(listed), 3)))
        try:
            oracle = OracleEntry(order, ranges, listed)
        except ValueError:
            tally.skipped += len(versions)  # an event the oracle cannot order
            continue
        for version in sorted(versions):
            try:
                expected = oracle.affected(version)
            except (ValueError, TypeError):
                tally.skipped += 1  # the oracle cannot order it: nothing to compare
                continue
            spelled = _variant(ecosystem, name, rng)
            assert ecosystem != "PyPI" or canonicalize_name(spelled) == canonicalize_name(name)
            purl = f"pkg:{_PURL_TYPE[ecosystem]}/{_purl_name(ecosystem, spelled)}"
            component = Component(name=spelled, version=vprefix + version, purl=purl)
            got = any(m.record_id == doc["id"] for m in match([component], index))
            tally.cases += 1
            if got != expected and _known(ecosystem, version) is None:
                tally.disagreements[doc["id"], name, version] = (got, expected)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _report(tally: Tally, minimum: int) -> None:
    shown = dict(list(tally.disagreements.items())[:60])
    assert not tally.disagreements, f"{len(tally.disagreements)} of {tally.cases} (engine, oracle): {shown}"
    assert tally.cases >= minimum


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("filename", "minimum"), [("pypi-pypa-advisory-database.jsonl.gz", 3000), ("go-vulndb.jsonl.gz", 3000)]
)
def test_real_osv_records_agree_with_the_oracles(filename: str, minimum: int) -> None:
    rng = random.Random(SEED)
    records = _jsonl(shared_path("osv", filename))
    tally = Tally()
    for doc in rng.sample(records, min(SAMPLE, len(records))):
        check_record(doc, rng, tally)
    _report(tally, minimum)


@pytest.mark.shared_data
def test_ghsa_conversion_records_agree_with_the_oracles() -> None:
    rng = random.Random(SEED)
    tally = Tally()
    for path in sorted(shared_path("osv", "osv-schema-ghsa-conversion-testdata").glob("*.osv.json")):
        check_record(json.loads(path.read_text()), rng, tally)
    _report(tally, 60)


def _synthetic_version(ecosystem: str, rng: random.Random) -> str:
    major, minor, patch = rng.randint(0, 5), rng.randint(0, 12), rng.randint(0, 20)
    if ecosystem == "Maven":
        tail = rng.choice(["", "", "", "-beta-1", "-RC2", ".Final", "-M3", ".1", "-jre", "-sp1"])
        return f"{major}.{minor}" + (f".{patch}" if rng.random() < 0.7 else "") + tail
    if ecosystem == "NuGet":
        four = f".{rng.randint(0, 3)}" if rng.random() < 0.2 else ""
        tail = rng.choice(["", "", "", "-preview.1", "-rc.2", "-beta"])
        return f"{major}.{minor}.{patch}{four}{tail}"
    tail = rng.choice(["", "", "", "-alpha.1", "-rc.1", "-0", "-beta.2"])
    return f"{major}.{minor}.{patch}{tail}"


def synthetic_record(ecosystem: str, n: int, rng: random.Random) -> dict[str, Any]:
    order = ORACLES[ecosystem][0]
    points = sorted({_synthetic_version(ecosystem, rng) for _ in range(rng.randint(1, 6))}, key=order)
    events: list[dict[str, str]] = []
    if rng.random() < 0.25:
        events.append({"introduced": "0"})
        kinds = ["fixed", "introduced"]
    else:
        kinds = ["introduced", "fixed"]
    for i, point in enumerate(points):
        kind = kinds[i % 2]
        if kind == "fixed" and rng.random() < 0.3:
            kind = "last_affected"
        events.append({kind: point})
    rng.shuffle(events)  # order in the record does not matter (except at equal versions)
    names = {"npm": "@scope/left-pad.js", "crates.io": "once_cell", "Maven": "org.example:demo-core"}
    names |= {"NuGet": "Contoso.Utils", "Hex": "phoenix_html", "Pub": "http_parser"}
    semver_type = ecosystem in ("npm", "crates.io", "Hex", "Pub") and rng.random() < 0.5
    range_type = "SEMVER" if semver_type else "ECOSYSTEM"  # GHSA writes ECOSYSTEM, RustSec SEMVER
    return {
        "schema_version": "1.6.0",
        "id": f"SYN-{ecosystem}-{n}",
        "modified": "2099-01-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": names[ecosystem]},
                "ranges": [{"type": range_type, "events": events}],
            }
        ],
    }


@pytest.mark.parametrize("ecosystem", ["npm", "crates.io", "Maven", "NuGet", "Hex", "Pub"])
def test_synthetic_records_agree_with_the_oracles(ecosystem: str) -> None:
    rng = random.Random(f"{SEED}-{ecosystem}")
    tally = Tally()
    for n in range(SYNTHETIC):
        check_record(synthetic_record(ecosystem, n, rng), rng, tally)
    _report(tally, 1000)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        # the specification's own examples
        ("1", "1.1", -1),
        ("1-snapshot", "1", -1),
        ("1", "1-sp", -1),
        ("1-foo2", "1-foo10", -1),
        ("1.foo", "1-foo", 0),
        ("1-foo", "1-1", -1),
        ("1-1", "1.1", -1),
        ("1.ga", "1", 0),
        ("1-ga", "1", 0),
        ("1-0", "1", 0),
        ("1.0", "1", 0),
        ("1-sp", "1-ga", 1),
        ("1-sp.1", "1-ga.1", 1),
        ("1-sp-1", "1-ga-1", -1),
        ("1-ga-1", "1-1", 0),
        ("1-a1", "1-alpha-1", 0),
        ("1.0.0-foo.0.0", "1-foo", 0),
        ("1.0.0-0.0.0", "1", 0),
        ("1-alpha", "1-beta", -1),
        ("1-rc", "1-cr", 0),
        ("1-rc", "1-snapshot", -1),
    ],
)
def test_the_maven_oracle_follows_the_specification_examples(left: str, right: str, expected: int) -> None:
    assert MavenOrder(left)._cmp(MavenOrder(right)) == expected


WITHOUT_SEMANTICS = {
    "Hackage": "PVP versions order as int lists where 1.0 < 1.0.0; no scheme yet, ranges answer unknown",
    "CRAN": "R package_version (1.2-3 = 1.2.3); no scheme yet, ranges answer unknown",
}
"""Mapped ecosystems whose ranges cannot be evaluated (enumerated versions still match exactly)."""


def test_every_mapped_ecosystem_has_version_semantics_or_a_stated_reason() -> None:
    """A newly mapped ecosystem must not silently miss: it gets a scheme (and a case above) or
    is listed here with the reason."""
    missing = set()
    for ecosystem, ptype in ECOSYSTEM_PURL_TYPES.items():
        for name in (ecosystem, ptype):
            try:
                get_scheme(name)
            except KeyError:
                missing.add(ecosystem)
    assert missing == set(WITHOUT_SEMANTICS)
    assert set(ORACLES) - {"PyPI", "Go"} <= set(ECOSYSTEM_PURL_TYPES)
