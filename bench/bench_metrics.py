"""Program metrics over the benchmark portfolio (target: < 300 ms a request).

Starts from the matched 200-version portfolio of ``_portfolio.py`` (~111k findings, ~10k cases
synced), copied to ``/tmp/medvigil-bench-metrics`` because the remediation side is filled in:
day 0 spread over a year, a confirmed assessment for four cases in five (one in three
uncontrolled), the clock facts the remediation service derives (first complete communication,
validated fix) on most of them, a third of the cases closed, an installed base for every version
and twelve monthly installed-base snapshots per version. All of it with bulk writes, once.

Then, through Django's test client logged in as a viewer (the whole stack): the metrics page,
``GET /api/metrics`` (portfolio, one product, weekly buckets), a CSV export and the dashboard
(with its metrics panel). Each request runs once to warm up, then ``--runs`` times; the table
gives the median, the 95th percentile, the median CPU time of this process per request and the
SQL queries of one request.

Run: ``python bench/bench_metrics.py [--runs 9]``. ``--postgres URL`` (a database of its own,
e.g. ``postgres://postgres@127.0.0.1:5432/bench_metrics``) copies the filled-in data to
PostgreSQL first and measures there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _portfolio  # noqa: E402

DATA = Path(os.environ.get("MEDVIGIL_BENCH_METRICS", "/tmp/medvigil-bench-metrics"))
_FILLED = "metrics.done"
TODAY = dt.datetime.now(dt.UTC).date()


def _prepare() -> None:
    """Copy the portfolio (built first if needed) and point Django at the copy."""
    if not (DATA / _FILLED).exists():
        if not (_portfolio.PORTFOLIO / _portfolio._DONE).exists():  # build it in processes of its own
            build = "import _portfolio; _portfolio.use_portfolio(); _portfolio.ensure_portfolio()"
            for _ in range(2):  # the first run may only build the store
                subprocess.run([sys.executable, "-c", build], cwd=Path(__file__).parent, check=False)
        shutil.rmtree(DATA, ignore_errors=True)
        shutil.copytree(_portfolio.PORTFOLIO, DATA)
        (DATA / _portfolio._DONE).unlink(missing_ok=True)
    os.environ["MEDVIGIL_DATA_DIR"] = str(DATA)
    os.environ.setdefault("MEDVIGIL_TASKS_URL", "immediate")
    os.environ.setdefault("MEDVIGIL_ALLOWED_HOSTS", "testserver")


def _fill_cases(rng: random.Random) -> None:
    from django.utils import timezone

    from medvigil.web.remediation.models import CaseAction, CaseFile
    from medvigil.web.risk.models import Assessment, Case

    cases = list(Case.objects.order_by("id").only("id", "current_assessment_id"))
    confirmed, closed = [], []
    for i, case in enumerate(cases):
        case.day0 = TODAY - dt.timedelta(days=rng.randrange(365))
        if i % 3 == 0:
            case.state, case.closed_at = "closed", timezone.now() - dt.timedelta(days=rng.randrange(60))
            closed.append(case)
        if i % 5:
            confirmed.append(case)
    Case.objects.bulk_update(cases, ["day0", "state", "closed_at"], batch_size=2000)
    ids = {c.pk: c for c in cases}
    assessments = list(Assessment.objects.filter(case_id__in=[c.pk for c in confirmed]))
    for a in assessments:
        a.status, a.controlled = "confirmed", a.case_id % 3 != 0
    Assessment.objects.bulk_update(assessments, ["status", "controlled"], batch_size=2000)
    first: dict[int, dt.date] = {}  # the column assessment_confirm sets beside the first confirmed one
    for a in assessments:
        day = a.created_at.astimezone(dt.UTC).date()
        first[a.case_id] = min(first.get(a.case_id, day), day)
    for pk, day in first.items():
        ids[pk].first_confirmed = day
    Case.objects.bulk_update([ids[pk] for pk in first], ["first_confirmed"], batch_size=2000)
    files = list(CaseFile.objects.filter(case_id__in=[c.pk for c in confirmed]).select_related("case"))
    actions = []
    for f in files:
        day0 = ids[f.case_id].day0
        facts = {"day0": day0.isoformat(), "risk_status": "controlled" if f.case_id % 3 else "uncontrolled"}
        if rng.random() < 0.8:
            facts["communication_sent"] = (day0 + dt.timedelta(days=rng.randrange(45))).isoformat()
        if rng.random() < 0.7:
            fixed = min(TODAY, day0 + dt.timedelta(days=rng.randrange(120)))
            facts["fix_distributed"] = fixed.isoformat()
            data = {"target_version": f"{rng.randrange(5, 10)}.0", "distributed": True}
            actions.append(
                CaseAction(case_id=f.case_id, kind="fix_release", on=fixed, summary="fix", data=data)
            )
        f.determination = {**f.determination, "facts": facts}
        f.risk_status = facts["risk_status"]  # the columns remediation.services writes beside it
        f.communication_sent = _date(facts.get("communication_sent"))
        f.fix_distributed = _date(facts.get("fix_distributed"))
    fields = ["determination", "risk_status", "communication_sent", "fix_distributed"]
    CaseFile.objects.bulk_update(files, fields, batch_size=2000)
    CaseAction.objects.bulk_create(actions, batch_size=2000)
    print(
        f"filled: {len(cases)} cases, {len(assessments)} confirmed, {len(closed)} closed, "
        f"{len(actions)} fixes"
    )


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _fill_installed_base(rng: random.Random) -> None:
    from medvigil.web.inventory.models import InstalledBase, ProductVersion

    versions = list(ProductVersion.objects.all())
    rows = []
    for pv in versions:
        major = int(pv.version.split(".")[0])
        pv.release_date = TODAY - dt.timedelta(days=40 * (10 - major))
        pv.installed_base = rng.randrange(50, 5000)
        for month in range(12):  # later versions gain units month by month
            as_of = (TODAY.replace(day=1) - dt.timedelta(days=30 * month)).replace(day=1)
            units = max(0, rng.randrange(0, 500) + (major - 5) * (12 - month) * 60)
            rows.append(InstalledBase(product_version=pv, as_of=as_of, units=units))
    ProductVersion.objects.bulk_update(versions, ["installed_base", "release_date"], batch_size=1000)
    InstalledBase.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    print(f"filled: {len(versions)} versions, {len(rows)} installed-base snapshots")


def _fill() -> None:
    from medvigil.cli import _django

    _django.migrate()
    if (DATA / _FILLED).exists():
        return
    from medvigil.web.accounts.services import user_create

    rng = random.Random(13)
    _fill_cases(rng)
    _fill_installed_base(rng)
    from django.contrib.auth import get_user_model

    if not get_user_model().objects.filter(username="bench-metrics-viewer").exists():
        user_create(username="bench-metrics-viewer", password=secrets.token_urlsafe(16), role="viewer")
    (DATA / _FILLED).write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))


def _measure(runs: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from medvigil.web.accounts.services import token_create
    from medvigil.web.findings.models import Finding
    from medvigil.web.inventory.models import Product
    from medvigil.web.risk.models import Case

    print(
        f"data: {Finding.objects.count()} findings, {Case.objects.count()} cases, engine {connection.vendor}"
    )
    viewer = get_user_model().objects.get(username="bench-metrics-viewer")
    client = Client()
    client.force_login(viewer)
    token = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=viewer, name=f'b{time.time_ns()}')}"}
    slug = Product.objects.order_by("id").values_list("slug", flat=True).first()
    requests = [
        ("page /metrics/ (portfolio, 12 months)", "/metrics/"),
        ("page /metrics/ one product", f"/metrics/?product={slug}"),
        ("api /api/metrics (portfolio)", "/api/metrics"),
        ("api /api/metrics one product", f"/api/metrics?product={slug}"),
        ("api /api/metrics 26 weeks", "/api/metrics?granularity=week&periods=26"),
        ("csv /metrics/trend.csv", "/metrics/trend.csv"),
        ("dashboard (with metrics panel)", "/dashboard/"),
    ]
    print(f"{'request':40} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8} {'queries':>8}")
    for label, path in requests:
        extra = token if path.startswith("/api/") else {}
        assert client.get(path, **extra).status_code == 200, path
        times, cpus = [], []
        for _ in range(runs):
            start, cpu = time.perf_counter(), time.process_time()
            client.get(path, **extra)
            times.append((time.perf_counter() - start) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        with CaptureQueriesContext(connection) as q:
            client.get(path, **extra)
        cpu_ms = statistics.median(cpus)
        p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
        print(
            f"{label:40} {statistics.median(times):10.1f} {p95:8.1f} {cpu_ms:8.1f} "
            f"{len(q.captured_queries):8d}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--postgres", default="", help="measure on this PostgreSQL database (copied first)")
    args = parser.parse_args()
    _prepare()
    if args.postgres:
        # fill the SQLite copy first (own process), then copy it to PostgreSQL in this one
        subprocess.run([sys.executable, __file__, "--runs", "0"], check=True)
        _portfolio.PORTFOLIO = DATA
        os.environ["MEDVIGIL_DATABASE_URL"] = args.postgres
        _portfolio.copy_to_postgres(args.postgres)
    else:
        _fill()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.runs:
        _measure(args.runs)


if __name__ == "__main__":
    main()
