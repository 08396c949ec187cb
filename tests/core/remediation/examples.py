"""The FDA 2016 guidance's eight worked examples (regulatory.md 1.10) as reporting facts, with the
guidance's outcome per rule. Shared by the core, CLI and web tests."""

from __future__ import annotations

from typing import Any

DAY0 = "2026-03-02"
TODAY = "2026-05-15"  # day 74: both milestones are behind us

BASE: dict[str, Any] = {
    "risk_status": "controlled",
    "change_type": "routine_update_patch",
    "known_sae_or_death": False,
    "event_occurred": False,
    "death_or_si_possible": False,
    "malfunction_recurrence_likely": False,
    "remedial_action_needed": False,
    "already_reported_803_1004": False,
    "phi_only": False,
    "pma": False,
    "device_class": "II",
    "isao_active": True,
    "significant_design_change": False,
    "day0": DAY0,
    "correction_initiated": "2026-03-20",
    "communication_sent": "2026-03-20",
    "communication_parts": ["a", "b", "c", "d"],
    "fix_distributed": "2026-04-25",
    "isao_shared": "2026-03-20",
    "today": TODAY,
}


def facts(**changes: Any) -> dict[str, Any]:
    """The base facts with ``changes``."""
    return {**BASE, **changes}


EXAMPLES: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    # controlled: user instructions + defense-in-depth = routine update
    "EX-C1": (facts(change_type="compensating_control_notice"), {"R3": "not_required"}),
    # PHI exposure through misconfiguration: routine; HIPAA workflow
    "EX-C2": (facts(phi_only=True), {"R3": "not_required", "R10": "evaluate"}),
    # open unused port, remote firmware download blocked by design: routine, no 806
    "EX-C3": (facts(), {"R3": "not_required"}),
    # class III PC component malware: routine, no 806.10, PMA annual report
    "EX-C4": (facts(device_class="III", pma=True), {"R3": "not_required", "R8": "required"}),
    # uncontrolled, ISAO member, comms by day 30, fix by day 60: 806 not enforced; class III annual
    "EX-U1": (
        facts(risk_status="uncontrolled", change_type="remediation", device_class="III", pma=True),
        {"R6": "not_enforced", "R8": "required"},
    ),
    # class III implant, hard-coded password, NOT an ISAO member: 806.10 report
    "EX-U2": (
        facts(
            risk_status="uncontrolled",
            change_type="remediation",
            device_class="III",
            pma=True,
            death_or_si_possible=True,
            isao_active=False,
            isao_shared=None,
        ),
        {"R7": "required", "R8": "required"},
    ),
    # class II, disconnect instruction by day 30, patch by day 60, ISAO member: not enforced, no MDR
    "EX-U3": (
        facts(risk_status="uncontrolled", change_type="compensating_control_notice"),
        {"R6": "not_enforced"},
    ),
    # harm reported, exploit may have contributed to death: MDR (803) + 806.10 report
    "EX-U4": (
        facts(
            risk_status="uncontrolled",
            change_type="remediation",
            event_occurred=True,
            death_or_si_possible=True,
            known_sae_or_death=True,
            malfunction_recurrence_likely=True,
            remedial_action_needed=True,
        ),
        {"R1": "required", "R2": "required", "R5": "required"},
    ),
}
