"""Package keys in the database-backed scan and re-match: the same equivalence as the core engine.

Regression: candidate rows were selected by guessing the stored spelling from the normalised key
(``once-cell`` never finds the stored ``once_cell``), so every crates.io name with ``_`` and every
mixed-case NuGet/npm/Debian name was missed by ``medvigil scan`` and by stored-version matching.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from medvigil.core.model import Component
from medvigil.web.advisories.services import feed_import
from medvigil.web.findings import services
from medvigil.web.findings.models import Finding
from medvigil.web.findings.scan import scan_components
from medvigil.web.inventory import services as inv
from medvigil.web.inventory.models import ProductVersion
from tests.core.matching.package_name_cases import NAME_CASES, NameCase, osv_doc

pytestmark = pytest.mark.django_db
CASES = pytest.mark.parametrize("case", NAME_CASES, ids=[c.id for c in NAME_CASES])


def _import(tmp_path: Path, case: NameCase) -> None:
    path = tmp_path / "osv.jsonl"
    path.write_text(json.dumps(osv_doc(case)) + "\n")
    feed_import(path=path, source="osv")


def _sbom(case: NameCase) -> bytes:
    component = {"type": "library", "bom-ref": "c1", "name": "c1", "version": "", "purl": case.purl}
    return json.dumps(
        {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [component]}
    ).encode()


def _stored_version(case: NameCase) -> ProductVersion:
    product = inv.product_create(name="Keys")
    pv = inv.version_create(product=product, version="1")
    inv.sbom_import(product_version=pv, data=_sbom(case), filename="bom.cdx.json")
    return pv


def _open_ids(pv: ProductVersion) -> list[str]:
    return sorted(
        e["record_id"] for f in Finding.objects.filter(product_version=pv, state="open") for e in f.evidence
    )


def _expected(case: NameCase) -> list[str]:
    return ["OSV-2099-0001"] if case.same else []


@CASES
def test_scan(case: NameCase, tmp_path: Path) -> None:
    _import(tmp_path, case)
    found = scan_components([Component(name="c1", version="", purl=case.purl)]).findings
    assert sorted(e["record_id"] for f in found for e in f["match"]["evidence"]) == _expected(case)


@CASES
def test_stored_version_matched_after_import(case: NameCase, tmp_path: Path) -> None:
    _import(tmp_path, case)
    pv = _stored_version(case)
    services.match_product_versions([pv])
    assert _open_ids(pv) == _expected(case)


@CASES
def test_stored_version_rematched_by_the_import_hook(
    case: NameCase, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    pv = _stored_version(case)
    services.match_product_versions([pv])
    assert _open_ids(pv) == []
    with django_capture_on_commit_callbacks(execute=True):
        _import(tmp_path, case)  # the post-import hook re-matches the components the record affects
    assert _open_ids(pv) == _expected(case)
