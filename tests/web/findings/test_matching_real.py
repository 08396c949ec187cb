"""Findings from real feeds and real lockfiles, checked against an independent walk of the raw data."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from packaging.version import InvalidVersion, Version

from medvigil.web.advisories.services import feed_import
from medvigil.web.findings import services
from medvigil.web.findings.models import Finding
from medvigil.web.inventory import services as inv
from medvigil.web.inventory.models import ProductVersion
from tests.conftest import shared_path

pytestmark = pytest.mark.shared_data

WERKZEUG_REQS = b"Flask==2.2.2\nWerkzeug==2.2.3\n"


def _version(text: str) -> Version | None:
    try:
        return Version(text.lstrip("v"))
    except InvalidVersion:
        return None


def _inside(version: Version, events: list[dict[str, str]]) -> bool | None:
    """OSV range walk with packaging (only for ranges whose events all parse)."""
    affected = False
    parsed = []
    for event in events:
        ((kind, value),) = event.items()
        key = None if value == "0" else _version(value)
        if key is None and value != "0":
            return None
        parsed.append((kind, key))
    parsed.sort(key=lambda e: (e[1] is not None, e[1] or Version("0")))
    for kind, key in parsed:
        if key is not None and version < key:
            break
        if kind == "introduced":
            affected = True
        elif kind == "fixed" or (kind == "last_affected" and key is not None and key < version):
            affected = False
    return affected


def expected_osv_ids(path: Path, ecosystem: str, packages: dict[str, str]) -> set[tuple[str, str]]:
    """(package, record id) pairs affected per the raw OSV records (ranges, then enumerations)."""
    out = set()
    with gzip.open(path, "rt") as fh:
        for line in fh:
            rec = json.loads(line)
            for aff in rec.get("affected", []):
                name = aff["package"]["name"]
                key = name.lower().replace("_", "-") if ecosystem == "PyPI" else name
                if aff["package"]["ecosystem"] != ecosystem or key not in packages:
                    continue
                version = _version(packages[key])
                hit = packages[key] in aff.get("versions", [])
                for rng in aff.get("ranges", []):
                    if rng["type"] != "GIT" and version is not None and _inside(version, rng["events"]):
                        hit = True
                if hit:
                    out.add((key, rec["id"]))
    return out


def found_ids(pv: ProductVersion) -> set[tuple[str, str]]:
    out = set()
    for f in Finding.objects.filter(product_version=pv, state="open"):
        for e in f.evidence:
            if e["source"] == "osv":
                out.add((f.component_name.lower().replace("_", "-"), e["record_id"]))
    return out


def with_record(pv: ProductVersion, record_id: str, **filters: Any) -> list[Finding]:
    rows = Finding.objects.filter(product_version=pv, **filters)
    return [f for f in rows if record_id in f.aliases or f.vulnerability_key == record_id]


def register(name: str, version: str, data: bytes, filename: str) -> ProductVersion:
    product = inv.product_create(name=name)
    pv = inv.version_create(product=product, version=version)
    inv.sbom_import(product_version=pv, data=data, filename=filename)
    return pv


@pytest.mark.django_db
def test_lockfiles_get_exactly_the_osv_findings_of_the_raw_records() -> None:
    pypi = shared_path("osv", "pypi-pypa-advisory-database.jsonl.gz")
    go = shared_path("osv", "go-vulndb.jsonl.gz")
    feed_import(path=pypi)
    feed_import(path=go)
    gomod = shared_path("lockfiles", "tidepool-platform", "go.mod").read_bytes()
    tidepool = register("Tidepool platform", "1", gomod, "go.mod")
    web = register("Aidoc restful app", "1", WERKZEUG_REQS, "requirements.txt")
    services.match_product_versions(ProductVersion.objects.select_related("product"))

    go_packages = {c.name: c.version for c in tidepool.components.all() if _version(c.version) is not None}
    expected_go = expected_osv_ids(go, "Go", go_packages)
    assert len(expected_go) >= 20  # the tidepool pins are old enough to have many
    assert {p for p in found_ids(tidepool) if p[0] in go_packages} == expected_go

    expected_py = expected_osv_ids(pypi, "PyPI", {"flask": "2.2.2", "werkzeug": "2.2.3"})
    assert ("werkzeug", "PYSEC-2023-221") in expected_py
    assert found_ids(web) == expected_py


@pytest.mark.django_db
def test_fixed_version_has_no_finding_and_upgrade_resolves_with_history() -> None:
    feed_import(path=shared_path("osv", "pypi-pypa-advisory-database.jsonl.gz"))
    pv = register("Web", "1", WERKZEUG_REQS, "requirements.txt")
    services.match_product_versions([pv])
    (finding,) = with_record(pv, "PYSEC-2023-221")
    assert finding.state == "open" and finding.method == "purl-enumerated"  # listed in `versions`
    first_seen = finding.first_seen
    inv.sbom_import(product_version=pv, data=b"Flask==2.2.2\nWerkzeug==3.0.1\n", filename="requirements.txt")
    services.match_product_versions([pv])
    finding.refresh_from_db()
    assert finding.state == "resolved" and finding.first_seen == first_seen
    assert "no longer in the version" in finding.state_reason
    assert [e.kind for e in finding.events.order_by("at", "id")] == ["opened", "resolved"]
    assert with_record(pv, "PYSEC-2023-221", component_version="3.0.1") == []


def _modified_record(record_id: str, **changes: Any) -> bytes:
    path = shared_path("osv", "pypi-pypa-advisory-database.jsonl.gz")
    with gzip.open(path, "rt") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["id"] == record_id:
                rec.update(changes)
                rec["modified"] = "2099-01-01T00:00:00Z"
                return json.dumps(rec).encode() + b"\n"
    raise AssertionError(record_id)


@pytest.mark.django_db
def test_rematch_after_modified_feed_moves_state_and_keeps_history(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    feed_import(path=shared_path("osv", "pypi-pypa-advisory-database.jsonl.gz"))
    pv = register("Web", "1", WERKZEUG_REQS, "requirements.txt")
    services.match_product_versions([pv])
    (finding,) = with_record(pv, "PYSEC-2023-221")
    modified = tmp_path / "modified.jsonl"
    modified.write_bytes(_modified_record("PYSEC-2023-221", withdrawn="2099-01-01T00:00:00Z"))
    with django_capture_on_commit_callbacks(execute=True):
        feed_import(path=modified, source="osv")  # the post-import hook re-matches
    finding.refresh_from_db()
    assert finding.state == "withdrawn"
    assert [e.kind for e in finding.events.order_by("at", "id")] == ["opened", "withdrawn"]
    assert Finding.objects.filter(product_version=pv).count() >= 1  # nothing deleted

    restored = tmp_path / "restored.jsonl"
    raw = json.loads(_modified_record("PYSEC-2023-221"))
    raw["modified"] = "2099-02-01T00:00:00Z"
    restored.write_text(json.dumps(raw) + "\n")
    with django_capture_on_commit_callbacks(execute=True):
        feed_import(path=restored, source="osv")
    finding.refresh_from_db()
    assert finding.state == "open"
    assert [e.kind for e in finding.events.order_by("at", "id")] == ["opened", "withdrawn", "reopened"]


@pytest.mark.django_db
def test_sbom_import_hook_matches_the_version(django_capture_on_commit_callbacks: Any) -> None:
    feed_import(path=shared_path("osv", "pypi-pypa-advisory-database.jsonl.gz"))
    product = inv.product_create(name="Hooked")
    pv = inv.version_create(product=product, version="1")
    with django_capture_on_commit_callbacks(execute=True):
        inv.sbom_import(product_version=pv, data=WERKZEUG_REQS, filename="requirements.txt")
    assert Finding.objects.filter(product_version=pv, state="open").exists()


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.strip(".").split("."))


def _vxworks_affected(nodes: list[dict[str, Any]], version: str) -> bool:
    """Independent check: top-level OR nodes, numeric versions only (true for every URGENT/11 record)."""
    v = _ints(version)
    for node in nodes:
        for m in node.get("cpe_match", []):
            fields = m["cpe23Uri"].split(":")
            if not m["vulnerable"] or fields[4] != "vxworks":
                continue
            if fields[5] != "*":
                if _ints(fields[5]) == v:
                    return True
                continue
            low = m.get("versionStartIncluding")
            if low and v < _ints(low):
                continue
            if (hi := m.get("versionEndIncluding")) and v > _ints(hi):
                continue
            if (hx := m.get("versionEndExcluding")) and v >= _ints(hx):
                continue
            return True
    return False


@pytest.mark.django_db
def test_nvd_cpe_stated_in_sbom_vxworks_urgent11() -> None:
    feed_import(path=shared_path("nvd", "feeds-1.1-yearly", "nvdcve-1.1-2019.jsonl.gz"))

    def bom(version: str) -> bytes:
        comp = {
            "type": "operating-system", "name": "vxworks", "version": version, "bom-ref": "os",
            "cpe": f"cpe:2.3:o:windriver:vxworks:{version}:*:*:*:*:*:*:*",
        }  # fmt: skip
        return json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [comp]}).encode()

    urgent11 = {f"CVE-2019-{n}" for n in range(12255, 12266)}
    raw = {}
    with gzip.open(shared_path("nvd", "feeds-1.1-yearly", "nvdcve-1.1-2019.jsonl.gz"), "rt") as fh:
        for line in fh:
            item = json.loads(line)
            if item["cve"]["CVE_data_meta"]["ID"] in urgent11:
                raw[item["cve"]["CVE_data_meta"]["ID"]] = item["configurations"]["nodes"]
    expected = {
        v: {cve for cve, nodes in raw.items() if _vxworks_affected(nodes, v)}
        for v in ("6.5", "6.9", "6.9.4.12")
    }
    assert expected["6.5"] == {"CVE-2019-12265"} and "CVE-2019-12256" in expected["6.9"]
    versions = {v: register(f"Gateway {v}", v, bom(v), "bom.json") for v in expected}
    services.match_product_versions(list(versions.values()))
    for v, pv in versions.items():
        found = Finding.objects.filter(product_version=pv)
        assert set(found.values_list("vulnerability_key", flat=True)) & urgent11 == expected[v], v
        assert set(found.values_list("method", flat=True)) <= {"cpe"}
