"""List pages and API lists at portfolio scale (target: every request under 200 ms).

Works on the matched 200-version portfolio of ``_portfolio.py`` (20 products x 10 versions x 100
real PyPI/Go components, ~111k findings, cases synced), a copy of the store cached in
``/tmp/medvigil-bench-portfolio`` (the first run builds it: ~2 min on top of the store).

Each request goes through Django's test client, the whole stack (middleware, view or API
endpoint, template or JSON): pages logged in as a viewer, the REST API with a viewer's bearer
token. Every request runs once to warm up, then ``--runs`` times; the table gives the median, the
95th percentile and the SQL queries of one request (``CaptureQueriesContext``).

Run: ``python bench/bench_api_lists.py [--runs 9] [--only findings]``. With ``--postgres URL`` (a
database of its own, e.g. ``postgres://postgres@127.0.0.1:5432/bench_lists``) the same requests run
on PostgreSQL; ``--load`` (re)creates that database from the SQLite portfolio first, ``--drop``
drops it at the end.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _portfolio import copy_to_postgres, drop_postgres, ensure_portfolio, use_portfolio  # noqa: E402

use_portfolio()


def _requests(slug: str, version: str) -> list[tuple[str, str]]:
    """(label, path) pairs; paths starting with /api/ are sent with the bearer token."""
    combo = f"product={slug}&severity=high&epss_min=0.01&sort=epss"
    pages = [
        ("findings page 1 (sort severity)", "/findings/"),
        ("findings page 200", "/findings/?page=200"),
        ("findings sort epss", "/findings/?sort=epss"),
        ("findings sort kev", "/findings/?sort=kev"),
        ("findings product", f"/findings/?product={slug}"),
        ("findings severity=critical", "/findings/?severity=critical"),
        ("findings kev", "/findings/?kev=1"),
        ("findings epss>=0.5", "/findings/?epss_min=0.5"),
        ("findings method=cpe", "/findings/?method=cpe"),
        ("findings state=all", "/findings/?state=all"),
        ("findings combination", f"/findings/?{combo}"),
        ("version page (findings)", f"/products/{slug}/versions/{version}/"),
        ("vulnerabilities page 1", "/vulnerabilities/"),
        ("vulnerabilities page 200", "/vulnerabilities/?page=200"),
        ("vulnerabilities search", "/vulnerabilities/?q=django"),
        ("cases", "/risk/cases/"),
        ("risk portfolio", "/risk/"),
        ("products", "/"),
        ("feeds", "/feeds/"),
    ]
    api = [
        ("findings first 50", "/api/findings?limit=50"),
        ("findings offset 9,950", "/api/findings?limit=50&offset=9950"),
        ("findings sort epss", "/api/findings?sort=epss&limit=50"),
        ("findings sort kev", "/api/findings?sort=kev&limit=50"),
        ("findings product", f"/api/findings?product={slug}&limit=50"),
        ("findings severity=critical", "/api/findings?severity=critical&limit=50"),
        ("findings kev", "/api/findings?kev=true&limit=50"),
        ("findings epss>=0.5", "/api/findings?epss_min=0.5&limit=50"),
        ("findings method=cpe", "/api/findings?method=cpe&limit=50"),
        ("findings state=all", "/api/findings?state=all&limit=50"),
        ("findings combination", f"/api/findings?{combo}&limit=50"),
        ("version findings", f"/api/products/{slug}/versions/{version}/findings?limit=50"),
        ("vulnerabilities", "/api/vulnerabilities?limit=50"),
        ("vulnerabilities search", "/api/vulnerabilities?q=django&limit=50"),
        ("cases first 50", "/api/cases?limit=50"),
        ("cases, all (unpaginated)", "/api/cases"),
        ("products", "/api/products"),
        ("feeds sources", "/api/feeds/sources"),
        ("feeds runs", "/api/feeds/runs"),
    ]
    return [(f"page: {label}", p) for label, p in pages] + [(f"API: {label}", p) for label, p in api]


def _clients() -> tuple[Any, Any]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from medvigil.web.accounts.models import ApiToken
    from medvigil.web.accounts.services import token_create, user_create

    user = get_user_model().objects.filter(username="bench-viewer").first()
    if user is None:
        user = user_create(username="bench-viewer", password=secrets.token_urlsafe(), role="viewer")
    ApiToken.objects.filter(user=user).delete()
    token = token_create(user=user, name="bench")
    page = Client()
    page.force_login(user)
    return page, Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _p95(times: list[float]) -> float:
    if len(times) < 2:
        return times[0]
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def _rows() -> dict[str, int]:
    from medvigil.web.advisories.models import AdvisoryRecord, Vulnerability
    from medvigil.web.findings.models import Finding
    from medvigil.web.inventory.models import Component, Product, ProductVersion
    from medvigil.web.risk.models import Case

    models = {
        "findings": Finding,
        "vulnerabilities": Vulnerability,
        "advisory records": AdvisoryRecord,
        "cases": Case,
        "products": Product,
        "versions": ProductVersion,
        "components": Component,
    }
    return {name: m.objects.count() for name, m in models.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", default="", help="substring of the labels to run")
    parser.add_argument("--postgres", default="", help="database URL (never the test database)")
    parser.add_argument("--load", action="store_true", help="copy the portfolio into --postgres first")
    parser.add_argument("--drop", action="store_true", help="drop the --postgres database at the end")
    args = parser.parse_args()
    if args.postgres:
        os.environ["MEDVIGIL_DATABASE_URL"] = args.postgres
    if args.postgres and args.load:
        copy_to_postgres(args.postgres)
    ensure_portfolio()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from medvigil.web.findings.models import Finding

    setup_test_environment()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    rows = _rows()
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    first = Finding.objects.select_related("product_version__product").order_by("id").first()
    assert first is not None, "the portfolio has no findings"
    pv = first.product_version
    page_client, api_client = _clients()
    over = []
    print(f"{'request':<44} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  {'status':>6}")
    for label, path in _requests(pv.product.slug, pv.version):
        if args.only and args.only not in label:
            continue
        client = api_client if path.startswith("/api/") else page_client
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        queries = len(ctx.captured_queries)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
        median, p95 = statistics.median(times), _p95(times)
        status = response.status_code
        print(f"{label:<44} {median:>10.1f} {p95:>8.1f} {queries:>8}  {status:>6}")
        if median > 200 or status != 200:
            over.append(label)
    if over:
        print(f"over 200 ms (median) or not 200 OK: {', '.join(over)}")
    if args.postgres and args.drop:
        drop_postgres(args.postgres)


if __name__ == "__main__":
    main()
