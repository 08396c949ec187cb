"""Supplier VEX stored per product: import checks, matching applies it, removal reverts it; API and page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from medvigil.core.errors import InputError
from medvigil.web.advisories.services import feed_import
from medvigil.web.findings import services
from medvigil.web.findings.models import Finding, SupplierVex
from medvigil.web.inventory import services as inv
from tests.conftest import FIXTURES, shared_path
from tests.web.conftest import login

pytestmark = pytest.mark.shared_data

CVE = "CVE-2020-25649"


def vex_example() -> bytes:
    return shared_path("sbom", "cyclonedx", "bom-examples", "VEX", "vex.json").read_bytes()


@pytest.fixture
def acme(db: Any) -> dict[str, Any]:
    """A product whose two versions ship jackson-databind 2.10.0 (the CycloneDX VEX example's BOM)."""
    assert not feed_import(path=FIXTURES / "vex" / "GHSA-288c-cq4h-88gq.json").failed
    product = inv.product_create(name="Acme Application", slug="acme")
    bom = shared_path("sbom", "cyclonedx", "bom-examples", "VEX", "bom.json").read_bytes()
    versions = {}
    for v in ("2.4.0", "2.5.0"):
        pv = inv.version_create(product=product, version=v)
        inv.sbom_import(product_version=pv, data=bom, filename="bom.json")
        versions[v] = pv
    services.match_product_versions(list(versions.values()))
    return {"product": product, **versions}


def states(product: Any) -> dict[str, str]:
    return {
        f.product_version.version: f.state
        for f in Finding.objects.filter(product=product, vulnerability_key=CVE).select_related(
            "product_version"
        )
    }


def test_vex_marks_findings_not_affected_and_removal_reopens_them(
    acme: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    product = acme["product"]
    assert states(product) == {"2.4.0": "open", "2.5.0": "open"}
    with django_capture_on_commit_callbacks(execute=True):  # the background re-match (huey immediate)
        result = services.supplier_vex_import(product=product, filename="vex.json", content=vex_example())
    doc = result.document
    assert result.created and doc.format == "cyclonedx-vex" and doc.statement_count == 1
    assert states(product) == {"2.4.0": "not_affected", "2.5.0": "not_affected"}
    finding = Finding.objects.get(product_version=acme["2.4.0"], vulnerability_key=CVE)
    assert finding.component_name == "jackson-databind"
    vex = [e for e in finding.evidence if e["method"] is None]
    assert len(vex) == 1
    assert vex[0]["source"] == "vex.json" and vex[0]["status"] == "not_affected"
    assert vex[0]["details"]["justification"] == "code_not_reachable"
    assert finding.state_reason == "not affected per supplier VEX vex.json: not_affected (code_not_reachable)"
    assert finding.evidence[0]["method"] == "purl-range"  # the advisory's claim is kept beside it
    assert [e.kind for e in finding.events.all()][:1] == ["not_affected"]

    with django_capture_on_commit_callbacks(execute=True):
        services.supplier_vex_remove(document=doc)
    assert states(product) == {"2.4.0": "open", "2.5.0": "open"}
    finding.refresh_from_db()
    assert not [e for e in finding.evidence if e["method"] is None]
    assert [e.kind for e in finding.events.all()][:1] == ["reopened"]
    doc.refresh_from_db()
    assert not doc.active and doc.removed_at is not None  # kept for the record


def test_version_scoped_vex_covers_only_that_version(
    acme: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.supplier_vex_import(
            product=acme["product"], version=acme["2.4.0"], filename="vex.json", content=vex_example()
        )
    assert states(acme["product"]) == {"2.4.0": "not_affected", "2.5.0": "open"}


def test_import_is_idempotent_by_content_and_reactivates(acme: dict[str, Any]) -> None:
    product = acme["product"]
    first = services.supplier_vex_import(product=product, filename="vex.json", content=vex_example())
    again = services.supplier_vex_import(product=product, filename="copy.json", content=vex_example())
    assert first.created and not again.created and again.document.pk == first.document.pk
    services.supplier_vex_remove(document=first.document)
    back = services.supplier_vex_import(product=product, filename="vex.json", content=vex_example())
    assert back.created and back.document.pk == first.document.pk and back.document.active
    assert SupplierVex.objects.count() == 1


def test_real_openvex_and_csaf_documents(acme: dict[str, Any]) -> None:
    product = acme["product"]
    node = shared_path("vex", "openvex", "nodejs-node.openvex.json")
    doc = services.supplier_vex_import(
        product=product, filename=node.name, content=node.read_bytes()
    ).document
    assert doc.format == "openvex" and doc.statement_count > 180
    # CISA's IT VEX names products only by vendor/name/version branches: nothing ties to a component.
    cisa = shared_path("csaf", "cisa", "it-vex", "va-24-201-01.json")
    with pytest.raises(InputError) as exc:
        services.supplier_vex_import(product=product, filename=cisa.name, content=cisa.read_bytes())
    assert exc.value.source == "va-24-201-01.json"
    assert exc.value.field == "product_tree.product_identification_helper"
    assert SupplierVex.objects.filter(filename=cisa.name).count() == 0


def test_bad_documents_are_refused_naming_file_and_field(acme: dict[str, Any], settings: Any) -> None:
    product = acme["product"]
    with pytest.raises(InputError, match="broken.json: not JSON"):
        services.supplier_vex_import(product=product, filename="broken.json", content=b"{nope")
    with pytest.raises(InputError) as exc:
        services.supplier_vex_import(
            product=product,
            filename="empty.json",
            content=b'{"bomFormat": "CycloneDX", "specVersion": "1.5"}',
        )
    assert exc.value.field == "vulnerabilities[].analysis" and exc.value.source == "empty.json"
    settings.SUPPLIER_VEX_MAX_BYTES = 100
    with pytest.raises(InputError) as exc:
        services.supplier_vex_import(product=product, filename="vex.json", content=vex_example())
    assert exc.value.field == "file" and "over the limit" in exc.value.message
    other = inv.version_create(product=inv.product_create(name="Other"), version="1")
    settings.SUPPLIER_VEX_MAX_BYTES = 10 * 1024 * 1024
    with pytest.raises(InputError) as exc:
        services.supplier_vex_import(
            product=product, version=other, filename="vex.json", content=vex_example()
        )
    assert exc.value.field == "version"
    assert not SupplierVex.objects.exists()


def upload(client: Client, slug: str = "acme", **extra: Any) -> Any:
    file = SimpleUploadedFile("vex.json", vex_example(), content_type="application/json")
    return client.post(f"/api/products/{slug}/vex", {"file": file, **extra})


def test_api_roles_upload_list_download_remove(
    acme: dict[str, Any], viewer: Any, analyst: Any, outsider: Any, token_for: Any
) -> None:
    assert login(outsider).get("/api/products/acme/vex").status_code == 403
    assert upload(login(viewer)).status_code == 403
    scripts = Client(**token_for(analyst))
    created = upload(scripts, version="2.4.0")
    assert created.status_code == 201, created.content
    body = created.json()["document"]
    assert (body["format"], body["product_version"], body["uploaded_by"]) == ("cyclonedx-vex", "2.4.0", "bob")
    assert upload(scripts).status_code == 200  # same bytes: no-op
    assert upload(scripts, version="9.9").status_code == 404
    reader = login(viewer)
    assert [d["id"] for d in reader.get("/api/products/acme/vex").json()] == [body["id"]]
    content = reader.get(f"/api/products/acme/vex/{body['id']}/content")
    assert content.status_code == 200 and b"code_not_reachable" in content.content
    assert reader.delete(f"/api/products/acme/vex/{body['id']}").status_code == 403
    removed = scripts.delete(f"/api/products/acme/vex/{body['id']}")
    assert removed.status_code == 200 and removed.json()["active"] is False
    assert reader.get("/api/products/acme/vex").json() == []
    assert len(reader.get("/api/products/acme/vex?include_removed=true").json()) == 1
    bad = scripts.post(
        "/api/products/acme/vex",
        {"file": SimpleUploadedFile("x.json", b"[]", content_type="application/json")},
    )
    assert bad.status_code == 400 and "x.json" in bad.json()["error"]


def test_product_page_section_upload_and_remove(acme: dict[str, Any], viewer: Any, analyst: Any) -> None:
    page = login(viewer).get("/products/acme/")
    assert b'id="supplier-vex"' in page.content and b"No supplier VEX documents" in page.content
    assert b"supplier-vex-upload" not in page.content  # viewers get no form
    assert login(viewer).post("/products/acme/vex/").status_code == 403

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(analyst)
    file = SimpleUploadedFile("vex.json", vex_example(), content_type="application/json")
    assert strict.post("/products/acme/vex/", {"file": file}).status_code == 403  # no CSRF token

    client = login(analyst)
    form = client.get("/products/acme/")
    assert b"supplier-vex-upload" in form.content and b"csrfmiddlewaretoken" in form.content
    file = SimpleUploadedFile("vex.json", vex_example(), content_type="application/json")
    done = client.post("/products/acme/vex/", {"file": file, "version": ""}, follow=True)
    assert b"Stored vex.json (CycloneDX VEX, 1 statement)" in done.content
    assert b"every version" in done.content
    doc = SupplierVex.objects.get()
    bad = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    refused = client.post("/products/acme/vex/", {"file": bad}, follow=True)
    assert b"VEX refused, nothing was stored: notes.txt" in refused.content
    gone = client.post(f"/products/acme/vex/{doc.pk}/remove/", follow=True)
    assert b"Removed vex.json" in gone.content
    doc.refresh_from_db()
    assert not doc.active


def test_download_needs_a_role(acme: dict[str, Any], outsider: Any, viewer: Any) -> None:
    doc = services.supplier_vex_import(product=acme["product"], filename="vex.json", content=vex_example())
    url = f"/products/acme/vex/{doc.document.pk}/"
    assert login(outsider).get(url).status_code == 403
    assert login(viewer).get(url).content == vex_example()
