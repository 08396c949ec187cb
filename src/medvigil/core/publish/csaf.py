"""CSAF 2.0 writers: :func:`csaf_security_advisory` and :func:`csaf_vex` from an :class:`AdvisoryInput`.

Every document is checked before it is returned (:func:`check_csaf`): the CSAF JSON schema and
every mandatory test of section 6.1 (:func:`medvigil.core.csaf.validate.validate_csaf`). A
failure raises :class:`~medvigil.core.errors.PublishError` naming each failed test; nothing that
fails leaves this module.

Mapping notes:

- TLP:CLEAR is written as ``WHITE`` (CSAF 2.0 predates TLP 2.0).
- CSAF 2.0 carries CVSS v2/v3 only; a CVSS 4.0 vector becomes a vulnerability note (``other``,
  title "CVSS v4.0") with its CVSS-B score.
- A CISA KEV listing becomes an ``exploit_status`` threat dated with the KEV date added.
- A not-affected product with a justification gets a flag; with an impact statement, an
  ``impact`` threat (both when both are given).
- The four FDA communication parts are document notes (category ``general``), titled (a)-(d).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from medvigil import __version__
from medvigil.core.csaf.document import cwe_catalog
from medvigil.core.errors import PublishError, VectorError
from medvigil.core.publish.model import (
    Acknowledgment,
    AdvisoryInput,
    Note,
    ProductVersion,
    Reference,
    Tlp,
    Vulnerability,
)
from medvigil.core.risk.cvss import CvssVersion, parse_vector
from medvigil.core.risk.vex import VexStatus

__all__ = [
    "check_csaf",
    "csaf_filename",
    "csaf_security_advisory",
    "csaf_vex",
    "dumps",
    "iso",
]

_STATUS_KEY = {
    VexStatus.AFFECTED: "known_affected",
    VexStatus.NOT_AFFECTED: "known_not_affected",
    VexStatus.FIXED: "fixed",
    VexStatus.UNDER_INVESTIGATION: "under_investigation",
}
_TLP_URL = "https://www.first.org/tlp/"


def dumps(doc: Mapping[str, Any]) -> bytes:
    """Deterministic JSON bytes (sorted keys, two-space indent, final newline)."""
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def iso(value: datetime) -> str:
    """RFC 3339 in UTC with ``Z``; a naive datetime is refused (CSAF dates need a zone)."""
    if value.tzinfo is None:
        raise PublishError(f"date {value.isoformat()} has no time zone", field="date")
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def csaf_filename(doc_id: str) -> str:
    """CSAF 2.0 sec. 5.1: lower-case id, each run outside ``[+-a-z0-9]`` replaced by ``_``, ``.json``."""
    return re.sub(r"[^+\-a-z0-9]+", "_", doc_id.lower()) + ".json"


def _notes(notes: Iterable[Note]) -> list[dict[str, str]]:
    out = []
    for n in notes:
        item = {"category": n.category, "text": n.text}
        if n.title:
            item["title"] = n.title
        out.append(item)
    return out


def _references(refs: Iterable[Reference]) -> list[dict[str, str]]:
    return [{"category": r.category, "summary": r.summary, "url": r.url} for r in refs]


def _acks(acks: Iterable[Acknowledgment]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for a in acks:
        item: dict[str, Any] = {}
        if a.names:
            item["names"] = list(a.names)
        if a.organization:
            item["organization"] = a.organization
        if a.summary:
            item["summary"] = a.summary
        if item:
            out.append(item)
    return out


def _helper(p: ProductVersion) -> dict[str, Any]:
    helper: dict[str, Any] = {}
    if p.cpe:
        helper["cpe"] = p.cpe
    if p.purl:
        helper["purl"] = p.purl
    if p.model_numbers:
        helper["model_numbers"] = sorted(set(p.model_numbers))
    if p.sbom_urls:
        helper["sbom_urls"] = sorted(set(p.sbom_urls))
    return helper


def _product_tree(products: Iterable[ProductVersion]) -> dict[str, Any]:
    tree: dict[str, dict[str, list[ProductVersion]]] = {}
    for p in products:
        tree.setdefault(p.vendor, {}).setdefault(p.product_name, []).append(p)
    branches = []
    for vendor, names in tree.items():
        name_branches = []
        for name, versions in names.items():
            leaves = []
            for p in versions:
                product: dict[str, Any] = {"name": p.full_name, "product_id": p.product_id}
                helper = _helper(p)
                if helper:
                    product["product_identification_helper"] = helper
                leaves.append({"category": "product_version", "name": p.version, "product": product})
            name_branches.append({"category": "product_name", "name": name, "branches": leaves})
        branches.append({"category": "vendor", "name": vendor, "branches": name_branches})
    return {"branches": branches}


def _document(data: AdvisoryInput, category: str) -> dict[str, Any]:
    t = data.tracking
    publisher: dict[str, Any] = {
        "category": data.publisher.category,
        "name": data.publisher.name,
        "namespace": data.publisher.namespace,
    }
    if data.publisher.contact_details:
        publisher["contact_details"] = data.publisher.contact_details
    notes: list[Note] = []
    if data.summary:
        notes.append(Note("summary", data.summary, "Summary"))
    if data.fda is not None:
        notes.extend(Note("general", text, f"({letter}) {title}") for letter, title, text in data.fda.parts())
    if data.legal_disclaimer:
        notes.append(Note("legal_disclaimer", data.legal_disclaimer, "Legal disclaimer"))
    doc: dict[str, Any] = {
        "category": category,
        "csaf_version": "2.0",
        "distribution": {
            "tlp": {"label": "WHITE" if data.tlp is Tlp.CLEAR else data.tlp.value, "url": _TLP_URL}
        },
        "lang": data.lang,
        "publisher": publisher,
        "title": data.title,
        "tracking": {
            "current_release_date": iso(t.current_release_date),
            "generator": {
                "date": iso(t.current_release_date),
                "engine": {"name": "medvigil", "version": __version__},
            },
            "id": t.id,
            "initial_release_date": iso(t.initial_release_date),
            "revision_history": [
                {"date": iso(r.date), "number": r.number, "summary": r.summary} for r in t.revisions
            ],
            "status": t.status.value,
            "version": t.version,
        },
    }
    if notes:
        doc["notes"] = _notes(notes)
    if data.references:
        doc["references"] = _references(data.references)
    if data.acknowledgments:
        doc["acknowledgments"] = _acks(data.acknowledgments)
    return doc


def _scores(vuln: Vulnerability) -> tuple[list[dict[str, Any]], list[Note]]:
    scores: list[dict[str, Any]] = []
    v4_notes: list[Note] = []
    for s in vuln.scores:
        try:
            parsed = parse_vector(s.vector)
        except VectorError as exc:
            raise PublishError(exc.message, source=vuln.key, field="scores.vector") from None
        if parsed.version is CvssVersion.V4_0:
            v4_notes.append(
                Note(
                    "other",
                    f"{parsed.vector} (CVSS-B {parsed.base_score}, {parsed.base_severity})",
                    "CVSS v4.0",
                )
            )
            continue
        if parsed.version is CvssVersion.V2:
            cvss = {"version": "2.0", "vectorString": parsed.vector, "baseScore": parsed.base_score}
            scores.append({"cvss_v2": cvss, "products": list(s.product_ids)})
            continue
        cvss = {
            "version": parsed.version.value,
            "vectorString": parsed.vector,
            "baseScore": parsed.base_score,
            "baseSeverity": parsed.base_severity,
        }
        scores.append({"cvss_v3": cvss, "products": list(s.product_ids)})
    return scores, v4_notes


def _cwe(vuln: Vulnerability) -> dict[str, str] | None:
    if not vuln.cwe_id:
        return None
    name = vuln.cwe_name or cwe_catalog().names.get(vuln.cwe_id, "")
    if not name:
        raise PublishError(
            f"{vuln.cwe_id} is not in the CWE catalog; give its name", source=vuln.key, field="cwe"
        )
    return {"id": vuln.cwe_id, "name": name}


def _status(vuln: Vulnerability) -> tuple[dict[str, list[str]], list[dict[str, Any]], list[dict[str, Any]]]:
    """``product_status``, ``flags`` and the impact threats of not-affected products."""
    status: dict[str, list[str]] = {}
    flags: dict[str, list[str]] = {}
    impacts: list[dict[str, Any]] = []
    for ps in vuln.statuses:
        status.setdefault(_STATUS_KEY[ps.status], []).append(ps.product_id)
        if ps.status is not VexStatus.NOT_AFFECTED:
            continue
        if ps.justification is not None:
            flags.setdefault(ps.justification.value, []).append(ps.product_id)
        if ps.impact_statement:
            impacts.append(
                {"category": "impact", "details": ps.impact_statement, "product_ids": [ps.product_id]}
            )
    product_status = {k: sorted(v) for k, v in sorted(status.items())}
    return product_status, [{"label": k, "product_ids": sorted(v)} for k, v in sorted(flags.items())], impacts


def _dated(item: dict[str, Any], when: datetime | None, url: str = "") -> dict[str, Any]:
    if when is not None:
        item["date"] = iso(when)
    if url:
        item["url"] = url
    return item


def _threats(vuln: Vulnerability) -> list[dict[str, Any]]:
    threats = [
        _dated(
            {
                "category": t.category,
                "details": t.details,
                **({"product_ids": list(t.product_ids)} if t.product_ids else {}),
            },
            t.date,
        )
        for t in vuln.threats
    ]
    if vuln.kev_date_added is not None:
        details = "Known exploited: listed in the CISA Known Exploited Vulnerabilities catalog."
        threats.append(_dated({"category": "exploit_status", "details": details}, vuln.kev_date_added))
    return threats


def _vulnerability(vuln: Vulnerability) -> dict[str, Any]:
    product_status, flags, impacts = _status(vuln)
    scores, v4_notes = _scores(vuln)
    names: dict[str, Any] = {
        "cve": vuln.cve,
        "ids": [{"system_name": i.system_name, "text": i.text} for i in vuln.ids],
    }
    optional: dict[str, Any] = {
        "title": vuln.title,
        "cwe": _cwe(vuln),
        "flags": flags,
        "threats": impacts + _threats(vuln),
        "scores": scores,
        "remediations": [
            _dated(
                {"category": r.category.value, "details": r.details, "product_ids": list(r.product_ids)},
                r.date,
                r.url,
            )
            for r in vuln.remediations
        ],
        "references": _references(vuln.references),
        "acknowledgments": _acks(vuln.acknowledgments),
        "discovery_date": iso(vuln.discovery_date) if vuln.discovery_date else None,
        "release_date": iso(vuln.release_date) if vuln.release_date else None,
    }
    return {
        **{k: v for k, v in names.items() if v},
        "notes": _notes((Note("description", vuln.description, "Description"), *vuln.notes, *v4_notes)),
        "product_status": product_status,
        **{k: v for k, v in optional.items() if v},
    }


def _build(data: AdvisoryInput, category: str) -> dict[str, Any]:
    known = {p.product_id for p in data.products}
    for vuln in data.vulnerabilities:
        if not vuln.key:
            raise PublishError("a vulnerability needs a CVE id or another id (ids)", field="cve")
        for ps in vuln.statuses:
            if ps.product_id not in known:
                raise PublishError(
                    f"status for unknown product {ps.product_id!r}", source=vuln.key, field="product_status"
                )
    doc = {
        "document": _document(data, category),
        "product_tree": _product_tree(data.products),
        "vulnerabilities": [_vulnerability(v) for v in data.vulnerabilities],
    }
    check_csaf(doc)
    return doc


def check_csaf(doc: Mapping[str, Any]) -> None:
    """Raise :class:`PublishError` unless ``doc`` passes the CSAF schema and every mandatory test."""
    from medvigil.core.csaf.validate import validate_csaf
    from medvigil.core.feeds.validation import csaf_validator, violations

    source = str(doc.get("document", {}).get("tracking", {}).get("id", "CSAF document"))
    schema = violations(csaf_validator(), doc)
    if schema:
        listing = "; ".join(f"{v.pointer or '/'}: {v.message}" for v in schema)
        raise PublishError(f"fails the CSAF 2.0 schema: {listing}", source=source)
    failed = validate_csaf(doc)
    if failed:
        raise PublishError("fails CSAF mandatory tests: " + "; ".join(map(str, failed)), source=source)


def csaf_security_advisory(data: AdvisoryInput) -> dict[str, Any]:
    """A ``csaf_security_advisory`` document (checked)."""
    return _build(data, "csaf_security_advisory")


def csaf_vex(data: AdvisoryInput) -> dict[str, Any]:
    """A ``csaf_vex`` document (checked; every affected product needs a remediation)."""
    return _build(data, "csaf_vex")
