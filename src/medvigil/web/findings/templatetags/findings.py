"""``{% version_findings pv %}``: the findings panel of the inventory's version page."""

from __future__ import annotations

from typing import Any

from django import template

from medvigil.web.findings.selectors import FindingFilters, finding_list, version_summary
from medvigil.web.inventory.models import ProductVersion

register = template.Library()
PANEL_ROWS = 50


@register.inclusion_tag("findings/_version_panel.html")
def version_findings(pv: ProductVersion) -> dict[str, Any]:
    """Open findings of a version (most severe first) and counts by state."""
    rows = finding_list(filters=FindingFilters(), product_version=pv)
    return {
        "pv": pv,
        "rows": list(rows[:PANEL_ROWS]),
        "summary": version_summary(product_version=pv),
        "limit": PANEL_ROWS,
    }
