"""Remediation endpoints: lifecycle transitions, day 0, facts, plan, actions (JSON; evidence files
as multipart), the clock, obligations, report drafts, and the admin settings (clock targets, ISAO).

Roles: viewers read, analysts write case data, admins change the organisation's settings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Body, File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from medvigil.core.errors import NotFoundError
from medvigil.core.remediation.reporting import evaluate, facts_from_mapping
from medvigil.web.accounts.auth import require_read, require_write
from medvigil.web.accounts.roles import Role, role_of
from medvigil.web.remediation import presenters, selectors, services
from medvigil.web.remediation.models import CaseAction
from medvigil.web.risk.selectors import case_get

router = Router(tags=["remediation"])
Json = dict[str, Any]


def _require_admin(request: HttpRequest) -> None:
    if role_of(request.user) < Role.ADMIN:
        raise HttpError(403, "the admin role is needed for organisation settings")


class TransitionIn(Schema):
    """Move the case to ``to``; ``reason`` is required to reopen."""

    to: str
    reason: str = ""


class Day0In(Schema):
    """Day 0 and how it was set (``manual`` needs a reason)."""

    day0: dt.date
    source: str
    reason: str = ""


class FactsIn(Schema):
    """Reporting facts to record (``null`` removes one) and why."""

    facts: dict[str, Any]
    reason: str


class PlanIn(Schema):
    """The remediation plan."""

    plan: str
    rationale: str = ""


class ActionIn(Schema):
    """An action: ``kind``, the day it happened, and its kind-specific fields."""

    kind: str
    on: dt.date
    data: dict[str, Any] = {}


class SettingsIn(Schema):
    """Clock settings."""

    controlled_targets: dict[str, int] | None = None
    due_soon_days: int | None = None


class IsaoIn(Schema):
    """ISAO membership with the four evidence fields of FDA 2016 section IX."""

    name: str
    member_since: dt.date
    member_until: dt.date | None = None
    evidence: dict[str, str] = {}


@router.get("/cases/{case_id}/remediation", response=Json, summary="Clock, obligations and actions of a case")
def case_remediation(request: HttpRequest, case_id: int) -> Json:
    require_read(request)
    return presenters.case_remediation_dict(case_get(case_id=case_id), request.user)


@router.post("/cases/{case_id}/transition", response=Json, summary="Move a case through its lifecycle")
def case_transition(request: HttpRequest, case_id: int, body: TransitionIn) -> Json:
    require_write(request)
    case = services.case_transition(
        case=case_get(case_id=case_id), to=body.to, user=request.user, reason=body.reason
    )
    return presenters.case_remediation_dict(case, request.user)


@router.post("/cases/{case_id}/day0", response=Json, summary="Set day 0")
def case_day0(request: HttpRequest, case_id: int, body: Day0In) -> Json:
    require_write(request)
    case = services.day0_set(
        case=case_get(case_id=case_id),
        day0=body.day0,
        source=body.source,
        reason=body.reason,
        user=request.user,
    )
    return presenters.case_remediation_dict(case, request.user)


@router.post("/cases/{case_id}/facts", response=Json, summary="Record reporting facts")
def case_facts(request: HttpRequest, case_id: int, body: FactsIn) -> Json:
    require_write(request)
    case = case_get(case_id=case_id)
    services.facts_update(case=case, changes=body.facts, user=request.user, reason=body.reason)
    return presenters.case_remediation_dict(case, request.user)


@router.post("/cases/{case_id}/plan", response=Json, summary="Record the remediation plan")
def case_plan(request: HttpRequest, case_id: int, body: PlanIn) -> Json:
    require_write(request)
    case = case_get(case_id=case_id)
    services.plan_set(case=case, plan=body.plan, rationale=body.rationale, user=request.user)
    return presenters.case_remediation_dict(case, request.user)


@router.post("/cases/{case_id}/actions", response={201: Json}, summary="Record a remediation action")
def case_action(request: HttpRequest, case_id: int, body: ActionIn) -> Status[Json]:
    require_write(request)
    made = services.action_record(
        case=case_get(case_id=case_id), kind=body.kind, on=body.on, data=body.data, user=request.user
    )
    return Status(201, presenters.action_dict(made))


@router.post(
    "/actions/{action_id}/evidence", response={201: Json}, summary="Attach an evidence file (multipart)"
)
def action_evidence(request: HttpRequest, action_id: int, file: File[UploadedFile]) -> Status[Json]:
    require_write(request)
    action = CaseAction.objects.filter(pk=action_id).first()
    if action is None:
        raise NotFoundError(f"no action {action_id}")
    stored = services.evidence_add(
        action=action,
        filename=file.name or "evidence",
        content=file.read(),
        content_type=file.content_type or "",
        user=request.user,
    )
    return Status(
        201, {"id": stored.pk, "name": stored.filename, "size": stored.size, "sha256": stored.sha256}
    )


@router.get("/cases/{case_id}/drafts/{kind}", response=Json, summary="Draft 806 report or PMA report section")
def case_draft(request: HttpRequest, case_id: int, kind: str) -> Json:
    require_read(request)
    makers = {"806": presenters.draft_806, "pma": presenters.draft_pma}
    if kind not in makers:
        raise NotFoundError("drafts are '806' and 'pma'")
    return makers[kind](case_get(case_id=case_id))


@router.get("/clock", response=Json, summary="Open cases by what is due first (paged)")
def clock(
    request: HttpRequest, state: str = "", assignee: str = "", offset: int = 0, limit: int = 100
) -> Json:
    """``assignee``: a username, ``mine`` (the caller's cases) or ``none`` (unassigned ones)."""
    require_read(request)
    mine = request.user.get_username() if assignee == "mine" else assignee
    page = selectors.clock_page(offset=offset, limit=limit, state=state, assignee=mine)
    return {
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "counts": page.counts,
        "rows": [r.to_dict() for r in page.rows],
    }


@router.post("/reporting/evaluate", response=Json, summary="Evaluate R1-R10 for a set of facts (no case)")
def reporting_evaluate(request: HttpRequest, facts: Body[dict[str, Any]]) -> Json:
    require_read(request)
    return evaluate(facts_from_mapping(facts, source="request body")).to_dict()


@router.get("/remediation/settings", response=Json, summary="Clock settings and ISAO memberships")
def settings_get(request: HttpRequest) -> Json:
    require_read(request)
    row = services.remediation_settings()
    from medvigil.web.remediation.models import IsaoMembership

    return {
        "controlled_targets": row.controlled_targets,
        "due_soon_days": row.due_soon_days,
        "isao": [
            {
                "name": m.name,
                "member_since": m.member_since.isoformat(),
                "member_until": m.member_until.isoformat() if m.member_until else None,
                "missing_evidence": m.missing_evidence(),
            }
            for m in IsaoMembership.objects.all()
        ],
    }


@router.put("/remediation/settings", response=Json, summary="Change the clock settings (admin)")
def settings_put(request: HttpRequest, body: SettingsIn) -> Json:
    _require_admin(request)
    services.settings_update(
        user=request.user, controlled_targets=body.controlled_targets, due_soon_days=body.due_soon_days
    )
    return settings_get(request)


@router.post("/remediation/isao", response=Json, summary="Record ISAO participation (admin)")
def isao_post(request: HttpRequest, body: IsaoIn) -> Json:
    _require_admin(request)
    services.isao_save(
        user=request.user,
        name=body.name,
        member_since=body.member_since,
        member_until=body.member_until,
        evidence=body.evidence,
    )
    return settings_get(request)
