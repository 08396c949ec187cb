"""CycloneDX 1.6 VEX (:func:`cyclonedx_vex`) and OpenVEX 0.2 (:func:`openvex`) from an :class:`AdvisoryInput`.

Statuses go through the crosswalk of :mod:`medvigil.core.risk.vex` (regulatory.md 6.5), so the
three VEX formats say the same thing; CycloneDX loses detail on some justifications (noted
there). Each output is checked before it is returned: CycloneDX against the bundled 1.6 schema
(:mod:`medvigil.core.sbom.schema`), OpenVEX against the bundled OpenVEX 0.2.0 schema plus the
CISA minimum-VEX rules the schema cannot express (not_affected needs a justification or an
impact statement, affected an action statement).

Credit (acknowledgments) goes into CycloneDX ``vulnerabilities[].credits``; OpenVEX 0.2 has no
field for it, so an OpenVEX document carries none.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import orjson
from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]

from medvigil import __version__
from medvigil.core.errors import PublishError
from medvigil.core.publish.csaf import csaf_filename, dumps, iso
from medvigil.core.publish.model import (
    Acknowledgment,
    AdvisoryInput,
    ProductStatus,
    ProductVersion,
    RemediationCategory,
    Vulnerability,
)
from medvigil.core.risk.cvss import CvssVersion, parse_vector
from medvigil.core.risk.vex import VexStatement, VexStatus, to_cyclonedx, to_openvex

__all__ = ["check_openvex", "cyclonedx_vex", "openvex"]

_RESPONSE = {
    RemediationCategory.VENDOR_FIX: "update",
    RemediationCategory.WORKAROUND: "workaround_available",
    RemediationCategory.MITIGATION: "workaround_available",
    RemediationCategory.NO_FIX_PLANNED: "will_not_fix",
    RemediationCategory.NONE_AVAILABLE: "can_not_fix",
}
_METHOD = {
    CvssVersion.V2: "CVSSv2",
    CvssVersion.V3_0: "CVSSv3",
    CvssVersion.V3_1: "CVSSv31",
    CvssVersion.V4_0: "CVSSv4",
}


def _action(vuln: Vulnerability, product_id: str) -> str:
    return " ".join(r.details for r in vuln.remediations if product_id in r.product_ids)


def _statement(vuln: Vulnerability, ps: ProductStatus) -> VexStatement:
    action = _action(vuln, ps.product_id) if ps.status is VexStatus.AFFECTED else ""
    if ps.status is VexStatus.AFFECTED and not action:
        raise PublishError(
            f"{ps.product_id} is affected but has no remediation (an action statement is required)",
            source=vuln.key,
            field="remediations",
        )
    if ps.status is VexStatus.NOT_AFFECTED and ps.justification is None and not ps.impact_statement.strip():
        raise PublishError(
            f"{ps.product_id} is not affected but has neither a justification nor an impact statement",
            source=vuln.key,
            field="justification",
        )
    return VexStatement(ps.status, ps.justification, ps.impact_statement, action)


def _component(p: ProductVersion) -> dict[str, Any]:
    comp: dict[str, Any] = {
        "bom-ref": p.product_id,
        "manufacturer": {"name": p.vendor},
        "name": p.product_name,
        "type": "device",
        "version": p.version,
    }
    if p.purl:
        comp["purl"] = p.purl
    if p.cpe:
        comp["cpe"] = p.cpe
    if p.model_numbers:
        comp["properties"] = [
            {"name": "medvigil:model_number", "value": m} for m in sorted(set(p.model_numbers))
        ]
    if p.sbom_urls:
        comp["externalReferences"] = [{"type": "bom", "url": u} for u in sorted(set(p.sbom_urls))]
    return comp


def _ratings(vuln: Vulnerability) -> list[dict[str, Any]]:
    ratings = []
    for s in vuln.scores:
        parsed = parse_vector(s.vector)
        ratings.append(
            {
                "method": _METHOD[parsed.version],
                "score": parsed.base_score,
                "severity": parsed.base_severity.lower(),
                "source": {"name": "manufacturer"},
                "vector": parsed.vector,
            }
        )
    return ratings


def _cdx_groups(vuln: Vulnerability) -> dict[tuple[str, str, str, tuple[str, ...]], list[str]]:
    """Products by (state, justification, detail, responses): one CycloneDX vulnerability each."""
    groups: dict[tuple[str, str, str, tuple[str, ...]], list[str]] = {}
    for ps in vuln.statuses:
        analysis = to_cyclonedx(_statement(vuln, ps))
        responses: tuple[str, ...] = ()
        if ps.status is VexStatus.AFFECTED:
            responses = tuple(
                sorted({_RESPONSE[r.category] for r in vuln.remediations if ps.product_id in r.product_ids})
            )
        key = (analysis.state, analysis.justification or "", analysis.detail, responses)
        groups.setdefault(key, []).append(ps.product_id)
    return groups


def _credits(acks: tuple[Acknowledgment, ...]) -> dict[str, Any]:
    """CycloneDX ``credits``: named people and organisations (an acknowledgment without either, such
    as an anonymous researcher's, has no place there)."""
    people = sorted({n for a in acks for n in a.names if n.strip()})
    orgs = sorted({a.organization for a in acks if a.organization.strip()})
    out: dict[str, Any] = {}
    if orgs:
        out["organizations"] = [{"name": o} for o in orgs]
    if people:
        out["individuals"] = [{"name": n} for n in people]
    return out


def _cdx_entry(
    data: AdvisoryInput,
    vuln: Vulnerability,
    key: tuple[str, str, str, tuple[str, ...]],
    product_ids: list[str],
) -> dict[str, Any]:
    state, justification, detail, responses = key
    analysis: dict[str, Any] = {
        "firstIssued": iso(data.tracking.initial_release_date),
        "lastUpdated": iso(data.tracking.current_release_date),
        "state": state,
        "justification": justification,
        "detail": detail,
        "response": list(responses),
    }
    optional: dict[str, Any] = {
        "ratings": _ratings(vuln),
        "cwes": [int(vuln.cwe_id.removeprefix("CWE-"))] if vuln.cwe_id else [],
        "published": iso(vuln.release_date) if vuln.release_date else None,
        "credits": _credits((*data.acknowledgments, *vuln.acknowledgments)),
    }
    return {
        "affects": [{"ref": pid} for pid in sorted(product_ids)],
        "analysis": {k: v for k, v in analysis.items() if v},
        "description": vuln.description,
        "id": vuln.key,
        "source": _cdx_source(vuln),
        **{k: v for k, v in optional.items() if v},
    }


def _cdx_source(vuln: Vulnerability) -> dict[str, str]:
    if vuln.cve:
        return {"name": "NVD", "url": vuln.url}
    first = vuln.ids[0]
    return {"name": first.system_name, **({"url": first.url} if first.url else {})}


def _openvex_vulnerability(vuln: Vulnerability) -> dict[str, Any]:
    aliases = [i.text for i in vuln.ids if i.text != vuln.key]
    return {
        **({"@id": vuln.url} if vuln.url else {}),
        "name": vuln.key,
        **({"aliases": aliases} if aliases else {}),
    }


def _cdx_vulnerabilities(data: AdvisoryInput) -> list[dict[str, Any]]:
    return [
        _cdx_entry(data, vuln, key, product_ids)
        for vuln in data.vulnerabilities
        for key, product_ids in _cdx_groups(vuln).items()
    ]


def cyclonedx_vex(data: AdvisoryInput) -> dict[str, Any]:
    """CycloneDX 1.6 VEX: product versions as components, one vulnerability per status group."""
    from medvigil.core.sbom.schema import validate_schema

    t = data.tracking
    doc: dict[str, Any] = {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "components": [_component(p) for p in data.products],
        "metadata": {
            "manufacturer": {"name": data.publisher.name, "url": [data.publisher.namespace]},
            "timestamp": iso(t.current_release_date),
            "tools": {"components": [{"name": "medvigil", "type": "application", "version": __version__}]},
        },
        "serialNumber": "urn:uuid:"
        + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{data.publisher.namespace}/vex/{t.id}/{t.version}")),
        "specVersion": "1.6",
        "version": len(t.revisions) or 1,
        "vulnerabilities": _cdx_vulnerabilities(data),
    }
    problems = validate_schema(dumps(doc), source=t.id, format="cyclonedx-json", spec_version="1.6")
    if problems:
        raise PublishError("fails the CycloneDX 1.6 schema: " + "; ".join(problems), source=t.id)
    return doc


def _product_ref(data: AdvisoryInput, p: ProductVersion) -> dict[str, Any]:
    identifiers = {k: v for k, v in (("purl", p.purl), ("cpe23", p.cpe)) if v}
    ref: dict[str, Any] = {"@id": p.purl or p.cpe or f"{data.publisher.namespace}/products/{p.product_id}"}
    if identifiers:
        ref["identifiers"] = identifiers
    return ref


def openvex(data: AdvisoryInput) -> dict[str, Any]:
    """An OpenVEX 0.2.0 document: one statement per vulnerability and product version."""
    t = data.tracking
    statements = []
    for vuln in data.vulnerabilities:
        for ps in vuln.statuses:
            fields = to_openvex(_statement(vuln, ps))
            st: dict[str, Any] = {
                "products": [_product_ref(data, data.product(ps.product_id))],
                "status": fields.status,
                "timestamp": iso(t.current_release_date),
                "vulnerability": _openvex_vulnerability(vuln),
            }
            if fields.justification:
                st["justification"] = fields.justification
            if fields.impact_statement:
                st["impact_statement"] = fields.impact_statement
            if fields.action_statement:
                st["action_statement"] = fields.action_statement
            statements.append(st)
    doc: dict[str, Any] = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": f"{data.publisher.namespace.rstrip('/')}/vex/{csaf_filename(t.id).removesuffix('.json')}",
        "author": data.publisher.name,
        "last_updated": iso(t.current_release_date),
        "role": "Manufacturer",
        "statements": statements,
        "timestamp": iso(t.initial_release_date),
        "tooling": f"medvigil {__version__}",
        "version": len(t.revisions) or 1,
    }
    check_openvex(doc)
    return doc


