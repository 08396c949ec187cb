"""npm package-lock.json v1, v2 and v3."""

from __future__ import annotations

import json
from typing import Any

import pytest

from medvigil.core.errors import SbomError
from medvigil.core.sbom.lockfiles._common import DEV_PROPERTY, LOCAL_PROPERTY
from tests.conftest import shared_path
from tests.core.sbom.lockfiles.conftest import LOCKFILE_FIXTURES, edges, purls, read, read_bytes

NIGHTSCOUT = ("lockfiles", "nightscout-cgm-remote-monitor")


def _v3_expected(doc: dict[str, Any]) -> set[tuple[str, str]]:
    """Distinct (name, version) of ``packages``, root and links excluded, by a plain loop."""
    out = set()
    for key, entry in doc["packages"].items():
        if key == "" or entry.get("link"):
            continue
        name = entry.get("name") or key.split("node_modules/")[-1]
        out.add((name, entry["version"]))
    return out


def _v1_expected(deps: dict[str, Any], out: set[tuple[str, str]]) -> set[tuple[str, str]]:
    for name, entry in deps.items():
        out.add((name, entry["version"]))
        _v1_expected(entry.get("dependencies", {}), out)
    return out


def test_nightscout_v3_counts_and_purls() -> None:
    path = shared_path(*NIGHTSCOUT, "v15.0.7", "package-lock.json")
    doc = json.loads(path.read_bytes())
    parsed = read("package-lock", path)
    expected = _v3_expected(doc)
    assert len(parsed.components) == len(expected)
    assert {(f"{c.group}/{c.name}" if c.group else c.name, c.version) for c in parsed.components} == expected
    assert parsed.spec_version == "3"
    assert parsed.subject is not None
    assert (parsed.subject.name, parsed.subject.version) == ("nightscout", "15.0.7")
    found = purls(parsed)
    express = doc["packages"]["node_modules/express"]["version"]
    babel_core = doc["packages"]["node_modules/@babel/core"]["version"]
    assert f"pkg:npm/express@{express}" in found
    assert f"pkg:npm/%40babel/core@{babel_core}" in found
    assert parsed.warnings == ()


def test_nightscout_v3_dev_marking_and_edges() -> None:
    path = shared_path(*NIGHTSCOUT, "v15.0.7", "package-lock.json")
    doc = json.loads(path.read_bytes())
    parsed = read("package-lock", path)
    dev_only = {
        (e.get("name") or k.split("node_modules/")[-1], e["version"])
        for k, e in doc["packages"].items()
        if k and e.get("dev")
    }
    runtime = {
        (e.get("name") or k.split("node_modules/")[-1], e["version"])
        for k, e in doc["packages"].items()
        if k and not e.get("dev")
    }
    marked = {(f"{c.group}/{c.name}" if c.group else c.name, c.version) for c in parsed.components if c.scope}
    assert marked == dev_only - runtime
    assert all(DEV_PROPERTY in c.properties for c in parsed.components if c.scope)
    graph = edges(parsed)
    root_deps = doc["packages"][""]["dependencies"]
    express = f"pkg:npm/express@{doc['packages']['node_modules/express']['version']}"
    assert express in graph["lockfile:root"]
    assert len(graph["lockfile:root"]) == len(
        set(root_deps) | set(doc["packages"][""].get("devDependencies", {}))
    )
    body_parser = doc["packages"]["node_modules/express/node_modules/body-parser"]["version"]
    assert f"pkg:npm/body-parser@{body_parser}" in graph[express]


def test_nightscout_v1_counts_and_non_registry_version() -> None:
    path = shared_path(*NIGHTSCOUT, "v14.2.6", "package-lock.json")
    doc = json.loads(path.read_bytes())
    parsed = read("package-lock", path)
    expected = _v1_expected(doc["dependencies"], set())
    assert len(parsed.components) == len(expected)
    assert parsed.spec_version == "1"
    http2 = [c for c in parsed.components if c.name == "http2"]
    assert len(http2) == 1 and http2[0].purl is None  # a GitHub tarball, not a registry version
    assert any("http2" in w for w in parsed.warnings)
    lodash = doc["dependencies"]["lodash"]["version"]
    assert f"pkg:npm/lodash@{lodash}" in purls(parsed)
    code_frame = next(c for c in parsed.components if c.purl == "pkg:npm/%40babel/code-frame@7.10.4")
    assert code_frame.group == "@babel" and code_frame.hashes[0].alg == "SHA-512"
    assert len(code_frame.hashes[0].value) == 128


