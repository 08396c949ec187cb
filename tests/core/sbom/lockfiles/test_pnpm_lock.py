"""pnpm-lock.yaml 5.x, 6.x and 9.x."""

from __future__ import annotations

import pytest

from medvigil.core.errors import SbomError
from medvigil.core.sbom.lockfiles._common import VCS_PROPERTY
from medvigil.core.sbom.lockfiles.pnpm_lock import parse_key
from tests.core.sbom.lockfiles.conftest import LOCKFILE_FIXTURES, edges, purls, read, read_bytes


@pytest.mark.parametrize(
    ("key", "slash_style", "expected"),
    [
        ("/lodash/4.17.21", True, ("lodash", "4.17.21")),
        ("/@babel/runtime/7.23.2", True, ("@babel/runtime", "7.23.2")),
        ("/react-redux/8.1.3_redux@4.2.1", True, ("react-redux", "8.1.3")),
        ("/@types/react@18.2.37", False, ("@types/react", "18.2.37")),
        ("/react-dom@18.2.0(react@18.2.0)", False, ("react-dom", "18.2.0")),
        ("react-dom@18.2.0(react@18.2.0)", False, ("react-dom", "18.2.0")),
        ("@scope/pkg@1.0.0-rc.1(@types/node@20.0.0)(typescript@5.2.2)", False, ("@scope/pkg", "1.0.0-rc.1")),
    ],
)
def test_parse_key_across_versions(key: str, slash_style: bool, expected: tuple[str, str]) -> None:
    assert parse_key(key, slash_style) == expected


def test_v5_slash_keys_and_peer_suffixes() -> None:
    parsed = read("pnpm-lock", LOCKFILE_FIXTURES / "pnpm-v5" / "pnpm-lock.yaml")
    assert parsed.spec_version == "5.4"
    assert purls(parsed) == {
        "pkg:npm/%40babel/runtime@7.23.2",
        "pkg:npm/react-redux@8.1.3",
        "pkg:npm/redux@4.2.1",
        "pkg:npm/regenerator-runtime@0.14.0",
    }
    graph = edges(parsed)
    assert graph["lockfile:root"] == {
        "pkg:npm/%40babel/runtime@7.23.2",
        "pkg:npm/react-redux@8.1.3",
        "pkg:npm/redux@4.2.1",
    }
    assert graph["pkg:npm/react-redux@8.1.3"] == {"pkg:npm/%40babel/runtime@7.23.2", "pkg:npm/redux@4.2.1"}


def test_v6_components_dev_flags_and_edges() -> None:
    parsed = read("pnpm-lock", LOCKFILE_FIXTURES / "pnpm-v6" / "pnpm-lock.yaml")
    assert parsed.spec_version == "6.0"
    assert len(parsed.components) == 15
    dev = {c.purl for c in parsed.components if c.scope == "optional"}
    assert dev == {
        "pkg:npm/%40types/prop-types@15.7.10",
        "pkg:npm/%40types/react@18.2.37",
        "pkg:npm/%40types/scheduler@0.16.6",
        "pkg:npm/csstype@3.1.2",
        "pkg:npm/typescript@5.2.2",
    }
    graph = edges(parsed)
    assert graph["pkg:npm/react-dom@18.2.0"] == {
        "pkg:npm/loose-envify@1.4.0",
        "pkg:npm/react@18.2.0",
        "pkg:npm/scheduler@0.23.0",
    }
    # the alias string-width-cjs -> /string-width@4.2.3 resolves to the real package
    assert "pkg:npm/string-width@4.2.3" in graph["lockfile:root"]
    assert "pkg:npm/typescript@5.2.2" in graph["lockfile:root"]


def test_v9_packages_snapshots_importers_and_tarballs() -> None:
    parsed = read("pnpm-lock", LOCKFILE_FIXTURES / "pnpm-v9" / "pnpm-lock.yaml")
    assert parsed.spec_version == "9.0"
    assert purls(parsed) == {
        "pkg:npm/debug@2.6.9",
        "pkg:npm/depd@2.0.0",
        "pkg:npm/express-session@1.17.3",
        "pkg:npm/js-tokens@4.0.0",
        "pkg:npm/loose-envify@1.4.0",
        "pkg:npm/ms@2.0.0",
        "pkg:npm/ms@2.1.3",
        "pkg:npm/react-dom@18.2.0",
        "pkg:npm/react@18.2.0",
        "pkg:npm/scheduler@0.23.0",
    }
    tarball = [c for c in parsed.components if c.purl is None]
    assert len(tarball) == 1 and tarball[0].name == "vendored-codec" and tarball[0].version == "1.0.0"
    assert tarball[0].properties == ((VCS_PROPERTY, "https://example.com/vendored-codec-1.0.0.tgz"),)
    assert len(parsed.warnings) == 1 and "vendored-codec" in parsed.warnings[0]
    graph = edges(parsed)
    assert graph["pkg:npm/express-session@1.17.3"] == {"pkg:npm/debug@2.6.9", "pkg:npm/depd@2.0.0"}
    assert graph["pkg:npm/react-dom@18.2.0"] >= {"pkg:npm/react@18.2.0"}
    assert graph["lockfile:root"] == {
        "pkg:npm/express-session@1.17.3",
        "pkg:npm/react-dom@18.2.0",
        "pkg:npm/ms@2.1.3",
        tarball[0].bom_ref,
    }


@pytest.mark.parametrize(
    ("text", "location", "field"),
    [
        ("packages:\n  /a@1.0.0: {}\n", "", "lockfileVersion"),
        ("lockfileVersion: '6.0'\npackages:\n  - a\n", "/packages", ""),
        ("lockfileVersion: '6.0'\npackages:\n  /a@1.0.0: nope\n", "/packages/~1a@1.0.0", ""),
        ("lockfileVersion: '6.0'\npackages:\n  /a@1.0.0:\n    resolution: {integrity: x\n", "line 5", ""),
    ],
)
def test_malformed_pnpm_lock_names_the_location(text: str, location: str, field: str) -> None:
    with pytest.raises(SbomError) as info:
        read_bytes("pnpm-lock", text.encode(), source="pnpm-lock.yaml")
    assert (info.value.source, info.value.location, info.value.field) == ("pnpm-lock.yaml", location, field)


@pytest.mark.parametrize("name", ["pnpm-lock.yaml", "yarn.lock"])
def test_yaml_lockfile_alias_bomb_is_refused(name: str) -> None:
    from medvigil.core.sbom.registry import read_sbom

    lines = ['a0: &a0 "lol"']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    head = "lockfileVersion: '6.0'\n" if name == "pnpm-lock.yaml" else "__metadata:\n  version: 6\n"
    data = (head + "\n".join(lines) + "\nbomb: *a9\n").encode()
    fmt = "pnpm-lock" if name == "pnpm-lock.yaml" else "yarn-lock"
    with pytest.raises(SbomError, match="refused as a possible alias bomb"):
        read_sbom(data, source=name, format=fmt)
