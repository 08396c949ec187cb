"""Device CPEs and purls on the product: validation, API, product form and edit page."""

from __future__ import annotations

from typing import Any

import pytest

from medvigil.core.errors import InputError
from medvigil.web.inventory import services
from medvigil.web.inventory.models import Product
from tests.web.conftest import login

CPE = "cpe:2.3:h:acme:infusion_pump:*:*:*:*:*:*:*:*"


def test_identifiers_are_validated_and_normalised(db: Any) -> None:
    product = services.product_create(
        name="Pump", cpes=[" cpe:2.3:H:Acme:Infusion_Pump:*:*:*:*:*:*:*:* ", CPE, ""],
        purls=["pkg:generic/acme/pump-firmware", "pkg:generic/acme/pump-firmware"],
    )  # fmt: skip
    product.refresh_from_db()
    assert product.cpes == [CPE] and product.purls == ["pkg:generic/acme/pump-firmware"]


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"cpes": ["cpe:/h:acme:infusion_pump"]}, "cpes", "not a CPE 2.3 formatted string"),
        ({"cpes": ["acme pump"]}, "cpes", "not a CPE 2.3 formatted string"),
        ({"cpes": ["cpe:2.3:h:*:*:*:*:*:*:*:*:*:*"]}, "cpes", "needs part a, o or h, a vendor and a product"),
        ({"cpes": ["cpe:2.3:h:a:b:1:*:*:*:*:*:*:*:*:*"]}, "cpes", "11 components"),
        ({"purls": ["acme/pump"]}, "purls", "not a package URL"),
        ({"purls": ["pkg:generic"]}, "purls", "not a package URL"),
    ],
)
def test_bad_identifiers_are_refused_with_the_field(
    db: Any, fields: dict[str, Any], field: str, text: str
) -> None:
    with pytest.raises(InputError) as exc:
        services.product_create(name="Pump", **fields)
    assert exc.value.field == field and text in exc.value.message
    assert not Product.objects.exists()


def test_api_create_patch_and_errors(analyst: Any) -> None:
    client = login(analyst)
    made = client.post(
        "/api/products", {"name": "Pump", "cpes": [CPE]}, content_type="application/json"
    ).json()
    assert made["cpes"] == [CPE] and made["purls"] == []
    patched = client.patch(
        "/api/products/pump", {"purls": ["pkg:generic/acme/pump"]}, content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["purls"] == ["pkg:generic/acme/pump"]
    assert patched.json()["cpes"] == [CPE]
    bad = client.patch("/api/products/pump", {"cpes": ["pump"]}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "cpes"


def test_product_form_create_and_edit(analyst: Any, viewer: Any) -> None:
    client = login(analyst)
    form = {"name": "Pump", "device_class": "II", "pathway": "510k", "cpes": f"{CPE}\n\n", "purls": ""}
    done = client.post("/products/new/", form, follow=True)
    assert done.status_code == 200 and CPE.encode() in done.content
    product = Product.objects.get()
    assert product.cpes == [CPE]
    page = client.get("/products/pump/edit/")
    assert CPE.encode() in page.content and b"Save product" in page.content
    edit = {**form, "cpes": "", "purls": "pkg:generic/acme/pump"}
    client.post("/products/pump/edit/", edit)
    product.refresh_from_db()
    assert (product.cpes, product.purls) == ([], ["pkg:generic/acme/pump"])
    refused = client.post("/products/pump/edit/", {**form, "cpes": "not a cpe"})
    assert refused.status_code == 200 and b"not a CPE 2.3 formatted string" in refused.content
    product.refresh_from_db()
    assert product.cpes == []
    assert login(viewer).get("/products/pump/edit/").status_code == 403
