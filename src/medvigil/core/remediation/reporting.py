"""The reporting determination (regulatory.md 7.4, rules R1-R10), a pure function of the facts.

Rules are evaluated top-down and *every* matching obligation is returned. Part 806 for an
uncontrolled risk without a known serious adverse event is either R6 (FDA does not intend to
enforce: ``not_enforced``, a distinct outcome that always names the evidence keeping it so) or R7
(required). The evaluation is live: on the day a day-30 or day-60 milestone is missed, or as soon
as one cannot be met (no active ISAO participation), R6 gives way to R7.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, get_type_hints

from medvigil.core.errors import InputError
from medvigil.core.remediation.calendar import Calendar, add_calendar_days, add_working_days
from medvigil.core.remediation.clock import (
    COMMUNICATION_DAYS,
    FIX_DAYS,
    Milestone,
    MilestoneState,
    milestone_state,
)

__all__ = [
    "COMMUNICATION_PARTS",
    "FACT_FIELDS",
    "ChangeType",
    "Determination",
    "FactsError",
    "Obligation",
    "Outcome",
    "ReportingFacts",
    "evaluate",
    "facts_from_mapping",
]

COMMUNICATION_PARTS = ("a", "b", "c", "d")
"""PM-UNC-3.2: (a) vulnerability and impact assessment; (b) efforts to address the risk of patient
harm are under way; (c) compensating controls, if any; (d) a fix or defense-in-depth strategy is in
work and its availability will be communicated."""

MDR_DAYS = 30
MDR_REMEDIAL_WORK_DAYS = 5
REPORT_806_WORKING_DAYS = 10
HIPAA_INDIVIDUAL_DAYS = 60


class FactsError(InputError):
    """The facts are missing, malformed or contradict each other (names the field)."""


class ChangeType(StrEnum):
    """What the manufacturer is changing (regulatory.md 1, section "What the software must encode")."""

    ROUTINE_UPDATE_PATCH = "routine_update_patch"
    REMEDIATION = "remediation"
    COMPENSATING_CONTROL_NOTICE = "compensating_control_notice"


class Outcome(StrEnum):
    """What an obligation asks for."""

    REQUIRED = "required"
    NOT_REQUIRED = "not_required"
    NOT_ENFORCED = "not_enforced"
    """FDA enforcement discretion (R6): the report is still legally due but FDA does not intend to
    enforce it while the evidence holds. Never shown as "not required"."""
    EVALUATE = "evaluate"
    """A decision the manufacturer must take and record (510(k)/PMA supplement, HIPAA)."""


@dataclass(frozen=True, slots=True)
class ReportingFacts:
    """The section-7 inputs (issue 10 item 4); dates are the days things happened."""

    risk_status: str
    change_type: ChangeType | None
    known_sae_or_death: bool
    event_occurred: bool
    death_or_si_possible: bool
    malfunction_recurrence_likely: bool
    remedial_action_needed: bool
    already_reported_803_1004: bool
    phi_only: bool
    pma: bool
    device_class: str
    isao_active: bool
    significant_design_change: bool
    day0: dt.date
    correction_initiated: dt.date | None
    communication_sent: dt.date | None
    communication_parts: frozenset[str]
    fix_distributed: dt.date | None
    isao_shared: dt.date | None
    today: dt.date

    @property
    def uncontrolled(self) -> bool:
        """Uncontrolled risk."""
        return self.risk_status == "uncontrolled"

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the same shape :func:`facts_from_mapping` reads)."""
        out: dict[str, Any] = {}
        for name in FACT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, frozenset):
                value = sorted(value)
            elif isinstance(value, StrEnum):
                value = value.value
            out[name] = value
        return out


