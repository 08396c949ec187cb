"""Feed import end to end (parse + set-based store writes + commit), per file and in total.

Run: ``python bench/bench_feed_import.py`` from the repository root with ../shared/data beside
it. Imports the corpus (OSV PyPI + Go, NVD 1.1 yearly 2002/2017/2018/2019/2021/2022, CVE 5
Vulnrichment, KEV, EPSS, the CISA CSAF folders) into a fresh SQLite store in a temporary data
folder, then imports everything again twice: as is (the checksum short-cut: nothing is read)
and with ``force=True`` (every record parsed and compared, none written). With
MEDVIGIL_DATABASE_URL set it runs on that database instead; its intelligence tables must be
empty, or pass ``--wipe`` to empty them (never point this at a store you keep).

Issue 3 targets on the 2-core machine: >= 5,000 CVE records/s end to end for the NVD yearly
feeds (82,264 CVEs), unchanged re-import >= 4x faster than the first import, peak memory < 1 GB.
``--target`` imports only those inputs (NVD yearly + EPSS). The summary prints the load average:
the machine is shared, so compare runs at similar load.

``--cli [N]`` (issue 9 item 5: >= 5,000 CVE/s, moonshot 10,000) instead times
``medvigil feeds import`` of the six NVD yearly feeds into an empty SQLite store as a fresh
process, end to end (start-up, migrations, import, commit), N times (default 3) with the second
process (``MEDVIGIL_IMPORT_WORKERS=1``, the default) and N times without (``=0``), and prints
each run's CVE/s and the best of each. ``--cli-workers 1`` runs only the default.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "data"
NVD_YEARS = (2002, 2017, 2018, 2019, 2021, 2022)
INPUTS = [
    "osv/pypi-pypa-advisory-database.jsonl.gz",
    "osv/go-vulndb.jsonl.gz",
    *(f"nvd/feeds-1.1-yearly/nvdcve-1.1-{y}.jsonl.gz" for y in NVD_YEARS),
    "cve-json5/cisa-vulnrichment.jsonl.gz",
    "kev/known_exploited_vulnerabilities.json",
    "epss/emba-epss-scores-by-cve.csv.gz",
    "csaf/cisa/icsma",
    "csaf/cisa/icsa",
    "csaf/cisa/it-vex",
]
TARGET_SET = {i for i in INPUTS if "nvd/feeds-1.1-yearly" in i or i.startswith("epss/")}


def _setup(wipe: bool) -> str:
    if not os.environ.get("MEDVIGIL_DATABASE_URL"):
        os.environ["MEDVIGIL_DATA_DIR"] = tempfile.mkdtemp(prefix="medvigil-bench-feeds-")
    else:
        os.environ.setdefault("MEDVIGIL_DATA_DIR", tempfile.mkdtemp(prefix="medvigil-bench-feeds-"))
    os.environ["MEDVIGIL_TASKS_URL"] = "sqlite"  # queue (never run) the re-match jobs imports trigger
    from medvigil.cli import _django

    _django.migrate()
    from django.db import connection

    from medvigil.web.advisories.models import AdvisoryRecord, EpssScore, KevEntry, Source

    if AdvisoryRecord.objects.exists() or EpssScore.objects.exists() or KevEntry.objects.exists():
        if not wipe:
            sys.exit("the store already holds intelligence; use an empty database or pass --wipe")
        from medvigil.web.advisories import models as m

        names = ("CpeIndexEntry", "CpeConfiguration", "AffectedPackage", "CsafProductStatus",
                 "AdvisoryRecord",
                 "Alias", "Vulnerability", "KevEntry", "EpssScore", "ImportRun")  # fmt: skip
        for name in names:  # raw deletes: the ORM's cascade collector would load every row
            queryset = getattr(m, name).objects.all()
            queryset._raw_delete(queryset.db)
        Source.objects.all()._raw_delete(connection.alias)
    return f"{connection.vendor} ({connection.settings_dict['NAME']})"


def _records(result: object) -> int:
    counts = result.counts  # type: ignore[attr-defined]
    return int(counts["new"] + counts["updated"] + counts["unchanged"])


def _pass(label: str, inputs: list[str], force: bool = False) -> dict[str, tuple[int, float]]:
    from medvigil.web.advisories.services import feed_import

    out: dict[str, tuple[int, float]] = {}
    print(f"\n-- {label}")
    print(f"{'input':58} {'records':>9} {'seconds':>8} {'records/s':>10}  new/updated/unchanged")
    for rel in inputs:
        start = time.perf_counter()
        result = feed_import(path=DATA / rel, force=force)
        seconds = time.perf_counter() - start
        if result.failed:
            sys.exit(f"{rel}: {result.message}")
        n = _records(result)
        c = result.counts
        rate = f"{n / seconds:10,.0f}" if n else f"{'skipped':>10}"
        print(f"{rel:58} {n:9,} {seconds:8.2f} {rate}  {c['new']}/{c['updated']}/{c['unchanged']}")
        out[rel] = (n, seconds)
    return out


def _total(label: str, rows: dict[str, tuple[int, float]], only: set[str] | None = None) -> float:
    picked = [v for k, v in rows.items() if only is None or k in only]
    records, seconds = sum(r for r, _ in picked), sum(s for _, s in picked)
    rate = f"{records / seconds:,.0f} records/s" if records else "nothing read"
    print(f"{label:58} {records:9,} {seconds:8.2f}  {rate}")
    return seconds


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _cli_run(workers: str) -> tuple[int, float, float]:
    """One ``medvigil feeds import`` of the NVD yearly feeds into a fresh store: (CVEs, wall s, CPU s)."""
    folder = tempfile.mkdtemp(prefix="medvigil-bench-cli-")
    env = {**os.environ, "MEDVIGIL_DATA_DIR": folder, "MEDVIGIL_TASKS_URL": "sqlite",
           "MEDVIGIL_IMPORT_WORKERS": workers, "PYTHONPATH": str(ROOT / "src")}  # fmt: skip
    env.pop("MEDVIGIL_DATABASE_URL", None)
    files = [str(DATA / f"nvd/feeds-1.1-yearly/nvdcve-1.1-{y}.jsonl.gz") for y in NVD_YEARS]
    exe = shutil.which("medvigil") or str(Path(sys.executable).with_name("medvigil"))  # the console script
    command = [exe, "feeds", "import", *files, "--format", "json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(command, env=env, capture_output=True, check=True, text=True).stdout  # noqa: S603
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    shutil.rmtree(folder, ignore_errors=True)
    runs = json.loads(out)["runs"]
    return sum(r["new"] + r["updated"] + r["unchanged"] for r in runs), seconds, cpu


def cli(repeats: int, modes: list[str]) -> None:
    """Time the CLI end to end; print every run and the best per mode."""
    print(f"medvigil feeds import of the NVD yearly feeds, fresh SQLite store; load average {_load()}")
    for workers in modes:
        rates = []
        for i in range(repeats):
            n, seconds, cpu = _cli_run(workers)
            rates.append(n / seconds)
            print(
                f"  MEDVIGIL_IMPORT_WORKERS={workers} run {i + 1}: {n:,} CVEs in {seconds:5.1f} s = "
                f"{n / seconds:6,.0f} CVE/s (CPU, both processes: {cpu:.1f} s, load {_load()})"
            )
        print(f"  best with MEDVIGIL_IMPORT_WORKERS={workers}: {max(rates):,.0f} CVE/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wipe", action="store_true", help="empty the intelligence tables first")
    parser.add_argument("--target", action="store_true", help="import only the NVD yearly feeds and EPSS")
    parser.add_argument("--cli", nargs="?", type=int, const=3, metavar="N", help="time the CLI N times")
    parser.add_argument("--cli-workers", choices=["0", "1"], help="only this MEDVIGIL_IMPORT_WORKERS")
    args = parser.parse_args()
    if args.cli:
        cli(args.cli, [args.cli_workers] if args.cli_workers else ["1", "0"])
        return
    inputs = [i for i in INPUTS if i in TARGET_SET] if args.target else INPUTS
    print(f"store: {_setup(args.wipe)}; load average at start {_load()}")
    first = _pass("first import (fresh store)", inputs)
    again = _pass("re-import of the same files (checksum short-cut)", inputs)
    forced = _pass("forced re-import (every record read and compared; nothing changed)", inputs, force=True)
    nvd = {k for k in inputs if "nvd/feeds-1.1-yearly" in k}
    epss = {k for k in inputs if k.startswith("epss/")}
    print("\n-- totals")
    if not args.target:
        t1 = _total("first import, everything", first)
        t3 = _total("forced re-import, everything", forced)
        print(f"everything: forced re-import {t1 / t3:.1f}x faster than the first import")
    n1 = _total("first import, NVD yearly (CVE records)", first, nvd)
    _total("first import, EPSS", first, epss)
    _total("re-import, skipped by checksum (all inputs)", again)
    n3 = _total("forced re-import, NVD yearly (unchanged)", forced, nvd)
    _total("forced re-import, EPSS (unchanged)", forced, epss)
    print(f"NVD yearly: forced re-import of unchanged data {n1 / n3:.1f}x faster than the first import")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:,.0f} MB; load average at end {_load()}")


if __name__ == "__main__":
    main()
