"""Writes of the remediation app: guarded transitions, day 0, facts, plan, actions with evidence
files, and the (re-)evaluation of a case's clock and reporting obligations.

Every write runs in one transaction, records a ``CaseEvent`` (who, when, why, structured data)
and re-evaluates the case, so the obligations on the case page are never stale after a change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from medvigil.core.errors import InputError
from medvigil.core.remediation.clock import (
    Milestone,
    MilestoneState,
    case_milestones,
    controlled_targets_from_mapping,
    milestone_state,
)
from medvigil.core.remediation.communication import communication_parts
from medvigil.core.remediation.lifecycle import CaseSnapshot, CaseStatus, check_transition
from medvigil.core.remediation.reporting import ChangeType, Determination, evaluate
from medvigil.core.risk.vex import VexStatus
from medvigil.web.notifications import sources as notify
from medvigil.web.remediation.facts import (
    ANALYST_FACTS,
    ActionSummary,
    case_facts,
    isao_active,
    summarize_actions,
)
from medvigil.web.remediation.models import (
    ActionKind,
    CaseAction,
    CaseFile,
    ClockState,
    Day0Source,
    EvidenceFile,
    IsaoMembership,
    Obligation,
    RemediationSettings,
)
from medvigil.web.risk.models import AssessmentStatus, Case, CaseEvent, CaseState
from medvigil.web.risk.services.states import case_move

__all__ = [
    "action_record",
    "case_evaluate",
    "case_transition",
    "casefile_get",
    "day0_set",
    "evidence_add",
    "facts_update",
    "isao_save",
    "obligations_refresh",
    "plan_set",
    "remediation_settings",
    "settings_update",
]


def _actor(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _need_user(user: Any, what: str) -> Any:
    if _actor(user) is None:
        raise InputError(f"{what} needs a signed-in analyst", field="user")
    return user


def _event(case: Case, kind: str, message: str, user: Any, *, reason: str = "", data: Any = None) -> None:
    CaseEvent.objects.create(
        case=case, kind=kind, message=message, reason=reason, data=data or {}, actor=_actor(user)
    )


def _today() -> dt.date:
    return timezone.localdate()


def casefile_get(case: Case) -> CaseFile:
    """The case's remediation record, created on first use."""
    casefile, _ = CaseFile.objects.get_or_create(case=case, defaults={"open": case.state != CaseState.CLOSED})
    return casefile


def remediation_settings() -> RemediationSettings:
    """The organisation-wide clock settings (created with the defaults)."""
    row = RemediationSettings.objects.order_by("pk").first()
    return row or RemediationSettings.objects.create()


# --- lifecycle -------------------------------------------------------------------------------


def _snapshot(case: Case, casefile: CaseFile, summary: ActionSummary) -> CaseSnapshot:
    latest = case.assessments.order_by("-number").first()
    confirmed = latest is not None and latest.status == AssessmentStatus.CONFIRMED
    return CaseSnapshot(
        status=CaseStatus(case.state),
        has_assessment=latest is not None,
        assessment_confirmed=confirmed,
        review_needed=case.review_needed,
        uncontrolled=confirmed and latest is not None and not latest.controlled,
        ever_uncontrolled=case.assessments.filter(
            status=AssessmentStatus.CONFIRMED, controlled=False
        ).exists(),
        not_affected=confirmed and latest is not None and latest.vex_status == VexStatus.NOT_AFFECTED,
        has_plan=bool(casefile.plan.strip()),
        fix_validated_distributed=summary.fix_validated_distributed,
        long_term_control_accepted=summary.long_term_control is not None,
    )


def case_transition(*, case: Case, to: str, user: Any, reason: str = "") -> Case:
    """Move the case to ``to`` if the lifecycle allows it (``TransitionError`` lists every reason
    it does not); records who, when and why."""
    _need_user(user, "a case transition")
    try:
        target = CaseStatus(to)
    except ValueError:
        allowed = ", ".join(s.value for s in CaseStatus)
        raise InputError(f"unknown state {to!r} (states: {allowed})", field="state") from None
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        casefile = casefile_get(case)
        summary = summarize_actions(case.actions.all())
        check_transition(_snapshot(case, casefile, summary), target, reason)
        reopen = case.state == CaseState.CLOSED
        case_move(
            case,
            target.value,
            user=user,
            reason=reason,
            message=f"{'reopened' if reopen else 'moved'} {case.state} → {target.value}",
            assessment=case.current_assessment,
        )
        case_evaluate(case=case, casefile=casefile)
    return case


