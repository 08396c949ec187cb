"""Reads for the inventory: lists, detail lookups, component trees, horizon and diffs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from medvigil.core.errors import NotFoundError
from medvigil.core.model import Component as CoreComponent
from medvigil.core.model import ComponentType, Dependency, ExternalReference, Hash, ParsedSbom, SupportLevel
from medvigil.core.sbom.diff import SbomDiff, diff_components
from medvigil.core.sbom.horizon import HorizonConflict, support_conflicts
from medvigil.web.inventory.models import Component, Product, ProductVersion, SbomDocument
from medvigil.web.paging import RowsById

PRODUCT_SORTS = {
    "name": ("name",),
    "class": ("device_class", "name"),
    "versions": ("version_count", "name"),
    "findings": ("open_findings", "name"),
    "uncontrolled": ("uncontrolled_cases", "name"),
    "support": ("end_of_support", "name"),
}
"""Sort keys of :func:`product_list` (ascending ``order_by`` fields)."""


def _count(qs: QuerySet[Any]) -> Coalesce:
    """A correlated ``COUNT(*)`` of ``qs`` (already filtered on ``product=OuterRef("pk")``)."""
    grouped = qs.order_by().values("product").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(grouped, output_field=IntegerField()), 0)


def product_list(*, q: str = "", order_by: list[Any] | None = None) -> QuerySet[Product]:
    """Products with their version counts, open findings and open cases whose risk is uncontrolled
    (one query: correlated counts, no join fan-out), optionally filtered by name or model number."""
    from medvigil.web.findings.models import Finding
    from medvigil.web.risk.models import Case, CaseState

    uncontrolled = Q(current_assessment__controlled=False) & ~Q(current_assessment__vex_status="not_affected")
    open_cases = (
        Case.objects.filter(product=OuterRef("pk")).exclude(state=CaseState.CLOSED).filter(uncontrolled)
    )
    qs = Product.objects.annotate(
        version_count=Count("versions"),
        open_findings=_count(Finding.objects.filter(product=OuterRef("pk"), state=Finding.State.OPEN)),
        uncontrolled_cases=_count(open_cases),
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(slug__icontains=q) | Q(description__icontains=q))
    return qs.order_by(*(order_by or ["name"]))


def product_get(*, slug: str) -> Product:
    """The product with this slug."""
    product = Product.objects.filter(slug=slug).first()
    if product is None:
        raise NotFoundError(f"no product {slug!r}")
    return product


def version_list(*, product: Product) -> QuerySet[ProductVersion]:
    """A product's versions with their component counts."""
    return product.versions.annotate(component_count=Count("components")).order_by("-release_date", "-id")


def version_get(*, product_slug: str, version: str) -> ProductVersion:
    """One version of a product."""
    pv = (
        ProductVersion.objects.select_related("product")
        .filter(product__slug=product_slug, version=version)
        .first()
    )
    if pv is None:
        raise NotFoundError(f"no version {version!r} of product {product_slug!r}")
    return pv


def component_list(*, product_version: ProductVersion, q: str = "") -> QuerySet[Component]:
    """Components of the version's current set, in document order, filtered by name/purl/CPE text."""
    qs = product_version.components.all()
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(purl__icontains=q) | Q(supplier__icontains=q) | Q(version__icontains=q)
        )
    return qs.order_by("position")


def component_rows(*, product_version: ProductVersion, q: str = "") -> RowsById[Component]:
    """:func:`component_list` for paginators: a page's ids, then its rows with their open findings."""
    counted = Component.objects.annotate(
        open_findings=Count("findings", filter=Q(findings__state="open"))
    )  # fmt: skip
    return RowsById(component_list(product_version=product_version, q=q), counted, materialize=bool(q))


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One line of the SBOM diff table."""

    change: str
    """``changed``, ``added`` or ``removed``."""
    group: str
    name: str
    old_version: str
    new_version: str
    detail: str
    """What differs (changed) or the purl (added, removed)."""


def diff_rows(diff: SbomDiff) -> list[DiffRow]:
    """The diff's changed, added and removed components as table rows, in that order."""
    rows = [
        DiffRow(
            "changed", ch.new.group or "", ch.new.name, ch.old.version, ch.new.version, ", ".join(ch.fields)
        )
        for ch in diff.changed
    ]
    rows += [DiffRow("added", c.group or "", c.name, "", c.version, c.purl or "") for c in diff.added]
    rows += [DiffRow("removed", c.group or "", c.name, c.version, "", c.purl or "") for c in diff.removed]
    return rows


