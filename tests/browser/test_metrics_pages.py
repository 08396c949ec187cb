"""The metrics page and the dashboard panel in a real browser: the four charts draw from the vendored
Chart.js under the CSP (no inline script, no console error), tables open, the panel links there."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from medvigil.web.accounts.services import user_create
from medvigil.web.inventory import services as inventory
from tests.browser.conftest import shot
from tests.web.metrics.conftest import make_case, make_finding
from tests.web.remediation.conftest import days_ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


def _data() -> None:
    pump = inventory.product_create(name="Infusion Pump X", slug="pump-x")
    monitor = inventory.product_create(name="Patient Monitor", slug="monitor")
    pv = inventory.version_create(product=pump, version="1.0", installed_base=400)
    mv = inventory.version_create(product=monitor, version="7", installed_base=90)
    for n in range(12):
        day0 = days_ago(20 + 25 * n)

        def after(days: int, day0: dt.date = day0) -> str | None:
            on = day0 + dt.timedelta(days=days)
            return on.isoformat() if on <= days_ago(0) else None

        make_case(
            pump if n % 2 else monitor,
            day0.isoformat(),
            assessed=after(1 + n),
            communicated=after(5 + 3 * n),
            fixed=after(10 + 7 * n),
            risk="uncontrolled" if n % 3 else "controlled",
            closed=after(12 + 7 * n) if n > 6 else None,
            versions=(mv,) if n == 2 else (),
        )
    make_case(pump, days_ago(3).isoformat(), risk=None)
    for n, sev in enumerate(["critical", "high", "high", "medium", "medium", "medium", "low", ""] * 3):
        closed = days_ago(n * 5).isoformat() if n % 4 == 0 else None
        make_finding(pv if n % 3 else mv, days_ago(30 + 9 * n).isoformat(), sev, closed=closed)


def _login(page: Any, base: str) -> None:
    user_create(username="vic", password=PASSWORD, role="viewer")
    page.goto(f"{base}/login/")
    page.fill("#id_username", "vic")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_metrics_page_draws_every_chart(page: Any, live_server: Any) -> None:
    _data()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "load resource" not in m.text else None,
    )
    page.on(
        "response", lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, live_server.url)
    page.goto(f"{live_server.url}/metrics/")
    for chart in ("trend", "histogram", "burndown", "heatmap"):
        page.wait_for_selector(f"#chart-{chart}[data-ready='1']", timeout=10_000)
        box = page.locator(f"#chart-{chart}").bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, chart
    assert errors == []
    assert page.inner_text("#open-total") == "8"  # 7 of the 12 not closed, and 1 unassessed
    page.click("#table-durations summary")
    assert "portfolio" in page.inner_text("#table-durations")
    shot(page, "metrics-page")
    page.select_option("#metrics-filters select[name=product]", "pump-x")
    page.click("#metrics-filters button")
    page.wait_for_selector("#chart-heatmap[data-ready='1']")
    assert "product pump-x" in page.inner_text("main")


def test_dashboard_panel_links_to_the_metrics(page: Any, live_server: Any) -> None:
    _data()
    _login(page, live_server.url)
    page.goto(f"{live_server.url}/dashboard/")
    panel = page.locator("#metrics-panel")
    assert "median days to fix" in panel.inner_text()
    shot(page, "dashboard-metrics-panel")
    panel.locator("a[href='/metrics/']").click()
    page.wait_for_selector("#chart-trend[data-ready='1']")
