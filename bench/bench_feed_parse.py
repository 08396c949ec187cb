"""Feed parser throughput: records/s and MB/s (uncompressed input) per source.

Run: ``python bench/bench_feed_parse.py [--repeat N]`` from the repository root with
../shared/data beside it. Parsing only (no store); the best of N runs is reported.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from medvigil.core.feeds.cve5 import Cve5Feed  # noqa: E402
from medvigil.core.feeds.epss import EpssFeed  # noqa: E402
from medvigil.core.feeds.interface import FeedParser, RecordError  # noqa: E402
from medvigil.core.feeds.nvd import NvdFeed  # noqa: E402
from medvigil.core.feeds.osv import OsvFeed  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
PYPI = "pypi-pypa-advisory-database.jsonl.gz"
MODIFIED = "nvdcve-1.1-modified_2020-11-12.json.gz"

CASES: list[tuple[str, Callable[[], FeedParser], tuple[str, ...]]] = [
    ("OSV PyPI (schema-validated)", OsvFeed, ("osv", PYPI)),
    (
        "OSV PyPI (no validation)",
        lambda: OsvFeed(validate=False),
        ("osv", "pypi-pypa-advisory-database.jsonl.gz"),
    ),
    ("OSV Go (schema-validated)", OsvFeed, ("osv", "go-vulndb.jsonl.gz")),
    ("OSV Go (no validation)", lambda: OsvFeed(validate=False), ("osv", "go-vulndb.jsonl.gz")),
    ("NVD 1.1 2019 yearly", NvdFeed, ("nvd", "feeds-1.1-yearly", "nvdcve-1.1-2019.jsonl.gz")),
    (
        "NVD 1.1 modified 2020-11-12 (whole file)",
        NvdFeed,
        ("nvd", "feeds-1.1-modified-recent", "nvdcve-1.1-modified_2020-11-12.json.gz"),
    ),
    ("CVE 5 Vulnrichment", Cve5Feed, ("cve-json5", "cisa-vulnrichment.jsonl.gz")),
    ("EPSS (360k rows)", EpssFeed, ("epss", "emba-epss-scores-by-cve.csv.gz")),
]


def _size(path: Path) -> int:
    if path.name.endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            return sum(len(chunk) for chunk in iter(lambda: fh.read(1 << 20), b""))
    return path.stat().st_size


def _run(parser: FeedParser, path: Path) -> tuple[int, int, float]:
    start = time.perf_counter()
    records = errors = 0
    for item in parser.parse(path):
        if isinstance(item, RecordError):
            errors += 1
        else:
            records += 1
    return records, errors, time.perf_counter() - start


def main() -> None:
    """Print one table row per case."""
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--repeat", type=int, default=3)
    repeat = args.parse_args().repeat
    print(f"{'case':44} {'records':>8} {'errors':>6} {'seconds':>8} {'records/s':>10} {'MB/s':>7}")
    for label, make, parts in CASES:
        path = DATA.joinpath(*parts)
        megabytes = _size(path) / 1e6
        best = min((_run(make(), path) for _ in range(repeat)), key=lambda r: r[2])
        records, errors, seconds = best
        rates = f"{records / seconds:10.0f} {megabytes / seconds:7.1f}"
        print(f"{label:44} {records:8d} {errors:6d} {seconds:8.2f} {rates}")


if __name__ == "__main__":
    main()
