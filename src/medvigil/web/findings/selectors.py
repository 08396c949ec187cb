"""Reads of findings: filtered, sorted and paginated in the database."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, OrderBy, QuerySet

from medvigil.core.errors import InputError, NotFoundError
from medvigil.web.findings.models import Finding, FindingEvent, SupplierVex
from medvigil.web.inventory.models import Product, ProductVersion
from medvigil.web.paging import RowsById
from medvigil.web.sorting import Sort

__all__ = [
    "FindingFilters",
    "SORTS",
    "finding_case_id",
    "finding_get",
    "finding_history",
    "finding_list",
    "finding_rows",
    "supplier_vex_get",
    "supplier_vex_list",
    "version_summary",
]


def _asc(field: str) -> OrderBy:
    return F(field).asc(nulls_first=True)


SORTS: dict[str, tuple[OrderBy, ...]] = {
    "severity": (_asc("severity_score"), _asc("epss"), F("id").asc()),
    "epss": (_asc("epss"), _asc("severity_score"), F("id").asc()),
    "kev": (F("kev").asc(), _asc("severity_score"), _asc("epss"), F("id").asc()),
}
"""Sort keys, ascending; the list is sorted descending by default (worst first). Descending, each
matches an index ``(state, ..., column, column)`` read backwards (the newest finding first among
equals), so a page is read from the index without sorting the list."""
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
    desc: bool = True
    """Worst first (the default); False for the reverse order."""

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
    qs = Finding.objects.select_related("product_version__product", "triage_by")
    if product_version is not None:
        qs = qs.filter(product_version=product_version)
    if filters.state != "all":
        qs = qs.filter(state=filters.state)
    if filters.product:  # the id first: an equality the planner serves from (product, state, ...)
        product_id = Product.objects.filter(slug=filters.product).values_list("id", flat=True).first()
        qs = qs.filter(product_id=product_id) if product_id is not None else qs.none()
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.kev is not None:
        qs = qs.filter(kev__in=[filters.kev])  # "kev IN (1)", an indexed equality; kev=True is "WHERE kev"
    if filters.epss_min is not None and filters.product:
        # "epss + 0": not an index range, so SQLite (no statistics) reads the product's findings
        # from (product, state, ...) instead of every finding above the EPSS floor.
        qs = qs.alias(epss_unindexed=F("epss") + 0.0).filter(epss_unindexed__gte=filters.epss_min)
    elif filters.epss_min is not None:
        qs = qs.filter(epss__gte=filters.epss_min)
    if filters.method:
        qs = qs.filter(method=filters.method)
    return qs.order_by(*Sort(SORTS, filters.sort, filters.desc).order_by())


def finding_rows(
    *, filters: FindingFilters, product_version: ProductVersion | None = None
) -> RowsById[Finding]:
    """:func:`finding_list` for pages and API lists: each page's ids from an index, then its rows."""
    ordered = finding_list(filters=filters, product_version=product_version)
    return RowsById(ordered, Finding.objects.select_related("product_version__product", "triage_by"))


def version_summary(*, product_version: ProductVersion) -> dict[str, int]:
    """Finding counts by state for a version."""
    counts = dict.fromkeys(Finding.State.values, 0)
    grouped = Finding.objects.filter(product_version=product_version).values_list("state")
    for state, n in grouped.annotate(n=Count("id")).order_by():
        counts[state] = n
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


def finding_get(*, finding_id: int) -> Finding:
    """One finding with its version, product and vulnerability."""
    f = (
        Finding.objects.select_related("product_version__product", "vulnerability", "component", "triage_by")
        .filter(pk=finding_id)
        .first()
    )
    if f is None:
        raise NotFoundError(f"no finding {finding_id}")
    return f


def finding_history(*, finding: Finding) -> QuerySet[FindingEvent]:
    """A finding's events, newest first, with who triaged or commented."""
    return finding.events.select_related("actor").order_by("-at", "-id")


def finding_case_id(*, finding: Finding) -> int | None:
    """The id of the product's case for the finding's vulnerability, if one is open or was."""
    # Through the reverse relation of risk.Case.vulnerability: the findings app does not import risk.
    cases = finding.vulnerability.cases.filter(product_id=finding.product_id)
    return cases.values_list("id", flat=True).first()
