"""Component diffs between two SBOM versions."""

from __future__ import annotations

from medvigil.core.model import Component, ComponentType
from medvigil.core.sbom.diff import component_key, diff_components


def test_key_ignores_version_and_qualifiers() -> None:
    a = Component(name="x", purl="pkg:maven/org.a/x@1.0?type=jar")
    b = Component(name="x", purl="pkg:maven/org.a/x@2.0")
    assert component_key(a) == component_key(b) == ("purl", "pkg:maven/org.a/x")
    assert component_key(Component(name="Y", group="G", type=ComponentType.FIRMWARE)) == (
        "name",
        "firmware",
        "g",
        "y",
    )


def test_npm_scoped_purl_keeps_the_scope() -> None:
    assert component_key(Component(name="core", purl="pkg:npm/%40angular/core@16.0.0")) == (
        "purl",
        "pkg:npm/%40angular/core",
    )


def test_added_removed_changed() -> None:
    old = [
        Component(name="openssl", version="1.1.1", purl="pkg:generic/openssl@1.1.1", licenses=("OpenSSL",)),
        Component(name="zlib", version="1.2"),
        Component(name="gone", version="1"),
    ]
    new = [
        Component(
            name="openssl", version="3.0.13", purl="pkg:generic/openssl@3.0.13", licenses=("Apache-2.0",)
        ),
        Component(name="zlib", version="1.2"),
        Component(name="fresh", version="0.1"),
    ]
    diff = diff_components(old, new)
    assert [c.name for c in diff.added] == ["fresh"]
    assert [c.name for c in diff.removed] == ["gone"]
    (change,) = diff.changed
    assert (change.old_version, change.new_version) == ("1.1.1", "3.0.13")
    assert change.fields == ("version", "purl", "licenses")
    assert not diff.is_empty


def test_same_lists_give_empty_diff() -> None:
    comps = [Component(name="a", version="1"), Component(name="b", version="2")]
    assert diff_components(comps, list(comps)).is_empty


def test_two_versions_of_one_library_pair_by_version_first() -> None:
    old = [Component(name="lodash", version="4.17.20"), Component(name="lodash", version="3.10.1")]
    new = [Component(name="lodash", version="3.10.1"), Component(name="lodash", version="4.17.21")]
    diff = diff_components(old, new)
    assert (diff.added, diff.removed) == ((), ())
    assert [(c.old_version, c.new_version) for c in diff.changed] == [("4.17.20", "4.17.21")]
