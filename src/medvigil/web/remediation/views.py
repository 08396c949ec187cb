"""Remediation pages: the portfolio clock, the case's remediation forms (transition, day 0, facts,
plan, actions with evidence files), evidence downloads and the report drafts. Thin: selectors read,
services write; every change is a POST with the CSRF token and needs the analyst role."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from medvigil.core.errors import Error, InputError, NotFoundError
from medvigil.core.remediation.communication import PART_TITLES
from medvigil.web.accounts.decorators import analyst_required, viewer_required
from medvigil.web.remediation import presenters, selectors, services
from medvigil.web.remediation.facts import ANALYST_FACTS
from medvigil.web.remediation.models import ActionKind, ClockState, Day0Source, EvidenceFile
from medvigil.web.risk.models import Case
from medvigil.web.risk.selectors import case_get


def _case(case_id: int) -> Case:
    try:
        return case_get(case_id=case_id)
    except NotFoundError as exc:
        raise Http404(exc.diagnostics()) from None


def _back(case: Case) -> HttpResponse:
    return HttpResponseRedirect(reverse("risk:case-detail", args=[case.pk]) + "#remediation")


def _run(request: HttpRequest, case: Case, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except Error as exc:
        messages.error(request, f"Nothing was saved: {exc.diagnostics()}")
    else:
        messages.success(request, done)
    return _back(case)


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a YYYY-MM-DD date", field=field) from None


def case_panel_context(case: Case, user: Any) -> dict[str, Any]:
    """What the case page's remediation panel shows to ``user`` (called by the risk app's case view)."""
    data = presenters.case_remediation_dict(case, user)
    fix_releases = [a for a in data["actions"] if a["kind"] == ActionKind.FIX_RELEASE]
    return {
        "rem": data,
        "action_kinds": ActionKind.choices,
        "day0_sources": Day0Source.choices,
        "part_titles": PART_TITLES,
        "fact_rows": [
            (k, bool(data["recorded_facts"].get(k))) for k, t in ANALYST_FACTS.items() if t is bool
        ],
        "fix_releases": fix_releases,
    }


@viewer_required
def clock(request: HttpRequest) -> HttpResponse:
    state, assignee = request.GET.get("state", ""), request.GET.get("assignee", "")
    try:
        offset = max(0, int(request.GET.get("offset", "0") or 0))
    except ValueError:
        offset = 0
    mine = request.user.get_username() if assignee == "mine" else assignee
    try:
        page = selectors.clock_page(offset=offset, state=state, assignee=mine)
    except Error as exc:
        messages.error(request, exc.diagnostics())
        page = selectors.clock_page(assignee=mine)
        state = ""
    context = {
        "page": page,
        "state": state,
        "assignee": assignee,
        "assignee_choices": [("", "anyone"), ("mine", "mine"), ("none", "unassigned")],
        "states": ClockState.choices,
        "prev": max(0, offset - page.limit) if offset else None,
        "next": offset + page.limit if offset + page.limit < page.total else None,
        "end": offset + len(page.rows),
        "today": dt.date.today(),  # noqa: DTZ011 - display only
    }
    return render(request, "remediation/clock.html", context)


@require_POST
@analyst_required
def transition(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    to, reason = request.POST.get("to", ""), request.POST.get("reason", "")
    return _run(
        request,
        case,
        lambda: services.case_transition(case=case, to=to, user=request.user, reason=reason),
        f"Case moved to {to}.",
    )


@require_POST
@analyst_required
def day0(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    p = request.POST
    return _run(
        request,
        case,
        lambda: services.day0_set(
            case=case,
            day0=_date(p.get("day0", ""), "day0"),
            source=p.get("source", ""),
            reason=p.get("reason", ""),
            user=request.user,
        ),
        "Day 0 saved.",
    )


@require_POST
@analyst_required
def facts(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    changes = {name: request.POST.get(name) == "on" for name, t in ANALYST_FACTS.items() if t is bool}
    return _run(
        request,
        case,
        lambda: services.facts_update(
            case=case, changes=changes, user=request.user, reason=request.POST.get("reason", "")
        ),
        "Reporting facts saved.",
    )


@require_POST
@analyst_required
def plan(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    p = request.POST
    return _run(
        request,
        case,
        lambda: services.plan_set(
            case=case, plan=p.get("plan", ""), rationale=p.get("rationale", ""), user=request.user
        ),
        "Remediation plan saved.",
    )


_ACTION_FIELDS = (
    "target_version",
    "distributed",
    "description",
    "text",
    "evidence",
    "residual_risk",
    "long_term",
    "accepted",
    "audience",
    "channel",
    "isao",
    "shared",
    "fix_action",
    "result",
    "regulation",
    "number",
)


@require_POST
@analyst_required
def action(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    p = request.POST
    data: dict[str, Any] = {f: p.get(f, "") for f in _ACTION_FIELDS if p.get(f, "") != ""}
    data["content"] = {part: p.get(f"content_{part}", "") for part in "abcd"}
    if "fix_action" in data:
        data["fix_action"] = int(data["fix_action"]) if str(data["fix_action"]).isdigit() else 0
    uploads = request.FILES.getlist("files")

    def record() -> None:
        files = [(f.name or "evidence", f.read(), f.content_type or "") for f in uploads]
        services.action_record(
            case=case,
            kind=p.get("kind", ""),
            on=_date(p.get("on", ""), "on"),
            data=data,
            user=request.user,
            files=files,
        )

    return _run(request, case, record, "Action recorded.")


@viewer_required
def evidence(request: HttpRequest, file_id: int) -> HttpResponse:
    row = EvidenceFile.objects.select_related("action").filter(pk=file_id).first()
    if row is None or not selectors.evidence_readable(row, request.user):
        raise Http404("no such evidence file")
    response = HttpResponse(bytes(row.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{row.filename}"'
    response["X-Content-SHA256"] = row.sha256
    response["X-Content-Type-Options"] = "nosniff"
    return response


@viewer_required
def draft(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    case = _case(case_id)
    makers = {"806": presenters.draft_806, "pma": presenters.draft_pma}
    if kind not in makers:
        raise Http404("drafts are 806 and pma")
    data = makers[kind](case)
    if request.GET.get("format") == "json":
        return JsonResponse(data)
    return render(request, "remediation/draft.html", {"case": case, "draft": data, "kind": kind})
