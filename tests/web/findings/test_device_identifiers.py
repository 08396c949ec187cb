"""CSAF device matching by the product's CPEs and purls (product_identification_helper)."""

from __future__ import annotations

from typing import Any

import pytest

from medvigil.web.advisories.services import feed_import
from medvigil.web.findings import services
from medvigil.web.findings.models import Finding
from medvigil.web.inventory import services as inv
from tests.conftest import FIXTURES

# ICSMA-21-047-01 with a versionless CPE and purl helper on "T1 Ventilator <= 2.2.3" (README there).
ADVISORY = FIXTURES / "csaf" / "icsma-21-047-01-with-helpers.json"
CVES = {"CVE-2020-27278", "CVE-2020-27282", "CVE-2020-27290"}
CPE = "cpe:2.3:h:hamilton-medical:t1_ventilator:*:*:*:*:*:*:*:*"
PURL = "pkg:generic/hamilton-medical/t1-ventilator-firmware"


def findings_by_version(product: Any) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {pv.version: set() for pv in product.versions.all()}
    for f in Finding.objects.filter(product=product, state="open").select_related("product_version"):
        out[f.product_version.version].add(f.vulnerability_key)
    return out


@pytest.fixture
def advisory(db: Any) -> None:
    assert not feed_import(path=ADVISORY).failed


@pytest.mark.parametrize(
    ("ids", "how"),
    [({"cpes": [CPE]}, f"CPE {CPE}"), ({"purls": [PURL]}, f"purl {PURL}")],
)
def test_device_identified_by_cpe_or_purl_gets_findings_for_exactly_the_affected_versions(
    advisory: None, ids: dict[str, Any], how: str
) -> None:
    # The internal name differs from the advisory's product name: only the identifier can match.
    product = inv.product_create(name="Ventilator (internal name)", **ids)
    for version in ("2.2.3", "2.1.0", "2.2.4", "3.0"):
        inv.version_create(product=product, version=version)
    services.rematch_all()
    assert findings_by_version(product) == {"2.2.3": CVES, "2.1.0": CVES, "2.2.4": set(), "3.0": set()}
    f = Finding.objects.filter(product=product).first()
    assert f is not None and f.method == "csaf-product" and f.component_key == "device"
    assert f.evidence[0]["details"]["identified_by"] == how
    assert f.evidence[0]["details"]["version"] == "<= 2.2.3"


def test_without_identifiers_the_internal_name_does_not_match(advisory: None) -> None:
    product = inv.product_create(name="Ventilator (internal name)", model_numbers=["T1"])
    inv.version_create(product=product, version="2.2.3")
    services.rematch_all()
    assert findings_by_version(product) == {"2.2.3": set()}


def test_a_cpe_with_a_version_identifies_only_that_version(advisory: None) -> None:
    pinned = CPE.replace("t1_ventilator:*", "t1_ventilator:2.2.3")
    product = inv.product_create(name="Ventilator (internal name)", cpes=[pinned])
    for version in ("2.2.3", "2.1.0"):
        inv.version_create(product=product, version=version)
    services.rematch_all()
    assert findings_by_version(product) == {"2.2.3": CVES, "2.1.0": set()}


def test_adding_a_cpe_later_opens_findings_on_rematch(advisory: None) -> None:
    product = inv.product_create(name="Ventilator (internal name)")
    pv = inv.version_create(product=product, version="2.0")
    services.match_product_versions([pv])
    assert findings_by_version(product) == {"2.0": set()}
    inv.product_update(product=product, cpes=[CPE])
    services.rematch_all(product_slug=product.slug)
    assert findings_by_version(product) == {"2.0": CVES}
