"""Go go.mod and go.sum."""

from __future__ import annotations

import re

import pytest

from medvigil.core.errors import SbomError
from medvigil.core.sbom.lockfiles._common import LOCAL_PROPERTY
from medvigil.core.sbom.lockfiles.go_mod import INDIRECT_PROPERTY
from tests.conftest import shared_path
from tests.core.sbom.lockfiles.conftest import LOCKFILE_FIXTURES, edges, purls, read, read_bytes

TIDEPOOL = ("lockfiles", "tidepool-platform")


def _requires(text: str) -> list[tuple[str, str, bool]]:
    """(module, version, indirect) of every require, by a plain line scan."""
    out, in_block = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == "require (":
            in_block = True
        elif stripped == ")":
            in_block = False
        elif in_block and stripped:
            fields = stripped.split()
            out.append((fields[0], fields[1], stripped.endswith("// indirect")))
        elif stripped.startswith("require ") and not stripped.endswith("("):
            fields = stripped.split()
            out.append((fields[1], fields[2], "// indirect" in stripped))
    return out


@pytest.mark.parametrize("sub", ["", "plugin-abbott"])
def test_tidepool_go_mod_counts(sub: str) -> None:
    path = shared_path(*TIDEPOOL, sub, "go.mod") if sub else shared_path(*TIDEPOOL, "go.mod")
    text = path.read_text()
    parsed = read("go-mod", path)
    requires = _requires(text)
    assert len(parsed.components) == len({m for m, _, _ in requires})
    indirect = {m for m, _, ind in requires if ind}
    assert {c.name for c in parsed.components if INDIRECT_PROPERTY in c.properties} == indirect
    local = [c for c in parsed.components if c.purl is None]
    # each go.mod replaces its sibling module with a local directory
    local_replaces = re.findall(r"^replace (\S+) => (\.\S*)$", text, re.MULTILINE)
    assert [(c.name, dict(c.properties)[LOCAL_PROPERTY]) for c in local] == local_replaces
    assert parsed.subject is not None and parsed.subject.name == text.split()[1]
    assert edges(parsed)["lockfile:root"] == {
        c.bom_ref for c in parsed.components if not any(p == INDIRECT_PROPERTY for p in c.properties)
    }


def test_tidepool_go_mod_purls() -> None:
    found = purls(read("go-mod", shared_path(*TIDEPOOL, "go.mod")))
    assert "pkg:golang/github.com/IBM/sarama@v1.45.1" in found
    assert "pkg:golang/gopkg.in/yaml.v2@v2.4.0" in found
    assert "pkg:golang/go.mongodb.org/mongo-driver@v1.17.3" in found
    assert "pkg:golang/github.com/ant0ine/go-json-rest@v3.3.2%2Bincompatible" in found


@pytest.mark.parametrize("sub", ["", "plugin-abbott"])
def test_tidepool_go_sum_counts_module_zip_lines_only(sub: str) -> None:
    path = shared_path(*TIDEPOOL, sub, "go.sum") if sub else shared_path(*TIDEPOOL, "go.sum")
    lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
    expected = {(f[0], f[1]) for f in lines if not f[1].endswith("/go.mod")}
    parsed = read("go-sum", path)
    assert {(c.name, c.version) for c in parsed.components} == expected
    assert len(parsed.components) == len(expected)
    assert len(expected) < len(
        {(f[0], f[1].removesuffix("/go.mod")) for f in lines}
    )  # go.mod-only lines exist


def test_every_required_registry_module_has_a_go_sum_zip_line() -> None:
    required = {
        (c.name, c.version) for c in read("go-mod", shared_path(*TIDEPOOL, "go.mod")).components if c.purl
    }
    summed = {(c.name, c.version) for c in read("go-sum", shared_path(*TIDEPOOL, "go.sum")).components}
    assert required <= summed


def test_replace_exclude_and_quoting() -> None:
    parsed = read("go-mod", LOCKFILE_FIXTURES / "go-replace" / "go.mod")
    assert parsed.spec_version == "1.21"
    assert purls(parsed) == {
        "pkg:golang/github.com/gorilla/mux@v1.8.1",
        "pkg:golang/github.com/google/uuid@v1.4.0",
        "pkg:golang/golang.org/x/crypto@v0.17.0",  # versioned replace of v0.14.0
        "pkg:golang/gopkg.in/yaml.v3@v3.0.1",
        "pkg:golang/github.com/pkg/errors@v0.9.2-0.20201214064552-5dd12d0cfe7f",  # version-less replace
        "pkg:golang/golang.org/x/sys@v0.13.0",
    }
    by_name = {c.name: c for c in parsed.components}
    assert ("medvigil:go:replaced", "golang.org/x/crypto v0.14.0") in by_name[
        "golang.org/x/crypto"
    ].properties
    errors = by_name["github.com/pkg/errors"]
    assert INDIRECT_PROPERTY in errors.properties
    protocol = by_name["example.com/pump/protocol"]
    assert protocol.purl is None and (LOCAL_PROPERTY, "./protocol") in protocol.properties
    assert not any("golang.org/x/net" in c.name for c in parsed.components)  # exclude adds nothing
    assert parsed.warnings == ()


@pytest.mark.parametrize(
    ("text", "location", "field"),
    [
        ("module m\n\ngo 1.21\n\nrequire (\n\tgithub.com/a/b\n)\n", "line 6", "require"),
        ("module m\n\nrequire (\n\tgithub.com/a/b v1.0.0\n", "line 3", ""),
        ("module m\nreplace a => b\n", "line 2", "replace"),
        ("module m\nreplace a v1 b v2\n", "line 2", "replace"),
    ],
)
def test_malformed_go_mod_names_the_line(text: str, location: str, field: str) -> None:
    with pytest.raises(SbomError) as info:
        read_bytes("go-mod", text.encode(), source="go.mod")
    assert (info.value.source, info.value.location, info.value.field) == ("go.mod", location, field)


def test_unknown_directive_is_a_warning() -> None:
    parsed = read_bytes("go-mod", b"module m\n\ngo 1.21\nfrobnicate x\nrequire a.com/b v1.0.0\n")
    assert parsed.warnings == ("line 4: unknown or malformed directive 'frobnicate' ignored",)
    assert purls(parsed) == {"pkg:golang/a.com/b@v1.0.0"}


def test_malformed_go_sum_names_the_line() -> None:
    text = b"a.com/b v1.0.0 h1:abc=\na.com/b v1.0.0/go.mod h1:def=\na.com/c v1.0.0\n"
    with pytest.raises(SbomError) as info:
        read_bytes("go-sum", text, source="go.sum")
    assert (info.value.source, info.value.location) == ("go.sum", "line 3")
