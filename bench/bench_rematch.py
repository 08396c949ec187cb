"""Re-match a 200-version portfolio after importing a modified-feed file (target: under 5 s).

Works on a copy of the store that ``bench_scan.py`` builds. The portfolio is 20 products x 10
versions of 100 real PyPI/Go components each (versions of a product share most components, as
real releases do). Then two updates are imported and the re-match after each is timed on its own
(the post-import hook is disconnected so import and re-match are measured apart):

* the NVD 1.1 modified feed of 2021-02-15 (975 records, held back from the store);
* a modified OSV file: every PyPI record touching the portfolio, with ``modified`` bumped and every
  ``fixed`` event moved to ``0.0.1`` (a worst case: most findings change state).

The risk app's case sync after imports is disconnected too (it is not part of matching).
"""

from __future__ import annotations

import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import SHARED  # noqa: E402
from _portfolio import portfolio_create  # noqa: E402
from _store import HELD_BACK, STORE, ensure_store, use_store  # noqa: E402

use_store(copy_to=Path(tempfile.mkdtemp(prefix="medvigil-rematch-")))


def _modified_osv(names: set[str], path: Path) -> int:
    count = 0
    with gzip.open(SHARED / "osv/pypi-pypa-advisory-database.jsonl.gz", "rt") as src, path.open("w") as out:
        for line in src:
            rec = json.loads(line)
            if not any(a["package"]["name"].lower() in names for a in rec.get("affected", [])):
                continue
            for aff in rec["affected"]:
                aff.pop("versions", None)
                for rng in aff.get("ranges", []):
                    for event in rng["events"]:
                        if "fixed" in event:
                            event["fixed"] = "0.0.1"
            rec["modified"] = "2099-01-01T00:00:00Z"
            out.write(json.dumps(rec) + "\n")
            count += 1
    return count


def _timed_rematch(label: str, path: Path, source: str | None = None) -> None:
    from medvigil.web.advisories.services import feed_import
    from medvigil.web.findings import tasks

    t0 = time.perf_counter()
    result = feed_import(path=path, source=source, force=True)
    imported = time.perf_counter() - t0
    t0 = time.perf_counter()
    counts = tasks.rematch_run_task.call_local(result.run.pk)
    took = time.perf_counter() - t0
    print(f"{label}: import {imported:.2f} s ({result.counts}); re-match {took:.2f} s {counts}")


def main() -> None:
    from medvigil.cli import _django

    if not (STORE / "medvigil.sqlite3").exists():
        ensure_store()
    _django.setup()
    from django.db.models import Count
    from django.db.models.signals import post_save

    from medvigil.web.advisories.models import ImportRun
    from medvigil.web.findings import services
    from medvigil.web.findings.models import Finding
    from medvigil.web.inventory.models import SbomDocument

    post_save.disconnect(sender=SbomDocument, dispatch_uid="findings-sbom-import")  # match once, below
    # The risk app syncs cases after imports; it is measured by its own benchmark, not here.
    post_save.disconnect(sender=SbomDocument, dispatch_uid="risk-cases-after-sbom-import")
    post_save.disconnect(sender=ImportRun, dispatch_uid="risk-cases-after-feed-import")
    t0 = time.perf_counter()
    versions = portfolio_create()
    print(f"portfolio: {len(versions)} versions imported in {time.perf_counter() - t0:.1f} s")
    for label in ("first full match", "full re-match, nothing changed"):
        t0 = time.perf_counter()
        full = services.rematch_all()
        took = time.perf_counter() - t0
        size = f"{full.versions} versions ({full.components} components)"
        print(f"{label} of {size}: {took:.2f} s, {full.counts()}")
    post_save.disconnect(sender=ImportRun, dispatch_uid="findings-feed-import")
    _timed_rematch("NVD modified 2021-02-15", SHARED / HELD_BACK)
    names = {c.name.lower() for pv in versions for c in pv.components.all() if c.purl.startswith("pkg:pypi")}
    modified = Path(tempfile.mkdtemp()) / "osv-modified.jsonl"
    print(f"modified OSV file: {_modified_osv(names, modified)} PyPI records touching the portfolio")
    _timed_rematch("OSV modified", modified, source="osv")
    states = dict(Finding.objects.values_list("state").annotate(n=Count("id")))
    print(f"finding states after: {states}")


if __name__ == "__main__":
    main()
