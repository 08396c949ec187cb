"""Risk API: roles (viewer reads, outsider 403), assessments, closing, hazards, matrices."""

from __future__ import annotations

from typing import Any

from django.test import Client

from medvigil.web.risk.models import Case
from tests.web.conftest import login


def test_outsider_and_anonymous_are_refused(outsider: Any, case: Case) -> None:
    assert Client().get("/api/cases").status_code == 401
    for url in ("/api/cases", f"/api/cases/{case.pk}", "/api/products/pump-x/hazards", "/api/risk/heatmap"):
        assert login(outsider).get(url).status_code == 403, url


def test_viewer_reads_but_cannot_assess(viewer: Any, case: Case) -> None:
    client = login(viewer)
    listed = client.get("/api/cases").json()
    assert [c["vulnerability"] for c in listed] == ["CVE-2026-0001"]
    assert listed[0]["assessment"] is None
    detail = client.get(f"/api/cases/{case.pk}").json()
    assert detail["versions"][0]["components"][0]["name"] == "express"
    for url, body in (
        (f"/api/cases/{case.pk}/assessments", {}),
        (f"/api/cases/{case.pk}/confirm", {}),
        (f"/api/cases/{case.pk}/close", {}),
        ("/api/products/pump-x/hazards", {"identifier": "H", "hazardous_situation": "s", "harm": "h",
                                          "severity": "minor"}),
    ):  # fmt: skip
        assert client.post(url, body, content_type="application/json").status_code == 403, url
    assert (
        client.put("/api/products/pump-x/matrix", {"cells": {}}, content_type="application/json").status_code
        == 403
    )


def test_analyst_assesses_confirms_and_closes_over_the_api(analyst: Any, case: Case, token_for: Any) -> None:
    client = Client()
    auth = token_for(analyst)
    hazard = {"identifier": "HAZ-7", "hazardous_situation": "Display frozen", "harm": "Missed alarm",
              "severity": "minor", "links": {"components": ["express"]}}  # fmt: skip
    assert (
        client.post(
            "/api/products/pump-x/hazards", hazard, content_type="application/json", **auth
        ).status_code
        == 201
    )
    made = client.post(f"/api/cases/{case.pk}/assessments", {}, content_type="application/json", **auth)
    assert made.status_code == 201, made.content
    body = made.json()
    # minor x high is a borderline controlled cell of the default matrix
    assert (body["status"], body["risk"], body["borderline"], body["severity"]) == (
        "suggested",
        "controlled",
        True,
        "minor",
    )
    refused = client.post(f"/api/cases/{case.pk}/confirm", {}, content_type="application/json", **auth)
    assert refused.status_code == 400 and refused.json()["field"] == "justification"
    ok = client.post(
        f"/api/cases/{case.pk}/confirm", {"justification": "alarm also sounds locally"},
        content_type="application/json", **auth,
    )  # fmt: skip
    assert ok.status_code == 201 and ok.json()["created_by"] == "bob"
    closed = client.post(
        f"/api/cases/{case.pk}/close", {"note": "ok"}, content_type="application/json", **auth
    )
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    history = client.get(f"/api/cases/{case.pk}/assessments", **auth).json()
    assert [(h["number"], h["status"]) for h in history] == [(2, "confirmed"), (1, "suggested")]
    heat = client.get("/api/risk/heatmap", **auth).json()
    assert sum(cell["total"] for row in heat for cell in row) == 0  # closed cases leave the map


def test_case_list_filters(analyst: Any, case: Case) -> None:
    client = login(analyst)
    inputs = {"analyst_severity": "critical", "severity_rationale": "therapy stops"}
    body = {"inputs": inputs, "confirm": True}
    client.post(f"/api/cases/{case.pk}/assessments", body, content_type="application/json")

    def keys(query: str) -> list[str]:
        return [c["vulnerability"] for c in client.get(f"/api/cases?{query}").json()]

    assert keys("risk=uncontrolled") == ["CVE-2026-0001"]
    assert keys("risk=controlled") == []
    assert keys("unassessed=true") == []
    assert keys("kev=true") == [] and keys("kev=false") == ["CVE-2026-0001"]
    assert keys("product=pump-x&state=assessed") == ["CVE-2026-0001"]
    assert client.get("/api/cases?state=bogus").status_code == 400


def test_matrix_and_policy_versions(analyst: Any, product: Any) -> None:
    client = login(analyst)
    current = client.get("/api/products/pump-x/matrix").json()
    assert (
        current["version"] == 1
        and current["matrix"]["cells"]["critical"]["medium"]["result"] == "uncontrolled"
    )
    cells = current["matrix"]["cells"]
    cells["critical"]["medium"]["result"] = "controlled"
    made = client.put(
        "/api/products/pump-x/matrix", {"cells": cells, "note": "tighter"}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["version"] == 2
    assert [m["version"] for m in client.get("/api/products/pump-x/matrices").json()] == [2, 1]
    assert client.get("/api/products/pump-x/policy").json()["default"] is True
    policy = client.put("/api/products/pump-x/policy", {"settings": {"epss_raise_threshold": 0.5}},
                        content_type="application/json")  # fmt: skip
    assert policy.status_code == 201 and policy.json()["settings"]["epss_raise_threshold"] == 0.5
    bad = client.put(
        "/api/products/pump-x/policy", {"settings": {"nonsense": 1}}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["field"] == "nonsense"


def test_first_party_over_the_api(analyst: Any, version: Any) -> None:
    client = login(analyst)
    made = client.post(
        "/api/products/pump-x/cases", {"title": "Battery drain DoS", "versions": ["2.1"]},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["first_party"] and body["vulnerability"].startswith("MV-")
    assert body["versions"][0]["components"] == []
