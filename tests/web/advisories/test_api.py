"""Intelligence API: roles, vulnerability list and detail, runs and sources."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.web.conftest import login


def test_anonymous_and_roleless_callers_are_refused(small_store: Any, outsider: Any) -> None:
    assert Client().get("/api/vulnerabilities").status_code == 401
    assert login(outsider).get("/api/vulnerabilities").status_code == 403
    assert login(outsider).get("/api/feeds/sources").status_code == 403


def test_list_filters_and_sorts_in_the_database(small_store: Any, viewer: Any) -> None:
    client = login(viewer)
    body = client.get("/api/vulnerabilities?order=-cvss").json()
    keys = [v["key"] for v in body["items"]]
    assert body["count"] == len(keys) == 4
    scores = [v["cvss_score"] for v in body["items"]]
    scored = [s for s in scores if s is not None]
    assert scores == sorted(scored, reverse=True) + [None] * (len(scores) - len(scored))  # nulls last
    assert len(scored) == 2  # the two NVD records; the PyPI records state no CVSS
    found = client.get("/api/vulnerabilities?q=ghsa-68w8").json()
    assert [v["key"] for v in found["items"]] == ["CVE-2021-33203"]
    assert client.get("/api/vulnerabilities?severity=critical,high&limit=1").json()["count"] == sum(
        1 for v in body["items"] if v["severity"] in ("critical", "high")
    )
    bad = client.get("/api/vulnerabilities?order=nonsense")
    assert bad.status_code == 400 and bad.json()["field"] == "order"


def test_detail_by_any_alias_shows_each_source_side_by_side(
    small_store: Any, viewer: Any, token_for: Any
) -> None:
    resp = Client().get("/api/vulnerabilities/ICSMA-19-178-01%2FCVE-2019-10964", **token_for(viewer))
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["key"] == "CVE-2019-10964"
    assert {r["source"] for r in body["records"]} == {"csaf", "nvd"}
    csaf = next(r for r in body["records"] if r["source"] == "csaf")
    nvd = next(r for r in body["records"] if r["source"] == "nvd")
    assert csaf["csaf_products"] and any(p["status"] == "known_affected" for p in csaf["csaf_products"])
    assert nvd["cpe_configurations"] and nvd["severities"]
    assert Client().get("/api/vulnerabilities/CVE-1900-0001", **token_for(viewer)).status_code == 404


def test_runs_and_sources_report_counts_and_freshness(small_store: Any, viewer: Any) -> None:
    client = login(viewer)
    runs = client.get("/api/feeds/runs").json()
    assert len(runs) == 5 and all(r["status"] == "succeeded" for r in runs)
    assert {r["source"] for r in runs} == {"nvd", "csaf", "osv", "epss"}
    sources = {s["name"]: s for s in client.get("/api/feeds/sources").json()}
    assert sources["nvd"]["record_count"] == 2 and sources["epss"]["record_count"] == 5
    assert sources["osv"]["age_days"] == 0 and sources["osv"]["last_run"]["new"] == 2
