"""Throughput of medvigil version keys and range checks against univers, on real versions.

Run: ``PYTHONPATH=src python bench/bench_versions.py`` (needs ../shared/data).

Versions: PyPI from the PyPA enumerations, npm from the Nightscout package-lock (v15.0.7),
Maven from the CycloneDX example SBOM purls. There are no real Debian versions in
../shared/data, so Debian uses a seeded generator of realistic strings (epochs, ``~``,
``+debNuM``, ``ubuntu`` revisions). Each figure is the best of 3 runs.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from univers.version_constraint import VersionConstraint
from univers.version_range import RANGE_CLASS_BY_SCHEMES
from univers.versions import DebianVersion, MavenVersion, PypiVersion, SemverVersion

from medvigil.core.matching.ranges import PreparedRange
from medvigil.core.matching.versions import InvalidVersionError, get_scheme

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _pypi() -> list[str]:
    out: set[str] = set()
    with gzip.open(DATA / "osv" / "pypi-pypa-advisory-database.jsonl.gz", "rt") as fh:
        for line in fh:
            for entry in json.loads(line).get("affected", []):
                out.update(entry.get("versions") or ())
    return sorted(out)


def _npm() -> list[str]:
    lock = json.loads(
        (DATA / "lockfiles/nightscout-cgm-remote-monitor/v15.0.7/package-lock.json").read_text()
    )
    return sorted({p["version"] for p in lock.get("packages", {}).values() if "version" in p})


def _maven() -> list[str]:
    out: set[str] = set()
    for path in (DATA / "sbom" / "cyclonedx").rglob("*.json"):
        out.update(re.findall(r"pkg:maven/[^@\"]+@([^\"?#]+)", path.read_text(errors="replace")))
    return sorted(out)


def _debian(n: int = 5000) -> list[str]:
    rnd = random.Random(7)
    out = set()
    while len(out) < n:
        up = ".".join(str(rnd.randint(0, 30)) for _ in range(rnd.randint(1, 4)))
        up += rnd.choice(["", "", "~rc1", "+dfsg", "a", "~beta2"])
        rev = rnd.choice(["1", "2", "1ubuntu0.3", "3+deb11u2", "1~bpo10+1", "0.1"])
        epoch = rnd.choice(["", "", "", "1:", "2:"])
        out.add(f"{epoch}{up}-{rev}")
    return sorted(out)


def _best(fn: Callable[[], int], runs: int = 3) -> float:
    best = float("inf")
    n = 0
    for _ in range(runs):
        start = time.perf_counter()
        n = fn()
        best = min(best, time.perf_counter() - start)
    return n / best


def _valid(versions: list[str], eco: str, univers_cls: Any) -> list[str]:
    out = []
    for v in versions:
        try:
            get_scheme(eco).parse(v)
            univers_cls(v)
        except (ValueError, InvalidVersionError, TypeError):
            continue
        out.append(v)
    return out


def bench(label: str, eco: str, purl: str, versions: list[str], univers_cls: Any) -> None:
    """Print parse and range-check rates for one ecosystem."""
    scheme = get_scheme(eco)
    versions = _valid(versions, eco, univers_cls)
    ordered = sorted(versions, key=scheme.parse)
    low, high = ordered[len(ordered) // 4], ordered[3 * len(ordered) // 4]
    ours = PreparedRange.build("ECOSYSTEM", [("introduced", low), ("fixed", high)], eco)
    vrc = RANGE_CLASS_BY_SCHEMES[purl]
    theirs = vrc(
        [
            VersionConstraint(comparator=">=", version=univers_cls(low)),
            VersionConstraint(comparator="<", version=univers_cls(high)),
        ]
    )
    keys = [scheme.key(v) for v in versions]
    uvers = [univers_cls(v) for v in versions]
    assert [ours.contains_key(k) for k in keys] == [u in theirs for u in uvers], label

    rows = {
        "parse (uncached)": (
            _best(lambda: sum(1 for v in versions if scheme.parse(v) is not None)),
            _best(lambda: sum(1 for v in versions if univers_cls(v) is not None)),
        ),
        "key (cached)": (_best(lambda: sum(1 for v in versions if scheme.key(v) is not None)), None),
        "contains, pre-parsed": (
            _best(lambda: sum(1 for k in keys if ours.contains_key(k) is not None)),
            _best(lambda: sum(1 for u in uvers if (u in theirs) is not None)),
        ),
        "contains(str), cached key": (
            _best(lambda: sum(1 for v in versions if ours.contains(v) is not None)),
            None,
        ),
    }
    print(f"\n{label}: {len(versions)} versions, range [{low}, {high})")
    for name, (mine, uni) in rows.items():
        ratio = f"{mine / uni:6.1f}x" if uni else "      "
        uni_txt = f"{uni / 1e3:9.0f}k/s" if uni else "        -"
        print(f"  {name:28s} medvigil {mine / 1e3:9.0f}k/s   univers {uni_txt}  {ratio}")


def main() -> int:
    """Run all ecosystems."""
    if not DATA.exists():
        print(f"needs {DATA}", file=sys.stderr)
        return 2
    bench("PyPI", "PyPI", "pypi", _pypi(), PypiVersion)
    bench("npm", "npm", "npm", _npm(), SemverVersion)
    bench("Debian (generated)", "Debian", "deb", _debian(), DebianVersion)
    bench("Maven", "Maven", "maven", _maven(), MavenVersion)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
