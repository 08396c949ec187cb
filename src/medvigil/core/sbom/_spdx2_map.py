"""Turn an SPDX 2.x document, in its JSON shape, into a :class:`ParsedSbom`.

Used by the SPDX JSON, YAML, XML, RDF/XML and tag-value readers (each converts to the JSON
shape first). Counting rule: every entry of ``packages`` is one component; files and snippets
are not components, and ``subject`` stays None (what the document DESCRIBES is a package and
is counted like the others).

Mapping: SPDXID → bom_ref; ``externalRefs`` PACKAGE-MANAGER/PACKAGE_MANAGER ``purl`` → purl,
SECURITY ``cpe22Type``/``cpe23Type`` → cpes, others → external references; ``supplier``
(``Organization: X``/``Person: Y``, else ``originator``) → supplier; ``checksums`` → hashes;
``licenseDeclared`` then ``licenseConcluded`` (NOASSERTION/NONE dropped) → licenses;
``primaryPackagePurpose`` → type; ``homepage``/``downloadLocation`` → website/distribution
references; package annotations whose comment reads ``medvigil:<name>=<value>`` (written by
:func:`medvigil.core.sbom.export.to_spdx_json`) → properties, hence support level and end of
support. Relationships DEPENDS_ON, CONTAINS, DYNAMIC_LINK and STATIC_LINK (A → B) and
DEPENDENCY_OF and ``*_DEPENDENCY_OF`` (B → A) between two packages become dependency edges.
"""

from __future__ import annotations

from typing import Any

from medvigil.core.errors import SbomError
from medvigil.core.model import (
    Component,
    ComponentType,
    Dependency,
    ExternalReference,
    Hash,
    ParsedSbom,
)
from medvigil.core.sbom._common import (
    NO_VALUE,
    dedupe,
    parse_datetime,
    spdx_agent,
    support_fields,
)
from medvigil.core.sbom._cyclonedx_map import Locator, Path, json_pointer

PURPOSES = {
    "APPLICATION": ComponentType.APPLICATION,
    "FRAMEWORK": ComponentType.FRAMEWORK,
    "LIBRARY": ComponentType.LIBRARY,
    "CONTAINER": ComponentType.CONTAINER,
    "OPERATING-SYSTEM": ComponentType.OPERATING_SYSTEM,
    "OPERATING_SYSTEM": ComponentType.OPERATING_SYSTEM,
    "DEVICE": ComponentType.DEVICE,
    "FIRMWARE": ComponentType.FIRMWARE,
    "FILE": ComponentType.FILE,
    "ARCHIVE": ComponentType.FILE,
    "INSTALL": ComponentType.APPLICATION,
    "SOURCE": ComponentType.OTHER,
    "OTHER": ComponentType.OTHER,
}
_FORWARD = frozenset({"DEPENDS_ON", "CONTAINS", "DYNAMIC_LINK", "STATIC_LINK"})
_PURL_CATEGORIES = frozenset({"PACKAGE-MANAGER", "PACKAGE_MANAGER"})
_CPE_TYPES = frozenset({"cpe22Type", "cpe23Type"})


