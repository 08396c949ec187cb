"""The feeds page and a vulnerability with two sources side by side, in a real browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medvigil.web.accounts.services import user_create
from medvigil.web.advisories.services import feed_import
from tests.browser.conftest import shot
from tests.conftest import shared_path
from tests.core.feeds.sync.conftest import feed_server  # noqa: F401,F811 - local HTTP server fixture
from tests.core.feeds.sync.helpers import serve_kev_epss
from tests.web.advisories.conftest import nvd_lines

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


def test_viewer_reads_feeds_and_a_merged_vulnerability(page: Any, live_server: Any, tmp_path: Path) -> None:
    for path in (
        nvd_lines(tmp_path, "2019", "CVE-2019-10964", "CVE-2019-0708"),
        shared_path("csaf", "cisa", "icsma", "icsma-19-178-01.json"),
        shared_path("kev", "known_exploited_vulnerabilities.json"),
        shared_path("epss", "first-epss-csv-format-sample.csv"),
    ):
        assert not feed_import(path=path).failed
    user_create(username="vic", password=PASSWORD, role="viewer")
    base = live_server.url
    page.goto(f"{base}/feeds/")
    page.fill("#id_username", "vic")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/feeds/")
    assert page.locator("#sources tbody tr").count() == 4
    assert page.locator("#runs tbody tr.run-succeeded").count() == 4
    shot(page, "feeds")

    page.click("nav >> text=Vulnerabilities")
    rows = page.locator("#vulnerabilities tbody tr")
    assert rows.count() == 2
    assert "KEV" in rows.filter(has_text="CVE-2019-0708").inner_text()
    shot(page, "vulnerability-list")

    page.click("text=CVE-2019-10964")
    records = page.locator("#records section.record")
    assert records.count() == 2
    assert {records.nth(i).get_attribute("data-source") for i in range(2)} == {"csaf", "nvd"}
    boxes = [records.nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]  # side by side
    assert "ICSMA-19-178-01/CVE-2019-10964" in page.inner_text("#aliases")
    shot(page, "vulnerability")


def test_admin_syncs_kev_from_the_feeds_page(
    page: Any,
    live_server: Any,
    settings: Any,
    feed_server: Any,  # noqa: F811 - the fixture above
) -> None:
    serve_kev_epss(feed_server)
    settings.FEEDS_SYNC_SOURCES = ["kev"]
    settings.FEEDS_SYNC_OPTIONS = {"kev": {"url": feed_server.url + "/kev.json"}}
    user_create(username="ada", password=PASSWORD, role="admin")
    base = live_server.url
    page.goto(f"{base}/feeds/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/feeds/")
    page.click("#sync-now button")  # jobs run inline under the test settings
    page.wait_for_url(f"{base}/feeds/")
    row = page.locator("#syncs tbody tr", has_text="kev")
    assert "succeeded" in row.inner_text()
    assert page.locator("#sources tbody tr", has_text="kev").count() == 1
    shot(page, "feeds-synced")
