"""Scan a 1,000- and a 10,000-component SBOM against the full store built from ../shared/data.

Targets (issue 4): under 1 s and under 5 s, under 500 MB. Components are real PyPI and Go
(package, version) pairs drawn from the OSV data (enumerated versions and range bounds), so many
of them hit. Measures two things:

* ``engine``: ``scan_components`` in a warm process (candidate selection from the database, index
  build over the candidates, hash-join match, grouping, contract output): the first scan of the
  SBOM, then the median of three repeats (candidate rows prepared by the first scan are cached
  per process, as in a web or worker process);
* ``cli``: ``medvigil scan FILE -f json`` as a fresh process (Python and Django start-up, SBOM read,
  scan, JSON out), wall time and peak RSS of the child.

Run: ``python bench/bench_scan.py`` (first run builds the store, several minutes).
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import compile_project  # noqa: E402
from _store import ensure_store, sbom, use_store  # noqa: E402

STORE = use_store()


def _cli(path: Path) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(
        [str(Path(sys.executable).parent / "medvigil"), "scan", str(path), "-f", "json"],
        capture_output=True, check=True,
    )  # fmt: skip
    wall = time.perf_counter() - t0
    rss = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return wall, rss, len(json.loads(out.stdout)["findings"])


def main() -> None:
    ensure_store()
    compile_project()
    from medvigil.core.sbom.registry import read_sbom
    from medvigil.web.findings.scan import scan_components

    tmp = Path(tempfile.mkdtemp(prefix="medvigil-scan-"))
    for n in (1_000, 10_000):
        data = json.dumps(sbom(n)).encode()
        path = tmp / f"bom-{n}.json"
        path.write_bytes(data)
        components = read_sbom(data, source=path.name).components
        times, cpu = [], []
        for _ in range(4):
            t0, c0 = time.perf_counter(), time.process_time()
            result = scan_components(components)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        hit = len({f["component"]["bom_ref"] for f in result.findings})
        print(f"{n:>6} components: engine {times[0]:.2f} s first scan (CPU {cpu[0]:.2f} s), "
              f"{statistics.median(times[1:]):.2f} s repeat (median of 3, prepared rows cached; "
              f"CPU {statistics.median(cpu[1:]):.2f} s), {len(result.findings)} findings on {hit} "
              "components")  # fmt: skip
        wall, rss, count = _cli(path)
        print(f"{n:>6} components: cli {wall:.2f} s wall, peak RSS {rss:.0f} MB, {count} findings")


if __name__ == "__main__":
    main()
