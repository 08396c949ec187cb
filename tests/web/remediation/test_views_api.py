"""Remediation pages and API: roles (viewer reads, analyst writes, admin settings), the case
panel, forms, drafts, evidence download, and the clock."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from medvigil.web.accounts.services import user_create
from medvigil.web.remediation import services
from medvigil.web.risk import services as risk
from medvigil.web.risk.models import Case
from tests.core.remediation.examples import EXAMPLES
from tests.web.conftest import PASSWORD, login
from tests.web.remediation.conftest import days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed(case: Case, hazards: Any, analyst: Any, isao: Any) -> Case:
    services.day0_set(case=case, day0=days_ago(10), source="cvd", user=analyst, reason="researcher email")
    risk.assessment_propose(case=case)
    risk.assessment_confirm(case=case, user=analyst)
    return case


def test_case_page_shows_clock_obligations_and_forms(assessed: Case, analyst: Any, viewer: Any) -> None:
    page = login(viewer).get(f"/risk/cases/{assessed.pk}/").content.decode()
    assert 'id="remediation"' in page and "R6" in page and "not_enforced" in page
    assert 'id="action-form"' not in page  # viewers do not get the forms
    page = login(analyst).get(f"/risk/cases/{assessed.pk}/").content.decode()
    assert 'id="action-form"' in page and 'id="transition-form"' in page


def test_forms_post_actions_with_files_and_transitions(assessed: Case, analyst: Any, viewer: Any) -> None:
    client = login(analyst)
    from django.core.files.uploadedfile import SimpleUploadedFile

    done = client.post(
        f"/risk/cases/{assessed.pk}/actions/",
        {
            "kind": "fix_release",
            "on": days_ago(1).isoformat(),
            "target_version": "2.0",
            "distributed": "on",
            "files": [SimpleUploadedFile("notes.txt", b"release notes")],
        },
    )
    assert done.status_code == 302
    action = assessed.actions.get()
    assert action.data["distributed"] is True and action.files.get().size == 13
    file_id = action.files.get().pk
    download = login(viewer).get(f"/evidence/{file_id}/")
    assert download.content == b"release notes" and download["X-Content-SHA256"] == action.files.get().sha256
    refused = client.post(f"/risk/cases/{assessed.pk}/transition/", {"to": "remediation"}, follow=True)
    assert "remediation plan" in refused.content.decode()
    client.post(f"/risk/cases/{assessed.pk}/plan/", {"plan": "Ship 2.0 with the fix and validate it"})
    client.post(f"/risk/cases/{assessed.pk}/transition/", {"to": "remediation", "reason": "plan agreed"})
    assessed.refresh_from_db()
    assert assessed.state == "remediation"
    assert login(viewer).post(f"/risk/cases/{assessed.pk}/transition/", {"to": "triage"}).status_code == 403


def test_drafts_as_html_and_json(assessed: Case, viewer: Any) -> None:
    client = login(viewer)
    assert "806.10" in client.get(f"/risk/cases/{assessed.pk}/drafts/806/").content.decode()
    data = client.get(f"/risk/cases/{assessed.pk}/drafts/pma/?format=json").json()
    assert data["fields"]["how_learned"].startswith("coordinated disclosure report")
    assert client.get(f"/risk/cases/{assessed.pk}/drafts/nope/").status_code == 404


def test_clock_page(assessed: Case, viewer: Any) -> None:
    page = login(viewer).get("/clock/").content.decode()
    assert "CVE-2026-0001" in page and "communication" in page
    assert login(viewer).get("/clock/?state=bogus").status_code == 200


def test_api_roles(assessed: Case, analyst: Any, viewer: Any, admin: Any, token_for: Any) -> None:
    from django.test import Client

    api = Client()
    read = api.get(f"/api/cases/{assessed.pk}/remediation", **token_for(viewer))
    assert read.status_code == 200 and read.json()["obligations"][0]["code"] == "R6"
    body = json.dumps({"to": "triage"})
    assert (
        api.post(
            f"/api/cases/{assessed.pk}/transition", body, content_type="application/json", **token_for(viewer)
        ).status_code
        == 403
    )
    made = api.post(
        f"/api/cases/{assessed.pk}/actions",
        json.dumps(
            {
                "kind": "isao_share",
                "on": days_ago(1).isoformat(),
                "data": {"isao": "H-ISAC", "shared": "advisory"},
            }
        ),
        content_type="application/json",
        **token_for(analyst),
    )
    assert made.status_code == 201
    bad = api.post(
        f"/api/cases/{assessed.pk}/facts",
        json.dumps({"facts": {"known_sae_or_death": True}, "reason": "x"}),
        content_type="application/json",
        **token_for(analyst),
    )
    assert bad.status_code == 400 and "known_sae_or_death" in bad.json()["error"]
    settings = json.dumps({"controlled_targets": {"5": 14}})
    assert (
        api.put(
            "/api/remediation/settings", settings, content_type="application/json", **token_for(analyst)
        ).status_code
        == 403
    )
    assert api.put(
        "/api/remediation/settings", settings, content_type="application/json", **token_for(admin)
    ).json()["controlled_targets"] == {"5": 14}
    clock = api.get("/api/clock?limit=10", **token_for(viewer)).json()
    assert clock["rows"][0]["case"] == assessed.pk
    facts = EXAMPLES["EX-U2"][0]
    out = api.post(
        "/api/reporting/evaluate", json.dumps(facts), content_type="application/json", **token_for(viewer)
    )
    assert {o["code"] for o in out.json()["obligations"]} == {"R7", "R8"}
    schema = api.get("/api/openapi.json").json()
    assert "/api/cases/{case_id}/transition" in schema["paths"] and "/api/clock" in schema["paths"]


def test_clock_page_and_api_show_the_assignee(
    assessed: Case, analyst: Any, viewer: Any, token_for: Any
) -> None:
    from django.test import Client

    page = login(viewer).get("/clock/").content.decode()
    assert '<td class="assignee">—</td>' in page
    risk.case_assign(case=assessed, assignee=analyst, user=analyst)
    page = login(viewer).get("/clock/").content.decode()
    assert '<td class="assignee">bob</td>' in page
    rows = Client().get("/api/clock?limit=10", **token_for(viewer)).json()["rows"]
    assert rows[0]["assignee"] == "bob"


def test_clock_page_and_api_filter_mine_and_unassigned(
    assessed: Case, product: Any, analyst: Any, token_for: Any
) -> None:
    from django.test import Client

    from tests.web.risk.conftest import NETWORK_RCE, make_vulnerability

    vulnerability = make_vulnerability("CVE-2026-0002", NETWORK_RCE)
    unassigned, _ = risk.case_open(product=product, vulnerability=vulnerability)
    services.day0_set(case=unassigned, day0=days_ago(28), source="feed", user=analyst)
    risk.assessment_propose(case=unassigned)
    risk.case_assign(case=assessed, assignee=analyst, user=analyst)
    other = user_create(username="dave", password=PASSWORD, role="analyst")

    def cases(user: Any, assignee: str) -> tuple[set[str], set[int]]:
        page = login(user).get(f"/clock/?assignee={assignee}").content.decode()
        table = page[page.index('id="clock-table"') : page.index("</table>")]
        listed = set(re.findall(r'href="/risk/cases/(\d+)/"', table))
        api = Client().get(f"/api/clock?assignee={assignee}", **token_for(user)).json()
        assert api["total"] == len(api["rows"]) == sum(api["counts"].values())
        return listed, {r["case"] for r in api["rows"]}

    assert cases(analyst, "mine") == ({str(assessed.pk)}, {assessed.pk})
    assert cases(analyst, "none") == ({str(unassigned.pk)}, {unassigned.pk})
    assert cases(analyst, "") == ({str(assessed.pk), str(unassigned.pk)}, {assessed.pk, unassigned.pk})
    assert cases(other, "mine") == (set(), set())
    page = login(other).get("/clock/?assignee=mine&state=overdue").content.decode()
    assert "Nothing is due on your cases." in page and '<b aria-current="page">mine</b>' in page
