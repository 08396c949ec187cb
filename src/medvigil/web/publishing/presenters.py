"""JSON shapes of advisories for the API and the CLI."""

from __future__ import annotations

from typing import Any

from medvigil.web.publishing.models import Advisory


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
