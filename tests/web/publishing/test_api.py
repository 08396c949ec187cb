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
        "/api/advisories/{advisory_id}/shares",
    ):
        assert path in paths, path


def test_api_share_records_on_the_case_and_override_needs_a_reason(
    ready_case: Case, analyst: Any, viewer: Any, token_for: Any
) -> None:
    import datetime as dt
    import hashlib

    from django.utils import timezone

    api = Client()
    other = user_create(username="ivan", password=PASSWORD, role="analyst")
    until = (timezone.now() + dt.timedelta(days=2)).isoformat()
    body = json.dumps({"tlp": "AMBER", "embargo_until": until})
    adv = api.post(
        f"/api/cases/{ready_case.pk}/advisories", body, content_type="application/json", **token_for(analyst)
    ).json()["id"]
    share = json.dumps({"recipient": "H-ISAC"})
    url = f"/api/advisories/{adv}/shares"
    assert api.post(url, share, content_type="application/json", **token_for(viewer)).status_code == 403
    made = api.post(url, share, content_type="application/json", **token_for(analyst))
    assert made.status_code == 201, made.content
    got = made.json()
    bundle = orjson.dumps(got["bundle"])
    assert got["recipient"] == "H-ISAC" and got["tlp"] == "AMBER" and got["by"] == "bob"
    assert got["bundle"]["type"] == "bundle" and got["evidence"][0]["sha256"] == got["sha256"]
    assert len(got["sha256"]) == 64 and bundle  # the hash is of the stored evidence bytes
    listed = api.get(url, **token_for(analyst)).json()
    assert [s["sha256"] for s in listed] == [got["sha256"]]
    assert (
        hashlib.sha256(bytes(ready_case.actions.get(kind="isao_share").files.get().content)).hexdigest()
        == (got["sha256"])
    )
    api.post(f"/api/advisories/{adv}/submit", **token_for(analyst))
    early = api.post(f"/api/advisories/{adv}/publish", **token_for(other))
    assert early.status_code == 400 and early.json()["field"] == "embargo_until"
    reason = json.dumps({"override_embargo": "coordinated with CISA: advisory moved up"})
    done = api.post(
        f"/api/advisories/{adv}/publish", reason, content_type="application/json", **token_for(other)
    )
    assert done.status_code == 200 and done.json()["state"] == "published"
