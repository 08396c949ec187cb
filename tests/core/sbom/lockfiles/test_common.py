"""Shared helpers: purl building, PEP 503 names, pointers, the inventory."""

from __future__ import annotations

import pytest
from packageurl import PackageURL

from medvigil.core.model import Component
from medvigil.core.sbom.lockfiles import LOCKFILE_READERS
from medvigil.core.sbom.lockfiles._common import (
    DEV_PROPERTY,
    Inventory,
    base_name,
    cargo_purl,
    golang_purl,
    maven_purl,
    npm_purl,
    pep503,
    pointer,
    pypi_purl,
)
from tests.conftest import shared_path

NPM = [
    ("@babel/core", "7.23.2"),
    ("lodash", "4.17.21"),
    ("Foo", "1.0.0"),  # upper case: the library lower-cases npm names
    ("@Scope/x", "1.0.0"),
    ("@types/node", "20.8.10"),
    ("a", "1.0.0-rc.1+build.5"),  # '+' must be encoded
    ("a", ""),
    ("weird name", "1 2"),
]
GO = [
    ("github.com/IBM/sarama", "v1.45.1"),
    ("gopkg.in/yaml.v2", "v2.4.0"),
    ("github.com/ant0ine/go-json-rest", "v3.3.2+incompatible"),
    ("rsc.io", "v1.0.0"),
    ("example.com/a@b/c", "v1.0.0"),
]
PYPI = [("Foo_Bar.baz", "1.0"), ("zope.interface", "6.1"), ("requests", "2.31.0"), ("x", "1.0+local")]
MAVEN = [("com.google.dagger", "dagger", "2.57.2"), ("org.example", "thing", ""), ("g", "a b", "1")]
CARGO = [("serde_json", "1.0.108"), ("syn", "2.0.39")]


def _library(kind: str, namespace: str, name: str, version: str) -> str:
    return PackageURL(type=kind, namespace=namespace or None, name=name, version=version or None).to_string()


def test_purl_fast_path_matches_packageurl() -> None:
    for name, version in NPM:
        scope, _, bare = name.rpartition("/")
        assert npm_purl(name, version) == _library("npm", scope, bare, version)
    for module, version in GO:
        namespace, _, bare = module.rpartition("/")
        assert golang_purl(module, version) == _library("golang", namespace, bare, version)
    for name, version in PYPI:
        assert pypi_purl(name, version) == _library("pypi", "", pep503(name), version)
    for group, artifact, version in MAVEN:
        assert maven_purl(group, artifact, version) == _library("maven", group, artifact, version)
    for name, version in CARGO:
        assert cargo_purl(name, version) == _library("cargo", "", name, version)


def test_purl_fast_path_matches_packageurl_on_real_lockfiles() -> None:
    checked = 0
    for parts, format_id in [
        (("nightscout-cgm-remote-monitor", "v15.0.7", "package-lock.json"), "package-lock"),
        (("nightscout-cgm-remote-monitor", "v14.2.6", "package-lock.json"), "package-lock"),
        (("tidepool-platform", "go.sum"), "go-sum"),
        (("androidaps", "libs.versions.toml"), "gradle-catalog"),
    ]:
        path = shared_path("lockfiles", *parts)
        for comp in LOCKFILE_READERS[format_id].read(path.read_bytes(), source=path.name).components:
            if comp.purl is None:
                continue
            parsed = PackageURL.from_string(comp.purl)
            assert comp.purl == parsed.to_string()
            checked += 1
    assert checked > 2000


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Foo_Bar.baz", "foo-bar-baz"), ("zope.interface", "zope-interface"), ("A--b__c", "a-b-c")],
)
def test_pep503(name: str, expected: str) -> None:
    assert pep503(name) == expected


def test_pointer_and_base_name() -> None:
    assert pointer("packages", "node_modules/@a/b~c") == "/packages/node_modules~1@a~1b~0c"
    assert pointer("package", 3) == "/package/3"
    assert base_name("some/dir/Cargo.lock.gz") == "cargo.lock"
    assert base_name("C:\\x\\package-lock.json") == "package-lock.json"


def test_inventory_marks_dev_only_when_every_occurrence_is_dev() -> None:
    inv = Inventory()
    a = Component(name="a", version="1", purl="pkg:npm/a@1", bom_ref="pkg:npm/a@1")
    b = Component(name="b", version="1", purl="pkg:npm/b@1", bom_ref="pkg:npm/b@1")
    inv.add(a, dev=True)
    inv.add(a, dev=False)
    inv.add(b, dev=True)
    inv.add(b, dev=True)
    comps = {c.name: c for c in inv.components()}
    assert len(comps) == 2
    assert comps["a"].scope == "" and DEV_PROPERTY not in comps["a"].properties
    assert comps["b"].scope == "optional" and DEV_PROPERTY in comps["b"].properties