# --- day 0, facts, plan ----------------------------------------------------------------------


def day0_set(*, case: Case, day0: dt.date, source: str, user: Any, reason: str = "") -> Case:
    """Set day 0 (feed publication or import date, CVD report date, or manual with a reason)."""
    _need_user(user, "changing day 0")
    if source not in Day0Source.values:
        raise InputError(f"source must be one of {', '.join(Day0Source.values)}", field="day0_source")
    if source == Day0Source.MANUAL and not reason.strip():
        raise InputError("a manual day 0 needs a reason", field="reason")
    if day0 > _today():
        raise InputError(f"day 0 {day0} is in the future", field="day0")
    with transaction.atomic():
        casefile = casefile_get(case)
        before = case.day0
        case.day0 = day0
        case.save(update_fields=["day0", "updated_at"])
        casefile.day0_source, casefile.day0_reason = source, reason.strip()
        casefile.save(update_fields=["day0_source", "day0_reason"])
        _event(
            case,
            "day0",
            f"day 0 {before} → {day0} ({Day0Source(source).label})",
            user,
            reason=reason,
            data={"from": before.isoformat(), "to": day0.isoformat(), "source": source},
        )
        case_evaluate(case=case, casefile=casefile)
    return case


def _check_fact(name: str, value: Any) -> Any:
    kind = ANALYST_FACTS.get(name)
    if kind is None:
        raise InputError(f"unknown fact (recordable: {', '.join(ANALYST_FACTS)})", field=name)
    if value is None:
        return None
    if kind is bool:
        if not isinstance(value, bool):
            raise InputError("must be true or false", field=name)
        return value
    if name == "change_type" and value not in ChangeType.__members__.values():
        raise InputError(f"must be one of {', '.join(c.value for c in ChangeType)}", field=name)
    if name == "risk_status" and value not in ("controlled", "uncontrolled"):
        raise InputError("must be controlled or uncontrolled", field=name)
    if name == "correction_initiated":
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            raise InputError("must be a YYYY-MM-DD date", field=name) from None
    return str(value)


def facts_update(*, case: Case, changes: Mapping[str, Any], user: Any, reason: str) -> CaseFile:
    """Record reporting facts (``None`` removes one); a reason is required. Contradictions are
    refused before anything is written."""
    _need_user(user, "recording reporting facts")
    if not reason.strip():
        raise InputError("recording reporting facts needs a reason", field="reason")
    checked = {name: _check_fact(name, value) for name, value in changes.items()}
    with transaction.atomic():
        casefile = casefile_get(case)
        before = dict(casefile.facts)
        merged = {k: v for k, v in {**before, **checked}.items() if v is not None}
        casefile.facts = merged
        _evaluate_or_raise(case, casefile)  # contradictory facts raise here and roll back
        casefile.save(update_fields=["facts"])
        changed = ", ".join(f"{k}={v}" for k, v in checked.items())
        _event(
            case,
            "facts",
            f"reporting facts: {changed}",
            user,
            reason=reason,
            data={"before": before, "after": merged},
        )
        case_evaluate(case=case, casefile=casefile)
    return casefile


def plan_set(*, case: Case, plan: str, user: Any, rationale: str = "") -> CaseFile:
    """Record the remediation plan and the timeline rationale."""
    _need_user(user, "a remediation plan")
    if len(plan.strip()) < 10:
        raise InputError("describe the remediation plan (at least 10 characters)", field="plan")
    with transaction.atomic():
        casefile = casefile_get(case)
        first = not casefile.plan.strip()
        casefile.plan, casefile.plan_rationale = plan.strip(), rationale.strip()
        casefile.save(update_fields=["plan", "plan_rationale"])
        _event(
            case,
            "plan",
            ("remediation plan recorded" if first else "remediation plan changed"),
            user,
            reason=rationale,
            data={"plan": casefile.plan},
        )
    return casefile


# --- actions and evidence --------------------------------------------------------------------


def _text(data: Mapping[str, Any], name: str, *, required: bool = True, limit: int = 5000) -> str:
    value = str(data.get(name, "") or "").strip()
    if required and not value:
        raise InputError("is required", field=name)
    if len(value) > limit:
        raise InputError(f"is longer than {limit} characters", field=name)
    return value


