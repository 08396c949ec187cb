"""Scan reports from contract findings: SARIF 2.1.0 and CycloneDX 1.6 VEX.

Both take the findings of ``medvigil scan``'s JSON contract (see
:mod:`medvigil.web.findings.scan`) and return a JSON-ready dict, so they are deterministic
and need no database.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["SEVERITY_RANK", "cyclonedx_vex", "sarif", "trips"]

SEVERITY_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
"""Order of qualitative severities (``--fail-on``)."""
_SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "none": "note"}
_NAMESPACE = uuid.UUID("4d0d6a63-2c43-4b1e-9d4c-6d656476696c")  # fixed: same findings -> same serial


def trips(
    findings: Iterable[Mapping[str, Any]],
    *,
    severity: str | None = None,
    kev: bool = False,
    epss: float | None = None,
    unverified_platform: bool = False,
) -> list[str]:
    """Reasons a build should fail: one line per tripped rule (empty: passes).

    Findings whose running-on platform could not be checked (``match.platform_unverified``) count
    only with ``unverified_platform``. One pass over ``findings`` (none without a rule), so they
    may be built as they are read."""
    if severity is None and not kev and epss is None:
        return []
    floor = SEVERITY_RANK[severity] if severity is not None else None
    severe = known = likely = 0
    for f in findings:
        if not unverified_platform and f["match"].get("platform_unverified"):
            continue
        v = f["vulnerability"]
        if floor is not None and SEVERITY_RANK.get(v["severity"] or "", -1) >= floor:
            severe += 1
        if kev and v["kev"]:
            known += 1
        if epss is not None and (v["epss"] or 0.0) >= epss:
            likely += 1
    reasons = []
    if severe:
        reasons.append(f"{severe} finding(s) of severity {severity} or above")
    if known:
        reasons.append(f"{known} finding(s) in CISA KEV")
    if likely:
        reasons.append(f"{likely} finding(s) with EPSS >= {epss}")
    return reasons


def _rule(f: Mapping[str, Any]) -> dict[str, Any]:
    v = f["vulnerability"]
    rule: dict[str, Any] = {
        "id": v["id"],
        "shortDescription": {"text": f"{v['id']} ({', '.join(v['aliases'][:5]) or 'no aliases'})"},
        "helpUri": f"https://osv.dev/vulnerability/{v['id']}",
        "properties": {"tags": ["security", "vulnerability"]},
    }
    if v["cvss"]:
        rule["properties"]["security-severity"] = f"{v['cvss']['score']:.1f}"
    return rule


def sarif(findings: Sequence[Mapping[str, Any]], *, artifact: str, tool_version: str) -> dict[str, Any]:
    """A SARIF 2.1.0 log: one rule per vulnerability, one result per finding."""
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in findings:
        v, c, m = f["vulnerability"], f["component"], f["match"]
        rules.setdefault(v["id"], _rule(f))
        evidence = m["evidence"][0]["summary"] if m["evidence"] else ""
        results.append(
            {
                "ruleId": v["id"],
                "level": _SARIF_LEVEL.get(v["severity"] or "", "warning"),
                "message": {
                    "text": f"{c['name']} {c['version']} is affected by {v['id']} "
                    f"({m['method']}, confidence {m['confidence']}): {evidence}"
                },
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact}}}],
                "partialFingerprints": {"componentVulnerability": f"{c['purl'] or c['name']}|{v['id']}"},
                "properties": {
                    "kev": v["kev"],
                    "epss": v["epss"],
                    "method": m["method"],
                    "platformUnverified": bool(m.get("platform_unverified")),
                },
            }
        )
    driver = {
        "name": "medvigil",
        "version": tool_version,
        "informationUri": "https://github.com/medvigil/medvigil",
        "rules": list(rules.values()),
    }
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }


def _cdx_component(c: Mapping[str, Any], ref: str) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "library", "bom-ref": ref, "name": c["name"]}
    if c["version"]:
        out["version"] = c["version"]
    if c["purl"]:
        out["purl"] = c["purl"]
    if c["cpes"]:
        out["cpe"] = c["cpes"][0]
    return out


def _ratings(v: Mapping[str, Any]) -> list[dict[str, Any]]:
    if not v["cvss"]:
        return []
    method = {"2.0": "CVSSv2", "3.0": "CVSSv3", "3.1": "CVSSv31", "4.0": "CVSSv4"}.get(
        v["cvss"]["version"], "other"
    )
    rating: dict[str, Any] = {"score": v["cvss"]["score"], "method": method}
    if v["severity"]:
        rating["severity"] = v["severity"]
    if v["cvss"]["vector"]:
        rating["vector"] = v["cvss"]["vector"]
    return [rating]


def cyclonedx_vex(
    findings: Sequence[Mapping[str, Any]], *, tool_version: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """A CycloneDX 1.6 VEX: the affected components and ``vulnerabilities[].affects`` (in triage)."""
    components: dict[str, dict[str, Any]] = {}
    vulns: dict[str, dict[str, Any]] = {}
    for f in findings:
        c, v = f["component"], f["vulnerability"]
        ref = c["bom_ref"] or c["purl"] or f"{c['name']}@{c['version']}"
        components.setdefault(ref, _cdx_component(c, ref))
        entry = vulns.setdefault(
            v["id"],
            {
                "bom-ref": f"vuln:{v['id']}",
                "id": v["id"],
                "references": [{"id": a, "source": {"name": a.split("-", 1)[0]}} for a in v["aliases"]],
                "ratings": _ratings(v),
                "analysis": {"state": "in_triage", "detail": f"matched by medvigil ({f['match']['method']})"},
                "affects": [],
            },
        )
        entry["affects"].append({"ref": ref})
    stamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    serial = uuid.uuid5(
        _NAMESPACE, "|".join(sorted(f"{r}>{k}" for k, e in vulns.items() for r in e["affects"]))
    )
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": f"urn:uuid:{serial}",
        "version": 1,
        "metadata": {
            "timestamp": stamp.isoformat().replace("+00:00", "Z"),
            "tools": {"components": [{"type": "application", "name": "medvigil", "version": tool_version}]},
        },
        "components": list(components.values()),
        "vulnerabilities": [
            {k: val for k, val in e.items() if val != []} | {"affects": e["affects"]} for e in vulns.values()
        ],
    }