def document_list(*, product_version: ProductVersion) -> QuerySet[SbomDocument]:
    """All SBOM documents ever imported for the version (content deferred)."""
    return product_version.documents.defer("content").order_by("-imported_at", "-id")


def document_get(*, product_version: ProductVersion, document_id: int) -> SbomDocument:
    """One document of a version, with its bytes."""
    doc = product_version.documents.filter(pk=document_id).first()
    if doc is None:
        raise NotFoundError(f"no document {document_id} for {product_version}")
    return doc


def to_core(row: Component) -> CoreComponent:
    """Turn a stored component back into the core value."""
    return CoreComponent(
        name=row.name,
        version=row.version,
        group=row.group,
        purl=row.purl or None,
        cpes=tuple(row.cpes),
        supplier=row.supplier,
        type=ComponentType(row.type),
        hashes=tuple(Hash(a, v) for a, v in row.hashes),
        licenses=tuple(row.licenses),
        bom_ref=row.bom_ref,
        parent_ref=row.parent_ref,
        description=row.description,
        support_level=SupportLevel(row.support_level),
        end_of_support=row.end_of_support,
        properties=tuple((k, v) for k, v in row.properties),
        external_references=tuple(ExternalReference(t, u) for t, u in row.external_references),
        scope=row.scope,
    )


@dataclass
class TreeNode:
    """A component with its nested children, for the version page."""

    component: Component
    children: list[TreeNode] = field(default_factory=list)


def component_tree(*, components: list[Component]) -> list[TreeNode]:
    """Nest components under their parent_ref (CycloneDX nesting); orphans stay at the top."""
    nodes = {c.bom_ref: TreeNode(c) for c in components if c.bom_ref}
    roots: list[TreeNode] = []
    for c in components:
        node = nodes.get(c.bom_ref) if c.bom_ref else None
        node = node if node is not None and node.component is c else TreeNode(c)
        parent = nodes.get(c.parent_ref) if c.parent_ref else None
        (parent.children if parent is not None and parent is not node else roots).append(node)
    return roots


def support_horizon(
    *, product_version: ProductVersion, today: dt.date | None = None
) -> list[HorizonConflict]:
    """Components whose support ends before the product version's declared end of support."""
    rows = list(product_version.components.all())
    return support_conflicts(
        [to_core(r) for r in rows],
        product_version.effective_end_of_support,
        today or timezone.now().date(),
    )


def version_diff(*, old: ProductVersion, new: ProductVersion) -> SbomDiff:
    """Added, removed and changed components between two versions' current sets."""
    return diff_components(
        [to_core(r) for r in old.components.all()],
        [to_core(r) for r in new.components.all()],
    )


def version_counts() -> dict[str, Any]:
    """Portfolio totals for the dashboard."""
    return {
        "products": Product.objects.count(),
        "versions": ProductVersion.objects.count(),
        "components": Component.objects.count(),
        "documents": SbomDocument.objects.count(),
    }


def version_sbom(*, product_version: ProductVersion) -> ParsedSbom:
    """The version's current component set as a core SBOM, ready for the exporters."""
    rows = list(product_version.components.all())
    product = product_version.product
    subject = CoreComponent(
        name=product.name,
        version=product_version.version,
        type=ComponentType.DEVICE,
        bom_ref=f"medvigil:{product.slug}@{product_version.version}",
        description=product.description,
    )
    current = product_version.documents.filter(is_current=True).only("format", "spec_version").first()
    return ParsedSbom(
        format=current.format if current else "",
        spec_version=current.spec_version if current else "",
        components=tuple(to_core(r) for r in rows),
        subject=subject,
        dependencies=tuple(Dependency(r.bom_ref, tuple(r.depends_on)) for r in rows if r.depends_on),
        name=f"{product.name} {product_version.version}",
    )
