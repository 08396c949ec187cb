"""Per-ecosystem version ordering."""

from __future__ import annotations

import itertools
import json

import pytest
from univers.versions import DebianVersion

from medvigil.core.matching import versions as versions_module
from medvigil.core.matching.versions import (
    VERSION_SCHEMES,
    InvalidVersionError,
    compare_versions,
    get_scheme,
)
from tests.conftest import shared_path

PURL_TYPES = {
    "pypi",
    "npm",
    "maven",
    "golang",
    "cargo",
    "nuget",
    "gem",
    "composer",
    "deb",
    "rpm",
    "apk",
    "conan",
    "hex",
    "pub",
    "generic",
    "semver",
}


def test_registry_names_are_osv_ecosystems_or_purl_types() -> None:
    osv = set(json.loads(shared_path("schemas", "osv", "ecosystems.json").read_text()))
    for name in VERSION_SCHEMES:
        assert name in osv or name in PURL_TYPES or name == "SEMVER", name
    # every scheme implementation is reachable from the registry
    assert {s.name for s in VERSION_SCHEMES.values()} == set(versions_module._SCHEMES_BY_NAME)


@pytest.mark.parametrize(
    ("ecosystem", "ordered"),
    [
        ("PyPI", ["1.0a1", "1.0b2", "1.0rc1", "1.0", "1.0.post1", "1.1.dev0", "1.1", "1!0.5"]),
        (
            "npm",
            [
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-alpha.beta",
                "1.0.0-beta.2",
                "1.0.0-beta.11",
                "1.0.0-rc.1",
                "1.0.0",
                "1.0.1",
            ],
        ),
        ("Go", ["0.0.0-20200101000000-abcdef123456", "0.1.0", "1.2.3", "v1.10.0"]),
        ("crates.io", ["0.1.9", "0.1.20", "1.0.0-rc.1", "1.0.0"]),
        (
            "Debian:11",
            ["1.0~rc1", "1.0", "1.0-1~bpo1", "1.0-1", "1.0-1+deb11u1", "1.0a", "1.0+dfsg", "1.0.1", "1:0.1"],
        ),
        ("rpm", ["1.0~rc1", "1.0", "1.0^git1", "1.0.a", "1.0.1", "1:0.5"]),
        ("AlmaLinux:8", ["2.30-1.el8", "2.30-1.el8_2", "2.30-2.el8"]),
        ("Maven", ["1.0-alpha-1", "1.0-SNAPSHOT", "1.0", "1.0.1", "1.1"]),
        ("NuGet", ["1.0.0-beta", "1.0.0", "1.0.0.1", "1.0.1"]),
        ("RubyGems", ["1.0.0.pre", "1.0.0", "1.0.0.1", "1.1"]),
        ("Alpine:v3.18", ["1.2.3_rc1-r0", "1.2.3-r0", "1.2.3-r1", "1.2.4-r0"]),
        ("generic", ["1.0 beta1", "1.0", "1.0p1", "2.4", "2.4a", "2.4b", "2.5", "8.1", "8.1 SP2", "8.2"]),
    ],
)
def test_versions_sort_in_ecosystem_order(ecosystem: str, ordered: list[str]) -> None:
    for low, high in itertools.pairwise(ordered):
        assert compare_versions(ecosystem, low, high) == -1, (low, high)
        assert compare_versions(ecosystem, high, low) == 1, (high, low)


@pytest.mark.parametrize(
    ("ecosystem", "left", "right"),
    [("PyPI", "1.0", "1.0.0"), ("npm", "1.0.0+build.5", "1.0.0"), ("npm", "v1.2.3", "1.2.3"),
     ("Debian", "1.0", "0:1.0-0"), ("rpm", "1.0", "1_0"), ("generic", "2.4A", "2.4a"),
     ("generic", "1.0", "1.0.0")],
)  # fmt: skip
def test_equal_versions(ecosystem: str, left: str, right: str) -> None:
    assert compare_versions(ecosystem, left, right) == 0


def test_debian_key_agrees_with_univers_pairwise() -> None:
    corpus = ["1.0", "1.0~rc1", "1.0-1", "1.0-0", "1:0.9", "1.0+dfsg-1", "1.0a", "1.0.1", "1.0~~", "1.0~",
              "2.30-1ubuntu1", "2.30-1ubuntu1.1", "2.3a-1", "0.9-1~bpo1", "1.00", "1.0-1.1", "1.0-1+deb10u1",
              "1.0-1~deb10u1", "1.0.0", "1.0-a", "1.0-a~", "0:1.0", "1.0--1"]  # fmt: skip
    for a, b in itertools.product(corpus, corpus):
        ua, ub = DebianVersion(a), DebianVersion(b)
        assert compare_versions("deb", a, b) == (ua > ub) - (ua < ub), (a, b)


@pytest.mark.parametrize(
    ("ecosystem", "bad"),
    [
        ("PyPI", "0.7.10p1-final"),
        ("npm", "1.2"),
        ("Go", "latest"),
        ("Debian", "abc"),
        ("rpm", ""),
        ("generic", "--"),
    ],
)
def test_invalid_versions_raise_a_typed_error(ecosystem: str, bad: str) -> None:
    with pytest.raises(InvalidVersionError) as info:
        get_scheme(ecosystem).key(bad)
    assert info.value.field == "version"


def test_unknown_ecosystem_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        get_scheme("Hackage")


def test_keys_are_cached_per_string() -> None:
    scheme = get_scheme("PyPI")
    assert scheme.key("2.31.0") is scheme.key("2.31.0")
