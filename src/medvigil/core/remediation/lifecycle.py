"""The case lifecycle: states, allowed transitions and the guards on them (issue 10 item 1).

::

    new -> triage -> assessed -> remediation -> monitoring -> closed
                        \\-------------------------------------/   (controlled or not affected)
    closed -> triage (reopen, with a reason); any open state -> triage (re-review)

The guards take a :class:`CaseSnapshot` (what the web layer knows about the case) and return the
reasons a transition is refused, so a caller can show all of them at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from medvigil.core.errors import InputError

__all__ = [
    "TRANSITIONS",
    "CaseSnapshot",
    "CaseStatus",
    "TransitionError",
    "check_transition",
    "transition_refusals",
]


class CaseStatus(StrEnum):
    """Where a case stands."""

    NEW = "new"
    TRIAGE = "triage"
    ASSESSED = "assessed"
    REMEDIATION = "remediation"
    MONITORING = "monitoring"
    CLOSED = "closed"


S = CaseStatus
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.NEW: frozenset({S.TRIAGE}),
    S.TRIAGE: frozenset({S.ASSESSED}),
    S.ASSESSED: frozenset({S.TRIAGE, S.REMEDIATION, S.MONITORING, S.CLOSED}),
    S.REMEDIATION: frozenset({S.TRIAGE, S.MONITORING, S.CLOSED}),
    S.MONITORING: frozenset({S.TRIAGE, S.REMEDIATION, S.CLOSED}),
    S.CLOSED: frozenset({S.TRIAGE}),
}
"""Allowed moves; ``closed -> triage`` is the reopen and needs a reason."""


class TransitionError(InputError):
    """A transition the lifecycle refuses (the message lists every reason)."""


@dataclass(frozen=True, slots=True)
class CaseSnapshot:
    """The facts the guards look at."""

    status: CaseStatus
    has_assessment: bool = False
    assessment_confirmed: bool = False
    """The latest assessment is confirmed by an analyst."""
    review_needed: bool = False
    uncontrolled: bool = False
    """The latest confirmed assessment says uncontrolled."""
    ever_uncontrolled: bool = False
    """Any confirmed assessment of this case said uncontrolled (the case carries the obligations)."""
    not_affected: bool = False
    """Confirmed VEX not_affected: nothing to remediate."""
    has_plan: bool = False
    """A remediation plan is recorded."""
    fix_validated_distributed: bool = False
    long_term_control_accepted: bool = False


def _remediated(s: CaseSnapshot) -> bool:
    return s.fix_validated_distributed or s.long_term_control_accepted


def _assessment_refusals(s: CaseSnapshot) -> list[str]:
    out = []
    if not s.has_assessment:
        out.append("a case without an assessment cannot move on: propose and confirm one")
    elif not s.assessment_confirmed:
        out.append("the latest assessment is only suggested: an analyst must confirm it")
    if s.review_needed:
        out.append("a re-review is pending")
    return out


def transition_refusals(s: CaseSnapshot, to: CaseStatus, reason: str = "") -> list[str]:
    """Why ``s.status -> to`` is refused (empty: allowed)."""
    if to not in TRANSITIONS[s.status]:
        allowed = ", ".join(sorted(TRANSITIONS[s.status])) or "none"
        out = [f"a {s.status} case cannot move to {to} (allowed: {allowed})"]
        return out + (_assessment_refusals(s) if to != S.TRIAGE else [])
    out = []
    if s.status == S.CLOSED and not reason.strip():
        out.append("reopening a closed case needs a reason")
    if to in (S.ASSESSED, S.REMEDIATION, S.MONITORING, S.CLOSED):
        out.extend(_assessment_refusals(s))
    carries = (s.uncontrolled or s.ever_uncontrolled) and not s.not_affected
    if to == S.REMEDIATION and carries and not s.has_plan:
        out.append("an uncontrolled risk needs a remediation plan first")
    if to in (S.MONITORING, S.CLOSED) and carries:
        if not s.has_plan:
            out.append("an uncontrolled risk needs a remediation plan")
        if not _remediated(s):
            out.append(
                "the fix is not validated and distributed, and no long-term compensating control is accepted"
            )
    return out


def check_transition(s: CaseSnapshot, to: CaseStatus, reason: str = "") -> None:
    """Raise :class:`TransitionError` listing every refusal."""
    refusals = transition_refusals(s, to, reason)
    if refusals:
        raise TransitionError("; ".join(refusals), field="state")
