"""Rust Cargo.lock."""

from __future__ import annotations

import tomllib

import pytest

from medvigil.core.errors import SbomError
from medvigil.core.sbom.lockfiles._common import LOCAL_PROPERTY, VCS_PROPERTY
from tests.core.sbom.lockfiles.conftest import LOCKFILE_FIXTURES, edges, purls, read, read_bytes


def test_v3_registry_git_and_path_packages() -> None:
    path = LOCKFILE_FIXTURES / "cargo-v3" / "Cargo.lock"
    raw = tomllib.loads(path.read_text())["package"]
    parsed = read("cargo-lock", path)
    assert parsed.spec_version == "3"
    assert len(parsed.components) == len({(p["name"], p["version"]) for p in raw})
    assert purls(parsed) == {f"pkg:cargo/{p['name']}@{p['version']}" for p in raw if "source" in p}
    local = {c.name for c in parsed.components if (LOCAL_PROPERTY, "path") in c.properties}
    assert local == {p["name"] for p in raw if "source" not in p} == {"infusion-pump-sim", "pump-protocol"}
    tokio = next(c for c in parsed.components if c.name == "tokio")
    assert tokio.properties[0][0] == VCS_PROPERTY and tokio.hashes == ()
    serde = next(c for c in parsed.components if c.name == "serde")
    assert serde.hashes[0].alg == "SHA-256" and len(serde.hashes[0].value) == 64


def test_v3_edges_disambiguate_versions() -> None:
    graph = edges(read("cargo-lock", LOCKFILE_FIXTURES / "cargo-v3" / "Cargo.lock"))
    assert "pkg:cargo/syn@2.0.39" in graph["pkg:cargo/serde_derive@1.0.193"]
    assert "pkg:cargo/syn@1.0.109" in graph["local:pump-protocol@0.1.0"]
    assert graph["local:infusion-pump-sim@0.3.0"] == {
        "local:pump-protocol@0.1.0",
        "pkg:cargo/serde@1.0.193",
        "pkg:cargo/serde_json@1.0.108",
        "pkg:cargo/syn@2.0.39",
        "pkg:cargo/tokio@1.34.0",
    }


def test_v1_metadata_checksums_and_full_dependency_strings() -> None:
    parsed = read("cargo-lock", LOCKFILE_FIXTURES / "cargo-v1" / "Cargo.lock")
    assert parsed.spec_version == "1"
    assert purls(parsed) == {"pkg:cargo/cfg-if@0.1.10", "pkg:cargo/log@0.4.8"}
    log = next(c for c in parsed.components if c.name == "log")
    assert log.hashes and log.hashes[0].value.startswith("c4520c49")
    assert edges(parsed)["local:glucose-reader@0.1.0"] == {"pkg:cargo/log@0.4.8"}


def test_ambiguous_dependency_is_a_warning() -> None:
    text = (
        'version = 3\n[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = ["syn"]\n'
        '[[package]]\nname = "syn"\nversion = "1.0.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n'
        '[[package]]\nname = "syn"\nversion = "2.0.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n'
    )
    parsed = read_bytes("cargo-lock", text.encode())
    assert parsed.warnings == (
        "/package/0/dependencies/0: dependency 'syn' matches 2 locked packages; edge left out",
    )
    assert parsed.dependencies == ()


@pytest.mark.parametrize(
    ("text", "location", "field"),
    [
        ('version = 3\n[[package]]\nname = "a"\n', "/package/0", "version"),
        ('version = 3\n[[package]]\nname = "a"\nversion = "1"\nsource = 3\n', "/package/0", "source"),
        ("version = 3\n[[package]\n", "line 2", ""),
    ],
)
def test_malformed_cargo_lock_names_the_location(text: str, location: str, field: str) -> None:
    with pytest.raises(SbomError) as info:
        read_bytes("cargo-lock", text.encode(), source="Cargo.lock")
    assert (info.value.source, info.value.location, info.value.field) == ("Cargo.lock", location, field)
