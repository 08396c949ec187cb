"""``medvigil case``: list, show, assess, confirm and close with --format json."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from medvigil.cli.main import app
from medvigil.web.accounts.services import user_create
from medvigil.web.inventory import services as inventory
from medvigil.web.risk import services
from tests.web.risk.conftest import NETWORK_RCE, make_vulnerability

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def case_id(db: Any) -> int:
    user_create(username="ana", password="cli-pass-1234", role="analyst")
    user_create(username="vic", password="cli-pass-1234", role="viewer")
    product = inventory.product_create(name="Pump", interfaces=["wifi"])
    services.hazard_create(product=product, identifier="HAZ-1", hazardous_situation="Rate changed",
                           harm="Overdose needing treatment", severity="serious")  # fmt: skip
    case, _ = services.case_open(
        product=product, vulnerability=make_vulnerability("CVE-2026-0100", NETWORK_RCE)
    )
    return int(case.pk)


def test_assess_confirm_and_close_over_the_cli(case_id: int) -> None:
    listed = json.loads(invoke("case", "list", "--unassessed", "--format", "json").output)
    assert [(c["id"], c["vulnerability"]) for c in listed] == [(case_id, "CVE-2026-0100")]
    suggested = json.loads(invoke("case", "assess", str(case_id), "--hazard", "HAZ-1", "-f", "json").output)
    assert (suggested["status"], suggested["risk"], suggested["created_by"]) == (
        "suggested",
        "uncontrolled",
        "medvigil",
    )
    confirmed = json.loads(invoke("case", "confirm", str(case_id), "--user", "ana", "-f", "json").output)
    assert confirmed["status"] == "confirmed" and confirmed["created_by"] == "ana"
    changed = invoke(
        "case", "assess", str(case_id), "--control", "Wi-Fi off in the field | MAV:P", "--confirm",
        "--user", "ana", "-f", "json",
    )  # fmt: skip
    assert json.loads(changed.output)["risk"] == "controlled"
    refused = runner.invoke(app, ["case", "close", str(case_id), "--user", "ana"])
    assert "remediation plan" in str(refused.exception)
    invoke("case", "plan", str(case_id), "--text", "Wi-Fi stays off until firmware 2.0", "--user", "ana")
    today = timezone.localdate().isoformat()
    recorded = invoke(
        "case", "action", str(case_id), "--kind", "compensating_control", "--on", today, "--user", "ana",
        "--set", "text=Wi-Fi off in the field", "--set", "residual_risk=acceptable", "--set", "long_term=yes",
        "--set", "accepted=yes", "-f", "json",
    )  # fmt: skip
    assert json.loads(recorded.output)["kind"] == "compensating_control"
    clock = json.loads(invoke("case", "clock", str(case_id), "-f", "json").output)
    assert clock["actions"][0]["data"]["accepted"] is True
    closed = json.loads(invoke("case", "close", str(case_id), "--user", "ana", "-f", "json").output)
    assert closed["state"] == "closed"
    shown = json.loads(invoke("case", "show", str(case_id), "-f", "json").output)
    assert [a["number"] for a in shown["assessments"]] == [3, 2, 1]
    assert [e["kind"] for e in shown["events"]][:2] == ["closed", "action"]
    assert json.loads(invoke("case", "list", "-f", "json").output) == []  # closed: not active
    assert len(json.loads(invoke("case", "list", "--state", "any", "-f", "json").output)) == 1


def test_refusals_exit_2_with_the_reason(case_id: int, capsys: Any, monkeypatch: Any) -> None:
    import sys

    from medvigil.cli.main import main

    for args, reason in (
        (["close", str(case_id), "--user", "ana"], "without an assessment"),
        (["confirm", str(case_id), "--user", "vic"], "not an analyst"),
        (["show", "999"], "no case 999"),
    ):
        monkeypatch.setattr(sys, "argv", ["medvigil", "case", *args])
        with pytest.raises(SystemExit) as exc:
            main()
        assert exc.value.code == 2
        assert reason in capsys.readouterr().err


def test_portfolio_clock_filters_by_assignee(case_id: int) -> None:
    invoke("case", "assess", str(case_id), "--hazard", "HAZ-1", "--confirm", "--user", "ana")

    def listed(*args: str) -> list[int]:
        return [r["case"] for r in json.loads(invoke("case", "clock", *args, "-f", "json").output)]

    assert listed() == [case_id] and listed("--assignee", "none") == [case_id]
    invoke("case", "assign", str(case_id), "ana", "--user", "ana")
    assert listed("--assignee", "ana") == [case_id] and listed("--assignee", "none") == []
    user_create(username="bea", password="cli-pass-1234", role="analyst")
    assert listed("--assignee", "bea") == []
