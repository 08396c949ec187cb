"""JSON shapes of advisories for the API and the CLI."""

from __future__ import annotations

from typing import Any

from medvigil.web.publishing.models import Advisory
from medvigil.web.remediation.models import CaseAction


def _who(user: Any) -> str | None:
    return user.username if user is not None else None


def advisory_dict(adv: Advisory) -> dict[str, Any]:
    """One advisory revision with its published documents."""
    return {
        "id": adv.pk,
        "case": adv.case_id,
        "kind": adv.kind,
        "tracking_id": adv.tracking_id,
        "revision": adv.revision,
        "revision_summary": adv.revision_summary,
        "title": adv.title,
        "tlp": adv.tlp,
        "embargo_until": adv.embargo_until,
        "state": adv.state,
        "created_by": _who(adv.created_by),
        "submitted_by": _who(adv.submitted_by),
        "submitted_at": adv.submitted_at,
        "approved_by": _who(adv.approved_by),
        "published_at": adv.published_at,
        "documents": [
            {"format": d.format, "filename": d.filename, "sha256": d.sha256, "size": len(d.content)}
            for d in adv.documents.all()
        ],
    }


def share_dict(action: CaseAction) -> dict[str, Any]:
    """One ISAO share: to whom, when, by whom, under which TLP, and the bundle's SHA-256."""
    data = action.data or {}
    files = list(action.files.all())
    return {
        "id": action.pk,
        "case": action.case_id,
        "advisory": data.get("advisory"),
        "tracking_id": data.get("tracking_id"),
        "revision": data.get("revision"),
        "recipient": data.get("isao"),
        "tlp": data.get("tlp"),
        "format": data.get("format"),
        "sha256": data.get("sha256"),
        "on": action.on,
        "recorded_at": action.created_at,
        "by": _who(action.created_by),
        "evidence": [{"id": f.pk, "filename": f.filename, "sha256": f.sha256} for f in files],
    }
