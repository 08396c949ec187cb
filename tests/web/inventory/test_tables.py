"""Version components and the SBOM diff are paged on the server; licence and open findings per component."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from medvigil.web.advisories.models import Vulnerability
from medvigil.web.findings.models import Finding
from medvigil.web.inventory import services
from medvigil.web.inventory.models import ProductVersion
from medvigil.web.inventory.views import COMPONENT_PAGE_SIZE, DIFF_PAGE_SIZE
from tests.web.conftest import demo_file, login

pytestmark = pytest.mark.django_db

CSS = Path(__file__).resolve().parents[3] / "src" / "medvigil" / "web" / "static" / "medvigil.css"


def _import(version: ProductVersion, name: str = "dropwizard-1.3.15.cdx.json") -> None:
    services.sbom_import(product_version=version, data=demo_file(name), filename=name)


def _rows(page: str, table: str) -> list[str]:
    body = page.split(f'id="{table}"', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    return body.split("<tr")[1:]


def test_components_are_paged(viewer: Any, version: ProductVersion) -> None:
    _import(version)
    total = version.components.count()
    assert total > COMPONENT_PAGE_SIZE
    client = login(viewer)
    first = client.get("/products/pump-x/versions/2.1/").content.decode()
    assert len(_rows(first, "component-results")) == COMPONENT_PAGE_SIZE
    assert 'href="?page=2"' in first
    second = client.get("/products/pump-x/versions/2.1/?page=2").content.decode()
    assert len(_rows(second, "component-results")) == total - COMPONENT_PAGE_SIZE
    names = [c.name for c in version.components.order_by("position")]
    assert names[COMPONENT_PAGE_SIZE] in second and f'<td class="wrap">{names[0]}</td>' not in second
    searched = client.get("/products/pump-x/versions/2.1/?q=jackson&page=1").content.decode()
    assert all("jackson" in r for r in _rows(searched, "component-results"))


def test_licence_and_open_findings_per_component(viewer: Any, version: ProductVersion) -> None:
    _import(version)
    component = version.components.get(name="jackson-databind")
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    for i, state in enumerate(["open", "open", "resolved"]):
        vuln = Vulnerability.objects.create(key=f"CVE-2026-100{i}")
        Finding.objects.create(
            product=version.product, product_version=version, component=component,
            component_key=f"k{i}", component_name=component.name, vulnerability=vuln,
            vulnerability_key=vuln.key, method="purl-range", confidence=90, first_seen=now,
            last_seen=now, state_changed_at=now, state=state,
        )  # fmt: skip
    page = login(viewer).get("/products/pump-x/versions/2.1/?q=jackson-databind").content.decode()
    (row,) = _rows(page, "component-results")
    assert '<td class="right findings"><b>2</b></td>' in row  # the resolved one is not counted
    assert '<td class="wrap licence">Apache-2.0</td>' in row


def _lock(packages: int, start: int) -> bytes:
    pkgs = {"": {"name": "app", "version": "1.0.0"}}
    for i in range(start, start + packages):
        pkgs[f"node_modules/pkg{i}"] = {"version": "1.0.0"}
    return json.dumps({"name": "app", "lockfileVersion": 3, "packages": pkgs}).encode()


def test_diff_is_paged(viewer: Any, version: ProductVersion) -> None:
    newer = services.version_create(product=version.product, version="3.0")
    services.sbom_import(product_version=version, data=_lock(150, 0), filename="package-lock.json")
    services.sbom_import(product_version=newer, data=_lock(150, 100), filename="package-lock.json")
    client = login(viewer)
    first = client.get("/products/pump-x/diff/?old=2.1&new=3.0").content.decode()
    assert '<b id="added-count">100</b>' in first and '<b id="removed-count">100</b>' in first
    assert len(_rows(first, "diff")) == DIFF_PAGE_SIZE
    second = client.get("/products/pump-x/diff/?old=2.1&new=3.0&page=2").content.decode()
    assert len(_rows(second, "diff")) == 200 - DIFF_PAGE_SIZE
    assert 'class="diff-removed"' in second and "page 2 of 2" in second


def test_no_box_scrolls_vertically_inside_the_page() -> None:
    css = CSS.read_text()
    assert "max-height" not in css
    assert "overflow:auto" not in css.replace(" ", "") and "overflow-y" not in css
