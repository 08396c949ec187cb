"""/api/docs renders with the network cut off: Swagger UI comes from our own static files."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from medvigil.web.accounts.services import user_create
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "docs-pass-123"


def test_api_docs_render_offline(page: Any, live_server: Any) -> None:
    user_create(username="vic", password=PASSWORD, role="viewer")
    blocked: list[str] = []

    def only_local(route: Any) -> None:
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "vic")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
    assert "medvigil API" in page.locator(".swagger-ui .info .title").inner_text()
    page.wait_for_selector(".opblock-tag", timeout=20000)
    assert page.locator(".opblock-tag").count() >= 3
    shot(page, "api-docs-offline")
    assert blocked == []
