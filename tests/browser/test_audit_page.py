"""The audit page in a real browser: an admin filters by actor and action, pages, downloads the
JSON export; a viewer is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from medvigil.web.accounts.services import user_create
from medvigil.web.audit.chain import audit_context
from medvigil.web.inventory import services as inventory
from medvigil.web.risk import services as risk
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_admin_filters_pages_and_exports(page: Any, live_server: Any) -> None:
    admin = user_create(username="ada", password=PASSWORD, role="admin")
    analyst = user_create(username="ana", password=PASSWORD, role="analyst")
    user_create(username="vic", password=PASSWORD, role="viewer")
    with audit_context(actor=analyst):
        product = inventory.product_create(name="Infusion Pump X", interfaces=["wifi"])
        inventory.version_create(product=product, version="1.0")
        risk.hazard_create(product=product, identifier="HAZ-1", hazardous_situation="Rate changed remotely",
                           harm="Overdose", severity="catastrophic")  # fmt: skip
        for n in range(55):
            inventory.product_create(name=f"Monitor {n}")
    with audit_context(actor=admin, reason="renamed after the 510(k) clearance"):
        inventory.product_update(product=product, name="Infusion Pump X2")
    base = live_server.url
    _login(page, base, "ada")
    page.goto(f"{base}/audit/")
    assert "Audit trail" in page.inner_text("h1")
    assert "page 1 of" in page.inner_text("#pager")
    page.select_option("#audit-filter [name=actor]", "ada")
    page.select_option("#audit-filter [name=action]", "update")
    page.click("#audit-filter button[type=submit]")
    table = page.inner_text("#audit-table")
    assert "Infusion Pump X2" in table and "renamed after the 510(k) clearance" in table
    assert "Monitor 3" not in table
    page.select_option("#audit-filter [name=action]", "")
    page.click("#audit-filter button[type=submit]")
    shot(page, "audit-page-filtered")
    page.select_option("#audit-filter [name=actor]", "ana")
    page.select_option("#audit-filter [name=action]", "")
    page.click("#audit-filter button[type=submit]")
    page.click("#pager >> text=next")
    assert "page 2 of 2" in page.inner_text("#pager")
    page.goto(f"{base}/audit/")
    shot(page, "audit-page")
    with page.expect_download() as info:
        page.click("#audit-export")
    doc = orjson.loads(Path(info.value.path()).read_bytes())
    assert doc["complete"] and doc["events"][0]["seq"] == 1 and doc["events"][-1]["prev_hash"]
    page.context.clear_cookies()
    _login(page, base, "vic")
    response = page.goto(f"{base}/audit/")
    assert response is not None and response.status == 403
    page.goto(f"{base}/dashboard/")
    assert "Audit" not in page.inner_text("nav")
