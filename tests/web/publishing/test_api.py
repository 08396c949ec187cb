"""Publishing API: roles, the second approver, downloads of the published bytes."""

from __future__ import annotations

import json
from typing import Any

import orjson
from django.test import Client

from medvigil.web.accounts.services import user_create
from medvigil.web.risk.models import Case
from tests.web.conftest import PASSWORD


def test_api_workflow_and_roles(ready_case: Case, analyst: Any, viewer: Any, token_for: Any) -> None:
    api = Client()
    other = user_create(username="erin", password=PASSWORD, role="analyst")
    body = json.dumps({"kind": "advisory", "tlp": "GREEN"})
    url = f"/api/cases/{ready_case.pk}/advisories"
    assert api.post(url, body, content_type="application/json", **token_for(viewer)).status_code == 403
    made = api.post(url, body, content_type="application/json", **token_for(analyst))
    assert made.status_code == 201, made.content
    adv = made.json()["id"]
    assert api.get("/api/advisories", **token_for(viewer)).json() == []  # drafts are not for viewers
    assert api.get(f"/api/advisories/{adv}", **token_for(viewer)).status_code == 404
    bad = api.post(url, json.dumps({"tlp": "WHITE"}), content_type="application/json", **token_for(analyst))
    assert bad.status_code == 400 and bad.json()["field"] == "tlp"
    assert api.post(f"/api/advisories/{adv}/submit", **token_for(analyst)).status_code == 200
    same = api.post(f"/api/advisories/{adv}/publish", **token_for(analyst))
    assert same.status_code == 403 and "second analyst" in same.json()["error"]
    done = api.post(f"/api/advisories/{adv}/publish", **token_for(other))
    assert done.status_code == 200 and done.json()["approved_by"] == "erin"
    listed = api.get("/api/advisories", **token_for(viewer)).json()
    assert [a["id"] for a in listed] == [adv]
    got = api.get(f"/api/advisories/{adv}/export/csaf", **token_for(viewer))
    assert got.status_code == 200 and got["Content-Disposition"].endswith('.json"')
    sha = {d["format"]: d["sha256"] for d in listed[0]["documents"]}
    import hashlib

    assert hashlib.sha256(got.content).hexdigest() == sha["csaf"]
    assert orjson.loads(got.content)["document"]["distribution"]["tlp"]["label"] == "GREEN"
    assert api.get(f"/api/advisories/{adv}/export/pdf", **token_for(viewer)).status_code == 400


def test_openapi_lists_the_publishing_endpoints(db: Any) -> None:
    paths = orjson.loads(Client().get("/api/openapi.json").content)["paths"]
    for path in (
        "/api/advisories",
        "/api/advisories/{advisory_id}",
        "/api/cases/{case_id}/advisories",
        "/api/advisories/{advisory_id}/submit",
        "/api/advisories/{advisory_id}/publish",
        "/api/advisories/{advisory_id}/export/{fmt}",
    ):
        assert path in paths, path
