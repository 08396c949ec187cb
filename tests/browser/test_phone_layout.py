"""The main pages fit a 390 px wide phone screen: no page wider than the viewport."""

from __future__ import annotations

from typing import Any

import pytest

from medvigil.web.accounts.services import user_create
from medvigil.web.inventory.demo import demo_load
from medvigil.web.risk.demo import demo_cases
from medvigil.web.risk.models import Case
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"
WIDTH = 390

WIDER = """(limit) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > limit + 0.5 && !e.closest('.scroll, .table-wrap'))
  .slice(0, 8).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' +
    Math.round(e.getBoundingClientRect().right))"""


def test_main_pages_fit_a_phone(browser: Any, live_server: Any) -> None:
    demo_load()
    demo_cases()
    user_create(username="ana", password=PASSWORD, role="admin")
    case = Case.objects.order_by("id").first()
    assert case is not None
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, device_scale_factor=1)
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    pages = {
        "dashboard": "/dashboard/",
        "products": "/",
        "product": "/products/glucolink-cloud/",
        "version": "/products/glucolink-cloud/versions/14.2.6/",
        "diff": "/products/glucolink-cloud/diff/?old=14.2.6&new=15.0.7",
        "findings": "/findings/",
        "cases": "/risk/cases/",
        "case": f"/risk/cases/{case.pk}/",
        "vulnerabilities": "/vulnerabilities/",
        "users": "/manage/users/",
    }
    too_wide = {}
    for name, path in pages.items():
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        shot(page, f"phone-{name}")
        if width > WIDTH:
            too_wide[name] = (width, page.evaluate(WIDER, WIDTH))
    context.close()
    assert not too_wide, too_wide
