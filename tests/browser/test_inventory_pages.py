"""Login and each inventory page in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from medvigil.web.accounts.services import user_create
from medvigil.web.inventory.demo import demo_load
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/products/glucolink-cloud/")
    assert "/login/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/products/glucolink-cloud/")


def _sign_in(page: Any, base: str, username: str) -> None:
    """Sign in from the login page (it lands on the dashboard)."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")


def test_wrong_password_is_refused(page: Any, live_server: Any) -> None:
    user_create(username="ana", password=PASSWORD, role="analyst")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    assert "didn't match" in page.content()


def test_analyst_walks_the_portfolio(page: Any, live_server: Any) -> None:
    demo_load()
    user_create(username="ana", password=PASSWORD, role="analyst")
    base = live_server.url
    _login(page, base, "ana")
    assert page.locator("#versions tbody tr").count() == 2
    shot(page, "product")

    page.goto(f"{base}/")
    rows = page.locator("#products tbody tr")
    assert rows.count() == 4
    assert "life-sustaining" in rows.filter(has_text="GlucoLink Insulin Pump").inner_text()
    shot(page, "product-list")

    page.goto(f"{base}/products/glucolink-cloud/versions/14.2.6/")
    assert "request" in page.locator("#horizon").inner_text()
    page.fill("input[name=q]", "express")
    page.click("text=Search")
    results = page.locator("#component-results tbody tr")
    assert results.count() >= 1 and all("express" in t.lower() for t in results.all_inner_texts())
    shot(page, "version")

    page.goto(f"{base}/products/glucolink-cloud/diff/?old=14.2.6&new=15.0.7")
    assert int(page.inner_text("#changed-count")) > 0
    total = sum(int(page.inner_text(f"#{k}-count")) for k in ("added", "removed", "changed"))
    assert page.locator("#diff tbody tr").count() == min(total, 100)  # paged, 100 rows a page
    shot(page, "diff")


def test_analyst_creates_a_product_and_uploads_an_sbom(page: Any, live_server: Any, tmp_path: Any) -> None:
    from tests.web.conftest import DEMO_DATA

    user_create(username="ana", password=PASSWORD, role="analyst")
    base = live_server.url
    _sign_in(page, base, "ana")
    page.goto(f"{base}/")
    page.click("text=New product")
    page.fill("#id_name", "Neuro Stimulator")
    page.check("#id_implantable")
    page.check("input[value=rf-telemetry]")
    page.click("text=Create product")
    assert "Created Neuro Stimulator" in page.content()
    page.fill("#id_version", "1.0")
    page.click("text=Add version")
    page.click("#versions >> text=1.0")
    page.set_input_files("input[type=file]", str(DEMO_DATA / "dropwizard-1.3.15.cdx.json"))
    page.click("button:has-text('Import')")
    assert "Imported 167 components" in page.content()
    assert page.locator("#documents tbody tr").count() == 1
    shot(page, "upload")


def test_viewer_sees_no_write_controls(page: Any, live_server: Any) -> None:
    demo_load()
    user_create(username="vic", password=PASSWORD, role="viewer")
    _login(page, live_server.url, "vic")
    assert page.locator("text=Add version").count() == 0
    page.goto(f"{live_server.url}/products/glucolink-cloud/versions/15.0.7/")
    assert page.locator("input[type=file]").count() == 0


def test_dashboard_shows_the_portfolio_at_a_glance(page: Any, live_server: Any) -> None:
    from medvigil.web.risk.demo import demo_cases

    demo_load()
    demo_cases()
    user_create(username="vic", password=PASSWORD, role="viewer")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "vic")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert page.locator("svg.chart").count() == 2
    assert page.locator("svg.chart rect.sev-critical").count() == 1
    assert "GlucoLink Cloud 14.2.6" in page.inner_text("#horizon-summary")
    assert "nvd" in page.inner_text("#feed-freshness")
    shot(page, "dashboard")


def test_a_lost_queued_analysis_is_shown_stale_not_pending(page: Any, live_server: Any) -> None:
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from medvigil.web.inventory import services as inv
    from medvigil.web.inventory.models import ProductVersion
    from tests.web.conftest import DEMO_DATA

    user_create(username="ana", password=PASSWORD, role="analyst")
    pv = inv.version_create(product=inv.product_create(name="Infusion Pump", slug="pump"), version="3.0")
    inv.sbom_import(product_version=pv, data=(DEMO_DATA / "dropwizard-1.3.15.cdx.json").read_bytes(),
                    filename="bom.json")  # fmt: skip
    old = timezone.now() - dt.timedelta(minutes=settings.ANALYSIS_TIMEOUT_MINUTES + 5)
    ProductVersion.objects.filter(pk=pv.pk).update(analysis_state="queued", analysis_requested_at=old)
    base = live_server.url
    _sign_in(page, base, "ana")
    page.goto(f"{base}/products/pump/versions/3.0/")
    panel = page.locator("#analysis")
    assert panel.get_attribute("data-state") == "stale"
    assert "not started within" in panel.inner_text() and "analysis pending" not in page.content()
    assert page.locator('meta[http-equiv="refresh"]').count() == 0  # no endless polling
    assert page.locator("#rematch").is_enabled()
    shot(page, "analysis-stale-queued")
