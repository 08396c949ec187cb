"""Yarn classic (v1) and Berry yarn.lock."""

from __future__ import annotations

import pytest

from medvigil.core.errors import SbomError
from medvigil.core.sbom.lockfiles._common import LOCAL_PROPERTY, VCS_PROPERTY
from tests.core.sbom.lockfiles.conftest import LOCKFILE_FIXTURES, edges, purls, read, read_bytes

V1_REGISTRY = {
    "pkg:npm/%40babel/code-frame@7.22.13",
    "pkg:npm/%40babel/helper-validator-identifier@7.22.20",
    "pkg:npm/%40babel/highlight@7.22.20",
    "pkg:npm/ansi-regex@5.0.1",
    "pkg:npm/ansi-styles@3.2.1",
    "pkg:npm/chalk@2.4.2",
    "pkg:npm/color-convert@1.9.3",
    "pkg:npm/color-name@1.1.3",
    "pkg:npm/debug@2.6.9",
    "pkg:npm/debug@4.3.4",
    "pkg:npm/emoji-regex@8.0.0",
    "pkg:npm/escape-string-regexp@1.0.5",
    "pkg:npm/has-flag@3.0.0",
    "pkg:npm/is-fullwidth-code-point@3.0.0",
    "pkg:npm/js-tokens@4.0.0",
    "pkg:npm/loose-envify@1.4.0",
    "pkg:npm/ms@2.0.0",
    "pkg:npm/ms@2.1.2",
    "pkg:npm/string-width@4.2.3",  # listed twice: under its alias string-width-cjs and directly
    "pkg:npm/strip-ansi@6.0.1",
    "pkg:npm/supports-color@5.5.0",
    "pkg:npm/left-pad@1.3.0",
}


def test_v1_components_purls_and_hashes() -> None:
    parsed = read("yarn-lock", LOCKFILE_FIXTURES / "yarn-v1" / "yarn.lock")
    assert parsed.spec_version == "1"
    assert purls(parsed) == V1_REGISTRY
    assert len(parsed.components) == len(V1_REGISTRY) + 1  # + the file: package
    by_ref = {c.bom_ref: c for c in parsed.components}
    local = by_ref["local:pump-codec@1.0.0"]
    assert local.purl is None and local.properties == ((LOCAL_PROPERTY, "file:./vendor/pump-codec"),)
    assert by_ref["pkg:npm/left-pad@1.3.0"].properties[0][0] == VCS_PROPERTY
    code_frame = by_ref["pkg:npm/%40babel/code-frame@7.22.13"]
    assert (code_frame.group, code_frame.name) == ("@babel", "code-frame")
    assert code_frame.hashes[0].alg == "SHA-512"


def test_v1_edges_resolve_through_specifier_lists() -> None:
    graph = edges(read("yarn-lock", LOCKFILE_FIXTURES / "yarn-v1" / "yarn.lock"))
    assert graph["pkg:npm/loose-envify@1.4.0"] == {"pkg:npm/js-tokens@4.0.0"}  # "^3.0.0 || ^4.0.0"
    assert graph["pkg:npm/debug@2.6.9"] == {"pkg:npm/ms@2.0.0"}
    assert graph["pkg:npm/debug@4.3.4"] == {"pkg:npm/ms@2.1.2"}
    assert graph["local:pump-codec@1.0.0"] == {"pkg:npm/debug@4.3.4"}


def test_berry_resolutions_workspaces_and_patches() -> None:
    parsed = read("yarn-lock", LOCKFILE_FIXTURES / "yarn-berry" / "yarn.lock")
    assert parsed.spec_version == "8"
    assert parsed.subject is not None and parsed.subject.name == "medical-dashboard"
    assert purls(parsed) == {
        "pkg:npm/%40types/node@20.8.10",
        "pkg:npm/function-bind@1.1.2",
        "pkg:npm/hasown@2.0.0",
        "pkg:npm/is-core-module@2.13.1",
        "pkg:npm/left-pad@1.3.0",
        "pkg:npm/lodash@4.17.21",
        "pkg:npm/path-parse@1.0.7",
        "pkg:npm/resolve@1.22.8",  # the patch: entry folds into the package it patches
        "pkg:npm/supports-preserve-symlinks-flag@1.0.0",
        "pkg:npm/undici-types@5.26.5",
    }
    local = [c for c in parsed.components if c.purl is None]
    assert [(c.name, c.version, c.properties) for c in local] == [
        ("my-utils", "", ((LOCAL_PROPERTY, "workspace:packages/utils"),))
    ]
    graph = edges(parsed)
    assert graph["lockfile:root"] == {
        "pkg:npm/%40types/node@20.8.10",
        "pkg:npm/left-pad@1.3.0",
        "pkg:npm/lodash@4.17.21",
        "local:my-utils",
        "pkg:npm/resolve@1.22.8",
    }
    assert graph["pkg:npm/hasown@2.0.0"] == {"pkg:npm/function-bind@1.1.2"}


def test_berry_accepts_bare_ranges_of_yarn_2_and_3() -> None:
    text = (LOCKFILE_FIXTURES / "yarn-berry" / "yarn.lock").read_text().replace('"npm:^', '"^')
    assert '"npm:^' not in text
    graph = edges(read_bytes("yarn-lock", text.encode()))
    assert graph["pkg:npm/hasown@2.0.0"] == {"pkg:npm/function-bind@1.1.2"}


@pytest.mark.parametrize(
    ("text", "location", "field"),
    [
        ('# yarn lockfile v1\n\nfoo@^1.0.0:\n  version "1.0.0"\n      bad indent\n', "line 5", ""),
        ('# yarn lockfile v1\n\nfoo@^1.0.0\n  version "1.0.0"\n', "line 3", ""),
        ('# yarn lockfile v1\n\nfoo@^1.0.0:\n  resolved "x"\n', "line 3", "version"),
        ('__metadata:\n  version: 6\n\n"a@npm:^1":\n  version: 1.0.0\n', "/a@npm:^1", "resolution"),
        ('__metadata:\n  version: 6\n"a@npm:^1":\n  version: [1\n', "line 5", ""),
    ],
)
def test_malformed_yarn_lock_names_the_location(text: str, location: str, field: str) -> None:
    with pytest.raises(SbomError) as info:
        read_bytes("yarn-lock", text.encode(), source="yarn.lock")
    assert (info.value.source, info.value.location, info.value.field) == ("yarn.lock", location, field)


def test_v1_quoted_specifier_may_contain_a_comma() -> None:
    text = (
        '# yarn lockfile v1\n\n"a@>=1.0.0, <2", a@^1.5.0:\n  version "1.5.0"\n\n'
        'b@^2.0.0:\n  version "2.0.0"\n  dependencies:\n    a ">=1.0.0, <2"\n'
    )
    parsed = read_bytes("yarn-lock", text.encode())
    assert purls(parsed) == {"pkg:npm/a@1.5.0", "pkg:npm/b@2.0.0"}
    assert edges(parsed) == {"pkg:npm/b@2.0.0": {"pkg:npm/a@1.5.0"}}
