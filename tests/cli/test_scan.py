"""``medvigil scan``: the JSON contract, SARIF and CycloneDX VEX shapes, and the --fail-on exit codes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from medvigil.cli.main import main
from medvigil.web.advisories.models import Vulnerability
from medvigil.web.advisories.services import feed_import
from medvigil.web.findings.models import Finding
from tests.conftest import shared_path

pytestmark = pytest.mark.shared_data

COMPONENTS = [
    {"type": "library", "name": "pyspark", "version": "3.2.1", "bom-ref": "spark",
     "purl": "pkg:pypi/pyspark@3.2.1"},
    {"type": "library", "name": "pyspark", "version": "3.2.2", "bom-ref": "spark-fixed",
     "purl": "pkg:pypi/pyspark@3.2.2"},
    {"type": "library", "name": "golang.org/x/net", "version": "v0.16.0", "bom-ref": "xnet",
     "purl": "pkg:golang/golang.org/x/net@v0.16.0"},
    {"type": "library", "name": "Werkzeug", "version": "2.2.3", "bom-ref": "wz",
     "purl": "pkg:pypi/Werkzeug@2.2.3"},
]  # fmt: skip


@pytest.fixture
def store(db: Any) -> None:
    feed_import(path=shared_path("osv", "go-vulndb.jsonl.gz"))
    feed_import(path=shared_path("osv", "pypi-pypa-advisory-database.jsonl.gz"))
    feed_import(path=shared_path("kev", "known_exploited_vulnerabilities.json"))


@pytest.fixture
def bom(tmp_path: Path) -> Path:
    path = tmp_path / "bom.json"
    path.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": COMPONENTS}))
    return path


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["medvigil", *args])
    code: object = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    return (code if isinstance(code, int) else 0), capsys.readouterr().out


def test_json_contract(store: None, bom: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    code, out = run(monkeypatch, capsys, "scan", str(bom), "--format", "json")
    assert code == 0
    findings = json.loads(out)["findings"]
    assert set(json.loads(out)) == {"findings"}
    for f in findings:
        assert set(f) == {"component", "vulnerability", "match"}
        assert set(f["component"]) == {"name", "version", "purl", "cpes", "bom_ref"}
        assert set(f["vulnerability"]) == {"id", "aliases", "sources", "severity", "cvss", "epss", "kev"}
        assert set(f["match"]) == {"method", "confidence", "platform_unverified", "evidence"}
        assert f["match"]["platform_unverified"] is False  # purl matches have no platform condition
        assert f["match"]["method"] in {
            "purl-range",
            "purl-enumerated",
            "cpe",
            "cpe-inferred",
            "csaf-product",
        }
    spark = [f for f in findings if f["vulnerability"]["id"] == "CVE-2022-33891"]
    assert [f["component"]["bom_ref"] for f in spark] == ["spark"]  # 3.2.2 is the fix
    assert spark[0]["vulnerability"]["kev"] is True  # in the KEV catalog imported above
    assert "PYSEC-2022-236" in spark[0]["vulnerability"]["aliases"]
    rapid_reset = [f for f in findings if f["vulnerability"]["id"] == "CVE-2023-39325"]
    assert [f["component"]["bom_ref"] for f in rapid_reset] == ["xnet"]
    assert "GO-2023-2102" in rapid_reset[0]["vulnerability"]["aliases"]
    assert any(f["component"]["bom_ref"] == "wz" for f in findings)
    assert not Finding.objects.exists()  # nothing registered


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), 0),
        (("--fail-on-kev",), 1),
        (("--fail-on", "critical"), 0),
        (("--fail-on", "low"), 1),
        (("--fail-on-epss", "0.5"), 1),
        (("--fail-on-epss", "0.99"), 0),
    ],
)
def test_fail_on_exit_codes(
    store: None, bom: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any, args: tuple[str, ...], expected: int
) -> None:
    # Give one identity known scores so the thresholds are exact (the EPSS file is large).
    Vulnerability.objects.update(severity="", cvss_score=None, epss=None)
    Vulnerability.objects.filter(key="CVE-2022-33891").update(severity="high", cvss_score=7.5, epss=0.94)
    code, _ = run(monkeypatch, capsys, "scan", str(bom), "--format", "json", *args)
    assert code == expected


def test_input_error_exits_2(
    store: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, _ = run(monkeypatch, capsys, "scan", str(bad))
    assert code == 2
    assert run(monkeypatch, capsys, "scan", str(tmp_path / "missing.json"))[0] == 2


def test_vex_marks_not_affected_and_removes_it(
    store: None, bom: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    vex = tmp_path / "vex.json"
    vex.write_text(json.dumps({
        "@context": "https://openvex.dev/ns/v0.2.0", "statements": [{
            "vulnerability": {"name": "CVE-2022-33891"}, "products": [{"@id": "pkg:pypi/pyspark@3.2.1"}],
            "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
        }],
    }))  # fmt: skip
    code, out = run(monkeypatch, capsys, "scan", str(bom), "-f", "json", "--vex", str(vex), "--fail-on-kev")
    assert code == 0
    assert "CVE-2022-33891" not in {f["vulnerability"]["id"] for f in json.loads(out)["findings"]}


def test_sarif_structure(store: None, bom: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    _, out = run(monkeypatch, capsys, "scan", str(bom), "--format", "sarif")
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    (run_,) = log["runs"]
    rule_ids = {r["id"] for r in run_["tool"]["driver"]["rules"]}
    assert run_["results"] and all(r["ruleId"] in rule_ids for r in run_["results"])
    for result in run_["results"]:
        assert result["level"] in {"error", "warning", "note"}
        assert result["message"]["text"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bom.json"


def _cdx_validator() -> Any:
    schemas = shared_path("schemas", "cyclonedx")
    resources = []
    for name in ("spdx.schema.json", "jsf-0.82.schema.json"):
        doc = json.loads((schemas / name).read_text())
        resources.append((name, Resource.from_contents(doc)))
        if "$id" in doc:
            resources.append((doc["$id"], Resource.from_contents(doc)))
    registry: Registry[Any] = Registry().with_resources(resources)
    schema = json.loads((schemas / "bom-1.6.schema.json").read_text())
    return jsonschema.Draft7Validator(schema, registry=registry)


def test_cyclonedx_vex_is_valid_1_6(
    store: None, bom: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    _, out = run(monkeypatch, capsys, "scan", str(bom), "--format", "cyclonedx-vex")
    doc = json.loads(out)
    errors = [e.message for e in _cdx_validator().iter_errors(doc)]
    assert errors == []
    refs = {c["bom-ref"] for c in doc["components"]}
    vulns = {v["id"]: v for v in doc["vulnerabilities"]}
    assert [a["ref"] for a in vulns["CVE-2022-33891"]["affects"]] == ["spark"]
    assert all(a["ref"] in refs for v in doc["vulnerabilities"] for a in v["affects"])


DAJ = "cpe:2.3:a:daj:i-filter_browser_"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "matching"
I_FILTER = {"type": "application", "name": "i-filter", "version": "10.1", "bom-ref": "ifilter",
            "cpe": "cpe:2.3:a:daj:i-filter:10.1:*:*:*:*:*:*:*"}  # fmt: skip
MULTIAGENT = {"type": "application", "name": "i-filter multiagent", "version": "4.93r04", "bom-ref": "agent",
              "cpe": DAJ + r"\&_cloud_multiagent:4.93r04:*:*:*:*:windows"}  # fmt: skip


def _bom(tmp_path: Path, *components: dict[str, str]) -> Path:
    path = tmp_path / f"cpe-bom-{len(components)}.json"
    path.write_text(
        json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": list(components)})
    )
    return path


def test_unverified_platform_tier_in_json_table_and_fail_on(
    db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # CVE-2022-21170: i-filter 10.x is affected only when running on a DSPA appliance (an AND with
    # a running-on OR), which an SBOM listing only the application cannot confirm; the multiagent
    # product is affected on its own.
    feed_import(path=FIXTURES / "nvd_escaped_cpes.jsonl")
    Vulnerability.objects.filter(key="CVE-2022-21170").update(severity="high", kev=True, epss=0.9)
    both = _bom(tmp_path, I_FILTER, MULTIAGENT)
    code, out = run(monkeypatch, capsys, "scan", str(both), "-f", "json")
    found = {f["component"]["bom_ref"]: f["match"] for f in json.loads(out)["findings"]}
    assert found["ifilter"]["platform_unverified"] is True
    assert found["agent"]["platform_unverified"] is False
    assert found["ifilter"]["confidence"] < found["agent"]["confidence"]
    reason = found["ifilter"]["evidence"][0]["details"]["platform"]
    assert reason.startswith("unknown: a running-on condition")
    assert code == 0

    monkeypatch.setenv("COLUMNS", "250")
    _, table = run(monkeypatch, capsys, "scan", str(both))
    assert "1 with a running-on platform not verified" in table
    assert "cpe, platform unverified" in table

    only = _bom(tmp_path, I_FILTER)
    for gate in (("--fail-on", "low"), ("--fail-on-kev",), ("--fail-on-epss", "0.5")):
        strict = (*gate, "--fail-on-unverified-platform")
        assert run(monkeypatch, capsys, "scan", str(only), "-f", "json", *gate)[0] == 0
        assert run(monkeypatch, capsys, "scan", str(only), "-f", "json", *strict)[0] == 1
        assert run(monkeypatch, capsys, "scan", str(both), "-f", "json", *gate)[0] == 1
