"""Products list: open findings and uncontrolled cases per product in one query; sortable columns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medvigil.web.advisories.models import Vulnerability
from medvigil.web.findings.models import Finding
from medvigil.web.inventory import selectors
from medvigil.web.inventory import services as inv
from medvigil.web.inventory.models import Product
from medvigil.web.risk import services as risk
from tests.web.conftest import login
from tests.web.risk.conftest import NETWORK_RCE, component_dict, make_vulnerability

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def _findings(product: Product, n: int, state: str = "open") -> None:
    pv = inv.version_create(product=product, version=f"{state}-{n}")
    rows = []
    for i in range(n):
        key = f"CVE-2026-{product.pk:02d}{len(state)}{i:03d}"
        vuln = Vulnerability.objects.create(key=key, severity="high")
        rows.append(Finding(
            product=product, product_version=pv, component_key=f"pypi/p{i}@1", component_name=f"p{i}",
            component_version="1", vulnerability=vuln, vulnerability_key=key, method="purl-range",
            confidence=90, first_seen=NOW, last_seen=NOW, state_changed_at=NOW, state=state,
        ))  # fmt: skip
    Finding.objects.bulk_create(rows)


def _uncontrolled_case(product: Product, key: str, analyst: Any) -> None:
    risk.hazard_create(
        product=product, identifier=f"H-{key}", hazardous_situation="Wrong dose", harm="Death",
        severity="catastrophic", links={"interfaces": ["wifi"]},
    )  # fmt: skip
    case, _ = risk.case_open(product=product, vulnerability=make_vulnerability(key, NETWORK_RCE))
    pv = product.versions.first() or inv.version_create(product=product, version="1")
    risk.case_add_version(case=case, product_version=pv, components=[component_dict("x", "1")])
    risk.assessment_change(case=case, changes={"hazards": [f"H-{key}"]}, user=analyst)


def _make(n: int, analyst: Any) -> None:
    for p in range(n):
        product = inv.product_create(name=f"Device {p:02d}", slug=f"dev-{p:02d}", interfaces=["wifi"])
        _findings(product, p + 1)
        _findings(product, 2, state="resolved")  # not counted
        if p % 2 == 0:
            _uncontrolled_case(product, f"CVE-2026-9{p:03d}", analyst)


def test_counts_per_product(analyst: Any) -> None:
    _make(3, analyst)
    counts: dict[str, Any] = {"open_findings": 0, "uncontrolled_cases": 0, "version_count": 0}
    rows = {p["slug"]: tuple(p[k] for k in counts) for p in selectors.product_list().values("slug", *counts)}
    assert rows == {"dev-00": (1, 1, 2), "dev-01": (2, 0, 2), "dev-02": (3, 1, 2)}
    page = login(analyst).get("/").content.decode()
    row = page.split("Device 02", 1)[1].split("</tr>", 1)[0]
    assert '<td class="right open-findings"><a href="/findings/?product=dev-02">3</a>' in row
    assert '<td class="right uncontrolled-cases"><span class="pill bad">1</span>' in row


def test_closed_case_is_not_counted(analyst: Any) -> None:
    _make(1, analyst)
    from medvigil.web.risk.models import Case, CaseState

    Case.objects.update(state=CaseState.CLOSED)
    fields = ["uncontrolled_cases"]
    assert selectors.product_list().values(*fields).get() == {"uncontrolled_cases": 0}


def _page_queries(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_products(analyst: Any) -> None:
    client = login(analyst)
    _make(2, analyst)
    few = _page_queries(client, "/")
    _make_more = [inv.product_create(name=f"More {i}", slug=f"more-{i}") for i in range(6)]
    for product in _make_more:
        _findings(product, 2)
    assert _page_queries(client, "/") == few
    with CaptureQueriesContext(connection) as ctx:
        assert len(list(selectors.product_list())) == 8
    assert len(ctx.captured_queries) == 1


def _order(client: Any, query: str) -> list[str]:
    page = client.get(f"/{query}").content.decode().split('id="products"', 1)[1]
    return [part.split("</b>", 1)[0] for part in page.split('"><b>')[1:]]


def test_sort_columns(analyst: Any) -> None:
    _make(3, analyst)
    client = login(analyst)
    assert _order(client, "") == ["Device 00", "Device 01", "Device 02"]
    assert _order(client, "?sort=name&dir=desc") == ["Device 02", "Device 01", "Device 00"]
    assert _order(client, "?sort=findings&dir=desc") == ["Device 02", "Device 01", "Device 00"]
    assert _order(client, "?sort=uncontrolled")[0] == "Device 01"
    page = client.get("/?sort=findings&q=Dev").content.decode()
    assert 'href="?sort=findings&amp;q=Dev&amp;dir=desc"' in page  # active column flips, filter kept
    assert 'aria-sort="ascending"' in page


@pytest.mark.parametrize(
    "query", ["?sort=password", "?sort=name&dir=sideways", "?sort=__class__", "?sort=name&dir="]
)
def test_unknown_sort_falls_back_to_default(analyst: Any, query: str) -> None:
    _make(2, analyst)
    assert _order(login(analyst), query) == ["Device 00", "Device 01"]
