"""Supplier VEX documents read into evidence: CycloneDX VEX, OpenVEX and CSAF (VEX) statements.

Each statement becomes a :class:`~medvigil.core.model.vex.VexAssertion` — "vulnerability V in
component C has status S" — that :func:`medvigil.core.matching.grouping.group_matches` attaches
to the finding of the same component and vulnerability identity (the matcher takes the parsed
assertions; reading the documents, CSAF included, happens here). Statuses are mapped through the crosswalk
of :mod:`medvigil.core.risk.vex` (``fixed``/``resolved`` count as not affected for that
version). A component is identified by bom-ref, by purl (with or without a version) or by CPE.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from medvigil.core.errors import InputError
from medvigil.core.feeds.csaf import csaf_records
from medvigil.core.matching.keys import purl_package_key, purl_version
from medvigil.core.model.advisory import AdvisoryRecord
from medvigil.core.model.match import MatchStatus
from medvigil.core.model.vex import VexAssertion
from medvigil.core.risk.vex import VexStatus, from_csaf, from_cyclonedx, from_openvex

__all__ = [
    "VEX_FORMATS",
    "VexDocument",
    "read_vex",
    "read_vex_document",
    "vex_from_csaf_records",
    "vex_from_cyclonedx",
    "vex_from_openvex",
]

VEX_FORMATS = ("cyclonedx-vex", "openvex", "csaf-vex")
"""Format names :func:`read_vex_document` reports."""

_STATUS = {
    VexStatus.NOT_AFFECTED: MatchStatus.NOT_AFFECTED,
    VexStatus.FIXED: MatchStatus.NOT_AFFECTED,
    VexStatus.AFFECTED: MatchStatus.AFFECTED,
    VexStatus.UNDER_INVESTIGATION: MatchStatus.UNDER_INVESTIGATION,
}


def _target(ref: str) -> dict[str, str]:
    if ref.startswith("pkg:"):
        return {"package": purl_package_key(ref) or "", "version": purl_version(ref)}
    if ref.lower().startswith("cpe:"):
        return {"cpe": ref}
    return {"bom_ref": ref.rsplit("#", 1)[-1] if ref.startswith("urn:cdx:") else ref}


def vex_from_cyclonedx(doc: Mapping[str, Any], source: str) -> Iterator[VexAssertion]:
    """Statements of a CycloneDX document's ``vulnerabilities`` with an ``analysis``."""
    purls = {c.get("bom-ref"): c.get("purl") for c in doc.get("components", ()) if c.get("purl")}
    for vuln in doc.get("vulnerabilities", ()):
        analysis = vuln.get("analysis") or {}
        state = analysis.get("state")
        if not state or not vuln.get("id"):
            continue
        try:
            statement = from_cyclonedx(state, analysis.get("justification"), analysis.get("detail", ""))
        except InputError:
            if state not in ("not_affected", "false_positive"):
                continue
            statement = from_openvex("not_affected")
        for affects in vuln.get("affects", ()):
            ref = str(affects.get("ref", ""))
            target = _target(purls.get(ref) or ref)
            if ref in purls:
                target["bom_ref"] = ref
            yield VexAssertion(
                vuln["id"],
                _STATUS[statement.status],
                state,
                source,
                analysis.get("justification") or "",
                analysis.get("detail") or "",
                **target,
            )


def _openvex_targets(product: Mapping[str, Any]) -> list[str]:
    subs = [s.get("@id", "") for s in product.get("subcomponents", ()) if s.get("@id")]
    if subs:
        return subs
    identifiers = product.get("identifiers") or {}
    found = [product.get("@id", ""), identifiers.get("purl", ""), identifiers.get("cpe23", "")]
    return [t for t in found if t]


def vex_from_openvex(doc: Mapping[str, Any], source: str) -> Iterator[VexAssertion]:
    """Statements of an OpenVEX document."""
    for st in doc.get("statements", ()):
        vuln = st.get("vulnerability") or {}
        ids = [vuln.get("name", ""), *vuln.get("aliases", ())] if isinstance(vuln, dict) else [str(vuln)]
        try:
            statement = from_openvex(st.get("status", ""))
        except InputError:
            continue
        for product in st.get("products", ()):
            for ref in _openvex_targets(product):
                for vid in filter(None, ids):
                    yield VexAssertion(
                        vid,
                        _STATUS[statement.status],
                        st.get("status", ""),
                        source,
                        st.get("justification") or "",
                        st.get("impact_statement") or st.get("action_statement") or "",
                        **_target(ref),
                    )


def vex_from_csaf_records(records: Iterable[AdvisoryRecord]) -> Iterator[VexAssertion]:
    """Statements of CSAF records whose products carry purl or CPE helpers."""
    for record in records:
        ids = record.aliases or (record.id,)
        for ps in record.csaf_products:
            helpers = ps.product.helpers
            if helpers is None or not (helpers.purl or helpers.cpe):
                continue
            try:
                statement = from_csaf(ps.status)
            except InputError:
                continue
            ref = helpers.purl or helpers.cpe or ""
            for vid in ids:
                yield VexAssertion(vid, _STATUS[statement.status], ps.status, record.id, **_target(ref))


@dataclass(frozen=True, slots=True)
class VexDocument:
    """A read VEX document: its detected format and its statements."""

    format: str
    """One of :data:`VEX_FORMATS`."""
    assertions: tuple[VexAssertion, ...]
    """Statements, one per (vulnerability id, component)."""


def read_vex_document(data: bytes, source: str) -> VexDocument:
    """Read a CycloneDX VEX/BOM, OpenVEX or CSAF document, keeping its detected format."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc}", source=source) from None
    if not isinstance(doc, dict):
        raise InputError("a VEX document must be a JSON object", source=source)
    if doc.get("bomFormat") == "CycloneDX":
        return VexDocument("cyclonedx-vex", tuple(vex_from_cyclonedx(doc, source)))
    if "statements" in doc and "openvex" in str(doc.get("@context", "")):
        return VexDocument("openvex", tuple(vex_from_openvex(doc, source)))
    if isinstance(doc.get("document"), dict) and "csaf_version" in doc["document"]:
        try:
            records = csaf_records(doc)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"malformed CSAF document: {exc!r}", source=source) from None
        return VexDocument("csaf-vex", tuple(vex_from_csaf_records(records)))
    raise InputError("not a CycloneDX, OpenVEX or CSAF document", source=source)


def read_vex(data: bytes, source: str) -> list[VexAssertion]:
    """Read a CycloneDX VEX/BOM, OpenVEX or CSAF document into assertions."""
    return list(read_vex_document(data, source).assertions)
