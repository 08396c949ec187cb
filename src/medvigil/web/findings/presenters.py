"""Findings as plain dicts for the API (the scan contract's shape, plus state and dates)."""

from __future__ import annotations

from typing import Any

from medvigil.web.findings.models import Finding


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
