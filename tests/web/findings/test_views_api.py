"""Findings pages and API: filters, database sorting, pagination, the version page panel."""

from __future__ import annotations

from typing import Any

import pytest

from medvigil.web.advisories.models import Vulnerability
from medvigil.web.advisories.services import feed_import
from medvigil.web.findings import services
from medvigil.web.findings.models import Finding
from medvigil.web.inventory import services as inv
from tests.conftest import shared_path
from tests.web.conftest import login

pytestmark = pytest.mark.shared_data

REQS = b"Werkzeug==2.2.3\npyspark==3.2.1\nDjango==3.2.0\n"


@pytest.fixture
def portfolio(db: Any) -> dict[str, Any]:
    feed_import(path=shared_path("osv", "pypi-pypa-advisory-database.jsonl.gz"))
    web = inv.product_create(name="Web portal", slug="web")
    other = inv.product_create(name="Analytics", slug="analytics")
    v1 = inv.version_create(product=web, version="1.0")
    v2 = inv.version_create(product=other, version="2.0")
    inv.sbom_import(product_version=v1, data=REQS, filename="requirements.txt")
    inv.sbom_import(product_version=v2, data=b"pyspark==3.2.1\n", filename="requirements.txt")
    Vulnerability.objects.filter(key="CVE-2022-33891").update(
        kev=True, epss=0.97, cvss_score=8.8, severity="high"
    )
    services.match_product_versions([v1, v2])
    return {"web": web, "v1": v1, "v2": v2}


def test_api_lists_filters_and_sorts_in_the_database(
    portfolio: dict[str, Any], viewer: Any, token_for: Any
) -> None:
    headers = token_for(viewer)
    client = login(viewer)
    everything = client.get("/api/findings?limit=500").json()
    assert everything["count"] == Finding.objects.filter(state="open").count() > 3
    kev = client.get("/api/findings?kev=true", **headers).json()
    assert {(i["product"], i["vulnerability"]["id"]) for i in kev["items"]} == {
        ("web", "CVE-2022-33891"),
        ("analytics", "CVE-2022-33891"),
    }
    by_epss = client.get("/api/findings?sort=epss&limit=2").json()["items"]
    assert [i["vulnerability"]["epss"] for i in by_epss] == [0.97, 0.97]
    only_web = client.get("/api/findings?product=analytics").json()
    assert {i["product_version"] for i in only_web["items"]} == {"2.0"}
    page = client.get("/api/findings?limit=2&offset=2").json()
    assert len(page["items"]) == 2 and page["count"] == everything["count"]
    version = client.get("/api/products/web/versions/1.0/findings?epss_min=0.5").json()
    assert [i["component"]["name"] for i in version["items"]] == ["pyspark"]
    assert client.get("/api/findings?sort=bogus").status_code == 400
    finding_id = kev["items"][0]["id"]
    assert [e["kind"] for e in client.get(f"/api/findings/{finding_id}/events").json()] == ["opened"]


def test_findings_page_and_version_panel(portfolio: dict[str, Any], viewer: Any) -> None:
    client = login(viewer)
    page = client.get("/findings/?kev=1&sort=kev")
    assert page.status_code == 200
    html = page.content.decode()
    assert "CVE-2022-33891" in html and "2 findings" in html
    panel = client.get("/products/web/versions/1.0/").content.decode()
    assert 'id="version-findings"' in panel and "CVE-2022-33891" in panel and "werkzeug" in panel.lower()
    bad = client.get("/findings/?epss_min=lots")
    assert bad.status_code == 200 and "EPSS must be a number" in bad.content.decode()


def test_outsider_cannot_read_findings(portfolio: dict[str, Any], outsider: Any) -> None:
    client = login(outsider)
    assert client.get("/api/findings").status_code in (401, 403)
    assert client.get("/findings/").status_code in (302, 403)
