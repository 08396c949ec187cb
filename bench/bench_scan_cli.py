"""Fresh ``medvigil scan FILE -f json`` processes of two checkouts, alternated: wall, CPU, peak RSS.

Compares this checkout (``--jobs 1`` and its default) with another one's ``src`` (``--base``, e.g.
a ``git worktree`` of the last release), run in turn so that both see the same machine state.
Peak RSS is that of the largest process (worker processes included). The output of every run
is compared with the first variant's by SHA-256, so a difference in findings is reported too.
Both trees are byte-compiled first, as a wheel install is.

Run: ``python bench/bench_scan_cli.py --base ../old/src [--base-venv ../old/.venv] --runs 3 BOM.json ...``
(``--base-venv``: the base's own virtualenv, when its pinned dependencies differ).
(the CPE SBOMs of ``bench_scan_cpe.py`` are in the folder it prints).
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _store import use_store  # noqa: E402

use_store()  # the bench store of bench_scan_cpe.py (MEDVIGIL_DATA_DIR)
_SHIM = (
    "import resource, subprocess, sys; out = open(sys.argv[1], 'wb'); "
    "code = subprocess.run(sys.argv[2:], stdout=out).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
)


def _one(
    src: Path, extra: list[str], bom: Path, out: Path, bin_dir: Path, data: Path | None = None
) -> tuple[float, float, float, str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    if data is not None:
        env["MEDVIGIL_DATA_DIR"] = str(data)
    cli = [str(bin_dir / "medvigil"), "scan", str(bom), "-f", "json", *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _SHIM, str(out), *cli], env=env, capture_output=True, check=False
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr.decode())
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    rss = int(done.stderr.decode().strip().splitlines()[-1]) / 1024
    return wall, cpu, rss, hashlib.sha256(out.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("boms", nargs="+", type=Path)
    parser.add_argument("--base", type=Path, help="the src folder of the checkout to compare with")
    parser.add_argument(
        "--base-venv", type=Path, help="the virtualenv of the base checkout (its own pinned dependencies)"
    )
    parser.add_argument(
        "--base-data-dir", type=Path, help="the store in the base's schema (e.g. before an index changed)"
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    here = Path(sys.executable).parent
    src = REPO / "src"
    variants: dict[str, tuple[Path, list[str], Path, Path | None]] = {
        "this, --jobs 1": (src, ["--jobs", "1"], here, None),
        "this, default": (src, [], here, None),
    }
    if args.base:
        base_bin = args.base_venv.resolve() / "bin" if args.base_venv else here
        variants = {"base": (args.base.resolve(), [], base_bin, args.base_data_dir), **variants}
    for src, _, _, _ in variants.values():
        compileall.compile_dir(str(src / "medvigil"), quiet=2)
    out = Path(tempfile.mkdtemp(prefix="medvigil-scan-cli-")) / "out.json"
    for bom in args.boms:
        rows: dict[str, list[tuple[float, float, float, str]]] = {name: [] for name in variants}
        for _ in range(args.runs):
            for name, (src, extra, bin_dir, data) in variants.items():
                rows[name].append(_one(src, extra, bom, out, bin_dir, data))
        first = next(iter(rows.values()))[0][3]
        for name, found in rows.items():
            walls = [r[0] for r in found]
            cpu = statistics.median(r[1] for r in found)
            rss = max(r[2] for r in found)
            same = all(r[3] == first for r in found)
            print(f"{bom.name}: {name}: wall min {min(walls):.2f} / median {statistics.median(walls):.2f} s, "
                  f"CPU {cpu:.2f} s, peak RSS {rss:.0f} MB, same output: {same}; "
                  f"load {os.getloadavg()[0]:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
