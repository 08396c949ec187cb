"""SPDX 3.0 JSON-LD reader.

Counting rule: every element of the ``@graph`` whose type ends in ``Package``
(``software_Package``, ``ai_AIPackage``, ``dataset_DatasetPackage``) is one component; files,
snippets, agents, licences and relationships are not. Mapping: ``spdxId`` → bom_ref,
``software_packageVersion`` → version, ``software_packageUrl`` or an ``externalIdentifier`` of
type ``packageUrl`` → purl, ``cpe22``/``cpe23`` identifiers → cpes, ``suppliedBy`` (else
``originatedBy``) agent name → supplier, ``verifiedUsing`` hashes → hashes,
``software_primaryPurpose`` → type, ``hasDeclaredLicense``/``hasConcludedLicense`` relationships
→ licences, and ``dependsOn``/``contains``/``hasDynamicLink``/``hasStaticLink`` relationships
between packages → dependency edges.
"""

from __future__ import annotations

from typing import Any, ClassVar

from medvigil.core.errors import SbomError
from medvigil.core.model import Component, ComponentType, Dependency, ExternalReference, Hash, ParsedSbom
from medvigil.core.sbom._common import NO_VALUE, dedupe, load_json, parse_datetime, require_object
from medvigil.core.sbom.interface import SbomReader

_PURPOSES = {
    "application": ComponentType.APPLICATION,
    "framework": ComponentType.FRAMEWORK,
    "library": ComponentType.LIBRARY,
    "container": ComponentType.CONTAINER,
    "operatingSystem": ComponentType.OPERATING_SYSTEM,
    "device": ComponentType.DEVICE,
    "deviceDriver": ComponentType.DEVICE_DRIVER,
    "firmware": ComponentType.FIRMWARE,
    "file": ComponentType.FILE,
    "archive": ComponentType.FILE,
    "install": ComponentType.APPLICATION,
    "model": ComponentType.MACHINE_LEARNING_MODEL,
    "data": ComponentType.DATA,
}
_DEFAULT_TYPES = {
    "ai_AIPackage": ComponentType.MACHINE_LEARNING_MODEL,
    "dataset_DatasetPackage": ComponentType.DATA,
}
_EDGE_TYPES = frozenset({"dependsOn", "contains", "hasDynamicLink", "hasStaticLink"})
_LICENSE_TYPES = ("hasDeclaredLicense", "hasConcludedLicense")
_NO_LICENSE = ("NoAssertionLicense", "NoneLicense")


def _type(e: dict[str, Any]) -> str:
    return str(e.get("type") or e.get("@type") or "")


def _id(e: dict[str, Any]) -> str:
    return str(e.get("spdxId") or e.get("@id") or "")


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class _Graph:
    """Index of the elements of one SPDX 3 document."""

    def __init__(self, elements: list[Any]) -> None:
        self.elements = [e for e in elements if isinstance(e, dict)]
        self.by_id = {_id(e): e for e in self.elements if _id(e)}
        self.relationships = [e for e in self.elements if _type(e).endswith("Relationship")]

    def name_of(self, ref: object) -> str:
        target = ref if isinstance(ref, dict) else self.by_id.get(str(ref))
        return str(target.get("name") or "") if isinstance(target, dict) else ""

    def license_text(self, ref: str) -> str:
        lic = self.by_id.get(ref)
        if lic is None:
            return ref.rpartition("/")[2] if ref.startswith("http") else ref
        text = lic.get("simplelicensing_licenseExpression") or lic.get("name") or _id(lic)
        return str(text)


def _identifiers(pkg: dict[str, Any]) -> tuple[str | None, list[str]]:
    purl = pkg.get("software_packageUrl") or None
    cpes: list[str] = []
    for ident in _as_list(pkg.get("externalIdentifier")):
        if not isinstance(ident, dict):
            continue
        kind, value = ident.get("externalIdentifierType"), str(ident.get("identifier") or "")
        if kind == "packageUrl":
            purl = purl or value
        elif kind in ("cpe22", "cpe23"):
            cpes.append(value)
    return (str(purl) if purl else None), cpes


