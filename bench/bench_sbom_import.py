"""End-to-end SBOM import: 10,000-component CycloneDX JSON through the inventory service.

Targets (issue 2): under 2 s end to end and under 300 MB peak memory on the 2-core machine.
Runs on the embedded default (SQLite in a temporary data folder) or on MEDVIGIL_DATABASE_URL.
Prints read-only time, import time (read + transaction + bulk insert), re-import (no-op) time and
the process's peak RSS.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("MEDVIGIL_DATA_DIR", tempfile.mkdtemp(prefix="medvigil-bench-"))
os.environ.setdefault("MEDVIGIL_TASKS_URL", "immediate")

from _data import cyclonedx_with  # noqa: E402

from medvigil.cli import _django  # noqa: E402


def main(n: int = 10_000, rounds: int = 5) -> None:
    data = cyclonedx_with(n)
    _django.migrate()
    from django.conf import settings

    from medvigil.core.sbom.registry import read_sbom
    from medvigil.web.inventory import services

    product = services.product_create(name=f"Bench device {time.time_ns()}")
    read_times, import_times = [], []
    for i in range(rounds):
        t0 = time.perf_counter()
        read_sbom(data, source="bench.json")
        read_times.append(time.perf_counter() - t0)
        pv = services.version_create(product=product, version=f"v{i}")
        t0 = time.perf_counter()
        result = services.sbom_import(product_version=pv, data=data, filename="bench.json")
        import_times.append(time.perf_counter() - t0)
        assert result.component_count == n
    t0 = time.perf_counter()
    services.sbom_import(product_version=pv, data=data, filename="bench.json")
    noop = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"SBOM import, {n:,} CycloneDX components, {len(data) / 1e6:.1f} MB, database {engine}")
    print(f"  read only      median {statistics.median(read_times):.3f} s")
    print(f"  import (e2e)   median {statistics.median(import_times):.3f} s  (min {min(import_times):.3f})")
    print(f"  re-import      {noop * 1000:.1f} ms (no-op)")
    print(f"  peak RSS       {peak_mb:.0f} MB (whole process, {rounds} imports)")


if __name__ == "__main__":
    main()
