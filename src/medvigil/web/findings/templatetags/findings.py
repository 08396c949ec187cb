"""``{% version_findings pv %}``: the findings panel of the inventory's version page;
``{% supplier_vex product %}``: the supplier VEX section of the product page."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from medvigil.web.findings import presenters
from medvigil.web.findings.selectors import FindingFilters, finding_rows, supplier_vex_list, version_summary
from medvigil.web.inventory.models import AnalysisState, Product, ProductVersion

register = template.Library()
PANEL_ROWS = 50


@register.inclusion_tag("findings/_version_panel.html", takes_context=True)
def version_findings(context: template.Context, pv: ProductVersion) -> dict[str, Any]:
    """Open findings of a version (most severe first), counts by state and the analysis state."""
    rows = finding_rows(filters=FindingFilters(), product_version=pv)
    stale = pv.analysis_stale  # running past its lease: shown as such, and "Re-match now" is open
    return {
        "pv": pv,
        "pending": pv.analysis_state in (AnalysisState.QUEUED, AnalysisState.RUNNING) and not stale,
        "stale": stale,
        "timeout": settings.ANALYSIS_TIMEOUT_MINUTES,
        "has_sbom": pv.documents.exists(),
        "can_write": context.get("can_write", False),
        "csrf_token": context.get("csrf_token"),
        "rows": list(rows[:PANEL_ROWS]),
        "summary": version_summary(product_version=pv),
        "limit": PANEL_ROWS,
    }


@register.inclusion_tag("findings/_supplier_vex.html", takes_context=True)
def supplier_vex(context: template.Context, product: Product) -> dict[str, Any]:
    """The product's active supplier VEX documents, with upload and remove forms for analysts."""
    from medvigil.web.findings.views import SupplierVexForm

    return {
        "product": product,
        "documents": list(supplier_vex_list(product=product)),
        "can_write": context.get("can_write", False),
        "csrf_token": context.get("csrf_token"),
        "form": SupplierVexForm(),
        "versions": list(product.versions.values_list("version", flat=True)),
    }


@register.filter
def confidence_band(value: int) -> str:
    """A match confidence as ``high``, ``medium`` or ``low``."""
    return presenters.confidence_band(int(value))


@register.filter
def method_label(value: str) -> str:
    """A match method for a pill (``purl range``)."""
    return str(value).replace("-", " ")


@register.filter
def method_words(value: str) -> str:
    """What a match method means, for a tooltip."""
    return presenters.match_explained(str(value), 100).split(": ", 1)[1].split(";")[0]
