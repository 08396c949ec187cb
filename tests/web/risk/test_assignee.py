"""Case assignee: set on the case page by analysts (audited), shown and filtered ("mine") in the case
list, shown on the clock page, in the API and the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from medvigil.cli.main import app
from medvigil.web.audit.models import AuditEvent
from medvigil.web.risk.models import Case, CaseEvent
from tests.web.conftest import login

pytestmark = pytest.mark.django_db


def _cases_column(body: str) -> list[str]:
    import re

    return [c.strip() for c in re.findall(r'<td class="assignee[^"]*">(.*?)</td>', body, flags=re.S)]


def test_an_analyst_assigns_on_the_case_page_and_it_is_recorded(analyst: Any, admin: Any, case: Case) -> None:
    client = login(analyst)
    page = client.get(f"/risk/cases/{case.pk}/").content.decode()
    assert 'id="assign-form"' in page and "unassigned" in page
    assert client.post(f"/risk/cases/{case.pk}/assign/", {"assignee": "alice"}).status_code == 302
    case.refresh_from_db()
    assert case.assignee == admin
    page = client.get(f"/risk/cases/{case.pk}/").content.decode()
    assert "<b>alice</b>" in page and "assigned to alice" in page  # history
    event = CaseEvent.objects.get(case=case, kind="assigned")
    assert (event.actor, event.data) == (analyst, {"from": None, "to": "alice"})
    assert AuditEvent.objects.filter(object_type="risk.caseevent", object_pk=str(event.pk)).exists()
    client.post(f"/risk/cases/{case.pk}/assign/", {"assignee": ""})
    case.refresh_from_db()
    assert case.assignee is None
    assert CaseEvent.objects.filter(case=case, kind="assigned").values_list("message", flat=True)[0] == (
        "unassigned (was alice)"
    )


def test_only_analysts_and_admins_assign_or_are_assigned(
    analyst: Any, viewer: Any, case: Case, settings: Any
) -> None:
    assert login(viewer).post(f"/risk/cases/{case.pk}/assign/", {"assignee": "bob"}).status_code == 403
    assert 'id="assign-form"' not in login(viewer).get(f"/risk/cases/{case.pk}/").content.decode()
    response = login(analyst).post(f"/risk/cases/{case.pk}/assign/", {"assignee": "carol"}, follow=True)
    assert "&#x27;carol&#x27; is not an active analyst or admin" in response.content.decode()
    response = login(analyst).post(f"/risk/cases/{case.pk}/assign/", {"assignee": "nobody-here"}, follow=True)
    assert "no user &#x27;nobody-here&#x27;" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee is None and not CaseEvent.objects.filter(kind="assigned").exists()


def test_case_list_shows_the_assignee_and_filters_mine(analyst: Any, admin: Any, case: Case) -> None:
    from medvigil.web.risk import services
    from tests.web.risk.conftest import NETWORK_RCE, make_vulnerability

    other, _ = services.case_open(
        product=case.product, vulnerability=make_vulnerability("CVE-2026-0777", NETWORK_RCE)
    )
    services.case_assign(case=case, assignee=analyst, user=admin)
    client = login(analyst)
    assert sorted(_cases_column(client.get("/risk/cases/").content.decode())) == ["bob", "—"]
    mine = client.get("/risk/cases/?assignee=mine").content.decode()
    assert _cases_column(mine) == ["bob"] and f"/risk/cases/{case.pk}/" in mine
    assert f"/risk/cases/{other.pk}/" not in mine
    assert _cases_column(login(admin).get("/risk/cases/?assignee=mine").content.decode()) == []
    unassigned = client.get("/risk/cases/?assignee=none").content.decode()
    assert f"/risk/cases/{other.pk}/" in unassigned and f"/risk/cases/{case.pk}/" not in unassigned


def test_api_field_filter_and_assign(analyst: Any, viewer: Any, case: Case, token_for: Any) -> None:
    from django.test import Client

    api = Client()
    url = f"/api/cases/{case.pk}/assignee"
    assert (
        api.post(url, {"assignee": "bob"}, content_type="application/json", **token_for(viewer)).status_code
        == 403
    )
    done = api.post(url, {"assignee": "bob"}, content_type="application/json", **token_for(analyst))
    assert done.status_code == 200 and done.json()["assignee"] == "bob"
    assert api.get(f"/api/cases/{case.pk}", **token_for(viewer)).json()["assignee"] == "bob"
    mine = api.get("/api/cases?assignee=mine", **token_for(analyst)).json()
    assert [c["id"] for c in mine] == [case.pk]
    assert api.get("/api/cases?assignee=mine", **token_for(viewer)).json() == []
    cleared = api.post(url, {"assignee": None}, content_type="application/json", **token_for(analyst))
    assert cleared.json()["assignee"] is None


def test_cli_assigns_and_lists(analyst: Any, case: Case) -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["case", "assign", str(case.pk), "bob", "-u", "bob", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["assignee"] == "bob"
    listed = json.loads(runner.invoke(app, ["case", "list", "--format", "json"]).output)
    assert [c["assignee"] for c in listed] == ["bob"]
    out = runner.invoke(app, ["case", "assign", str(case.pk), "-"])
    assert out.exit_code == 0 and "assigned to nobody" in out.output
    case.refresh_from_db()
    assert case.assignee is None
    assert (
        CaseEvent.objects.filter(case=case, kind="assigned").values_list("actor", flat=True)[0] is None
    )  # no -u
