"""Poetry poetry.lock."""

from __future__ import annotations

import pytest

from medvigil.core.errors import SbomError
from medvigil.core.sbom.lockfiles._common import LOCAL_PROPERTY, VCS_PROPERTY
from tests.core.sbom.lockfiles.conftest import LOCKFILE_FIXTURES, edges, purls, read, read_bytes


def test_lock_2_groups_sources_and_edges() -> None:
    parsed = read("poetry-lock", LOCKFILE_FIXTURES / "poetry-2" / "poetry.lock")
    assert parsed.spec_version == "2.1"
    assert len(parsed.components) == 14
    assert "pkg:pypi/typing-extensions@4.9.0" in purls(parsed)
    dev = {c.name for c in parsed.components if c.scope == "optional"}
    assert dev == {"colorama", "iniconfig", "pluggy", "pytest"}  # packaging is in main and dev: runtime
    by_name = {c.name: c for c in parsed.components}
    local = by_name["medvigil-device-profiles"]
    assert local.purl is None and (LOCAL_PROPERTY, "libs/device-profiles") in local.properties
    git = by_name["pynetdicom"]
    assert git.purl == "pkg:pypi/pynetdicom@2.1.0.dev0"
    assert (
        VCS_PROPERTY,
        "https://github.com/pydicom/pynetdicom.git@a9b931290bb54bd7f55074483521e21fcebbd7ec",
    ) in (git.properties)
    graph = edges(parsed)
    assert graph["pkg:pypi/requests@2.31.0"] == {
        "pkg:pypi/certifi@2024.2.2",
        "pkg:pypi/charset-normalizer@3.3.2",
        "pkg:pypi/idna@3.6",
        "pkg:pypi/urllib3@2.1.0",
    }
    assert "pkg:pypi/colorama@0.4.6" in graph["pkg:pypi/pytest@7.4.3"]


def test_lock_1_category_and_name_normalisation() -> None:
    parsed = read("poetry-lock", LOCKFILE_FIXTURES / "poetry-1" / "poetry.lock")
    assert parsed.spec_version == "1.1"
    assert purls(parsed) == {
        "pkg:pypi/jinja2@3.1.2",
        "pkg:pypi/markupsafe@2.1.3",
        "pkg:pypi/mypy-extensions@1.0.0",
    }
    assert [c.name for c in parsed.components if c.scope == "optional"] == ["mypy-extensions"]
    assert edges(parsed) == {
        "pkg:pypi/jinja2@3.1.2": {"pkg:pypi/markupsafe@2.1.3"}
    }  # MarkupSafe spelled both ways


@pytest.mark.parametrize(
    ("text", "location", "field"),
    [
        ('[[package]]\nname = "a"\nversion = "1"\n\n[[package]]\nname = "b"\n', "/package/1", "version"),
        ('[[package]]\nversion = "1"\n', "/package/0", "name"),
        ('[[package]]\nname = "a"\nversion = 1.0\n', "/package/0", "version"),
        ('package = "x"\n', "/package", ""),
        ('[[package]]\nname = "a"\nversion = "1\n', "line 3", ""),
    ],
)
def test_malformed_poetry_lock_names_the_location(text: str, location: str, field: str) -> None:
    with pytest.raises(SbomError) as info:
        read_bytes("poetry-lock", text.encode(), source="poetry.lock")
    assert (info.value.source, info.value.location, info.value.field) == ("poetry.lock", location, field)
