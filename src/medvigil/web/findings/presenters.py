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
