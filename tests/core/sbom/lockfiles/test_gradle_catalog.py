"""Gradle version catalogs."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from medvigil.core.errors import SbomError
from medvigil.core.sbom.lockfiles.gradle_catalog import PLUGIN_PROPERTY
from tests.conftest import shared_path
from tests.core.sbom.lockfiles.conftest import LOCKFILE_FIXTURES, purls, read, read_bytes


def _expected(doc: dict[str, Any]) -> tuple[set[tuple[str, str, str]], set[tuple[str, str]]]:
    """(group, artifact, version) of libraries and (id, version) of plugins, by a plain loop.

    Only string versions and ``version.ref`` to string versions occur in AndroidAPS's catalog.
    """
    versions = doc["versions"]

    def version(value: Any) -> str:
        if isinstance(value, dict):
            return str(versions[value["ref"]])
        return value or ""

    libraries = set()
    for entry in doc["libraries"].values():
        group, artifact = entry["module"].split(":") if "module" in entry else (entry["group"], entry["name"])
        libraries.add((group, artifact, version(entry.get("version"))))
    plugins = {(p["id"], version(p.get("version"))) for p in doc["plugins"].values()}
    return libraries, plugins


def test_androidaps_catalog_counts_and_purls() -> None:
    path = shared_path("lockfiles", "androidaps", "libs.versions.toml")
    libraries, plugins = _expected(tomllib.loads(path.read_text()))
    parsed = read("gradle-catalog", path)
    assert len(parsed.components) == len(libraries) + len(plugins)
    got_libs = {(c.group, c.name, c.version) for c in parsed.components if c.scope != "excluded"}
    assert got_libs == libraries
    got_plugins = {
        (dict(c.properties)[PLUGIN_PROPERTY], c.version) for c in parsed.components if c.scope == "excluded"
    }
    assert got_plugins == plugins
    unversioned = [lib for lib in libraries if not lib[2]] + [p for p in plugins if not p[1]]
    assert len(parsed.warnings) == len(unversioned)
    found = purls(parsed)
    assert "pkg:maven/com.google.dagger/dagger-compiler@2.57.2" in found
    assert "pkg:maven/com.google.guava/guava@33.5.0-jre" in found
    assert "pkg:maven/com.google.firebase/firebase-analytics" in found  # BOM-managed: no version
    assert "pkg:maven/com.google.devtools.ksp/com.google.devtools.ksp.gradle.plugin@2.3.4" in found


def test_rich_versions_string_notation_and_plugins() -> None:
    parsed = read("gradle-catalog", LOCKFILE_FIXTURES / "gradle" / "libs.versions.toml")
    assert purls(parsed) == {
        "pkg:maven/com.squareup.okhttp3/okhttp@4.12.0",  # strictly is a range, prefer wins
        "pkg:maven/com.google.guava/guava@32.1.3-jre",  # require
        "pkg:maven/org.apache.commons/commons-lang3@3.14.0",  # "g:a:v"
        "pkg:maven/junit/junit@4.13.2",  # inline { strictly }
        "pkg:maven/androidx.room/room-runtime",  # dynamic 2.6.+
        "pkg:maven/org.jetbrains.kotlin/kotlin-stdlib@1.9.20",  # listed twice, one component
        "pkg:maven/com.google.firebase/firebase-bom@32.7.0",
        "pkg:maven/com.google.firebase/firebase-analytics",
        "pkg:maven/org.example/thing",
        "pkg:maven/org.jetbrains.kotlin.jvm/org.jetbrains.kotlin.jvm.gradle.plugin@1.9.20",
        "pkg:maven/com.github.ben-manes.versions/com.github.ben-manes.versions.gradle.plugin@0.50.0",
        "pkg:maven/com.android.application/com.android.application.gradle.plugin",
    }
    assert len(parsed.components) == 12
    assert [w.split(":")[0] for w in parsed.warnings] == [
        "/libraries/room-runtime",
        "/libraries/firebase-analytics",
        "/libraries/unknown-ref",
        "/plugins/android-application",
    ]


@pytest.mark.parametrize(
    ("text", "location", "field"),
    [
        ('[libraries]\nx = { group = "g" }\n', "/libraries/x", "module"),
        ('[libraries]\nx = { module = "g-a", version = "1" }\n', "/libraries/x", "module"),
        ('[libraries]\nx = "g:a:v:extra"\n', "/libraries/x", ""),
        ("[libraries]\nx = 3\n", "/libraries/x", ""),
        ('[plugins]\np = { version = "1" }\n', "/plugins/p", "id"),
        ('[versions]\na = "1"\n[libraries\n', "line 3", ""),
    ],
)
def test_malformed_catalog_names_the_location(text: str, location: str, field: str) -> None:
    with pytest.raises(SbomError) as info:
        read_bytes("gradle-catalog", text.encode(), source="libs.versions.toml")
    assert (info.value.source, info.value.location, info.value.field) == (
        "libs.versions.toml",
        location,
        field,
    )
