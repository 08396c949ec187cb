"""Dashboard: totals and charts reflect the portfolio; viewers only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from medvigil.core.model import SupportLevel
from medvigil.core.model.support import SupportUpdate
from medvigil.web.dashboard.charts import Bar
from medvigil.web.dashboard.charts import bar_chart as chart
from medvigil.web.inventory import services
from tests.web.conftest import demo_file, login


def test_dashboard_needs_a_role(outsider: Any) -> None:
    assert Client().get("/dashboard/").status_code == 302
    assert login(outsider).get("/dashboard/").status_code == 403


def test_dashboard_counts_components_and_horizon_conflicts(viewer: Any, product: Any) -> None:
    services.product_update(product=product, end_of_support=dt.date(2030, 12, 31))
    pv = services.version_create(product=product, version="15")
    services.sbom_import(
        product_version=pv, data=demo_file("nightscout-15.0.7-package-lock.json"), filename="l"
    )
    services.component_support_update(
        product_version=pv, updates=[SupportUpdate("pkg:npm/request", SupportLevel.ABANDONED, None)]
    )
    page = login(viewer).get("/dashboard/").content.decode()
    assert f"<b>{pv.components.count()}</b>" in page
    assert "Infusion Pump X 15" in page and "1 component" in page
    assert "<svg" in page and "no data" in page  # no findings yet: the charts say so


def test_chart_escapes_labels() -> None:
    svg = str(chart([Bar("<script>x</script>", 3)], title="t"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
