"""The medvigil CLI: inventory commands against the test database, and the offline sbom check."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from medvigil.cli.main import app
from medvigil.web.inventory.models import Product
from tests.web.conftest import DEMO_DATA

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.mark.django_db
def test_product_add_list_show_edit_in_json() -> None:
    out = invoke(
        "product", "add", "Pump Z", "--interface", "wifi,ble", "--life-sustaining", "--format", "json"
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["cyber_device"]["is_cyber_device"] is True
    assert invoke("version", "add", "pump-z", "1.0", "--release-date", "2026-01-02").exit_code == 0
    listed = json.loads(invoke("product", "list", "--format", "json").output)
    assert [(p["slug"], p["version_count"]) for p in listed] == [("pump-z", 1)]
    edited = invoke(
        "product", "edit", "pump-z", "--set", "end_of_support=2031-01-31", "--set", "interfaces=usb"
    )
    assert edited.exit_code == 0, edited.output
    shown = json.loads(invoke("product", "show", "pump-z", "--format", "json").output)
    assert shown["end_of_support"] == "2031-01-31" and shown["interfaces"] == ["usb"]
    assert shown["versions"][0]["version"] == "1.0"


@pytest.mark.django_db
def test_sbom_import_then_horizon_diff_and_export() -> None:
    invoke("product", "add", "Cloud")
    invoke("product", "edit", "cloud", "--set", "end_of_support=2030-12-31")
    invoke("version", "add", "cloud", "14")
    invoke("version", "add", "cloud", "15")
    first = invoke(
        "sbom", "import", "cloud", "14", str(DEMO_DATA / "nightscout-14.2.6-package-lock.json"), "-f", "json"
    )
    assert (
        json.loads(first.output)["component_count"]
        == Product.objects.get().versions.get(version="14").components.count()
    )
    invoke("sbom", "import", "cloud", "15", str(DEMO_DATA / "nightscout-15.0.7-package-lock.json"))
    added = invoke("sbom", "support", "cloud", "14", str(DEMO_DATA / "support-addendum.csv"))
    assert added.exit_code == 0, added.output
    horizon = json.loads(invoke("sbom", "horizon", "cloud", "14", "-f", "json").output)
    assert {h["name"] for h in horizon} == {"request", "async"}  # async ends 2027, product 2030
    diff = json.loads(invoke("sbom", "diff", "cloud", "14", "15", "-f", "json").output)
    assert diff["added"] and diff["removed"] and diff["changed"]
    exported = invoke("sbom", "export", "cloud", "15", "--format", "cyclonedx")
    doc = json.loads(exported.stdout)
    assert doc["bomFormat"] == "CycloneDX" and len(doc["components"]) == 983


def test_sbom_check_json_contract_needs_no_database() -> None:
    out = invoke("sbom", "check", str(DEMO_DATA / "microsoft-sbom-tool.spdx.json"), "--format", "json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert set(data) == {"format", "spec_version", "component_count", "components", "warnings", "check"}
    assert data["check"]["checked_with"] == "JSON schema spdx-2.3.schema.json and SPDX references"
    assert data["check"]["problems"] == [w.removeprefix("schema: ") for w in data["warnings"]]
    assert data["format"] == "spdx-json" and data["component_count"] == len(data["components"]) == 123
    assert set(data["components"][0]) == {"name", "version", "purl", "cpes", "supplier", "type"}


def test_errors_exit_2_with_the_location(tmp_path: Any) -> None:
    import subprocess
    import sys

    bad = tmp_path / "bad.cdx.json"
    bad.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.4", "components": [{"type": "library"}]}')
    proc = subprocess.run(
        [sys.executable, "-c", "from medvigil.cli.main import main; main()", "sbom", "check", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "bad.cdx.json" in proc.stderr and "/components/0" in proc.stderr and "name" in proc.stderr