def _component(
    pkg: dict[str, Any], index: int, graph: _Graph, licenses: dict[str, list[str]], source: str
) -> Component:
    name = pkg.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SbomError("package has no name", source=source, location=f"/@graph/{index}", field="name")
    ref = _id(pkg)
    purl, cpes = _identifiers(pkg)
    supplier = graph.name_of(pkg.get("suppliedBy")) or next(
        (graph.name_of(o) for o in _as_list(pkg.get("originatedBy"))), ""
    )
    purpose = str(pkg.get("software_primaryPurpose") or "")
    links = [
        ("website", pkg.get("software_homePage")),
        ("distribution", pkg.get("software_downloadLocation")),
    ]
    return Component(
        name=name,
        version=str(pkg.get("software_packageVersion") or ""),
        purl=purl,
        cpes=dedupe(cpes),
        supplier=supplier,
        type=_PURPOSES.get(purpose, _DEFAULT_TYPES.get(_type(pkg), ComponentType.LIBRARY)),
        hashes=tuple(
            Hash(alg=str(h.get("algorithm", "")).upper(), value=str(h.get("hashValue", "")))
            for h in _as_list(pkg.get("verifiedUsing"))
            if isinstance(h, dict) and _type(h) == "Hash" and h.get("hashValue")
        ),
        licenses=dedupe(
            [x for x in licenses.get(ref, []) if x not in NO_VALUE and not x.endswith(_NO_LICENSE)]
        ),
        bom_ref=ref or f"spdx3-package-{index}",
        description=str(pkg.get("description") or pkg.get("summary") or ""),
        external_references=tuple(
            ExternalReference(t, str(u)) for t, u in links if isinstance(u, str) and u not in NO_VALUE
        ),
    )


def _relations(graph: _Graph, packages: set[str]) -> tuple[dict[str, list[str]], tuple[Dependency, ...]]:
    licenses: dict[str, list[str]] = {}
    edges: dict[str, list[str]] = {}
    for rel in graph.relationships:
        kind, src = rel.get("relationshipType"), str(rel.get("from") or "")
        targets = [str(t) for t in _as_list(rel.get("to"))]
        if kind in _LICENSE_TYPES and src in packages:
            licenses.setdefault(src, []).extend(graph.license_text(t) for t in targets)
        elif kind in _EDGE_TYPES and src in packages:
            found = edges.setdefault(src, [])
            found.extend(t for t in targets if t in packages and t not in found)
    deps = tuple(Dependency(ref=k, depends_on=tuple(v)) for k, v in edges.items() if v)
    return licenses, deps


class Spdx3JsonLdReader(SbomReader):
    """SPDX 3.0 JSON-LD."""

    format_id: ClassVar[str] = "spdx3-jsonld"
    label: ClassVar[str] = "SPDX 3 JSON-LD"

    def sniff(self, name: str, head: bytes) -> bool:
        """A JSON-LD document with an SPDX 3 context."""
        return b'"@context"' in head and b"spdx.org/rdf/3." in head

    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse an SPDX 3 JSON-LD document."""
        doc = require_object(load_json(data, source=source), source=source, what="SPDX 3 document")
        elements = doc.get("@graph")
        if not isinstance(elements, list):
            raise SbomError("an SPDX 3 document needs an '@graph' array", source=source, location="/@graph")
        graph = _Graph(elements)
        packages = [
            (i, e) for i, e in enumerate(elements) if isinstance(e, dict) and _type(e).endswith("Package")
        ]
        licenses, deps = _relations(graph, {_id(e) for _, e in packages})
        info = next((e for e in graph.elements if _type(e) == "CreationInfo"), {})
        spdx_doc = next((e for e in graph.elements if _type(e) == "SpdxDocument"), {})
        return ParsedSbom(
            format=self.format_id,
            spec_version=str(info.get("specVersion") or "3"),
            components=tuple(_component(e, i, graph, licenses, source) for i, e in packages),
            dependencies=deps,
            serial_number=_id(spdx_doc),
            created=parse_datetime(info.get("created")),
            authors=dedupe([graph.name_of(a) for a in _as_list(info.get("createdBy"))]),
            name=str(spdx_doc.get("name") or ""),
        )
