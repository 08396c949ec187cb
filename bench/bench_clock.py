"""The portfolio clock page with 10,000 open cases (target: < 200 ms a request).

Builds (once, cached in ``/tmp/medvigil-bench-clock``) a database with one product, 10,000
vulnerabilities and 10,000 open cases, each with its remediation record (due dates spread over
+-90 days, clock states as they fall) and 2,000 closed ones, then requests through Django's test
client, logged in as a viewer: the clock page (first, a middle and the last page, filtered by
state), the dashboard's "at risk this week" and the ``/api/clock`` endpoint. Each request runs
once to warm up, then ``--runs`` times; the table gives the median, p95 and SQL queries.

Run: ``python bench/bench_clock.py [--runs 15] [--cases 10000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import time
from pathlib import Path

DATA = Path("/tmp/medvigil-bench-clock")


def _build(cases: int) -> None:
    from django.utils import timezone

    from medvigil.web.accounts.services import user_create
    from medvigil.web.advisories.models import Vulnerability
    from medvigil.web.inventory.models import Product
    from medvigil.web.remediation.models import CaseFile
    from medvigil.web.risk.models import Case

    if Case.objects.count() >= cases:
        return
    today = timezone.localdate()
    product = Product.objects.create(slug="bench-pump", name="Bench Pump")
    total = cases + cases // 5
    Vulnerability.objects.bulk_create(
        [Vulnerability(key=f"CVE-2026-{i:06d}", summary="bench") for i in range(total)], batch_size=2000
    )
    vulns = list(Vulnerability.objects.order_by("id").values_list("id", flat=True))
    Case.objects.bulk_create(
        [Case(product=product, vulnerability_id=v, day0=today - dt.timedelta(days=i % 90),
              state="closed" if i >= cases else ("remediation" if i % 3 else "assessed"))
         for i, v in enumerate(vulns)],
        batch_size=2000,
    )  # fmt: skip
    rows = []
    for i, (pk, state) in enumerate(Case.objects.order_by("id").values_list("id", "state")):
        due = today + dt.timedelta(days=(i * 37) % 181 - 90)
        clock = "overdue" if due < today else "due_soon" if (due - today).days <= 7 else "pending"
        milestone = "communication" if i % 2 else "fix"
        rows.append(
            CaseFile(
                case_id=pk, open=state != "closed", next_due=due, next_milestone=milestone, clock_state=clock
            )
        )
    CaseFile.objects.bulk_create(rows, batch_size=2000)
    user_create(username="bench-viewer", password=secrets.token_urlsafe(16), role="viewer")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    os.environ["MEDVIGIL_DATA_DIR"] = str(DATA)
    os.environ.setdefault("MEDVIGIL_TASKS_URL", "immediate")
    os.environ.setdefault("MEDVIGIL_ALLOWED_HOSTS", "testserver")
    from medvigil.cli import _django

    _django.migrate()
    _build(args.cases)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from medvigil.web.accounts.services import token_create

    viewer = get_user_model().objects.get(username="bench-viewer")
    client = Client()
    client.force_login(viewer)
    token = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=viewer, name=f'b{time.time_ns()}')}"}
    last = (args.cases // 100) * 100 - 100
    requests = [
        ("clock page 1", "/clock/"),
        ("clock page 50 (offset 4900)", "/clock/?offset=4900"),
        (f"clock last page (offset {last})", f"/clock/?offset={last}"),
        ("clock state=overdue", "/clock/?state=overdue"),
        ("clock state=due_soon", "/clock/?state=due_soon"),
        ("dashboard (at risk this week)", "/dashboard/"),
        ("api /api/clock?limit=100", "/api/clock?limit=100"),
        ("api /api/clock offset 9000", "/api/clock?limit=100&offset=9000"),
    ]
    print(f"{'request':38} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, path in requests:
        extra = token if path.startswith("/api/") else {}
        assert client.get(path, **extra).status_code == 200, path
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            client.get(path, **extra)
            times.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as q:
            client.get(path, **extra)
        p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
        print(f"{label:38} {statistics.median(times):10.1f} {p95:8.1f} {len(q.captured_queries):8d}")


if __name__ == "__main__":
    main()
