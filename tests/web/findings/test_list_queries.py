"""The findings list page and API run a fixed number of SQL queries, whatever the number of rows.

An N+1 (a query per row for its product, version or vulnerability) makes the second, larger
portfolio cost more queries than the first and fails these tests.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medvigil.web.advisories.models import Vulnerability
from medvigil.web.findings.models import Finding
from medvigil.web.inventory import services as inv
from tests.web.conftest import login

PAGE_CAP = 10
"""Session, user, role, count, page ids, page rows, product choices."""
API_CAP = 7
"""Token lookup and last-use update, role, version lookup, count, page ids, page rows."""


def _add_findings(products: int, versions: int, per_version: int, tag: str) -> None:
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    rows = []
    for p in range(products):
        product = inv.product_create(name=f"Device {tag} {p}", slug=f"device-{tag}-{p}")
        for v in range(versions):
            pv = inv.version_create(product=product, version=f"{v}.0")
            for i in range(per_version):
                key = f"CVE-2026-{tag}{p:02d}{v:02d}{i:03d}"
                vuln = Vulnerability.objects.create(key=key, cvss_score=(i % 10) + 0.5, severity="high")
                rows.append(Finding(
                    product=product, product_version=pv, component_key=f"pypi/pkg{i}@1.0",
                    component_name=f"pkg{i}", component_version="1.0", vulnerability=vuln,
                    vulnerability_key=key, method="purl-range", confidence=90, first_seen=now,
                    last_seen=now, state_changed_at=now, severity="high", severity_score=(i % 10) + 0.5,
                    epss=i / 1000, kev=i % 7 == 0,
                    evidence=[{"summary": f"pkg{i} 1.0 is in an affected range"}],
                ))  # fmt: skip
    Finding.objects.bulk_create(rows)


def _queries(client: Any, path: str, **headers: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **headers)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


PAGES = [
    "/findings/",
    "/findings/?sort=epss&page=2",
    "/findings/?kev=1&sort=kev",
    "/findings/?product=device-a-0&severity=high&epss_min=0.001&method=purl-range",
]
APIS = [
    "/api/findings?limit=50",
    "/api/findings?sort=epss&limit=50&offset=50",
    "/api/findings?product=device-a-0&kev=true&limit=100",
    "/api/products/device-a-0/versions/0.0/findings?limit=50",
]


@pytest.mark.django_db
def test_findings_page_queries_do_not_grow_with_rows(viewer: Any, django_assert_max_num_queries: Any) -> None:
    client = login(viewer)
    _add_findings(products=1, versions=1, per_version=60, tag="a")  # two pages
    few = {path: _queries(client, path) for path in PAGES}
    _add_findings(products=6, versions=3, per_version=12, tag="b")  # 216 more, in 18 more versions
    for path in PAGES:
        with django_assert_max_num_queries(PAGE_CAP):
            assert _queries(client, path) == few[path], path
    page = client.get("/findings/").content.decode()
    assert "276 findings" in page and page.count('"><b>CVE-2026-') == 50


@pytest.mark.django_db
def test_findings_api_queries_do_not_grow_with_rows(
    viewer: Any, token_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(viewer)
    headers = token_for(viewer)
    _add_findings(products=1, versions=1, per_version=60, tag="a")  # two pages
    _queries(client, APIS[0], **headers)  # the token's first use writes last_used_at (once a minute)
    few = {path: _queries(client, path, **headers) for path in APIS}
    _add_findings(products=6, versions=3, per_version=12, tag="b")
    for path in APIS:
        with django_assert_max_num_queries(API_CAP):
            assert _queries(client, path, **headers) == few[path], path
    items = client.get("/api/findings?limit=100", **headers).json()["items"]
    assert len(items) == 100 and len({(i["product"], i["product_version"]) for i in items}) == 19