def _value(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or value.strip() in NO_VALUE:
        return ""
    return value.strip()


def _refs(raw: object) -> tuple[str | None, list[str], list[ExternalReference]]:
    purl: str | None = None
    cpes: list[str] = []
    others: list[ExternalReference] = []
    for ref in raw if isinstance(raw, list) else ():
        if not isinstance(ref, dict):
            continue
        rtype = str(ref.get("referenceType") or "")
        locator = str(ref.get("referenceLocator") or "")
        category = str(ref.get("referenceCategory") or "")
        if rtype == "purl" and category in _PURL_CATEGORIES:
            purl = purl or locator
        elif rtype in _CPE_TYPES:
            cpes.append(locator)
        elif locator:
            others.append(ExternalReference(type=rtype or "other", url=locator))
    return purl, cpes, others


def _annotations(raw: object) -> tuple[tuple[str, str], ...]:
    out = []
    for note in raw if isinstance(raw, list) else ():
        comment = note.get("comment") if isinstance(note, dict) else None
        if isinstance(comment, str) and comment.startswith("medvigil:") and "=" in comment:
            name, _, value = comment.partition("=")
            out.append((name.strip(), value.strip()))
    return tuple(out)


def _package(raw: object, path: Path, source: str, locate: Locator, warnings: list[str]) -> Component:
    if not isinstance(raw, dict):
        raise SbomError("a package must be an object", source=source, location=locate(path))
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SbomError("package has no name", source=source, location=locate(path), field="name")
    ref = raw.get("SPDXID")
    if not isinstance(ref, str) or not ref:
        ref = f"SPDXRef-medvigil-package-{path[-1]}"
        warnings.append(f"{locate(path)}: package has no SPDXID; using {ref!r}")
    purl, cpes, others = _refs(raw.get("externalRefs"))
    links = [("website", _value(raw, "homepage")), ("distribution", _value(raw, "downloadLocation"))]
    props = _annotations(raw.get("annotations"))
    level, eos = support_fields(props, where=locate(path), warnings=warnings)
    purpose = str(raw.get("primaryPackagePurpose") or "").upper()
    return Component(
        name=name,
        version=_value(raw, "versionInfo"),
        purl=purl,
        cpes=dedupe(cpes),
        supplier=spdx_agent(raw.get("supplier")) or spdx_agent(raw.get("originator")),
        type=PURPOSES.get(purpose, ComponentType.LIBRARY),
        hashes=tuple(
            Hash(alg=str(c.get("algorithm", "")).upper(), value=str(c.get("checksumValue", "")))
            for c in raw.get("checksums") or ()
            if isinstance(c, dict) and c.get("checksumValue")
        ),
        licenses=dedupe([_value(raw, "licenseDeclared"), _value(raw, "licenseConcluded")]),
        bom_ref=ref,
        description=_value(raw, "description") or _value(raw, "summary"),
        support_level=level,
        end_of_support=eos,
        properties=props,
        external_references=tuple(others) + tuple(ExternalReference(t, u) for t, u in links if u),
    )


def _edges(relationships: object, packages: set[str]) -> tuple[Dependency, ...]:
    edges: dict[str, list[str]] = {}
    for rel in relationships if isinstance(relationships, list) else ():
        if not isinstance(rel, dict):
            continue
        kind = str(rel.get("relationshipType") or "").upper()
        a, b = str(rel.get("spdxElementId") or ""), str(rel.get("relatedSpdxElement") or "")
        if kind in _FORWARD:
            src, dst = a, b
        elif kind.endswith("DEPENDENCY_OF"):
            src, dst = b, a
        else:
            continue
        if src in packages and dst in packages:
            targets = edges.setdefault(src, [])
            if dst not in targets:
                targets.append(dst)
    return tuple(Dependency(ref=k, depends_on=tuple(v)) for k, v in edges.items())


def build_spdx2(doc: dict[str, Any], *, source: str, fmt: str, locate: Locator = json_pointer) -> ParsedSbom:
    """Map an SPDX 2 document (JSON shape) to a :class:`ParsedSbom`."""
    version = doc.get("spdxVersion")
    if not isinstance(version, str) or not version.startswith("SPDX-2"):
        raise SbomError(
            f"'spdxVersion' must be SPDX-2.x, found {version!r}",
            source=source,
            location=locate(("spdxVersion",)),
            field="spdxVersion",
        )
    packages = doc.get("packages") or []
    if not isinstance(packages, list):
        raise SbomError("'packages' must be an array", source=source, location=locate(("packages",)))
    warnings: list[str] = []
    components = tuple(_package(p, ("packages", i), source, locate, warnings) for i, p in enumerate(packages))
    info = doc.get("creationInfo")
    if not isinstance(info, dict):
        info = {}
    creators = info.get("creators") or []
    return ParsedSbom(
        format=fmt,
        spec_version=version,
        components=components,
        dependencies=_edges(doc.get("relationships"), {c.bom_ref for c in components}),
        warnings=tuple(warnings),
        serial_number=str(doc.get("documentNamespace") or ""),
        created=parse_datetime(info.get("created")),
        authors=dedupe([str(c) for c in creators] if isinstance(creators, list) else []),
        name=str(doc.get("name") or ""),
    )
