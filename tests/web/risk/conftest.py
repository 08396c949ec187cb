"""Factories for risk tests: vulnerability identities with records, hazards, cases."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.utils import timezone

from medvigil.web.advisories.models import AdvisoryRecord, Alias, ImportRun, Source, Vulnerability
from medvigil.web.inventory import services as inventory
from medvigil.web.inventory.models import Product, ProductVersion
from medvigil.web.risk import services
from medvigil.web.risk.models import Case
from medvigil.web.risk.services.cases import ref

NETWORK_RCE = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
PHYSICAL = "CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


def make_vulnerability(
    key: str, *vectors: str, kev: bool = False, epss: float | None = None
) -> Vulnerability:
    """An identity with one NVD-like record carrying ``vectors``."""
    vuln = Vulnerability.objects.create(key=key, summary=f"{key} test vulnerability", kev=kev, epss=epss)
    Alias.objects.create(alias=key, vulnerability=vuln)
    if vectors:
        source, _ = Source.objects.get_or_create(name="nvd", defaults={"kind": "nvd"})
        now = timezone.now()
        run = ImportRun.objects.create(source=source, path="test", sha256="0" * 64, started_at=now)
        AdvisoryRecord.objects.create(
            source=source, record_id=key, vulnerability=vuln, summary=vuln.summary,
            severities=[{"type": "CVSS_V3", "vector": v, "primary": True} for v in vectors],
            raw=b"", raw_sha256=hashlib.sha256(key.encode()).hexdigest(), first_seen=now, last_seen=now,
            import_run=run,
        )  # fmt: skip
    return vuln


def component_dict(name: str, version: str, purl: str = "") -> dict[str, str]:
    return ref(name=name, version=version, purl=purl)


@pytest.fixture
def hazards(product: Product) -> dict[str, Any]:
    made = [
        services.hazard_create(
            product=product, identifier="HAZ-1", hazardous_situation="Wrong infusion rate commanded remotely",
            harm="Overdose: patient death", severity="catastrophic",
            links={"interfaces": ["wifi"], "components": ["openssl"]},
        ),
        services.hazard_create(
            product=product, identifier="HAZ-2", hazardous_situation="Pump display unavailable",
            harm="Delayed therapy requiring intervention", severity="serious",
            links={"functions": ["display"], "components": ["pkg:npm/express"]},
        ),
    ]  # fmt: skip
    return {h.identifier: h for h in made}


@pytest.fixture
def case(product: Product, version: ProductVersion) -> Case:
    vuln = make_vulnerability("CVE-2026-0001", NETWORK_RCE)
    case, _ = services.case_open(product=product, vulnerability=vuln)
    services.case_add_version(
        case=case,
        product_version=version,
        components=[component_dict("express", "4.17.1", "pkg:npm/express@4.17.1")],
    )
    return case


def new_version(product: Product, name: str) -> ProductVersion:
    return inventory.version_create(product=product, version=name)
