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
    from medvigil.web.risk.services.cases import component_ref

    rows = Finding.objects.filter(product_version__product=product, state="open").select_related("component")
    for f in rows.iterator(chunk_size=2000):
        yield FindingRow(f.product_version_id, f.vulnerability_id, f.first_seen.date(), component_ref(f.component))
