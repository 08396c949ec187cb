"""CVD reads: the staff queue, one report with its thread, the acknowledgments list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from medvigil.core.errors import InputError, NotFoundError
from medvigil.web.disclosure.models import Credit, Message, Report, ReportState

OPEN_STATES = [ReportState.NEW, ReportState.ACKNOWLEDGED, ReportState.TRIAGE, ReportState.VALID]


def report_get(*, reference: str) -> Report:
    """One report by reference (staff)."""
    report = (
        Report.objects.select_related("product", "product_version", "assignee", "case")
        .filter(reference=reference)
        .first()
    )
    if report is None:
        raise NotFoundError(f"no report {reference!r}")
    return report


def queue(*, state: str = "", open_only: bool = False) -> QuerySet[Report]:
    """The intake queue, newest first; ``state`` filters one state."""
    rows = Report.objects.select_related("product", "assignee", "case")
    if state:
        if state not in ReportState.values:
            raise InputError(f"state must be one of {', '.join(ReportState.values)}", field="state")
        rows = rows.filter(state=state)
    elif open_only:
        rows = rows.filter(state__in=OPEN_STATES)
    return rows.order_by("-submitted_at", "-id")


def ack_overdue(report: Report, today: dt.date | None = None) -> bool:
    """Not acknowledged by its due day (business days on the federal holiday calendar)."""
    today = today or timezone.localdate()
    return report.acknowledged_at is None and report.state == ReportState.NEW and today > report.ack_due


def queue_counts(today: dt.date | None = None) -> dict[str, int]:
    """Open reports per state, and how many are past their acknowledgement due day."""
    today = today or timezone.localdate()
    counts = dict.fromkeys(ReportState.values, 0)
    for row in Report.objects.values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    counts["overdue"] = Report.objects.filter(
        state=ReportState.NEW, acknowledged_at=None, ack_due__lt=today
    ).count()
    return counts


def reporter_thread(report: Report) -> list[Message]:
    """Messages the reporter sees (never internal notes)."""
    return list(report.messages.exclude(kind=Message.NOTE).order_by("at", "id"))


def acknowledgments() -> list[dict[str, Any]]:
    """Published reports that want credit."""
    rows = (
        Report.objects.filter(state=ReportState.PUBLISHED)
        .exclude(credit=Credit.NONE)
        .order_by("-published_at")
    )
    return [
        {
            "credit": r.credit_line,
            "reference": r.reference,
            "title": r.title,
            "published": r.published_at.date() if r.published_at else None,
        }
        for r in rows
    ]


def report_dict(report: Report, *, staff: bool) -> dict[str, Any]:
    """JSON form; the reporter's view leaves out internal notes, assignment and the event trail."""
    data: dict[str, Any] = {
        "reference": report.reference,
        "state": report.state,
        "title": report.title,
        "product": report.product.slug if report.product else None,
        "version": report.version_text,
        "submitted_at": report.submitted_at.isoformat(),
        "acknowledged_at": report.acknowledged_at.isoformat() if report.acknowledged_at else None,
        "embargo_until": report.embargo_until.isoformat() if report.embargo_until else None,
        "messages": [
            {"from": m.kind, "body": m.body, "at": m.at.isoformat()}
            for m in (report.messages.order_by("at", "id") if staff else reporter_thread(report))
        ],
    }
    if staff:
        data.update(
            description=report.description,
            impact=report.impact,
            steps=report.steps,
            cvss_vector=report.cvss_vector,
            cvss_score=float(report.cvss_score) if report.cvss_score is not None else None,
            contact={"name": report.reporter_name, "email": report.reporter_email},
            credit=report.credit,
            credit_line=report.credit_line,
            ack_due=report.ack_due.isoformat(),
            ack_overdue=ack_overdue(report),
            assignee=report.assignee.username if report.assignee else None,
            versions=sorted(pv.version for pv in report.affected_versions.all()),
            components=report.components,
            case=report.case_id,
            attachments=[
                {
                    "id": a.pk,
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                    "sha256": a.sha256,
                }
                for a in report.attachments.all()
            ],
            events=[
                {
                    "at": e.at.isoformat(),
                    "actor": e.actor.username if e.actor else None,
                    "action": e.action,
                    "message": e.message,
                    "reason": e.reason,
                }
                for e in report.events.select_related("actor")
            ],
        )
    return data
