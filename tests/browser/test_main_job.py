"""The main job in the browser, from an empty instance, with no shell command after start-up.

A real ``medvigil serve`` runs (embedded SQLite job queue, consumer threads in the server
process) on a fresh data folder holding only users and two advisories. The analyst adds a
product and a version, uploads an SBOM, sees "analysis pending" and then the findings, opens a
finding, marks it a false positive, opens the other finding's case, assesses it (not affected),
confirms and closes it. Every page is kept as a screenshot (test-results/screenshots/main-*.png).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser]
PASSWORD = "main-job-pass-123"
SRC = Path(__file__).resolve().parents[2] / "src"
_MAIN = "import sys; from medvigil.cli.main import main; sys.argv[0] = 'medvigil'; main()"


def _osv(ident: str, cve: str, package: str, version: str, summary: str) -> dict[str, Any]:
    return {
        "schema_version": "1.6.0", "id": ident, "aliases": [cve], "modified": "2026-01-10T00:00:00Z",
        "published": "2026-01-05T00:00:00Z", "summary": summary,
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [{"package": {"ecosystem": "PyPI", "name": package, "purl": f"pkg:pypi/{package}"},
                      "versions": [version]}],
    }  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-c", _MAIN, *args], env=env, check=True, capture_output=True)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    env = {
        **os.environ, "MEDVIGIL_DATA_DIR": str(tmp_path / "data"), "MEDVIGIL_TASKS_URL": "sqlite",
        "MEDVIGIL_ALLOWED_HOSTS": "127.0.0.1,localhost", "PYTHONPATH": str(SRC),
        "DJANGO_SETTINGS_MODULE": "medvigil.web.config.settings",
    }  # fmt: skip
    env.pop("MEDVIGIL_DATABASE_URL", None)
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    records = [
        _osv("PYSEC-2026-901", "CVE-2026-90001", "flask", "2.0.1", "Flask session cookie forgery"),
        _osv("PYSEC-2026-902", "CVE-2026-90002", "jinja2", "3.0.1", "Jinja2 sandbox escape"),
    ]
    for r in records:
        (feeds / f"{r['id']}.json").write_text(json.dumps(r))
    _cli(env, "init")
    _cli(env, "user", "create", "ana", "--role", "analyst", "--password", PASSWORD)
    for r in records:
        _cli(env, "feeds", "import", str(feeds / f"{r['id']}.json"))
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-c", _MAIN, "serve", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/login/", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    log.flush()
                    output = (tmp_path / "serve.log").read_text(errors="replace")[-3000:]
                    raise AssertionError(f"medvigil serve did not start:\n{output}") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_the_main_job_from_an_empty_instance(page: Any, server: str, tmp_path: Path) -> None:
    page.goto(f"{server}/login/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server}/products/new/")
    page.fill("#id_name", "Infusion Pump Z")
    shot(page, "main-01-new-product")
    page.click("text=Create product")
    page.wait_for_url("**/products/infusion-pump-z/")
    version_form = page.locator("form", has=page.locator("text=Add version"))
    version_form.locator("input[name=version]").fill("1.0")
    version_form.locator("text=Add version").click()
    shot(page, "main-02-product")
    page.get_by_role("link", name="1.0", exact=True).first.click()
    page.wait_for_url("**/versions/1.0/")

    sbom = tmp_path / "requirements.txt"
    sbom.write_text("flask==2.0.1\njinja2==3.0.1\nrequests==2.31.0\n")
    page.set_input_files("input[type=file][name=file]", str(sbom))
    page.click("button:text-is('Import')")
    page.wait_for_url("**/versions/1.0/**")
    analysis = page.locator("#analysis")
    # Right after the upload the version is pending (unless the job already finished).
    first = analysis.inner_text()
    shot(page, "main-03-version-pending")
    assert "analysis pending" in first or "analysed" in first
    assert "Nothing in the local intelligence store matches" not in page.content() or "analysed" in first
    deadline = time.monotonic() + 60
    while "analysed" not in analysis.inner_text():
        assert time.monotonic() < deadline, analysis.inner_text()
        page.wait_for_timeout(1000)
        page.reload()
    rows = page.locator("#version-findings tbody tr")
    assert rows.count() == 2
    shot(page, "main-04-version-findings")

    page.click("#version-findings >> text=CVE-2026-90001")
    page.wait_for_url("**/findings/*/")
    assert "confidence" in page.locator("#confidence").inner_text()
    shot(page, "main-05-finding")
    page.select_option("#id_action", "false_positive")
    page.fill("#id_reason", "Flask sessions are not used: the device serves a static API only")
    page.click("#triage-form button[type=submit]")
    assert "false positive" in page.locator("#finding-state").inner_text()
    assert "Flask sessions are not used" in page.locator("#finding-history").inner_text()
    shot(page, "main-06-false-positive")

    page.get_by_role("link", name="1.0", exact=True).first.click()
    page.click("#version-findings >> text=CVE-2026-90002")
    page.click("#case-link")
    page.wait_for_url("**/risk/cases/*/")
    shot(page, "main-07-case")
    page.click("#assess summary")
    page.select_option("#id_component_affected", "no")
    page.select_option("#id_vex_justification", "vulnerable_code_not_in_execute_path")
    page.fill(
        "#id_impact_statement", "Templates are compiled at build time; no user template reaches the sandbox."
    )
    page.click("#save-suggest")
    shot(page, "main-08-assessed")
    page.fill("#confirm-form input[name=justification]", "Reviewed with the software lead")
    page.click("#confirm")
    assert "not affected" in page.locator("#case-risk").inner_text()
    shot(page, "main-09-confirmed")
    page.fill("input[name=note]", "Not affected: no runtime templates")
    page.click("#close")
    assert "closed" in page.locator("#case-state").inner_text()
    assert "uncontrolled" not in page.locator("#case-risk").inner_text()
    assert "communicate by" not in page.locator("#case-clock").inner_text()
    shot(page, "main-10-closed")
