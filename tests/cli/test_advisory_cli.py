"""``medvigil advisory``: draft, submit, publish by a second analyst, show and export over the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
from typer.testing import CliRunner

from medvigil.cli.main import app
from medvigil.core.csaf.validate import validate_csaf
from medvigil.core.feeds.vex import read_vex_document
from medvigil.web.accounts.services import user_create
from medvigil.web.risk.models import Case
from tests.web.conftest import PASSWORD, analyst, product, version  # noqa: F401 - fixtures (analyst is bob)
from tests.web.publishing.conftest import ready_case  # noqa: F401 - fixture
from tests.web.risk.conftest import case  # noqa: F401 - fixture

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_draft_submit_publish_export(ready_case: Case, tmp_path: Path) -> None:  # noqa: F811
    user_create(username="frank", password=PASSWORD, role="analyst")
    made = json.loads(
        invoke("advisory", "draft", str(ready_case.pk), "-u", "bob", "--tlp", "clear", "-f", "json").output
    )
    adv = str(made["id"])
    assert made["state"] == "draft" and made["tlp"] == "CLEAR"
    assert invoke("advisory", "submit", adv, "-u", "bob").exit_code == 0
    refused = runner.invoke(app, ["advisory", "publish", adv, "-u", "bob"])
    assert refused.exit_code != 0
    shown = json.loads(invoke("advisory", "publish", adv, "-u", "frank", "-f", "json").output)
    assert shown["state"] == "published" and shown["approved_by"] == "frank"
    for fmt in ("csaf", "csaf-vex", "cyclonedx-vex", "openvex", "notice-html", "notice-pdf", "stix"):
        out = tmp_path / f"out.{fmt}"
        assert invoke("advisory", "export", adv, "-f", fmt, "-o", str(out)).exit_code == 0
        if fmt == "notice-pdf":
            assert out.read_bytes().startswith(b"%PDF-")
        elif fmt == "stix":
            assert orjson.loads(out.read_bytes())["type"] == "bundle"
        elif fmt != "notice-html":
            assert read_vex_document(out.read_bytes(), fmt).format == ("csaf-vex" if fmt == "csaf" else fmt)
    assert validate_csaf(orjson.loads((tmp_path / "out.csaf").read_bytes())) == []
    text = invoke("advisory", "show", adv).output
    assert "approved by frank" in text and "sha256" in text


def test_share_writes_the_bundle_and_records_it(ready_case: Case, tmp_path: Path) -> None:  # noqa: F811
    import hashlib

    made = json.loads(invoke("advisory", "draft", str(ready_case.pk), "-u", "bob", "-f", "json").output)
    out = tmp_path / "bundle.stix.json"
    shared = json.loads(
        invoke(
            "advisory",
            "share",
            str(made["id"]),
            "-u",
            "bob",
            "--with",
            "H-ISAC",
            "-o",
            str(out),
            "-f",
            "json",
        ).output
    )
    assert orjson.loads(out.read_bytes())["type"] == "bundle"
    assert shared["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert (shared["recipient"], shared["tlp"], shared["by"]) == ("H-ISAC", "AMBER", "bob")
    action = ready_case.actions.get(kind="isao_share")
    assert action.data["sha256"] == shared["sha256"] and action.created_by is not None
    assert action.created_by.username == "bob"
    text = invoke("advisory", "share", str(made["id"]), "-u", "bob", "--with", "CISA", "-o", str(out)).output
    assert (
        "shared with CISA under TLP:AMBER" in text
        and ready_case.actions.filter(kind="isao_share").count() == 2
    )


def test_publish_before_the_embargo_needs_an_override(ready_case: Case) -> None:  # noqa: F811
    import datetime as dt

    user_create(username="gwen", password=PASSWORD, role="analyst")
    until = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)).isoformat()
    made = json.loads(
        invoke(
            "advisory", "draft", str(ready_case.pk), "-u", "bob", "--embargo-until", until, "-f", "json"
        ).output
    )
    adv = str(made["id"])
    invoke("advisory", "submit", adv, "-u", "bob")
    refused = runner.invoke(app, ["advisory", "publish", adv, "-u", "gwen"])
    assert refused.exit_code != 0 and "embargo override with a reason" in str(refused.exception)
    done = json.loads(
        invoke(
            "advisory",
            "publish",
            adv,
            "-u",
            "gwen",
            "--override-embargo",
            "exploited in the wild",
            "-f",
            "json",
        ).output
    )
    assert done["state"] == "published"
