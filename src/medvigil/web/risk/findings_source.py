"""The one place the risk app reads the findings app: open findings as plain rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from medvigil.web.inventory.models import Product

__all__ = ["FindingRow", "open_findings"]


@dataclass(frozen=True, slots=True)
class FindingRow:
    """One open finding: a component of a product version matched to a vulnerability identity."""

    product_version_id: int
    vulnerability_id: int
    first_seen: dt.date
    component: dict[str, str]
    """``risk.services.cases.component_ref`` shape: key, name, version, purl."""


def open_findings(*, product: Product) -> Iterator[FindingRow]:
    """Open findings of every version of ``product``."""
    from medvigil.web.findings.models import Finding
    from medvigil.web.risk.services.cases import ref

    rows = Finding.objects.filter(product=product, state=Finding.State.OPEN).values_list(
        "product_version_id", "vulnerability_id", "first_seen",
        "component_key", "component_name", "component_version", "component_purl",
    )  # fmt: skip
    for pv_id, vuln_id, first_seen, key, name, version, purl in rows.iterator(chunk_size=2000):
        package = key.rsplit("@", 1)[0] if "@" in key else key
        yield FindingRow(
            pv_id, vuln_id, first_seen.date(), ref(name=name, version=version, purl=purl, key=package)
        )