@cache
def _openvex_validators() -> tuple[Any, Any]:
    """Validators of the document and of one statement (with the schema's ``$defs``)."""
    schema = orjson.loads(
        files("medvigil.core.publish").joinpath("schemas", "openvex_json_schema.json").read_bytes()
    )
    statement = {**schema["properties"]["statements"]["items"], "$defs": schema["$defs"]}
    return Draft202012Validator(schema), Draft202012Validator(statement)


def _schema_problems(doc: Mapping[str, Any]) -> list[str]:
    """The schema's violations; statements are checked one by one and ``uniqueItems`` by hashing
    (jsonschema compares every pair: 12 s for 1,500 statements)."""
    whole, one = _openvex_validators()
    statements = list(doc.get("statements") or ())
    skeleton = {**doc, "statements": statements[:1]} if isinstance(doc.get("statements"), list) else doc
    problems = ["/".join(map(str, e.absolute_path)) + f": {e.message}" for e in whole.iter_errors(skeleton)]
    seen: set[bytes] = set()
    for i, st in enumerate(statements[1:] if isinstance(doc.get("statements"), list) else (), start=1):
        problems.extend(
            f"statements/{i}/" + "/".join(map(str, e.absolute_path)) + f": {e.message}"
            for e in one.iter_errors(st)
        )
    for i, st in enumerate(statements):
        key = orjson.dumps(st, option=orjson.OPT_SORT_KEYS)
        if key in seen:
            problems.append(f"statements/{i}: duplicate statement (uniqueItems)")
        seen.add(key)
    return problems


def check_openvex(doc: Mapping[str, Any]) -> None:
    """Raise :class:`PublishError` unless ``doc`` passes the OpenVEX 0.2.0 schema and minimum-VEX rules."""
    source = str(doc.get("@id", "OpenVEX document"))
    problems = _schema_problems(doc)
    for i, st in enumerate(doc.get("statements", ())):
        status = st.get("status")
        if status == "not_affected" and not (st.get("justification") or st.get("impact_statement")):
            problems.append(f"statements/{i}: not_affected needs a justification or an impact statement")
        if status == "affected" and not st.get("action_statement"):
            problems.append(f"statements/{i}: affected needs an action statement")
    if problems:
        raise PublishError("fails OpenVEX 0.2.0: " + "; ".join(problems[:20]), source=source)
