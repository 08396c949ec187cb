"""Reads of findings: filtered, sorted and paginated in the database."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, OrderBy, QuerySet

from medvigil.core.errors import InputError, NotFoundError
from medvigil.web.findings.models import Finding, SupplierVex
from medvigil.web.inventory.models import Product, ProductVersion

__all__ = [
    "FindingFilters",
    "SORTS",
    "finding_list",
    "supplier_vex_get",
    "supplier_vex_list",
    "version_summary",
]

SORTS: dict[str, tuple[OrderBy | str, ...]] = {
    "severity": (F("severity_score").desc(nulls_last=True), F("epss").desc(nulls_last=True), "id"),
    "epss": (F("epss").desc(nulls_last=True), F("severity_score").desc(nulls_last=True), "id"),
    "kev": ("-kev", F("severity_score").desc(nulls_last=True), "id"),
}
"""Sort keys (all backed by an index on (state, column))."""
SEVERITIES = ("critical", "high", "medium", "low", "none")
METHODS = ("purl-enumerated", "purl-range", "csaf-product", "cpe", "cpe-inferred")


@dataclass(frozen=True, slots=True)
class FindingFilters:
    """Filters of the findings list (every field optional)."""

    product: str = ""
    """Product slug."""
    severity: str = ""
    """Qualitative severity."""
    kev: bool | None = None
    """Only KEV (True) or only not KEV (False)."""
    epss_min: float | None = None
    """Minimum EPSS."""
    method: str = ""
    """Best match method."""
    state: str = "open"
    """State; ``all`` for every state."""
    sort: str = "severity"
    """``severity``, ``epss`` or ``kev``."""

    def check(self) -> None:
        """Raise :class:`InputError` for values outside the vocabularies."""
        if self.sort not in SORTS:
            raise InputError(f"sort must be one of {', '.join(SORTS)}", field="sort")
        if self.severity and self.severity not in SEVERITIES:
            raise InputError(f"severity must be one of {', '.join(SEVERITIES)}", field="severity")
        if self.method and self.method not in METHODS:
            raise InputError(f"method must be one of {', '.join(METHODS)}", field="method")
        if self.state not in {*Finding.State.values, "all"}:
            raise InputError(f"state must be one of {', '.join(Finding.State.values)} or all", field="state")
        if self.epss_min is not None and not 0 <= self.epss_min <= 1:
            raise InputError("epss_min must be between 0 and 1", field="epss_min")


def finding_list(
    *, filters: FindingFilters, product_version: ProductVersion | None = None
) -> QuerySet[Finding]:
    """Findings matching ``filters``, sorted in the database."""
    filters.check()
    qs = Finding.objects.select_related("product_version__product")
    if product_version is not None:
        qs = qs.filter(product_version=product_version)
    if filters.state != "all":
        qs = qs.filter(state=filters.state)
    if filters.product:
        qs = qs.filter(product__slug=filters.product)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.kev is not None:
        qs = qs.filter(kev=filters.kev)
    if filters.epss_min is not None:
        qs = qs.filter(epss__gte=filters.epss_min)
    if filters.method:
        qs = qs.filter(method=filters.method)
    return qs.order_by(*SORTS[filters.sort])


def version_summary(*, product_version: ProductVersion) -> dict[str, int]:
    """Finding counts by state for a version."""
    counts = dict.fromkeys(Finding.State.values, 0)
    for state in Finding.objects.filter(product_version=product_version).values_list("state", flat=True):
        counts[state] += 1
    return counts


def supplier_vex_list(*, product: Product, include_removed: bool = False) -> QuerySet[SupplierVex]:
    """A product's supplier VEX documents (active ones unless ``include_removed``), newest first."""
    qs = SupplierVex.objects.filter(product=product).select_related("product_version", "uploaded_by")
    if not include_removed:
        qs = qs.filter(active=True)
    return qs.defer("content").order_by("-uploaded_at", "-id")


def supplier_vex_get(*, product: Product, vex_id: int) -> SupplierVex:
    """One supplier VEX document of a product."""
    doc = SupplierVex.objects.filter(product=product, pk=vex_id).select_related("product_version").first()
    if doc is None:
        raise NotFoundError(f"no supplier VEX document {vex_id} for product {product.slug!r}")
    return doc
