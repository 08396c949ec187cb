"""A large scan split over worker processes, merged into the order one process gives.

``medvigil scan --jobs N``: the CPE index rows of all the components are read once, then the
components are dealt into ``N`` parts of about equal work (the candidate records of their CPEs,
counted from those rows), the components of one ``vendor:product`` in one part, so that no two
workers prepare the same candidate records; each worker screens its own part's rows.
Each part is scanned in a forked process (Django and the components are already loaded there)
against the running-on platforms of the **whole** SBOM
(:func:`~medvigil.web.findings.scan.scan_components` with ``only``), so it finds exactly what the
single run finds for those components. A part writes its findings, already in the single run's
order, to a file as ``(order key, component position, encoded finding, gate fields)``; the parent
merges the parts (``heapq.merge``).

The order is the single run's: the vulnerability's rank (KEV first, then CVSS score, then EPSS,
then id), then the component's name, then its position in the SBOM (the single run sorts stably
over findings in component order). ``tests/web/findings/test_scan_jobs.py`` checks the merged
output is byte-identical to the single run's.
"""

from __future__ import annotations

import heapq
import marshal
import multiprocessing
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medvigil.core.matching.order import vulnerability_rank
from medvigil.core.model import Component as CoreComponent
from medvigil.core.model.vex import VexAssertion

if TYPE_CHECKING:
    from medvigil.web.findings.candidates import CpeRows

__all__ = ["GateFields", "MergedScan", "gate_fields", "gate_view", "jobs_for", "order_key", "scan_split"]

GateFields = tuple[str | None, bool, float | None, bool]
"""What a ``--fail-on*`` rule reads of a finding: severity, KEV, EPSS, platform unverified."""
_OrderKey = tuple[bool, float, float, str, str]
_Encode = Callable[[Mapping[str, Any]], bytes]
_BATCH = 1000
_MIN_CPES = 100
"""By default a scan of fewer stated CPEs stays in one process: the CPE evaluation is what splits
well; a package (purl) scan is mostly the preparation of its candidate rows, which each worker
would repeat (a 10,000-purl SBOM was no faster in two processes)."""


@dataclass(frozen=True, slots=True)
class MergedScan:
    """The merged findings of a split scan, read once, in the single run's order."""

    findings: int
    """How many findings the parts found."""
    suppressed: int
    """Findings left out (not affected per VEX, withdrawn upstream)."""
    components: int
    """Components scanned."""
    items: Iterator[tuple[bytes, GateFields]]
    """Each finding encoded (by the caller's ``encode``) with its gate fields."""
    unscreened: int = 0
    """Candidate CPE index rows without a stored screen yet (read and decoded: slower)."""


def order_key(finding: Mapping[str, Any]) -> _OrderKey:
    """A contract finding's place in a scan's output (as :func:`~medvigil.web.findings.scan.
    scan_components` sorts): most severe vulnerability first, then the component's name."""
    v = finding["vulnerability"]
    cvss = v["cvss"]
    rank = vulnerability_rank(v["kev"], None if cvss is None else cvss["score"], v["epss"], v["id"])
    return (*rank, finding["component"]["name"])


def gate_fields(finding: Mapping[str, Any]) -> GateFields:
    """The fields of a finding a ``--fail-on*`` rule reads."""
    v = finding["vulnerability"]
    return (v["severity"], bool(v["kev"]), v["epss"], bool(finding["match"]["platform_unverified"]))


def gate_view(fields: GateFields) -> dict[str, Any]:
    """A finding's gate fields in contract shape, for :func:`~medvigil.core.matching.report.trips`."""
    severity, kev, epss, unverified = fields
    return {
        "vulnerability": {"severity": severity, "kev": kev, "epss": epss},
        "match": {"platform_unverified": unverified},
    }


def _weight(component: CoreComponent) -> int:
    """A component's work before anything is counted: one CPE is worth ~20 package look-ups."""
    return 1 + 20 * len(component.cpes)


def _work(components: Sequence[CoreComponent], rows: CpeRows, infer: bool) -> list[int]:
    """Each component's work: one, plus the candidate records of its CPEs' ``vendor:product``
    (``rows``: :func:`~medvigil.web.findings.candidates.cpe_rows`, read once for the scan); the
    worst-case SBOM's products range from none to thousands."""
    from medvigil.web.findings.candidates import own_cpes

    counts: dict[str, int] = {}
    for screens in rows.values():
        for pair in screens:
            counts[pair] = counts.get(pair, 0) + 1
    out = []
    for component in components:
        pairs = {cpe.vendor_product for cpe in own_cpes(component, infer)}
        out.append(1 + sum(counts.get(pair, 0) for pair in pairs))
    return out


