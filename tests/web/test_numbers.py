"""Counts are printed with thousands separators (humanize ``intcomma``) on every page: a page shows
"1,200 versions", not "1200"; and no template prints a count without it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from medvigil.web.inventory.models import Product, ProductVersion
from tests.web.conftest import login

WEB = Path(__file__).resolve().parents[2] / "src" / "medvigil" / "web"
COUNT_NAMES = {
    "count", "total", "version_count", "component_count", "open_findings", "error_count", "num_pages",
    "open", "not_affected", "resolved", "withdrawn", "false_positive", "suppressed", "accepted",
    "uncontrolled", "unassessed", "active", "products", "versions", "components", "documents",
    "findings", "epss_high", "overdue", "triage", "valid",
}  # fmt: skip
"""Last names of the template variables that are counts (totals.versions, page.paginator.count ...)."""
NOT_PRINTED = ("pluralize", "yesno", "date", "join", "add:", "filesizeformat", "num")
"""Filters after which the value is not printed as a number (or is formatted already)."""


def _unformatted_counts() -> list[str]:
    found = []
    for path in sorted(WEB.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for expr in re.findall(r"\{\{\s*(.*?)\s*\}\}", line):
                variable, *filters = (part.strip() for part in expr.split("|"))
                is_count = variable.split(".")[-1] in COUNT_NAMES or "length" in filters
                if not is_count or "intcomma" in filters:
                    continue
                if any(f.startswith(NOT_PRINTED) for f in filters) or variable.startswith("form."):
                    continue
                if f'colspan="{{{{ {expr} }}}}"' in line:
                    continue  # an attribute (a column count), not a printed number
                found.append(f"{path.relative_to(WEB)}:{number}: {{{{ {expr} }}}}")
    return found


def test_no_template_prints_a_count_without_thousands_separators() -> None:
    assert _unformatted_counts() == []


@pytest.mark.django_db
def test_the_products_page_shows_1200_versions_as_1_200(viewer: Any) -> None:
    product = Product.objects.create(name="Pump", slug="pump")
    ProductVersion.objects.bulk_create(ProductVersion(product=product, version=f"1.{i}") for i in range(1200))
    body = login(viewer).get("/").content.decode()
    assert "<b>1,200</b><span>versions</span>" in body
    assert "1200" not in body
