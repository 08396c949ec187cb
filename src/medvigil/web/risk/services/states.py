"""State changes of a case, each recorded as a CaseEvent with who, when, why and from/to.

Guarded transitions (the analyst's moves) go through ``remediation.services.case_transition``;
the automatic ones (a proposal starts triage, a confirmation makes the case assessed, a re-review
returns it to triage) call :func:`case_move` directly and are recorded the same way.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from medvigil.core.errors import InputError
from medvigil.web.accounts.roles import can_write
from medvigil.web.risk.models import Assessment, Case, CaseEvent, CaseState

__all__ = ["case_assign", "case_move"]


def _actor(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def case_move(
    case: Case,
    to: str,
    *,
    user: Any = None,
    reason: str = "",
    message: str = "",
    assessment: Assessment | None = None,
    save: bool = True,
) -> CaseEvent | None:
    """Set ``case.state`` to ``to`` and record the transition (kind ``closed``, ``reopened`` or
    ``transition``; ``data`` has from/to) (nothing when it is already there).
    Call inside the caller's transaction."""
    before = case.state
    if before == to:
        return None
    case.state = to
    case.closed_at = timezone.now() if to == CaseState.CLOSED else None
    if save:
        case.save(update_fields=["state", "closed_at", "updated_at"])
    text = message or f"{before} → {to}"
    kind = "closed" if to == CaseState.CLOSED else "reopened" if before == CaseState.CLOSED else "transition"
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        message=text + (f": {reason.strip()}" if reason.strip() else ""),
        reason=reason.strip(),
        data={"from": before, "to": to},
        assessment=assessment,
        actor=_actor(user),
    )


def case_assign(*, case: Case, assignee: Any, user: Any) -> Case:
    """Give ``case`` to ``assignee`` (an active analyst or admin), or to nobody with ``None``; the
    change is recorded as an ``assigned`` event (who, from, to), which the audit trail captures."""
    if assignee is not None and not (assignee.is_active and can_write(assignee)):
        raise InputError(f"{assignee.username!r} is not an active analyst or admin", field="assignee")
    before = case.assignee.username if case.assignee is not None else None
    after = assignee.username if assignee is not None else None
    if before == after:
        return case
    with transaction.atomic():
        case.assignee = assignee
        case.save(update_fields=["assignee", "updated_at"])
        CaseEvent.objects.create(
            case=case,
            kind="assigned",
            message=f"assigned to {after}" if after else f"unassigned (was {before})",
            data={"from": before, "to": after},
            actor=_actor(user),
        )
    return case
