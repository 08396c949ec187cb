"""The full intelligence store built from ../shared/data, cached in a data folder for the matching benchmarks.

The store is built once into ``MEDVIGIL_BENCH_STORE`` (default ``/tmp/medvigil-bench-store``):
OSV PyPI + Go, every NVD 1.1 yearly feed and the modified/recent files except the 2021-02-15
modified feed (kept back for ``bench_rematch.py``), CVE 5 Vulnrichment, every CISA ICSMA and ICSA
CSAF advisory, KEV and EPSS. Set the environment before importing Django (see :func:`use_store`).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import time
from pathlib import Path
from typing import Any

from _data import SHARED

STORE = Path(os.environ.get("MEDVIGIL_BENCH_STORE", "/tmp/medvigil-bench-store"))
HELD_BACK = "nvd/feeds-1.1-modified-recent/nvdcve-1.1-modified_2021-02-15.json.gz"
INPUTS = [
    "osv/pypi-pypa-advisory-database.jsonl.gz",
    "osv/go-vulndb.jsonl.gz",
    *(f"nvd/feeds-1.1-yearly/nvdcve-1.1-{y}.jsonl.gz" for y in (2002, 2017, 2018, 2019, 2021, 2022)),
    "nvd/feeds-1.1-modified-recent/nvdcve-1.1-modified_2020-03-07.json.gz",
    "nvd/feeds-1.1-modified-recent/nvdcve-1.1-recent_2020-03-07.json.gz",
    "nvd/feeds-1.1-modified-recent/nvdcve-1.1-modified_2020-11-12.json.gz",
    "cve-json5/cisa-vulnrichment.jsonl.gz",
    "csaf/cisa/icsma",
    "csaf/cisa/icsa",
    "kev/known_exploited_vulnerabilities.json",
    "epss/emba-epss-scores-by-cve.csv.gz",
]


def use_store(copy_to: Path | None = None) -> Path:
    """Point Django at the store (or at a copy of it, for benchmarks that write)."""
    folder = STORE
    if copy_to is not None and (STORE / "medvigil.sqlite3").exists():
        shutil.copytree(STORE, copy_to, dirs_exist_ok=True)
        folder = copy_to
    os.environ["MEDVIGIL_DATA_DIR"] = str(folder)
    os.environ.setdefault("MEDVIGIL_TASKS_URL", "immediate")
    return folder


def ensure_store() -> None:
    """Build the store unless it is complete; prints per-input import times."""
    from medvigil.cli import _django

    _django.migrate()
    from medvigil.web.advisories.services import feed_import

    for rel in INPUTS:
        t0 = time.perf_counter()
        result = feed_import(path=SHARED / rel)
        if not result.skipped:
            print(f"  store: {rel}: {result.counts} in {time.perf_counter() - t0:.1f} s")


def _package_versions() -> list[tuple[str, str, str]]:
    """(purl type, name, version) of real affected packages: PyPI enumerations, Go range bounds."""
    out: set[tuple[str, str, str]] = set()
    for rel, ptype in (
        ("osv/pypi-pypa-advisory-database.jsonl.gz", "pypi"),
        ("osv/go-vulndb.jsonl.gz", "golang"),
    ):
        with gzip.open(SHARED / rel, "rt") as fh:
            for line in fh:
                for aff in json.loads(line).get("affected", []):
                    name = aff["package"]["name"]
                    if name in ("stdlib", "toolchain"):
                        continue
                    versions = set(aff.get("versions", []))
                    for rng in aff.get("ranges", []):
                        if rng["type"] != "GIT":
                            versions.update(v for e in rng["events"] for v in e.values() if v != "0")
                    out.update((ptype, name, v) for v in versions)
    return sorted(out)


def sbom(n: int, seed: int = 7) -> dict[str, Any]:
    """A CycloneDX document of ``n`` distinct real (package, version) pairs from the OSV data."""
    pool = _package_versions()
    rng = random.Random(seed)
    picked = rng.sample(pool, n)
    comps = []
    for i, (ptype, name, version) in enumerate(picked):
        v = f"v{version.lstrip('v')}" if ptype == "golang" else version
        comps.append(
            {
                "type": "library",
                "name": name,
                "version": v,
                "bom-ref": f"c{i}",
                "purl": f"pkg:{ptype}/{name}@{v}",
            }
        )
    return {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": comps}