@dataclass(frozen=True, slots=True)
class Obligation:
    """One matching rule of the 7.4 table."""

    code: str
    regulation: str
    outcome: Outcome
    due: dt.date | None
    calendar: Calendar | None
    reason: str
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The CLI/API shape."""
        return {
            "code": self.code,
            "regulation": self.regulation,
            "outcome": self.outcome.value,
            "due": self.due.isoformat() if self.due else None,
            "calendar": self.calendar.value if self.calendar else None,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Determination:
    """Every matching obligation plus the milestones it was judged on."""

    risk_status: str
    obligations: tuple[Obligation, ...]
    milestones: tuple[Milestone, ...] = ()
    alerts: tuple[str, ...] = field(default=())

    def codes(self) -> list[str]:
        """Rule codes in order (a rule may appear twice, e.g. R1 under 803.50 and 803.53)."""
        return [o.code for o in self.obligations]

    def get(self, code: str) -> Obligation | None:
        """The first obligation of a rule."""
        return next((o for o in self.obligations if o.code == code), None)

    def to_dict(self) -> dict[str, Any]:
        """The CLI/API shape: ``{"obligations": [...], "risk_status": ..., ...}``."""
        return {
            "obligations": [o.to_dict() for o in self.obligations],
            "risk_status": self.risk_status,
            "milestones": [m.to_dict() for m in self.milestones],
            "alerts": list(self.alerts),
        }


# --- reading the facts -------------------------------------------------------------------------

_FACT_TYPES = get_type_hints(ReportingFacts)
FACT_FIELDS = tuple(f.name for f in fields(ReportingFacts))
"""The facts, in the order of issue 10 item 4 (``ReportingFacts``'s fields); every one must be present."""
_BOOLS = tuple(name for name in FACT_FIELDS if _FACT_TYPES[name] is bool)
_OPTIONAL_DATES = tuple(name for name in FACT_FIELDS if _FACT_TYPES[name] == dt.date | None)


def _date(raw: Mapping[str, Any], name: str, source: str, *, optional: bool) -> dt.date | None:
    value = raw[name]
    if value is None and optional:
        return None
    if not isinstance(value, str):
        need = "a YYYY-MM-DD date or null" if optional else "a YYYY-MM-DD date"
        raise FactsError(f"must be {need}, not {value!r}", source=source, field=name)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FactsError(f"{value!r} is not a YYYY-MM-DD date", source=source, field=name) from None


def _parts(raw: Mapping[str, Any], source: str) -> frozenset[str]:
    value = raw["communication_parts"]
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise FactsError("must be a list of the parts a-d", source=source, field="communication_parts")
    unknown = sorted(set(value) - set(COMMUNICATION_PARTS))
    if unknown:
        raise FactsError(
            f"unknown part(s) {', '.join(unknown)}: the parts are a, b, c and d (PM-UNC-3.2)",
            source=source,
            field="communication_parts",
        )
    return frozenset(value)


def facts_from_mapping(raw: Mapping[str, Any], *, source: str = "") -> ReportingFacts:
    """Read and check the facts: every field present and typed; contradictions refused."""
    if not isinstance(raw, Mapping):
        raise FactsError("the facts must be a JSON object", source=source)
    missing = [name for name in FACT_FIELDS if name not in raw]
    if missing:
        raise FactsError(
            "missing fact (every field is required; use null for an unknown date)",
            source=source,
            field=missing[0],
        )
    extra = sorted(set(raw) - set(FACT_FIELDS))
    if extra:
        raise FactsError("unknown fact", source=source, field=extra[0])
    if raw["risk_status"] not in ("controlled", "uncontrolled"):
        raise FactsError("must be controlled or uncontrolled", source=source, field="risk_status")
    change = raw["change_type"]
    if change is not None and change not in ChangeType.__members__.values():
        allowed = ", ".join(c.value for c in ChangeType)
        raise FactsError(f"must be one of {allowed} or null", source=source, field="change_type")
    for name in _BOOLS:
        if not isinstance(raw[name], bool):
            raise FactsError(f"must be true or false, not {raw[name]!r}", source=source, field=name)
    if raw["device_class"] not in ("I", "II", "III"):
        raise FactsError("must be I, II or III", source=source, field="device_class")
    day0 = _date(raw, "day0", source, optional=False)
    today = _date(raw, "today", source, optional=False)
    assert day0 is not None and today is not None
    facts = ReportingFacts(
        **{name: raw[name] for name in _BOOLS},
        risk_status=raw["risk_status"],
        change_type=ChangeType(change) if change is not None else None,
        device_class=raw["device_class"],
        day0=day0,
        correction_initiated=_date(raw, "correction_initiated", source, optional=True),
        communication_sent=_date(raw, "communication_sent", source, optional=True),
        communication_parts=_parts(raw, source),
        fix_distributed=_date(raw, "fix_distributed", source, optional=True),
        isao_shared=_date(raw, "isao_shared", source, optional=True),
        today=today,
    )
    _check_consistency(facts, source)
    return facts


_CONTRADICTIONS: tuple[tuple[str, str, Any], ...] = (
    (
        "communication_parts",
        "communication parts given but communication_sent is null",
        lambda f: f.communication_parts and f.communication_sent is None,
    ),
    (
        "known_sae_or_death",
        "a known serious adverse event or death needs event_occurred true",
        lambda f: f.known_sae_or_death and not f.event_occurred,
    ),
    (
        "malfunction_recurrence_likely",
        "a recurrence needs a malfunction: event_occurred is false",
        lambda f: f.malfunction_recurrence_likely and not f.event_occurred,
    ),
    (
        "phi_only",
        "phi_only means no patient harm, but death_or_si_possible or known_sae_or_death is true",
        lambda f: f.phi_only and (f.death_or_si_possible or f.known_sae_or_death),
    ),
)
"""(field, message, test): facts that cannot all be true at once."""


def _check_consistency(f: ReportingFacts, source: str) -> None:
    if f.today < f.day0:
        raise FactsError(f"{f.today} is before day0 {f.day0}", source=source, field="today")
    for name in _OPTIONAL_DATES:
        when = getattr(f, name)
        if when is not None and when < f.day0:
            raise FactsError(
                f"{when} is before day0 {f.day0} (the day the manufacturer learned)",
                source=source,
                field=name,
            )
        if when is not None and when > f.today:
            raise FactsError(
                f"{when} is after today {f.today}: record things that have happened",
                source=source,
                field=name,
            )
    for name, message, test in _CONTRADICTIONS:
        if test(f):
            raise FactsError(message, source=source, field=name)


# --- the rules -------------------------------------------------------------------------------


def _mdr(f: ReportingFacts) -> list[Obligation]:
    out: list[Obligation] = []
    if f.event_occurred and f.death_or_si_possible:
        out.append(
            Obligation(
                "R1",
                "21 CFR 803.50(a)(1)",
                Outcome.REQUIRED,
                add_calendar_days(f.day0, MDR_DAYS),
                Calendar.CALENDAR_DAYS,
                "the exploit or security failure may have caused or contributed to a death or serious "
                "injury: MDR within 30 calendar days of becoming aware",
            )
        )
        if f.remedial_action_needed:
            out.append(
                Obligation(
                    "R1",
                    "21 CFR 803.53",
                    Outcome.REQUIRED,
                    add_working_days(f.day0, MDR_REMEDIAL_WORK_DAYS),
                    Calendar.WORK_DAYS,
                    "remedial action is needed to prevent an unreasonable risk of substantial harm to "
                    "public health: 5-day report within 5 work days",
                )
            )
    if f.event_occurred and f.malfunction_recurrence_likely:
        out.append(
            Obligation(
                "R2",
                "21 CFR 803.50(a)(2)",
                Outcome.REQUIRED,
                add_calendar_days(f.day0, MDR_DAYS),
                Calendar.CALENDAR_DAYS,
                "security-caused malfunction that would likely cause or contribute to a death or serious "
                "injury if it recurred: MDR within 30 calendar days",
            )
        )
    return out


def _r3(f: ReportingFacts) -> Obligation | None:
    if f.uncontrolled:
        return None
    routine = f.change_type in (
        None,
        ChangeType.ROUTINE_UPDATE_PATCH,
        ChangeType.COMPENSATING_CONTROL_NOTICE,
    )
    if routine or f.phi_only:
        what = "PHI-only fix" if f.phi_only else "routine update, patch or defense-in-depth change"
        pma = "; include it in the PMA periodic report" if f.pma or f.device_class == "III" else ""
        return Obligation(
            "R3",
            "21 CFR 806.1(b)",
            Outcome.NOT_REQUIRED,
            None,
            None,
            f"controlled risk and a {what}: an enhancement, no part 806 report; record the change{pma}",
        )
    return Obligation(
        "R3",
        "21 CFR 806.1(b)",
        Outcome.EVALUATE,
        None,
        None,
        "controlled risk but the change is recorded as a remediation: decide whether it is an "
        "enhancement (no 806 report) or a correction to reduce a risk to health (806.10), and record why",
    )


def _report_806_due(f: ReportingFacts) -> tuple[dt.date | None, str]:
    if f.correction_initiated is None:
        return None, "due 10 working days after the correction is initiated (not initiated yet)"
    due = add_working_days(f.correction_initiated, REPORT_806_WORKING_DAYS)
    return due, f"due 10 working days after the correction initiated on {f.correction_initiated}"


@dataclass(frozen=True, slots=True)
class _Condition:
    label: str
    state: str
    """``met``, ``pending`` or ``failed``."""
    detail: str


def _conditions(f: ReportingFacts) -> tuple[list[_Condition], list[Milestone]]:
    comm_due = add_calendar_days(f.day0, COMMUNICATION_DAYS)
    fix_due = add_calendar_days(f.day0, FIX_DAYS)
    complete = f.communication_parts == frozenset(COMMUNICATION_PARTS)
    comm_done = f.communication_sent if complete else None
    milestones = [
        Milestone(
            "communication",
            comm_due,
            Calendar.CALENDAR_DAYS,
            comm_done,
            milestone_state(comm_due, comm_done, f.today),
            "PM-UNC-3.2: customers and users told, parts a-d, by day 30",
        ),
        Milestone(
            "fix",
            fix_due,
            Calendar.CALENDAR_DAYS,
            f.fix_distributed,
            milestone_state(fix_due, f.fix_distributed, f.today),
            "PM-UNC-3.3: validated fix distributed (or long-term compensating control) by day 60",
        ),
    ]
    out = [_Condition("no known serious adverse event or death", "met", "none known")]

    def dated(label: str, done: dt.date | None, due: dt.date, what: str) -> _Condition:
        if done is not None and done <= due:
            return _Condition(label, "met", f"{what} on {done}")
        if done is not None:
            return _Condition(label, "failed", f"{what} on {done}, after the due date {due}")
        if f.today > due:
            return _Condition(label, "failed", f"not done by {due}")
        return _Condition(label, "pending", f"due by {due}")

    if f.communication_sent is not None and not complete:
        missing = ", ".join(p for p in COMMUNICATION_PARTS if p not in f.communication_parts)
        if f.today > comm_due:
            comm = _Condition(
                "communication by day 30 with parts a-d", "failed", f"part(s) {missing} missing"
            )
        else:
            comm = _Condition(
                "communication by day 30 with parts a-d",
                "pending",
                f"sent {f.communication_sent} without part(s) {missing}; complete it by {comm_due}",
            )
    else:
        comm = dated("communication by day 30 with parts a-d", f.communication_sent, comm_due, "sent")
    out.append(comm)
    out.append(dated("validated fix distributed by day 60", f.fix_distributed, fix_due, "distributed"))
    if not f.isao_active:
        out.append(_Condition("active ISAO participation", "failed", "no active ISAO participation"))
    else:
        out.append(dated("communication shared with the ISAO", f.isao_shared, comm_due, "shared"))
    return out, milestones


def _r6_r7(f: ReportingFacts) -> tuple[list[Obligation], list[Milestone], list[str]]:
    conditions, milestones = _conditions(f)
    alerts = [
        f"{m.name} due {m.due} is {m.state.value.replace('_', ' ')}"
        for m in milestones
        if m.state in (MilestoneState.DUE_SOON, MilestoneState.OVERDUE)
    ]
    failed = [c for c in conditions if c.state == "failed"]
    if failed:
        due, when = _report_806_due(f)
        why = "; ".join(f"{c.label}: {c.detail}" for c in failed)
        return (
            [
                Obligation(
                    "R7",
                    "21 CFR 806.10",
                    Outcome.REQUIRED,
                    due,
                    Calendar.WORKING_DAYS,
                    f"uncontrolled risk and enforcement discretion does not hold ({why}): report the "
                    f"correction under 806.10, {when}",
                )
            ],
            milestones,
            alerts,
        )
    pending = [c for c in conditions if c.state == "pending"]
    evidence = tuple(f"{c.label}: {c.detail}" for c in conditions if c.state == "met")
    if f.isao_active:
        evidence += ("active ISAO participation (4 criteria, FDA 2016 IX)",)
    keep = "; ".join(evidence)
    if pending:
        nxt = min(
            (m for m in milestones if m.done is None and m.state != MilestoneState.OVERDUE),
            key=lambda m: m.due,
            default=None,
        )
        todo = "; ".join(f"{c.label}: {c.detail}" for c in pending)
        reason = (
            f"provisional: FDA does not intend to enforce part 806 only if the open conditions are met "
            f"in time ({todo}); evidence so far: {keep}"
        )
        due = nxt.due if nxt else None
    else:
        reason = (
            f"FDA does not intend to enforce part 806 (enforcement discretion, not an exemption); "
            f"evidence: {keep}; keep an 806.20 record with the justification, include in the PMA "
            f"periodic report if PMA, assess the 510(k)/PMA supplement need"
        )
        due = None
    return (
        [
            Obligation(
                "R6",
                "21 CFR 806.10",
                Outcome.NOT_ENFORCED,
                due,
                Calendar.CALENDAR_DAYS if due else None,
                reason,
                evidence,
            )
        ],
        milestones,
        alerts,
    )


def evaluate(f: ReportingFacts) -> Determination:
    """All obligations matching the facts (R1-R10, top-down)."""
    out = _mdr(f)
    milestones: list[Milestone] = []
    alerts: list[str] = []
    r3 = _r3(f)
    if r3 is not None:
        out.append(r3)
    if f.uncontrolled and f.already_reported_803_1004:
        out.append(
            Obligation(
                "R4",
                "21 CFR 806.10(f)",
                Outcome.NOT_REQUIRED,
                None,
                None,
                "the correction was already reported under part 803 or 1004: no separate 806 report",
            )
        )
    elif f.uncontrolled and f.known_sae_or_death:
        due, when = _report_806_due(f)
        out.append(
            Obligation(
                "R5",
                "21 CFR 806.10",
                Outcome.REQUIRED,
                due,
                Calendar.WORKING_DAYS,
                f"uncontrolled risk with a known serious adverse event or death: 806 report, {when} "
                f"(enforcement discretion cannot apply)",
            )
        )
    elif f.uncontrolled:
        obligations, milestones, alerts = _r6_r7(f)
        out.extend(obligations)
    if f.pma or f.device_class == "III":
        out.append(
            Obligation(
                "R8",
                "21 CFR 814.84",
                Outcome.REQUIRED,
                None,
                None,
                "class III / PMA device: include the vulnerability and any change or compensating control "
                "in the periodic (annual) report with the FDA 2016 section VIII content",
            )
        )
    if f.significant_design_change:
        out.append(
            Obligation(
                "R9",
                "21 CFR 807.81(a)(3) / 814.39",
                Outcome.EVALUATE,
                None,
                None,
                "the change significantly affects design or function: evaluate a new 510(k) or a PMA "
                "supplement; cyber devices: section 524B documentation",
            )
        )
    if f.phi_only:
        out.append(
            Obligation(
                "R10",
                "45 CFR 164.404-408",
                Outcome.EVALUATE,
                add_calendar_days(f.day0, HIPAA_INDIVIDUAL_DAYS),
                Calendar.CALENDAR_DAYS,
                "PHI compromise only: not patient harm for FDA; route to the HIPAA breach workflow "
                "(individuals within 60 days of discovery; HHS and media at once if 500+ affected) / GDPR",
            )
        )
    return Determination(f.risk_status, tuple(out), tuple(milestones), tuple(alerts))
