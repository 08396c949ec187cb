"""Benchmark: read a 10,000-component CycloneDX JSON SBOM built from real components.

Components are taken from the CycloneDX examples in ../shared/data (juice-shop, keycloak,
dropwizard, laravel), cycled with distinct versions and bom-refs, plus a dependency graph.
Prints the median of 5 timed reads (read_sbom: detection + parse + mapping) and peak memory.

    PYTHONPATH=src python bench/bench_sbom_read.py [--components 10000]
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import resource
import statistics
import time
import tracemalloc
from pathlib import Path

from medvigil.core.sbom.export import to_cyclonedx_json, to_spdx_json
from medvigil.core.sbom.registry import read_sbom

SHARED = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "sbom" / "cyclonedx" / "bom-examples" / "SBOM"
)
SOURCES = [
    "juice-shop/v11.1.2/bom.json",
    "keycloak-10.0.2/bom.json.gz",
    "dropwizard-1.3.15/bom.json",
    "laravel-7.12.0/bom.1.4.json",
]


def _load(rel: str) -> dict[str, object]:
    data = (SHARED / rel).read_bytes()
    return json.loads(gzip.decompress(data) if rel.endswith(".gz") else data)


def build(n: int) -> bytes:
    """A CycloneDX 1.4 document with ``n`` components cycled from the real examples."""
    pool = [c for rel in SOURCES for c in _load(rel)["components"]]  # type: ignore[union-attr]
    components = []
    for i in range(n):
        comp = copy.deepcopy(pool[i % len(pool)])
        comp.pop("components", None)
        version = f"{comp.get('version', '0')}-b{i // len(pool)}"
        comp["version"] = version
        comp["bom-ref"] = f"ref-{i}"
        if "purl" in comp:
            comp["purl"] = comp["purl"].split("@")[0] + "@" + version
        components.append(comp)
    deps = [
        {"ref": f"ref-{i}", "dependsOn": [f"ref-{(i * 7 + k) % n}" for k in range(1, 4)]} for i in range(n)
    ]
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "version": 1,
        "metadata": {"component": {"type": "device", "name": "bench-device", "bom-ref": "root"}},
        "components": components,
        "dependencies": deps,
    }
    return json.dumps(doc).encode()


def main() -> None:
    """Build the document, time the reads, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--components", type=int, default=10_000)
    n = parser.parse_args().components
    data = build(n)
    packed = gzip.compress(data, 6)
    print(f"document: {n:,} components, {len(data) / 1e6:.1f} MB JSON, {len(packed) / 1e6:.1f} MB gzipped")

    times = []
    for _ in range(5):
        start = time.perf_counter()
        sbom = read_sbom(data, source="bench.cdx.json")
        times.append(time.perf_counter() - start)
    assert len(sbom.components) == n
    runs = ", ".join(f"{t * 1000:.0f}" for t in times)
    print(f"read_sbom (JSON):    median {statistics.median(times) * 1000:7.1f} ms  (runs: {runs})")

    gz = [time.perf_counter()]
    for _ in range(5):
        read_sbom(packed, source="bench.cdx.json.gz")
        gz.append(time.perf_counter())
    gz_median = statistics.median(b - a for a, b in zip(gz, gz[1:], strict=False))
    print(f"read_sbom (gzip):    median {gz_median * 1000:7.1f} ms")

    for label, fn in (("to_cyclonedx_json", to_cyclonedx_json), ("to_spdx_json", to_spdx_json)):
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            fn(sbom)
            runs.append(time.perf_counter() - start)
        print(f"{label + ':':20} median {statistics.median(runs) * 1000:7.1f} ms")

    tracemalloc.start()
    read_sbom(data, source="bench.cdx.json")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak Python allocations during one read (tracemalloc): {peak / 1e6:.0f} MB")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