def _flag(data: Mapping[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes", "on")
    return bool(value)


def _isao_share(data: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    out = {"isao": _text(data, "isao", limit=200), "shared": _text(data, "shared")}
    # a share recorded by publishing.advisory_share also names exactly what was sent
    for key in ("tlp", "sha256", "advisory", "tracking_id", "revision", "format"):
        if data.get(key) not in (None, ""):
            out[key] = data[key]
    detail = (
        f" ({out.get('tracking_id', '')} v{out.get('revision', '')}, TLP:{out['tlp']}, "
        f"sha256 {out['sha256']})"
        if "sha256" in out and "tlp" in out
        else ""
    )
    return f"shared with {out['isao']}{detail}"[:300], out


def _action_data(case: Case, kind: str, data: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Validate kind-specific fields; returns (summary, stored data)."""
    out: dict[str, Any]
    if kind == ActionKind.FIX_RELEASE:
        version = _text(data, "target_version", limit=100)
        out = {
            "target_version": version,
            "distributed": _flag(data, "distributed"),
            "description": _text(data, "description", required=False),
        }
        return f"fix {version} {'distributed' if out['distributed'] else 'planned'}", out
    if kind == ActionKind.COMPENSATING_CONTROL:
        out = {
            "text": _text(data, "text"),
            "evidence": _text(data, "evidence", required=False),
            "residual_risk": _text(data, "residual_risk"),
            "long_term": _flag(data, "long_term"),
            "accepted": _flag(data, "accepted"),
        }
        if out["accepted"] and not out["long_term"]:
            raise InputError(
                "only a long-term compensating control can be accepted as the fix", field="accepted"
            )
        tag = " (accepted long-term solution)" if out["accepted"] else ""
        return f"control: {out['text'][:200]}{tag}", out
    if kind == ActionKind.COMMUNICATION:
        raw = data.get("content") or {}
        if not isinstance(raw, Mapping):
            raise InputError("must map the parts a-d to their text", field="content")
        content = {p: str(raw.get(p, "") or "").strip()[:5000] for p in "abcd"}
        parts = sorted(communication_parts(content))
        out = {
            "audience": _text(data, "audience", limit=300),
            "content": content,
            "parts": parts,
            "channel": _text(data, "channel", required=False, limit=200),
        }
        return f"communication to {out['audience']} (parts {', '.join(parts) or 'none'})", out
    if kind == ActionKind.ISAO_SHARE:
        return _isao_share(data)
    if kind == ActionKind.VALIDATION:
        fix_id = data.get("fix_action")
        fix = case.actions.filter(pk=fix_id, kind=ActionKind.FIX_RELEASE).first() if fix_id else None
        if fix is None:
            raise InputError("name a fix release of this case", field="fix_action")
        out = {
            "fix_action": fix.pk,
            "result": _text(data, "result"),
            "target_version": fix.data.get("target_version", ""),
        }
        return f"validation of fix {out['target_version']}: {out['result'][:200]}", out
    if kind == ActionKind.REPORT_FILED:
        out = {"regulation": _text(data, "regulation", limit=60), "number": _text(data, "number", limit=100)}
        return f"report filed under {out['regulation']} ({out['number']})", out
    raise InputError(f"unknown action kind (kinds: {', '.join(ActionKind.values)})", field="kind")


def action_record(
    *,
    case: Case,
    kind: str,
    on: dt.date,
    data: Mapping[str, Any],
    user: Any,
    files: list[tuple[str, bytes, str]] | None = None,
) -> CaseAction:
    """Record an action with its evidence files (``(filename, bytes, content type)``)."""
    _need_user(user, "recording an action")
    if on < case.day0:
        raise InputError(f"{on} is before day 0 ({case.day0})", field="on")
    if on > _today():
        raise InputError(f"{on} is in the future: record what has happened", field="on")
    if case.state == CaseState.CLOSED:
        raise InputError("the case is closed: reopen it first", field="state")
    summary, stored = _action_data(case, kind, data)
    for name, content, _ in files or []:
        _check_file(name, content)
    with transaction.atomic():
        action = CaseAction.objects.create(
            case=case, kind=kind, on=on, summary=summary, data=stored, created_by=_actor(user)
        )
        for name, content, content_type in files or []:
            _store_file(action, name, content, content_type, user)
        _event(
            case,
            "action",
            f"{action.get_kind_display()} on {on}: {summary}",
            user,
            data={"action": action.pk, "kind": kind, "on": on.isoformat(), **stored},
        )
        case_evaluate(case=case)
    return action


def _check_file(name: str, content: bytes) -> None:
    if not name.strip() or len(name) > 255:
        raise InputError("an evidence file needs a name of at most 255 characters", field="files")
    if len(content) > settings.EVIDENCE_MAX_BYTES:
        raise InputError(
            f"{name} is {len(content)} bytes; the limit is {settings.EVIDENCE_MAX_BYTES} "
            "(MEDVIGIL_EVIDENCE_MAX_BYTES)",
            field="files",
        )


def _store_file(action: CaseAction, name: str, content: bytes, content_type: str, user: Any) -> EvidenceFile:
    return EvidenceFile.objects.create(
        action=action,
        filename=name.strip().replace("/", "_").replace("\\", "_"),
        content_type=content_type[:100],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=_actor(user),
    )


def evidence_add(
    *, action: CaseAction, filename: str, content: bytes, user: Any, content_type: str = ""
) -> EvidenceFile:
    """Attach another evidence file to an action."""
    _need_user(user, "adding evidence")
    _check_file(filename, content)
    with transaction.atomic():
        stored = _store_file(action, filename, content, content_type, user)
        _event(
            action.case,
            "evidence",
            f"evidence {stored.filename} (sha256 {stored.sha256}) for {action}",
            user,
            data={"action": action.pk, "file": stored.pk, "sha256": stored.sha256},
        )
    return stored


# --- evaluation ------------------------------------------------------------------------------


def _evaluate_or_raise(case: Case, casefile: CaseFile, today: dt.date | None = None) -> Determination | None:
    summary = summarize_actions(case.actions.all())
    facts = case_facts(
        case, today=today or _today(), casefile=casefile, summary=summary, isao=isao_active(today or _today())
    )
    return None if facts is None else evaluate(facts)


def _milestones(case: Case, det: Determination, summary: ActionSummary, today: dt.date) -> list[Milestone]:
    if det.milestones:
        return list(det.milestones)
    config = remediation_settings()
    current = case.current_assessment
    return case_milestones(
        day0=case.day0,
        today=today,
        uncontrolled=False,
        severity=current.severity if current else 3,
        fix_done=summary.fix_distributed,
        controlled_targets=controlled_targets_from_mapping(config.controlled_targets),
    )


_RANK = {MilestoneState.OVERDUE: 3, MilestoneState.DUE_SOON: 2, MilestoneState.PENDING: 1}


def _clock(items: list[tuple[str, dt.date, MilestoneState]]) -> tuple[dt.date | None, str, str]:
    """(next due, its name, worst state) over the items not done."""
    open_items = [i for i in items if i[2] in _RANK]
    if not open_items:
        return None, "", ClockState.MET if items else ClockState.NONE
    name, due, _ = min(open_items, key=lambda i: i[1])
    worst = max(open_items, key=lambda i: _RANK[i[2]])[2]
    return due, name, worst.value


def case_evaluate(
    *, case: Case, casefile: CaseFile | None = None, today: dt.date | None = None
) -> Determination | None:
    """Re-evaluate the case's reporting obligations and clock and store them; a change of the
    obligations or a milestone turning due soon / overdue is recorded as an alert event."""
    today = today or _today()
    casefile = casefile or casefile_get(case)
    summary = summarize_actions(case.actions.all())
    facts = case_facts(case, today=today, casefile=casefile, summary=summary, isao=isao_active(today))
    previous = {(o["code"], o["outcome"]) for o in casefile.determination.get("obligations", [])}
    previous_state = casefile.clock_state
    det = None if facts is None else evaluate(facts)
    with transaction.atomic():
        Obligation.objects.filter(case=case).delete()
        items: list[tuple[str, dt.date, MilestoneState]] = []
        if det is not None:
            Obligation.objects.bulk_create(
                Obligation(
                    case=case,
                    position=i,
                    code=o.code,
                    regulation=o.regulation,
                    outcome=o.outcome.value,
                    due=o.due,
                    calendar=o.calendar.value if o.calendar else "",
                    reason=o.reason,
                    evaluated_on=today,
                )
                for i, o in enumerate(det.obligations)
            )
            soon = remediation_settings().due_soon_days
            items.extend(
                (m.name, m.due, milestone_state(m.due, m.done, today, soon_days=soon))
                for m in _milestones(case, det, summary, today)
            )
            items.extend(
                (f"{o.code} {o.regulation}", o.due, milestone_state(o.due, None, today, soon_days=soon))
                for o in det.obligations
                if o.outcome.value == "required" and o.due is not None and o.regulation not in summary.filed
            )
        closed = case.state == CaseState.CLOSED
        due, name, state = _clock(items) if not closed else (None, "", ClockState.NONE)
        casefile.open = not closed
        casefile.next_due, casefile.next_milestone, casefile.clock_state = due, name, state
        casefile.determination = (
            {} if det is None else {**det.to_dict(), "facts": facts.to_dict() if facts else {}}
        )
        kept = facts if det is not None else None  # the facts the determination stores, as columns
        casefile.risk_status = kept.risk_status if kept else ""
        casefile.communication_sent = kept.communication_sent if kept else None
        casefile.fix_distributed = kept.fix_distributed if kept else None
        casefile.evaluated_on = today
        casefile.save()
        now = {(o.code, o.outcome.value) for o in det.obligations} if det else set()
        if det is not None:
            notify.obligations_changed(case, before=previous, after=now)
        if det is not None and previous and now != previous:
            text = ", ".join(f"{c} {o}" for c, o in sorted(now))
            _event(
                case,
                "obligations",
                f"reporting obligations changed: {text}",
                None,
                data={"before": sorted(previous), "after": sorted(now)},
            )
        if state in (ClockState.DUE_SOON, ClockState.OVERDUE) and state != previous_state and not closed:
            _event(
                case,
                "clock-alert",
                f"{name} due {due} is {state.replace('_', ' ')}",
                None,
                data={"milestone": name, "due": due.isoformat() if due else None, "state": state},
            )
            notify.case_clock(case, milestone=name, due=due, state=state)
    return det


def obligations_refresh(*, today: dt.date | None = None, stale_only: bool = False) -> int:
    """Re-evaluate every open case (``stale_only``: those not evaluated yet on ``today``, so the
    hourly job catches up a day whose first hour the worker missed and costs nothing after);
    returns the number evaluated."""
    count = 0
    open_cases = Case.objects.exclude(state=CaseState.CLOSED)
    if stale_only:
        open_cases = open_cases.exclude(remediation__evaluated_on__gte=today or _today())
    ids = list(open_cases.values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        cases = Case.objects.filter(pk__in=ids[start : start + 500]).select_related(
            "product", "current_assessment"
        )
        for case in cases:
            case_evaluate(case=case, today=today)
            count += 1
    return count


# --- admin settings --------------------------------------------------------------------------


def settings_update(
    *, user: Any, controlled_targets: Mapping[str, Any] | None = None, due_soon_days: int | None = None
) -> RemediationSettings:
    """Change the clock settings (admin)."""
    _need_user(user, "changing settings")
    row = remediation_settings()
    if controlled_targets is not None:
        controlled_targets_from_mapping(controlled_targets)
        row.controlled_targets = {str(k): v for k, v in controlled_targets.items()}
    if due_soon_days is not None:
        if not 0 <= due_soon_days <= 60:
            raise InputError("must be 0-60 days", field="due_soon_days")
        row.due_soon_days = due_soon_days
    row.save()
    return row


def isao_save(
    *,
    user: Any,
    name: str,
    member_since: dt.date,
    member_until: dt.date | None = None,
    evidence: Mapping[str, str] | None = None,
) -> IsaoMembership:
    """Record (or update by name) the organisation's ISAO membership with its four evidence links."""
    _need_user(user, "recording ISAO participation")
    if not name.strip():
        raise InputError("is required", field="name")
    evidence = evidence or {}
    unknown = set(evidence) - set(IsaoMembership.EVIDENCE_FIELDS)
    if unknown:
        raise InputError(
            f"evidence fields are {', '.join(IsaoMembership.EVIDENCE_FIELDS)}", field=sorted(unknown)[0]
        )
    row, _ = IsaoMembership.objects.update_or_create(
        name=name.strip(),
        defaults={
            "member_since": member_since,
            "member_until": member_until,
            **{k: str(v)[:500] for k, v in evidence.items()},
        },
    )
    return row
