"""The demo portfolio: fictional devices carrying real, public SBOMs and lockfiles.

Loading is idempotent: products and versions are created once, SBOM imports of unchanged
bytes are no-ops.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medvigil.core.model.support import parse_support_addendum
from medvigil.web.inventory import services
from medvigil.web.inventory.models import Product, ProductVersion

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"


@dataclass(frozen=True)
class DemoVersion:
    """One version with the file that inventories it."""

    version: str
    released: dt.date
    file: str
    lifecycle: str = "support"
    end_of_support: dt.date | None = None
    installed_base: int | None = None
    addendum: str = ""


@dataclass(frozen=True)
class DemoProduct:
    """A fictional device product."""

    fields: dict[str, Any]
    versions: list[DemoVersion] = field(default_factory=list)


PORTFOLIO = [
    DemoProduct(
        {
            "slug": "glucolink-pump", "name": "GlucoLink Insulin Pump System",
            "description": "Ambulatory insulin pump with a Bluetooth LE Android companion app "
            "that drives dosing.",
            "device_class": "II", "pathway": "510k", "regulatory_number": "K000001 (fictional)",
            "model_numbers": ["GL-200", "GL-200-APP"], "udi_dis": ["00812345000011"],
            "life_sustaining": True, "patient_connected": True, "home_use": True,
            "interfaces": ["ble", "usb"],
            "essential_performance": ["Basal insulin delivery within ±5 %", "Bolus delivery on command",
                                      "Occlusion alarm"],
            "end_of_support": dt.date(2031, 12, 31),
        },
        [DemoVersion("3.2.0", dt.date(2026, 4, 10), "androidaps-libs.versions.toml", installed_base=18500)],
    ),
    DemoProduct(
        {
            "slug": "glucolink-cloud", "name": "GlucoLink Cloud",
            "description": "Cloud data platform that receives CGM and pump data and shows it to caregivers.",
            "device_class": "II", "pathway": "510k", "regulatory_number": "K000002 (fictional)",
            "model_numbers": ["GLC-WEB"], "home_use": True, "interfaces": ["ethernet", "wifi", "cellular"],
            "essential_performance": ["Timely display of glucose alarms to remote caregivers"],
            "end_of_support": dt.date(2030, 12, 31),
        },
        [
            DemoVersion("14.2.6", dt.date(2023, 1, 15), "nightscout-14.2.6-package-lock.json",
                        lifecycle="limited-support", end_of_support=dt.date(2027, 6, 30), installed_base=4200,
                        addendum="support-addendum.csv"),
            DemoVersion("15.0.7", dt.date(2026, 2, 1), "nightscout-15.0.7-package-lock.json",
                        installed_base=9100, addendum="support-addendum.csv"),
        ],
    ),
    DemoProduct(
        {
            "slug": "vitalview-monitor", "name": "VitalView Bedside Monitor",
            "description": "Bedside patient monitor with a Java central-station server "
            "on the hospital network.",
            "device_class": "II", "pathway": "510k", "regulatory_number": "K000003 (fictional)",
            "model_numbers": ["VV-700", "VV-CS"], "patient_connected": True,
            "interfaces": ["ethernet", "wifi", "serial"],
            "essential_performance": ["ECG, SpO2 and NIBP measurement", "Physiological alarms at the bedside",
                                      "Alarm forwarding to the central station"],
            "end_of_support": dt.date(2032, 6, 30),
        },
        [DemoVersion("1.3.15", dt.date(2025, 9, 1), "dropwizard-1.3.15.cdx.json", installed_base=2600)],
    ),
    DemoProduct(
        {
            "slug": "infusesafe-server", "name": "InfuseSafe Pump Manager",
            "description": "Windows server that distributes drug libraries to infusion pumps "
            "and collects events.",
            "device_class": "II", "pathway": "510k", "regulatory_number": "K000004 (fictional)",
            "model_numbers": ["ISM-5"], "interfaces": ["ethernet"],
            "essential_performance": ["Correct drug library delivered to each pump"],
            "end_of_support": dt.date(2029, 3, 31),
        },
        [DemoVersion("5.1", dt.date(2025, 11, 20), "microsoft-sbom-tool.spdx.json", installed_base=310)],
    ),
]  # fmt: skip


def _product(spec: DemoProduct) -> Product:
    existing = Product.objects.filter(slug=spec.fields["slug"]).first()
    return existing or services.product_create(**spec.fields)


def _version(product: Product, spec: DemoVersion) -> ProductVersion:
    existing = product.versions.filter(version=spec.version).first()
    return existing or services.version_create(
        product=product,
        version=spec.version,
        release_date=spec.released,
        lifecycle=spec.lifecycle,
        end_of_support=spec.end_of_support,
        installed_base=spec.installed_base,
    )


def demo_load() -> list[str]:
    """Create the demo portfolio and import its SBOMs; returns one summary line per version."""
    lines = []
    for spec in PORTFOLIO:
        product = _product(spec)
        for vspec in spec.versions:
            pv = _version(product, vspec)
            path = DEMO_DATA / vspec.file
            result = services.sbom_import(product_version=pv, data=path.read_bytes(), filename=path.name)
            if vspec.addendum and result.created:
                add = DEMO_DATA / vspec.addendum
                services.component_support_update(
                    product_version=pv, updates=parse_support_addendum(add.read_bytes(), source=add.name)
                )
            state = "imported" if result.created else "unchanged"
            lines.append(f"{product.name} {pv.version}: {result.component_count} components ({state})")
    return lines
