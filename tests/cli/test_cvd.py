"""``medvigil cvd list|show --format json``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from medvigil.cli.main import run
from medvigil.web.disclosure import services

pytestmark = pytest.mark.django_db


def test_cvd_list_and_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    report, _ = services.report_submit(
        data={"title": "Weak PIN", "description": "4 digits", "contact_email": "a@b.c"}
    )
    assert run(["cvd", "list", "-f", "json"]) == 0
    rows: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    assert [r["reference"] for r in rows] == [report.reference] and rows[0]["state"] == "new"
    assert run(["cvd", "show", report.reference, "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["description"] == "4 digits" and shown["events"][0]["action"] == "submitted"
    assert run(["cvd", "list", "--state", "published", "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert run(["cvd", "list"]) == 0 and report.reference in capsys.readouterr().out