def test_v2_fixture_links_aliases_workspaces_bundles() -> None:
    parsed = read("package-lock", LOCKFILE_FIXTURES / "npm-v2" / "package-lock.json")
    assert purls(parsed) == {
        "pkg:npm/d3-scale@4.0.2",
        "pkg:npm/debug@4.3.4",
        "pkg:npm/ms@2.1.2",
        "pkg:npm/ms@2.0.0",
        "pkg:npm/ms@2.1.3",
        "pkg:npm/eslint-plugin-glucose@1.2.0",
        "pkg:npm/npm-bundler@1.0.0",
        "pkg:npm/tiny-dep@0.1.0",
    }
    by_ref = {c.bom_ref: c for c in parsed.components}
    chart = by_ref["local:@glucose/chart@0.4.0"]
    assert chart.purl is None and (LOCAL_PROPERTY, "packages/chart") in chart.properties
    assert ("medvigil:npm:alias", "legacy-ms") in by_ref["pkg:npm/ms@2.0.0"].properties
    assert ("medvigil:npm:bundled", "true") in by_ref["pkg:npm/tiny-dep@0.1.0"].properties
    assert by_ref["pkg:npm/ms@2.1.3"].scope == "optional"
    assert by_ref["pkg:npm/debug@4.3.4"].scope == ""
    assert len(parsed.warnings) == 1 and parsed.warnings[0].startswith(
        "/packages/node_modules~1@glucose~1chart:"
    )
    graph = edges(parsed)
    assert graph["lockfile:root"] == {
        "local:@glucose/chart@0.4.0",  # through the link
        "pkg:npm/debug@4.3.4",
        "pkg:npm/ms@2.0.0",  # the alias
        "pkg:npm/npm-bundler@1.0.0",
        "pkg:npm/eslint-plugin-glucose@1.2.0",
    }
    assert graph["pkg:npm/debug@4.3.4"] == {"pkg:npm/ms@2.1.2"}  # nested node_modules wins
    assert graph["pkg:npm/eslint-plugin-glucose@1.2.0"] == {"pkg:npm/ms@2.1.3"}  # falls back to the top
    assert graph["local:@glucose/chart@0.4.0"] == {"pkg:npm/d3-scale@4.0.2"}


def test_entry_without_version_is_skipped_with_a_warning() -> None:
    doc = {"lockfileVersion": 3, "packages": {"": {}, "node_modules/x": {"resolved": "https://r/x.tgz"}}}
    parsed = read_bytes("package-lock", json.dumps(doc).encode())
    assert parsed.components == ()
    assert parsed.warnings == ("/packages/node_modules~1x: 'x' has no version; skipped",)


def test_invalid_json_names_the_line() -> None:
    with pytest.raises(SbomError) as info:
        read_bytes(
            "package-lock", b'{\n  "lockfileVersion": 3,\n  "packages": {,\n}', source="package-lock.json"
        )
    assert info.value.source == "package-lock.json"
    assert info.value.location == "line 3 column 16 (byte 41)"


@pytest.mark.parametrize(
    ("doc", "location", "field"),
    [
        ({"packages": {}}, "", "lockfileVersion"),
        ({"lockfileVersion": 3, "packages": []}, "/packages", ""),
        ({"lockfileVersion": 3, "packages": {"node_modules/@a/b": 7}}, "/packages/node_modules~1@a~1b", ""),
        (
            {"lockfileVersion": 3, "packages": {"node_modules/a": {"version": ["1"]}}},
            "/packages/node_modules~1a",
            "version",
        ),
        (
            {"lockfileVersion": 1, "dependencies": {"a": {"version": "1.0.0", "dependencies": {"b": "x"}}}},
            "/dependencies/a/dependencies/b",
            "",
        ),
    ],
)
def test_malformed_entries_name_pointer_and_field(doc: dict[str, Any], location: str, field: str) -> None:
    with pytest.raises(SbomError) as info:
        read_bytes("package-lock", json.dumps(doc).encode(), source="lock.json")
    assert (info.value.source, info.value.location, info.value.field) == ("lock.json", location, field)
