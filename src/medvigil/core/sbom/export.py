"""Exporters: a :class:`ParsedSbom` as CycloneDX 1.6 JSON or SPDX 2.3 JSON.

Both outputs are schema-valid and deterministic (same input, same bytes; no clock is read
when the SBOM carries a timestamp). Support level and end of support travel as
``medvigil:support_level``/``medvigil:end_of_support`` properties (CycloneDX) or package
annotations ``medvigil:<name>=<value>`` (SPDX), which the readers map back.

CycloneDX: the subject becomes ``metadata.component``; components whose ``parent_ref`` names
another component (or the subject) are nested under it; a component's first CPE is ``cpe``
and further CPEs are ``medvigil:cpe`` properties; type ``other`` (not a CycloneDX type) is
written as ``library`` plus a ``medvigil:component_type`` property. SPDX: each component is a package (the
subject is not exported: every SPDX package counts as a component); bom-refs that are not
valid SPDXIDs are rewritten; licences go to ``licenseDeclared`` (first) and
``licenseConcluded`` (second, further ones joined with AND); types without an SPDX purpose
become OTHER; nesting is not kept.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from typing import Any

import orjson

from medvigil.core.model import Component, ComponentType, Hash, ParsedSbom, SupportLevel
from medvigil.core.sbom._common import END_OF_SUPPORT_PROPERTY, SUPPORT_LEVEL_PROPERTY, TYPE_PROPERTY

_NAMESPACE = uuid.UUID("5b0d8f0e-7a43-4c55-9d43-6f7a2d4b8c10")
_RESERVED = frozenset({SUPPORT_LEVEL_PROPERTY, END_OF_SUPPORT_PROPERTY, TYPE_PROPERTY, "medvigil:cpe"})
_CDX_HASHES = {
    "MD5": "MD5", "SHA1": "SHA-1", "SHA256": "SHA-256", "SHA384": "SHA-384", "SHA512": "SHA-512",
    "SHA3256": "SHA3-256", "SHA3384": "SHA3-384", "SHA3512": "SHA3-512", "BLAKE2B256": "BLAKE2b-256",
    "BLAKE2B384": "BLAKE2b-384", "BLAKE2B512": "BLAKE2b-512", "BLAKE3": "BLAKE3",
}  # fmt: skip
_SPDX_HASHES = {
    **{k: v.replace("-", "") for k, v in _CDX_HASHES.items() if not k.startswith(("SHA3", "BLAKE"))},
    "SHA224": "SHA224", "SHA3256": "SHA3-256", "SHA3384": "SHA3-384", "SHA3512": "SHA3-512",
    "BLAKE2B256": "BLAKE2b-256", "BLAKE2B384": "BLAKE2b-384", "BLAKE2B512": "BLAKE2b-512",
    "BLAKE3": "BLAKE3", "MD2": "MD2", "MD4": "MD4", "MD6": "MD6", "ADLER32": "ADLER32",
}  # fmt: skip
_CDX_REF_TYPES = frozenset(
    {
        "vcs", "issue-tracker", "website", "advisories", "bom", "mailing-list", "social", "chat",
        "documentation", "support", "source-distribution", "distribution", "distribution-intake",
        "license", "build-meta", "build-system", "release-notes", "security-contact", "model-card",
        "log", "configuration", "evidence", "formulation", "attestation", "threat-model",
        "adversary-model", "risk-assessment", "vulnerability-assertion", "exploitability-statement",
        "pentest-report", "static-analysis-report", "dynamic-analysis-report",
        "runtime-analysis-report", "component-analysis-report", "maturity-report",
        "certification-report", "codified-infrastructure", "quality-metrics", "poam",
        "electronic-signature", "digital-signature", "rfc-9116", "other",
    }
)  # fmt: skip
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_SPDXID = re.compile(r"^SPDXRef-[A-Za-z0-9.-]+$")
_SPDX_PURPOSES = {
    ComponentType.APPLICATION: "APPLICATION", ComponentType.FRAMEWORK: "FRAMEWORK",
    ComponentType.LIBRARY: "LIBRARY", ComponentType.CONTAINER: "CONTAINER",
    ComponentType.OPERATING_SYSTEM: "OPERATING_SYSTEM", ComponentType.DEVICE: "DEVICE",
    ComponentType.FIRMWARE: "FIRMWARE", ComponentType.FILE: "FILE",
}  # fmt: skip


@cache
def _spdx_license_ids() -> frozenset[str]:
    schema = orjson.loads(files("medvigil.core.sbom").joinpath("schemas", "spdx.schema.json").read_bytes())
    return frozenset(schema["enum"])


def _norm_alg(alg: str) -> str:
    return alg.upper().replace("-", "").replace("_", "")


def _support_props(c: Component) -> list[tuple[str, str]]:
    props = [(n, v) for n, v in c.properties if n not in _RESERVED]
    if c.support_level is not SupportLevel.UNKNOWN:
        props.append((SUPPORT_LEVEL_PROPERTY, c.support_level.value))
    if c.end_of_support is not None:
        props.append((END_OF_SUPPORT_PROPERTY, c.end_of_support.isoformat()))
    return props


def _timestamp(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def _stable_uuid(sbom: ParsedSbom) -> uuid.UUID:
    key = "\n".join(f"{c.bom_ref}|{c.name}|{c.version}|{c.purl}" for c in sbom.components)
    return uuid.uuid5(_NAMESPACE, f"{sbom.serial_number}\n{key}")


# --- CycloneDX -----------------------------------------------------------------------------


def _cdx_licenses(licenses: tuple[str, ...]) -> list[dict[str, Any]]:
    if len(licenses) == 1 and re.search(r" (AND|OR|WITH) ", licenses[0]):
        return [{"expression": licenses[0]}]
    known = _spdx_license_ids()
    return [{"license": {"id": x} if x in known else {"name": x}} for x in licenses]


def _cdx_hashes(hashes: Iterable[Hash]) -> list[dict[str, str]]:
    out = []
    for h in hashes:
        alg = _CDX_HASHES.get(_norm_alg(h.alg))
        if alg is not None and _HEX.match(h.value):
            out.append({"alg": alg, "content": h.value})
    return out


def _cdx_component(c: Component, children: dict[str, list[Component]]) -> dict[str, Any]:
    # CycloneDX has no "other" type: write library and keep the truth in a property
    cdx_type = "library" if c.type is ComponentType.OTHER else c.type.value
    d: dict[str, Any] = {"type": cdx_type, "bom-ref": c.bom_ref}
    if c.supplier:
        d["supplier"] = {"name": c.supplier}
    if c.group:
        d["group"] = c.group
    d["name"] = c.name
    optional = {"version": c.version, "description": c.description, "purl": c.purl, "cpe": c.cpes[:1]}
    if c.scope in ("required", "optional", "excluded"):
        optional["scope"] = c.scope
    d.update({k: v[0] if k == "cpe" else v for k, v in optional.items() if v})
    if hashes := _cdx_hashes(c.hashes):
        d["hashes"] = hashes
    if c.licenses:
        d["licenses"] = _cdx_licenses(c.licenses)
    refs = [
        {"type": r.type if r.type in _CDX_REF_TYPES else "other", "url": r.url} for r in c.external_references
    ]
    if refs:
        d["externalReferences"] = refs
    props = _support_props(c) + [("medvigil:cpe", cpe) for cpe in c.cpes[1:]]
    if c.type is ComponentType.OTHER:
        props.append((TYPE_PROPERTY, c.type.value))
    if props:
        d["properties"] = [{"name": n, "value": v} for n, v in props]
    if kids := children.get(c.bom_ref):
        d["components"] = [_cdx_component(k, children) for k in kids]
    return d


def to_cyclonedx_json(sbom: ParsedSbom) -> bytes:
    """Serialise ``sbom`` as a CycloneDX 1.6 JSON document (pretty-printed, deterministic)."""
    subject_ref = sbom.subject.bom_ref if sbom.subject is not None else ""
    seen: set[str] = {subject_ref} if subject_ref else set()
    children: dict[str, list[Component]] = {}
    top: list[Component] = []
    for c in sbom.components:
        # nest only under a parent listed earlier: no cycles, nothing lost
        nested = bool(c.parent_ref) and c.parent_ref in seen
        seen.add(c.bom_ref)
        if nested:
            children.setdefault(c.parent_ref, []).append(c)
        else:
            top.append(c)
    metadata: dict[str, Any] = {}
    if sbom.created is not None:
        metadata["timestamp"] = _timestamp(sbom.created)
    metadata["tools"] = {"components": [{"type": "application", "name": "medvigil"}]}
    if sbom.authors:
        metadata["authors"] = [{"name": a} for a in sbom.authors]
    if sbom.subject is not None:
        metadata["component"] = _cdx_component(sbom.subject, children)
    serial = sbom.serial_number
    if not re.match(
        r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", serial
    ):
        serial = f"urn:uuid:{_stable_uuid(sbom)}"
    doc: dict[str, Any] = {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial,
        "version": 1,
        "metadata": metadata,
        "components": [_cdx_component(c, children) for c in top],
        "dependencies": [
            {"ref": d.ref, "dependsOn": list(dict.fromkeys(d.depends_on))} for d in sbom.dependencies
        ],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


# --- SPDX 2.3 ------------------------------------------------------------------------------


def _spdx_ids(components: Iterable[Component]) -> list[str]:
    """One valid, unique SPDXID per component (bom-refs kept when they already are one)."""
    out: list[str] = []
    taken: set[str] = set()
    for i, c in enumerate(components):
        ref = c.bom_ref
        if not _SPDXID.match(ref) or ref in taken:
            slug = re.sub(r"[^A-Za-z0-9.-]+", "-", f"{c.name}-{c.version}").strip("-")[:80]
            ref = f"SPDXRef-Package-{i}-{slug}" if slug else f"SPDXRef-Package-{i}"
        out.append(ref)
        taken.add(ref)
    return out


def _spdx_package(c: Component, spdx_id: str, created: str) -> dict[str, Any]:
    p: dict[str, Any] = {"SPDXID": spdx_id, "name": c.name}
    if c.version:
        p["versionInfo"] = c.version
    p["supplier"] = f"Organization: {c.supplier}" if c.supplier else "NOASSERTION"
    links = {r.type: r.url for r in reversed(c.external_references)}
    p["downloadLocation"] = links.get("distribution", "NOASSERTION")
    if "website" in links:
        p["homepage"] = links["website"]
    p["filesAnalyzed"] = False
    checksums = []
    for h in c.hashes:
        alg = _SPDX_HASHES.get(_norm_alg(h.alg))
        if alg is not None and _HEX.match(h.value):
            checksums.append({"algorithm": alg, "checksumValue": h.value})
    if checksums:
        p["checksums"] = checksums
    p["licenseDeclared"] = c.licenses[0] if c.licenses else "NOASSERTION"
    rest = c.licenses[1:]
    p["licenseConcluded"] = (
        " AND ".join(f"({x})" if " " in x and len(rest) > 1 else x for x in rest) or "NOASSERTION"
    )
    if c.description:
        p["description"] = c.description
    p["primaryPackagePurpose"] = _SPDX_PURPOSES.get(c.type, "OTHER")
    ext = (
        [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": c.purl}]
        if c.purl
        else []
    )
    ext += [
        {
            "referenceCategory": "SECURITY",
            "referenceType": "cpe23Type" if x.startswith("cpe:2.3:") else "cpe22Type",
            "referenceLocator": x,
        }
        for x in c.cpes
    ]
    if ext:
        p["externalRefs"] = ext
    props = _support_props(c)
    if props:
        p["annotations"] = [
            {
                "annotationDate": created,
                "annotationType": "OTHER",
                "annotator": "Tool: medvigil",
                "comment": f"{n}={v}",
            }
            for n, v in props
            if n.startswith("medvigil:")
        ]
    return p


def to_spdx_json(sbom: ParsedSbom, *, created: dt.datetime | None = None) -> bytes:
    """Serialise ``sbom`` as an SPDX 2.3 JSON document (pretty-printed).

    The creation time is ``created``, else the SBOM's own timestamp, else now (only then is
    the output not reproducible).
    """
    when = _timestamp(created or sbom.created or dt.datetime.now(dt.UTC))
    per_index = _spdx_ids(sbom.components)
    ids: dict[str, str] = {}
    for c, spdx_id in zip(sbom.components, per_index, strict=True):
        ids.setdefault(c.bom_ref, spdx_id)
    name = sbom.name or (sbom.subject.name if sbom.subject is not None else "") or "medvigil-export"
    creators = ["Tool: medvigil"] + [
        a if a.startswith(("Organization:", "Person:", "Tool:")) else f"Organization: {a}"
        for a in sbom.authors
    ]
    relationships = [
        {"spdxElementId": ids[dep.ref], "relationshipType": "DEPENDS_ON", "relatedSpdxElement": ids[target]}
        for dep in sbom.dependencies
        if dep.ref in ids
        for target in dict.fromkeys(dep.depends_on)
        if target in ids
    ]
    described = [ids[c.bom_ref] for c in sbom.components if not c.parent_ref or c.parent_ref not in ids]
    doc = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": f"https://medvigil.invalid/spdxdocs/{_stable_uuid(sbom)}",
        "creationInfo": {"created": when, "creators": list(dict.fromkeys(creators))},
        "documentDescribes": list(dict.fromkeys(described)),
        "packages": [_spdx_package(c, i, when) for c, i in zip(sbom.components, per_index, strict=True)],
        "relationships": relationships,
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"
