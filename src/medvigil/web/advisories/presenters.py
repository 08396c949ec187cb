"""Plain-dict views of intelligence objects, shared by the API, the pages and the CLI's JSON."""

from __future__ import annotations

from typing import Any

from medvigil.web.advisories.models import AdvisoryRecord, ImportRun, Vulnerability
from medvigil.web.advisories.selectors import SourceStatus, SyncState, VulnerabilityDetail

RUN_COUNTS = ("new", "updated", "unchanged", "withdrawn", "rejected")


def vulnerability_summary(v: Vulnerability) -> dict[str, Any]:
    """A vulnerability's identity and sort fields (list rows)."""
    return {
        "key": v.key,
        "summary": v.summary,
        "published": v.published,
        "modified": v.modified,
        "cvss_score": v.cvss_score,
        "cvss_vector": v.cvss_vector,
        "cvss_version": v.cvss_version,
        "severity": v.severity,
        "kev": v.kev,
        "epss": v.epss,
        "epss_percentile": v.epss_percentile,
        "epss_date": v.epss_date,
        "sources": v.sources,
        "withdrawn": v.withdrawn,
    }


def record_dict(r: AdvisoryRecord) -> dict[str, Any]:
    """One source's record with its parsed claims (children must be prefetched)."""
    return {
        "source": r.source.name,
        "record_id": r.record_id,
        "modified": r.modified,
        "published": r.published,
        "withdrawn": r.withdrawn,
        "rejected": r.rejected,
        "state": r.state,
        "summary": r.summary,
        "details": r.details,
        "aliases": r.aliases,
        "related": r.related,
        "cwes": r.cwes,
        "severities": r.severities,
        "references": r.references,
        "ssvc": r.ssvc,
        "extra": r.extra,
        "first_seen": r.first_seen,
        "last_seen": r.last_seen,
        "affected": [
            {"ecosystem": a.ecosystem, "name": a.name, "purl": a.purl, "vendor": a.vendor,
             "product": a.product, "ranges": a.ranges, "versions": a.versions, "unaffected": a.unaffected,
             "cpes": a.cpes,
             "default_status": a.default_status}
            for a in r.affected.all()
        ],
        "cpe_configurations": [node for c in r.cpe_configurations.all() for node in c.nodes],
        "csaf_products": [
            {"product_id": p.product_id, "status": p.status, "name": p.name, "vendor": p.vendor,
             "product_name": p.product_name, "product_version": p.product_version,
             "product_version_range": p.product_version_range, "cpe": p.cpe, "purl": p.purl,
             "helpers": p.helpers}
            for p in r.csaf_products.all()
        ],
    }  # fmt: skip


def vulnerability_dict(d: VulnerabilityDetail) -> dict[str, Any]:
    """A vulnerability with aliases, every source's record, KEV entries and EPSS scores."""
    return {
        **vulnerability_summary(d.vulnerability),
        "aliases": d.aliases,
        "records": [record_dict(r) for r in d.records],
        "kev_entries": [
            {"cve_id": k.cve_id, "vendor": k.vendor, "product": k.product, "name": k.name,
             "date_added": k.date_added, "due_date": k.due_date, "known_ransomware": k.known_ransomware,
             "required_action": k.required_action}
            for k in d.kev
        ],
        "epss_scores": [
            {"cve_id": e.cve_id, "score_date": e.score_date, "epss": e.epss, "percentile": e.percentile}
            for e in d.epss
        ],
    }  # fmt: skip


def run_dict(run: ImportRun) -> dict[str, Any]:
    """An import run with its counts and the kept record errors."""
    return {
        "id": run.pk,
        "source": run.source.name if run.source else "",
        "path": run.path,
        "sha256": run.sha256,
        "size": run.size,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        **{name: getattr(run, name) for name in RUN_COUNTS},
        "error_count": run.error_count,
        "errors": run.errors,
        "message": run.message,
    }


def source_dict(s: SourceStatus) -> dict[str, Any]:
    """A source with its freshness."""
    return {
        "name": s.source.name,
        "kind": s.source.kind,
        "url": s.source.url,
        "enabled": s.source.enabled,
        "record_count": s.record_count,
        "last_success": s.last_success,
        "age_days": s.age_days,
        "last_run": run_dict(s.last_run) if s.last_run else None,
    }


def sync_dict(s: SyncState) -> dict[str, Any]:
    """A source's online sync state: last sync, status, cursor, next scheduled run, errors."""
    sync = s.sync
    return {
        "source": s.source,
        "label": s.label,
        "enabled": s.enabled,
        "status": sync.status if sync else "never",
        "started_at": sync.started_at if sync else None,
        "finished_at": sync.finished_at if sync else None,
        "last_success_at": sync.last_success_at if sync else None,
        "next_run": s.next_run,
        "cursor": sync.cursor if sync else {},
        "message": sync.message if sync else "",
        "events": sync.events if sync else [],
        "rejected": sync.rejected if sync else [],
        "files": sync.files if sync else 0,
        "counts": sync.counts if sync else {},
        "runs": [r.pk for r in sync.runs.all()] if sync else [],
    }
