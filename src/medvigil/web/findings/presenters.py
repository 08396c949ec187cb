"""Findings as plain dicts for the API (the scan contract's shape, plus state and dates)."""

from __future__ import annotations

from typing import Any

from medvigil.web.findings.models import Finding, SupplierVex


def finding_dict(f: Finding) -> dict[str, Any]:
    """The API form of a finding (``product_version`` must be selected with its product)."""
    return {
        "id": f.pk,
        "product": f.product_version.product.slug,
        "product_version": f.product_version.version,
        "component": {
            "name": f.component_name, "version": f.component_version, "purl": f.component_purl or None,
            "cpes": f.component_cpes, "bom_ref": f.component_bom_ref, "key": f.component_key,
        },
        "vulnerability": {
            "id": f.vulnerability_key, "aliases": f.aliases, "sources": f.sources,
            "severity": f.severity or None, "cvss": f.severity_score, "epss": f.epss, "kev": f.kev,
        },
        "match": {"method": f.method, "confidence": f.confidence, "evidence": f.evidence},
        "state": f.state,
        "state_reason": f.state_reason,
        "triage": {
            "decision": f.triage, "reason": f.triage_reason, "until": f.triage_until,
            "by": f.triage_by.get_username() if f.triage_by else None, "at": f.triage_at,
        } if f.triage else None,
        "first_seen": f.first_seen,
        "last_seen": f.last_seen,
    }  # fmt: skip


def supplier_vex_dict(doc: SupplierVex) -> dict[str, Any]:
    """The API and CLI form of a stored supplier VEX document (without its bytes)."""
    user = doc.uploaded_by
    return {
        "id": doc.pk,
        "product": doc.product.slug,
        "product_version": doc.product_version.version if doc.product_version else None,
        "filename": doc.filename,
        "format": doc.format,
        "sha256": doc.sha256,
        "size": doc.size,
        "statement_count": doc.statement_count,
        "uploaded_by": user.get_username() if user else None,
        "uploaded_at": doc.uploaded_at,
        "active": doc.active,
        "removed_at": doc.removed_at,
    }


_METHOD_WORDS = {
    "purl-enumerated": "the advisory lists this exact package version as affected",
    "purl-range": "the component's version lies in an affected version range of this package",
    "csaf-product": "a manufacturer's CSAF advisory names this device (or a product of it) as affected",
    "cpe": "a CPE stated in the SBOM matches the advisory's CPE configuration",
    "cpe-inferred": "a CPE medvigil guessed from the package name matched; vendor and product guesses "
    "can be wrong, so check the component really is the product the advisory means",
}


def confidence_band(confidence: int) -> str:
    """``high``, ``medium`` or ``low``."""
    if confidence >= 80:
        return "high"
    return "medium" if confidence >= 50 else "low"


def match_explained(method: str, confidence: int) -> str:
    """A match method and confidence in words, for the finding page."""
    band = confidence_band(confidence)
    how = _METHOD_WORDS.get(method, f"matched by {method}")
    advice = {
        "high": "little room for a wrong match",
        "medium": "usually right, but worth a look before acting on it",
        "low": "a weak match: confirm it or mark it a false positive",
    }[band]
    return f"{band.capitalize()} confidence ({confidence} of 100): {how}; {advice}."
