"""Scan 1,000- and 10,000-component SBOMs whose components carry CPEs from the NVD yearly feeds.

Targets (issue 9 item 3): 1,000 components <= 0.5 s, 10,000 <= 3 s (engine wall time), under 500 MB.
Components are distinct CPE names of the NVD 1.1 yearly feeds in ../shared/data: every cpeMatch
criterion with a concrete version, and for range criteria the CPE at a range bound (so many of them
hit). ``o`` CPEs become ``operating-system`` components and ``h`` CPEs ``device`` components, so the
running-on platform candidates of the SBOM are large, as in a real device SBOM. Seeded (``--seed``).

Measures, like ``bench_scan.py``: ``scan_components`` in a warm process (first scan, then the
median of three repeats) and ``medvigil scan FILE -f json`` as a fresh process (wall, CPU, peak RSS),
in one process (``--jobs 1``) and with the CLI's default worker processes (``--jobs auto``: the
cores, at most 4; the project is byte-compiled first, as an installed wheel is).
``--dump FILE`` writes the findings of both SBOMs (JSON, every field, in order) to compare two
versions of the code.

``--realistic``: the typical case beside that worst case, a device-like SBOM: distinct products
of the same names, ~5% of them ``o``/``h`` platform CPEs (operating system, firmware, hardware),
the rest ``a`` application/library CPEs; 85% of the components at a version just beyond the
highest version the feeds name for the product (its last number raised by 1-3, so most are not
listed as vulnerable but near the ranges), the others at a version the feeds name. Seeded too.

Run: ``python bench/bench_scan_cpe.py`` (first run builds the store, several minutes).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import SHARED, compile_project  # noqa: E402
from _store import ensure_store, use_store  # noqa: E402

STORE = use_store()
YEARS = (2002, 2017, 2018, 2019, 2021, 2022)
_TYPES = {"o": "operating-system", "h": "device"}


def _split(cpe: str) -> list[str]:
    """Fields of a CPE 2.3 formatted string (escapes kept)."""
    out, cur, chars = [], [], iter(cpe)
    for c in chars:
        if c == "\\":
            cur += [c, next(chars, "")]
        elif c == ":":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    out.append("".join(cur))
    return out


def _matches(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for node in nodes:
        yield from node.get("cpe_match", ())
        yield from _matches(node.get("children", ()))


def _pool() -> list[str]:
    """Distinct concrete-version CPE names of the yearly feeds (sorted, so a seed is stable)."""
    out: set[str] = set()
    for year in YEARS:
        with gzip.open(SHARED / f"nvd/feeds-1.1-yearly/nvdcve-1.1-{year}.jsonl.gz", "rt") as fh:
            for line in fh:
                for m in _matches(json.loads(line).get("configurations", {}).get("nodes", ())):
                    fields = _split(m["cpe23Uri"])
                    if fields[5] not in ("*", "-"):
                        out.add(m["cpe23Uri"])
                        continue
                    for bound in ("versionEndIncluding", "versionStartIncluding", "versionEndExcluding"):
                        if m.get(bound):
                            fields[5] = re.sub(r"([^A-Za-z0-9_.\-])", r"\\\1", m[bound])
                            out.add(":".join(fields))
                            break
    return sorted(out)


def _plain(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def cpe_sbom(n: int, pool: list[str], seed: int = 11) -> dict[str, Any]:
    """A CycloneDX document of ``n`` components, each with one CPE drawn from ``pool``."""
    return _document(random.Random(seed).sample(pool, n), "application")


def _document(cpes: list[str], other_type: str) -> dict[str, Any]:
    """CycloneDX components of one CPE each (``o``/``h`` platform types, ``other_type`` else)."""
    comps = []
    for i, cpe in enumerate(cpes):
        fields = _split(cpe)
        comps.append(
            {
                "type": _TYPES.get(fields[2], other_type),
                "name": _plain(fields[4]),
                "version": _plain(fields[5]),
                "bom-ref": f"c{i}",
                "cpe": cpe,
            }
        )
    return {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": comps}


def _bump(version: str, rng: random.Random) -> str:
    """``version`` with its last number raised by 1-3 (``.1`` appended when it has none)."""
    found = list(re.finditer(r"\d+", version))
    if not found:
        return version + ".1"
    last = found[-1]
    return version[: last.start()] + str(int(last.group()) + rng.randint(1, 3)) + version[last.end() :]


def realistic_sbom(n: int, pool: list[str], seed: int = 11) -> dict[str, Any]:
    """A device-like CycloneDX document of ``n`` distinct products (see the module docstring)."""
    from medvigil.core.matching.cpe import version_key

    rng = random.Random(seed)
    names: dict[tuple[str, str, str], list[str]] = {}
    for cpe in pool:
        fields = _split(cpe)
        names.setdefault((fields[2], fields[3], fields[4]), []).append(cpe)
    platform = sorted(k for k in names if k[0] in _TYPES)
    apps = sorted(k for k in names if k[0] == "a")
    n_platform = max(1, n // 20)
    picked = rng.sample(platform, n_platform) + rng.sample(apps, n - n_platform)
    cpes = []
    for key in picked:
        choices = names[key]
        if rng.random() < 0.85:
            keyed = [(version_key(_split(c)[5]), c) for c in choices]
            ordered = sorted((k, c) for k, c in keyed if k is not None)
            top = ordered[-1][1] if ordered else choices[-1]
            fields = _split(top)
            fields[5] = _bump(fields[5], rng)
            cpe = ":".join(fields)
        else:
            cpe = rng.choice(choices)
        cpes.append(cpe)
    return _document(cpes, "library")


_SHIM = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
)
"""Runs the CLI from a small process: a child's peak RSS as Linux reports it includes the memory
of the process that spawned it (kept across exec), and this bench process holds ~2 GB by then."""


def _cli(path: Path, keep: Path | None = None, jobs: str = "auto") -> tuple[float, float, float, int]:
    """Wall, CPU (user + sys, of every process), peak RSS (of the largest process) and finding
    count of a fresh ``medvigil scan -f json`` (``jobs``: its ``--jobs``, or ``auto``)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    cli = [str(Path(sys.executable).parent / "medvigil"), "scan", str(path), "-f", "json"]
    if jobs != "auto":
        cli += ["--jobs", jobs]
    out = subprocess.run([sys.executable, "-c", _SHIM, *cli], capture_output=True, check=False)
    wall = time.perf_counter() - t0
    if out.returncode not in (0, 1):
        raise SystemExit(out.stderr.decode())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if keep is not None:
        keep.write_bytes(out.stdout)
    rss = int(out.stderr.decode().strip().splitlines()[-1]) / 1024
    return wall, cpu, rss, len(json.loads(out.stdout)["findings"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--dump", type=Path, help="write the findings of each SBOM to this JSON file")
    parser.add_argument("--repeats", type=int, default=3, help="warm repeats after the first scan")
    parser.add_argument("--no-cli", action="store_true", help="skip the fresh-process CLI run")
    parser.add_argument("--realistic", action="store_true", help="the device-like SBOM (typical case)")
    parser.add_argument("--cli-out", type=Path, help="keep each CLI JSON output in this folder (to compare)")
    parser.add_argument("--jobs", default="1,auto", help="the CLI's --jobs values to run (auto: its default)")
    args = parser.parse_args()
    ensure_store()
    from medvigil.core.sbom.registry import read_sbom
    from medvigil.web.findings.scan import scan_components

    pool = _pool()
    if not args.no_cli:
        compile_project()
    print(f"pool: {len(pool)} distinct CPE names from the NVD yearly feeds {YEARS}")
    build, kind = (realistic_sbom, "realistic") if args.realistic else (cpe_sbom, "CPE")
    tmp = Path(tempfile.mkdtemp(prefix="medvigil-scan-cpe-"))
    print(f"SBOMs in {tmp} (bench_scan_cli.py compares fresh CLI runs of two checkouts on them)")
    dumped: dict[str, Any] = {}
    for n in (int(s) for s in args.sizes.split(",")):
        data = json.dumps(build(n, pool, args.seed)).encode()
        path = tmp / f"bom-{kind.lower()}-{n}.json"
        path.write_bytes(data)
        components = read_sbom(data, source=path.name).components
        times, cpu = [], []
        for _ in range(1 + args.repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            result = scan_components(components)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        dumped[str(n)] = result.findings
        hit = len({f["component"]["bom_ref"] for f in result.findings})
        repeat, repeat_cpu = statistics.median(times[1:] or times), statistics.median(cpu[1:] or cpu)
        print(f"{n:>6} {kind} components: engine {times[0]:.2f} s first scan (CPU {cpu[0]:.2f} s), "
              f"{repeat:.2f} s repeat (median of {args.repeats}; CPU {repeat_cpu:.2f} s), "
              f"{len(result.findings)} findings on {hit} components; "
              f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
        for jobs in [] if args.no_cli else args.jobs.split(","):
            keep = args.cli_out / f"scan-{kind.lower()}-{n}-j{jobs}.json" if args.cli_out else None
            wall, cli_cpu, rss, count = _cli(path, keep, jobs)
            print(f"{n:>6} {kind} components: cli --jobs {jobs}: {wall:.2f} s wall (CPU {cli_cpu:.2f} s), "
                  f"peak RSS {rss:.0f} MB, {count} findings; load {os.getloadavg()[0]:.1f}")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench process peak RSS {peak:.0f} MB")
    from medvigil.core.matching import cpe, cpe_config

    for name, fn in (("parse_cpe", cpe.parse_cpe), ("_prepare_fields", cpe_config._prepare_fields)):
        info = fn.cache_info()
        print(f"{name} cache: {info.hits} hits, {info.misses} misses, {info.currsize} of {info.maxsize}")
    if args.dump:
        args.dump.write_bytes(json.dumps(dumped, sort_keys=True, indent=1).encode())
        print(f"findings written to {args.dump}")


if __name__ == "__main__":
    main()
