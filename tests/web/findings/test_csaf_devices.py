"""Done-when: products of CISA ICSMA advisories get findings for exactly the affected versions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from medvigil.web.advisories.services import feed_import
from medvigil.web.findings import services
from medvigil.web.findings.models import Finding
from medvigil.web.inventory import services as inv
from tests.conftest import shared_path

pytestmark = pytest.mark.shared_data

# (advisory, CSAF product_name, versions the advisory's wording covers, nearest versions it does not)
CASES = [
    ("icsma-19-178-01", "MiniMed Paradigm Veo 554/754 pumps", ["2.6A", "2.5A"], ["2.7A", "2.6B"]),
    ("icsma-18-277-02", "PeerVue Web Server", ["7.6.1", "7.0"], ["7.6.2", "8.0"]),
    ("icsma-21-047-01", "T1 Ventilator", ["2.2.3"], ["2.2.4"]),
    ("icsma-22-174-01", "DCMTK", ["3.6.6"], ["3.6.7"]),
    ("icsma-21-152-01", "Welch Allyn Connex Spot Monitor (CSM)", ["1.51"], ["1.52"]),
    ("icsma-21-343-01", "Welch Allyn Connex Cardio", ["1.0.0", "1.1.1"], ["0.9", "1.1.2"]),
]


def affected_cves(doc: dict[str, Any], product_name: str) -> set[str]:
    """CVEs whose known_affected lists a product under ``product_name`` (independent tree walk)."""
    ids: set[str] = set()

    def walk(branches: list[dict[str, Any]], inside: bool) -> None:
        for b in branches:
            here = inside or (b["category"] == "product_name" and b["name"] == product_name)
            if here and "product" in b:
                ids.add(b["product"]["product_id"])
            walk(b.get("branches", []), here)

    walk(doc["product_tree"].get("branches", []), False)
    return {
        v["cve"]
        for v in doc["vulnerabilities"]
        if ids & set(v.get("product_status", {}).get("known_affected", []))
    }


@pytest.mark.django_db
def test_icsma_products_get_findings_for_exactly_the_affected_versions() -> None:
    expected: dict[tuple[str, str], set[str]] = {}
    for advisory, name, affected, unaffected in CASES:
        path = shared_path("csaf", "cisa", "icsma", f"{advisory}.json")
        assert not feed_import(path=path).failed
        cves = affected_cves(json.loads(path.read_bytes()), name)
        assert cves, advisory
        product = inv.product_create(name=name, slug=advisory)
        for version in affected + unaffected:
            inv.version_create(product=product, version=version)
            expected[(name, version)] = cves if version in affected else set()
    services.rematch_all()
    found: dict[tuple[str, str], set[str]] = {key: set() for key in expected}
    for f in Finding.objects.filter(state="open").select_related("product_version__product"):
        found[(f.product_version.product.name, f.product_version.version)].add(f.vulnerability_key)
        assert f.method == "csaf-product" and f.component_key == "device"
        assert f.evidence[0]["details"]["product_status"] == "known_affected"
    assert found == expected


@pytest.mark.django_db
def test_model_number_identifies_the_device_without_its_name() -> None:
    feed_import(path=shared_path("csaf", "cisa", "icsma", "icsma-19-178-01.json"))
    product = inv.product_create(name="Insulin pump (internal name)", model_numbers=["MMT-554"])
    pv = inv.version_create(product=product, version="2.6A")
    services.match_product_versions([pv])
    # ICSMA-19-178-01 has no model-number helpers: the internal name does not match, so no finding.
    assert not Finding.objects.filter(product_version=pv).exists()