def jobs_for(components: Sequence[CoreComponent], requested: int | None) -> int:
    """Worker processes for a scan of ``components``: ``requested``, or by default the cores this
    process may run on (at most 4; 1 for a scan of few CPEs, see :data:`_MIN_CPES`). Always 1 when the
    workers could not see this process's data: inside a transaction (uncommitted rows, e.g. a
    test) or on an in-memory SQLite database."""
    from django.db import connection

    in_memory = getattr(connection, "is_in_memory_db", None)  # SQLite's wrapper only
    if connection.in_atomic_block or (in_memory is not None and in_memory()):
        return 1
    if requested is not None:
        return max(1, min(requested, len(components)))
    if sum(len(c.cpes) for c in components) < _MIN_CPES:
        return 1
    return max(1, min(4, len(os.sched_getaffinity(0)), len(components)))


def _product(component: CoreComponent) -> str:
    """The ``vendor:product`` of a component's first CPE (the name without one): what decides
    its candidate records. A rough key is enough: it only places components, never matches."""
    if component.cpes:
        fields = component.cpes[0].lower().replace("cpe:/", "cpe:2.3:", 1).split(":")
        return ":".join(fields[3:5])
    return component.name.lower()


def _parts(
    components: Sequence[CoreComponent], jobs: int, work: Sequence[int] | None = None
) -> list[list[int]]:
    """At most ``jobs`` parts (ascending positions, none empty) of about equal ``work`` (default:
    :func:`_weight`): each product's components together, the heaviest first to the lightest part."""
    weights = list(work) if work is not None else [_weight(c) for c in components]
    groups: dict[str, list[int]] = {}
    for pos, component in enumerate(components):
        groups.setdefault(_product(component), []).append(pos)
    weighted = sorted(
        ((sum(weights[p] for p in poss), poss) for poss in groups.values()),
        key=lambda item: (-item[0], item[1][0]),
    )
    loads = [(0, n) for n in range(jobs)]  # (weight so far, part number): a heap
    parts: list[list[int]] = [[] for _ in range(jobs)]
    for weight, poss in weighted:
        load, n = heapq.heappop(loads)
        parts[n].extend(poss)
        heapq.heappush(loads, (load + weight, n))
    return [sorted(part) for part in parts if part]


_WORK: tuple[Sequence[CoreComponent], bool, Sequence[VexAssertion], _Encode, CpeRows] | None = None
"""The scan a forked worker runs a part of (set before the workers fork: nothing is pickled)."""


def _run_part(only: list[int], path: str) -> tuple[int, int]:
    """Scan one part in a worker; write its findings to ``path`` in batches; (count, suppressed)."""
    from medvigil.web.findings.scan import scan_components

    assert _WORK is not None
    components, infer, vex, encode, rows = _WORK
    result = scan_components(components, infer_cpes=infer, vex=vex, lazy=True, only=only, preloaded=rows)
    with open(path, "wb") as fh:
        batch: list[tuple[_OrderKey, int, bytes, GateFields]] = []
        for finding, pos in zip(result.findings, result.positions, strict=True):
            batch.append((order_key(finding), pos, encode(finding), gate_fields(finding)))
            if len(batch) >= _BATCH:
                marshal.dump(batch, fh)
                batch = []
        if batch:
            marshal.dump(batch, fh)
    return len(result.findings), result.suppressed


def _read_part(path: Path) -> Iterator[tuple[_OrderKey, int, bytes, GateFields]]:
    with path.open("rb") as fh:
        while True:
            try:
                batch = marshal.load(fh)  # noqa: S302 - a file this scan's own worker wrote
            except EOFError:
                return
            yield from batch


@contextmanager
def scan_split(
    components: Sequence[CoreComponent],
    *,
    jobs: int,
    encode: _Encode,
    infer_cpes: bool = True,
    vex: Sequence[VexAssertion] = (),
) -> Iterator[MergedScan]:
    """Scan ``components`` in ``jobs`` forked worker processes; the merged findings, each passed
    through ``encode`` in its worker, in the order one process gives (read them inside the
    ``with``: the parts live in a temporary folder until it ends)."""
    global _WORK
    from django.db import connections

    from medvigil.web.findings.candidates import cpe_rows, unscreened

    rows = cpe_rows(components, infer=infer_cpes)  # read once here, inherited by the workers
    parts = _parts(components, jobs, _work(components, rows, infer_cpes))
    connections.close_all()  # each worker opens its own connection; none is shared across fork
    for stream in (sys.stdout, sys.stderr):  # a worker flushes what it inherited when it exits
        stream.flush()
    _WORK = (components, infer_cpes, vex, encode, rows)
    try:
        with tempfile.TemporaryDirectory(prefix="medvigil-scan-") as tmp:
            paths = [Path(tmp) / f"part-{n}" for n in range(len(parts))]
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=len(parts), mp_context=context) as pool:
                futures = [
                    pool.submit(_run_part, part, str(path)) for part, path in zip(parts, paths, strict=True)
                ]
                counts = [f.result() for f in futures]
            merged = heapq.merge(*(_read_part(p) for p in paths), key=lambda item: (item[0], item[1]))
            yield MergedScan(
                findings=sum(n for n, _ in counts),
                suppressed=sum(s for _, s in counts),
                components=len(components),
                items=((data, gate) for _, _, data, gate in merged),
                unscreened=unscreened(rows),
            )
    finally:
        _WORK = None
