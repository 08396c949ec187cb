"""``medvigil audit verify`` over 1,000,000 events: events/s and peak RSS of the verifying process.

Builds (once, cached in ``/tmp/medvigil-bench-audit``) a SQLite database whose chain has
``--events`` events, generated directly (hashes computed by the same core function, rows written
with ``bulk_create`` in batches), then verifies it in a fresh process so the peak RSS is that of
verification alone. Set ``MEDVIGIL_DATABASE_URL`` to run against PostgreSQL instead.

Run: ``python bench/bench_audit_verify.py [--events 1000000] [--chunk 20000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

DATA = Path("/tmp/medvigil-bench-audit")


def _setup() -> None:
    os.environ.setdefault("MEDVIGIL_DATA_DIR", str(DATA))
    os.environ.setdefault("MEDVIGIL_TASKS_URL", "immediate")
    from medvigil.cli import _django

    _django.migrate()


def _build(n: int) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from medvigil.core.audit.chain import GENESIS, event_hash
    from medvigil.web.audit.models import AuditEvent
    from medvigil.web.inventory.models import Product

    have = AuditEvent.objects.count()
    if have >= n:
        return
    AuditEvent.objects.all()._raw_delete(AuditEvent.objects.db)  # type: ignore[attr-defined]
    ct = ContentType.objects.get_for_model(Product)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    prev = GENESIS
    t0 = time.perf_counter()
    batch: list[AuditEvent] = []
    for seq in range(1, n + 1):
        fields = {
            "seq": seq,
            "prev_hash": prev,
            "timestamp": start + dt.timedelta(seconds=seq, microseconds=seq % 997),
            "actor": f"user{seq % 7}",
            "action": seq % 3,
            "verb": ("create", "update", "delete")[seq % 3],
            "object_type": "inventory.product",
            "object_pk": str(seq % 5000),
            "object_repr": f"Infusion pump {seq % 5000}",
            "changes": {
                "name": [f"Pump {seq - 1}", f"Pump {seq}"],
                "interfaces": ["['wifi']", "['wifi', 'usb']"],
            },
            "reason": "bench" if seq % 10 == 0 else "",
            "remote_addr": "10.0.0.1" if seq % 2 else None,
            "additional_data": None,
        }
        digest = event_hash(fields)
        batch.append(
            AuditEvent(
                content_type=ct,
                object_pk=fields["object_pk"],
                object_repr=fields["object_repr"],
                action=fields["action"],
                verb=fields["verb"],
                object_type=fields["object_type"],
                actor_label=fields["actor"],
                changes=fields["changes"],
                reason=fields["reason"],
                remote_addr=fields["remote_addr"],
                timestamp=fields["timestamp"],
                seq=seq,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
        if len(batch) == 10_000:
            with transaction.atomic():
                AuditEvent.objects.bulk_create(batch)
            batch = []
    if batch:
        AuditEvent.objects.bulk_create(batch)
    print(f"generated {n:,} events in {time.perf_counter() - t0:.1f} s")


def _verify(chunk: int) -> None:
    from django.db import connection

    from medvigil.web.audit.selectors import chain_verify

    t0 = time.perf_counter()
    report = chain_verify(chunk=chunk)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database: {connection.vendor}; chunk {chunk:,}")
    print(f"verified {report.checked:,} events ok={report.ok} in {seconds:.1f} s")
    print(f"  {report.checked / seconds:,.0f} events/s")
    print(f"  peak RSS {peak:.0f} MB (verifying process)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--verify-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    _setup()
    if args.verify_only:
        _verify(args.chunk)
        return
    _build(args.events)
    subprocess.run([sys.executable, __file__, "--verify-only", "--chunk", str(args.chunk)], check=True)


if __name__ == "__main__":
    main()
