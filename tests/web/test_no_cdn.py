"""Nothing on our pages loads from another host: an air-gapped install is a normal install."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.web.conftest import login

WEB = Path(__file__).resolve().parents[2] / "src" / "medvigil" / "web"
REMOTE = re.compile(r"""<(?:script|link|img)[^>]+(?:src|href)=["'](?:https?:)?//""", re.IGNORECASE)


def test_no_template_loads_from_another_host() -> None:
    offenders = [
        str(p.relative_to(WEB)) for p in WEB.rglob("*.html") if REMOTE.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_api_docs_use_local_swagger_files(viewer: Any) -> None:
    page = login(viewer).get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/static/ninja/swagger-ui.css" in page
    assert not REMOTE.search(page)
    client = login(viewer)
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-init.js"):
        response = client.get(f"/static/ninja/{asset}")
        assert response.status_code == 200, asset
        response.close()  # a file response: close its file
