"""Every CycloneDX and SPDX file in ../shared/data/sbom imports with the right component count,
or is refused with the reason listed here. Counts come from an independent walk of the raw file."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET  # noqa: S405 - trusted test data, independent of the reader
from pathlib import Path
from typing import Any

import pytest
import yaml

from medvigil.core.errors import SbomError, UnsupportedFormatError
from medvigil.core.sbom.registry import read_sbom_file
from tests.conftest import SHARED_DATA, shared_path

SBOM_DIR = SHARED_DATA / "sbom"

# Files that must be refused, with a fragment of the expected message.
REFUSED: dict[str, tuple[type[SbomError], str]] = {
    # Upstream file has web-page text ("Contact UsTerms of Use...") after the JSON document.
    "spdx/bom-shelter/in-the-wild/powershell-2.2.6.spdx.json": (
        SbomError,
        "line 2765 column 1 (byte 95877): not valid JSON (unexpected content after document)",
    ),
    # Checksum side files that sit next to SPDX examples: not SBOMs at all.
    "spdx/spdx-examples/software/example10/spdx2.3/shas": (UnsupportedFormatError, "not a recognised SBOM"),
    "spdx/spdx-examples/software/example12/spdx2.2/hello-dist.spdx.json.sha256": (
        UnsupportedFormatError,
        "not a recognised SBOM",
    ),
    "spdx/spdx-examples/software/example12/spdx2.2/hello-src.spdx.json.sha256": (
        UnsupportedFormatError,
        "not a recognised SBOM",
    ),
}


def _files() -> list[str]:
    if not SBOM_DIR.exists():
        return ["<shared data missing>"]
    return sorted(
        str(p.relative_to(SBOM_DIR)) for p in SBOM_DIR.rglob("*") if p.is_file() and p.suffix.lower() != ".md"
    )


def _raw(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _count_cdx_json(doc: dict[str, Any]) -> int:
    def walk(items: list[dict[str, Any]] | None) -> int:
        return sum(1 + walk(c.get("components")) for c in items or [])

    meta = doc.get("metadata") or {}
    subject = meta.get("component") or {}
    return walk(doc.get("components")) + walk(subject.get("components"))


def _count_cdx_xml(root: ET.Element) -> int:
    return sum(
        1
        for parent in root.iter()
        if parent.tag.endswith("}components")
        for c in parent
        if c.tag.endswith("}component")
    )


def _count_rdf(root: ET.Element) -> int:
    about = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
    return len({el.get(about) for el in root.iter("{http://spdx.org/rdf/terms#}Package")})


def expected_count(path: Path) -> int:
    """Count components the way the counting rule says, without medvigil code."""
    data = _raw(path)
    text = data.decode("utf-8-sig")
    name = path.name.removesuffix(".gz")
    if name.endswith((".yaml", ".yml")):
        return len(yaml.safe_load(text).get("packages") or [])
    if name.endswith(".xml"):
        root = ET.fromstring(data)  # noqa: S314 - trusted test data
        if "cyclonedx.org" in root.tag:
            return _count_cdx_xml(root)
        if root.tag.endswith("RDF"):
            return _count_rdf(root)
        return sum(1 for c in root if c.tag == "packages")
    if text.lstrip().startswith("{"):
        doc = json.loads(text)
        if "bomFormat" in doc:
            return _count_cdx_json(doc)
        if "@graph" in doc:
            return sum(1 for e in doc["@graph"] if str(e.get("type", "")).endswith("Package"))
        return len(doc.get("packages") or [])
    return sum(1 for line in text.splitlines() if line.startswith("PackageName:"))


@pytest.mark.shared_data
@pytest.mark.parametrize("rel", _files())
def test_shared_sbom_imports_with_independent_count_or_is_refused(rel: str) -> None:
    path = shared_path("sbom", *Path(rel).parts)
    if rel in REFUSED:
        error, fragment = REFUSED[rel]
        with pytest.raises(error) as info:
            read_sbom_file(path)
        assert fragment in str(info.value)
        assert str(path) in str(info.value)
        return
    sbom = read_sbom_file(path)
    assert len(sbom.components) == expected_count(path)
    assert all(c.name and c.bom_ref for c in sbom.components)
    refs = [c.bom_ref for c in sbom.components]
    if sbom.format.startswith("cyclonedx"):
        assert len(set(refs)) == len(refs), "bom-refs must be unique"


@pytest.mark.shared_data
def test_refused_list_names_real_files() -> None:
    shared_path("sbom")
    assert set(REFUSED) <= set(_files())


@pytest.mark.shared_data
def test_corpus_covers_every_reader_format() -> None:
    shared_path("sbom")
    seen = {read_sbom_file(SBOM_DIR / rel).format for rel in _files() if rel not in REFUSED}
    assert seen == {
        "cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tag-value", "spdx-yaml", "spdx-xml",
        "spdx-rdf", "spdx3-jsonld",
    }  # fmt: skip
