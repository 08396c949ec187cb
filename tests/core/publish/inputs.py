"""Generated publisher inputs: many product versions, names with special characters, every status."""

from __future__ import annotations

import datetime as dt

from medvigil.core.publish.model import (
    Acknowledgment,
    AdvisoryInput,
    FdaCommunication,
    ProductStatus,
    ProductVersion,
    Publisher,
    Reference,
    Remediation,
    RemediationCategory,
    Score,
    Tlp,
    Vulnerability,
)
from medvigil.core.publish.versioning import first_tracking
from medvigil.core.risk.vex import Justification, VexStatus

T0 = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
CVE = "CVE-2026-12345"
CYCLE = (VexStatus.AFFECTED, VexStatus.NOT_AFFECTED, VexStatus.FIXED, VexStatus.UNDER_INVESTIGATION)
FDA = FdaCommunication(
    "A heap overflow in the TLS library lets a network attacker crash the pump's telemetry module.",
    "Clinical engineering reviewed the hazard: infusion continues; alarms stay local.",
    "Block TCP 4443 at the network boundary; use the wired interface only.",
    "Firmware 3.0 fixes it; we will write to every customer when it is released (target 2026-12-20).",
)


def product_name(i: int) -> str:
    return ["Infusi\u00f6n Pump \u201cA&B\u201d", "Monitor <ICU>/Ward", "Pump \\ 'Mini'"][i % 3]


def make_input(n_versions: int = 12, *, tlp: Tlp = Tlp.CLEAR, semantic: bool = False) -> AdvisoryInput:
    products = tuple(
        ProductVersion(
            product_id=f"CSAFPID-{i:04d}",
            vendor="ACME Medical & Co. \u00e4",
            product_name=product_name(i),
            version=f"{1 + i // 10}.{i % 10}.{i % 3}",
            purl=f"pkg:pypi/acme-device-{i % 3}@{1 + i // 10}.{i % 10}.{i % 3}",
            cpe=f"cpe:2.3:h:acme:device_{i % 3}:{1 + i // 10}.{i % 10}.{i % 3}:*:*:*:*:*:*:*",
            model_numbers=(f"AC-{i % 3}00", f"AC-{i % 3}00-EU"),
            sbom_urls=(f"https://acme.example/sbom/{i}.cdx.json",),
        )
        for i in range(n_versions)
    )
    statuses = []
    for i, p in enumerate(products):
        status = CYCLE[i % 4]
        if status is VexStatus.NOT_AFFECTED:
            if i % 8 == 1:
                statuses.append(
                    ProductStatus(p.product_id, status, Justification.VULNERABLE_CODE_NOT_IN_EXECUTE_PATH)
                )
            else:
                statuses.append(
                    ProductStatus(
                        p.product_id, status, impact_statement="Telemetry is disabled in this build."
                    )
                )
        else:
            statuses.append(ProductStatus(p.product_id, status))
    affected = tuple(
        p.product_id for p, s in zip(products, statuses, strict=True) if s.status is VexStatus.AFFECTED
    )
    fixed = tuple(
        p.product_id for p, s in zip(products, statuses, strict=True) if s.status is VexStatus.FIXED
    )
    remediations = (
        Remediation(RemediationCategory.MITIGATION, "Block TCP 4443 at the network boundary.", affected),
        Remediation(
            RemediationCategory.VENDOR_FIX,
            "Install firmware 3.0.",
            fixed or affected,
            url="https://acme.example/firmware/3.0",
            date=T0,
        ),
    )
    vuln = Vulnerability(
        cve=CVE,
        title="Heap overflow in TLS <record> parsing",
        description="A crafted TLS record overflows a heap buffer & crashes the telemetry module.",
        statuses=tuple(statuses),
        cwe_id="CWE-787",
        scores=(
            Score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", affected),
            Score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", affected),
        ),
        remediations=remediations if affected else (),
        kev_date_added=T0,
        references=(Reference(f"https://nvd.nist.gov/vuln/detail/{CVE}", "NVD entry"),),
        acknowledgments=(Acknowledgment(("J\u00f6rg Researcher",), "Example Lab", "reported via CVD"),),
        discovery_date=T0 - dt.timedelta(days=20),
        release_date=T0,
    )
    return AdvisoryInput(
        publisher=Publisher("ACME Medical", "https://acme.example", "psirt@acme.example"),
        tracking=first_tracking("ACME-SA-2026/0001", T0, semantic=semantic),
        title="ACME pumps: heap overflow in TLS \u201ctelemetry\u201d",
        products=products,
        vulnerabilities=(vuln,),
        summary="Some pump versions are affected; firmware 3.0 fixes it.",
        tlp=tlp,
        fda=FDA,
        references=(Reference("https://acme.example/psirt", "ACME PSIRT"),),
        acknowledgments=(Acknowledgment(organization="Example Lab"),),
    )
