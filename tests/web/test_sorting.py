"""Sortable columns: whitelisted keys to ``order_by``, header links, unknown keys fall back (never a 500)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import QueryDict

from medvigil.web.advisories.models import Vulnerability
from medvigil.web.findings.models import Finding
from medvigil.web.inventory.models import ProductVersion
from medvigil.web.risk import services as risk
from medvigil.web.sorting import Sort
from tests.web.conftest import login

KEYS = {"name": ("name",), "age": ("-born", "name")}


def test_sort_reads_whitelisted_keys_and_directions() -> None:
    assert Sort.from_query(QueryDict("sort=age&dir=desc"), KEYS, "name").order_by("id") == [
        "born",
        "-name",
        "id",
    ]
    assert Sort.from_query(QueryDict("sort=age"), KEYS, "name").order_by() == ["-born", "name"]
    for bad in ("sort=born", "sort=age;drop", "sort=", "sort=-name"):
        assert Sort.from_query(QueryDict(bad), KEYS, "name").key == "name"
    assert Sort.from_query(QueryDict("sort=name&dir=up"), KEYS, "name").desc is False


def test_headers_flip_the_active_column_and_keep_filters() -> None:
    sort = Sort.from_query(QueryDict("sort=name&q=pump&page=3"), KEYS, "name")
    headers = sort.headers(QueryDict("sort=name&q=pump&page=3"))
    assert headers["name"] == {"url": "?sort=name&q=pump&dir=desc", "arrow": "▲", "aria": "ascending"}
    assert headers["age"]["url"] == "?sort=age&q=pump&dir=asc" and headers["age"]["arrow"] == ""


NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def _vulns_and_findings(version: ProductVersion) -> None:
    for i, (score, epss) in enumerate([(9.8, 0.1), (5.0, 0.9), (7.5, None)]):
        key = f"CVE-2026-000{i}"
        vuln = Vulnerability.objects.create(key=key, cvss_score=score, epss=epss, severity="high")
        Finding.objects.create(
            product=version.product, product_version=version, component_key=f"k{i}", component_name=f"c{i}",
            vulnerability=vuln, vulnerability_key=key, method="purl-range", confidence=90, first_seen=NOW,
            last_seen=NOW, state_changed_at=NOW, severity_score=score, epss=epss,
        )  # fmt: skip


def _keys(page: str, table: str) -> list[str]:
    body = page.split(f'id="{table}"', 1)[1].split("</tbody>", 1)[0]
    return [part.split("</b>", 1)[0] for part in body.split("<b>")[1:] if part.startswith("CVE-")]


@pytest.mark.django_db
def test_findings_sort_by_header(viewer: Any, version: ProductVersion) -> None:
    _vulns_and_findings(version)
    client = login(viewer)
    expected = ["CVE-2026-0000", "CVE-2026-0002", "CVE-2026-0001"]
    assert _keys(client.get("/findings/").content.decode(), "findings") == expected
    assert (
        _keys(client.get("/findings/?sort=severity&dir=asc").content.decode(), "findings")[0]
        == "CVE-2026-0001"
    )
    page = client.get("/findings/?sort=epss").content.decode()
    assert _keys(page, "findings") == ["CVE-2026-0001", "CVE-2026-0000", "CVE-2026-0002"]  # no EPSS last
    assert 'href="?sort=epss&amp;dir=asc"' in page
    bad = client.get("/findings/?sort=password&dir=sideways")
    assert bad.status_code == 200 and _keys(bad.content.decode(), "findings")[0] == "CVE-2026-0000"


@pytest.mark.django_db
def test_vulnerabilities_sort_by_header(viewer: Any, version: ProductVersion) -> None:
    _vulns_and_findings(version)
    client = login(viewer)
    assert _keys(client.get("/vulnerabilities/").content.decode(), "vulnerabilities")[0] == "CVE-2026-0000"
    by_key = client.get("/vulnerabilities/?sort=key&dir=desc").content.decode()
    assert _keys(by_key, "vulnerabilities") == ["CVE-2026-0002", "CVE-2026-0001", "CVE-2026-0000"]
    assert "-cvss" not in client.get("/vulnerabilities/").content.decode()  # no raw order values on screen
    bad = client.get("/vulnerabilities/?sort=__dict__&order=nonsense")
    assert bad.status_code == 200


@pytest.mark.django_db
def test_cases_sort_by_header(viewer: Any, version: ProductVersion) -> None:
    for i, day in enumerate([dt.date(2026, 3, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)]):
        vuln = Vulnerability.objects.create(key=f"CVE-2026-000{i}")
        case, _ = risk.case_open(product=version.product, vulnerability=vuln)
        case.day0 = day
        case.save()
    client = login(viewer)
    page = client.get("/risk/cases/?sort=day0").content.decode()
    assert _keys(page, "cases") == ["CVE-2026-0001", "CVE-2026-0002", "CVE-2026-0000"]
    assert 'href="?sort=day0&amp;dir=desc"' in page and 'aria-sort="ascending"' in page
    assert (
        _keys(client.get("/risk/cases/?sort=vulnerability&dir=desc").content.decode(), "cases")[0]
        == "CVE-2026-0002"
    )
    assert client.get("/risk/cases/?sort=nope").status_code == 200
