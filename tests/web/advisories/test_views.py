"""Feeds and vulnerability pages render for a viewer and refuse an outsider."""

from __future__ import annotations

from typing import Any

from medvigil.web.advisories.services import feed_import
from tests.web.conftest import login


def test_pages_need_a_role(small_store: Any, outsider: Any) -> None:
    client = login(outsider)
    assert client.get("/feeds/").status_code == 403
    assert client.get("/vulnerabilities/").status_code == 403


def test_feeds_page_lists_sources_runs_and_record_errors(
    small_store: Any, viewer: Any, tmp_path: Any
) -> None:
    bad = tmp_path / "broken.jsonl"
    bad.write_text('{"id": "PYSEC-X", "modified": "never"}\n{oops\n')
    feed_import(path=bad, source="osv")
    html = login(viewer).get("/feeds/").content.decode()
    for name in ("nvd", "csaf", "osv", "epss"):
        assert f"<b>{name}</b>" in html
    assert "2 record errors" in html and "line 2" in html


def test_vulnerability_page_shows_both_sources_side_by_side(small_store: Any, viewer: Any) -> None:
    client = login(viewer)
    html = client.get("/vulnerabilities/CVE-2019-10964/").content.decode()
    assert html.count('class="card record"') == 2
    assert "ICSMA-19-178-01/CVE-2019-10964" in html and "known_affected" in html
    assert "CPE configurations" in html
    listing = client.get("/vulnerabilities/?q=minimed").content.decode()
    assert "CVE-2019-10964" in listing
    assert client.get("/vulnerabilities/CVE-1900-0001/").status_code == 404
    raw = client.get("/records/nvd/CVE-2019-10964/raw/")
    assert raw.status_code == 200 and b'"CVE-2019-10964"' in raw.content
