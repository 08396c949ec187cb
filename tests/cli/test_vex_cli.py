"""``medvigil vex ...`` and the device identifiers of ``medvigil product add/edit``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from medvigil.cli.main import app
from medvigil.core.errors import InputError
from medvigil.web.findings.models import SupplierVex
from medvigil.web.inventory.models import Product
from tests.conftest import shared_path

runner = CliRunner()
CPE = "cpe:2.3:h:acme:infusion_pump:*:*:*:*:*:*:*:*"


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.mark.django_db
@pytest.mark.shared_data
def test_vex_import_list_remove() -> None:
    invoke("product", "add", "Acme Application", "--slug", "acme")
    invoke("version", "add", "acme", "2.4.0")
    vex = shared_path("sbom", "cyclonedx", "bom-examples", "VEX", "vex.json")
    out = invoke("vex", "import", "acme", "--version", "2.4.0", str(vex), "-f", "json")
    assert out.exit_code == 0, out.output
    body = json.loads(out.output)
    assert body["created"] is True
    assert (body["document"]["format"], body["document"]["product_version"]) == ("cyclonedx-vex", "2.4.0")
    again = invoke("vex", "import", "acme", str(vex))
    assert "already stored" in again.output
    node = shared_path("vex", "openvex", "nodejs-node.openvex.json")
    assert "OpenVEX" in invoke("vex", "import", "acme", str(node)).output
    listed = json.loads(invoke("vex", "list", "acme", "-f", "json").output)
    assert sorted((d["filename"], d["product_version"]) for d in listed) == [
        ("nodejs-node.openvex.json", None),
        ("vex.json", "2.4.0"),
    ]
    table = invoke("vex", "list", "acme")
    assert table.exit_code == 0 and "Supplier VEX of Acme Application" in table.output
    removed = invoke("vex", "remove", "acme", str(body["document"]["id"]))
    assert removed.exit_code == 0 and "Removed vex.json" in removed.output
    assert [d["filename"] for d in json.loads(invoke("vex", "list", "acme", "-f", "json").output)] == [
        "nodejs-node.openvex.json"
    ]
    assert SupplierVex.objects.filter(active=False).count() == 1


@pytest.mark.django_db
def test_vex_import_refuses_a_bad_file(tmp_path: Any) -> None:
    invoke("product", "add", "Acme")
    bad = tmp_path / "bad.json"
    bad.write_text('{"statements": []}')
    with pytest.raises(InputError, match="bad.json: not a CycloneDX, OpenVEX or CSAF document"):
        invoke("vex", "import", "acme", str(bad))
    assert not SupplierVex.objects.exists()


@pytest.mark.django_db
def test_product_add_and_edit_device_identifiers() -> None:
    out = invoke("product", "add", "Pump", "--cpe", CPE, "--purl", "pkg:generic/acme/pump", "-f", "json")
    assert out.exit_code == 0, out.output
    assert (json.loads(out.output)["cpes"], json.loads(out.output)["purls"]) == (
        [CPE],
        ["pkg:generic/acme/pump"],
    )
    other = CPE.replace("infusion_pump", "pump_hub")
    assert invoke("product", "edit", "pump", "--cpe", other, "--cpe", CPE).exit_code == 0
    assert Product.objects.get().cpes == [other, CPE]
    assert invoke("product", "edit", "pump", "--set", "purls=").exit_code == 0
    assert Product.objects.get().purls == []
    with pytest.raises(InputError, match="not a CPE 2.3 formatted string"):
        invoke("product", "edit", "pump", "--cpe", "cpe:/h:acme:pump")
