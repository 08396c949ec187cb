"""Factories for remediation tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from medvigil.web.remediation import services
from medvigil.web.remediation.models import IsaoMembership
from tests.web.risk.conftest import case, hazards  # noqa: F401 - shared fixtures

COMPLETE = {
    "a": "Unused open ports allow unauthorised firmware download; impact assessed as uncontrolled.",
    "b": "Engineering and clinical teams are working to remove the patient-harm risk now.",
    "c": "Block TCP 4444 at the network firewall and keep the pump on an isolated VLAN.",
    "d": "A firmware update closing the ports is in work; we will announce its availability.",
}


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture
def isao(db: Any) -> IsaoMembership:
    return IsaoMembership.objects.create(
        name="H-ISAC", member_since=days_ago(900), membership_evidence="https://example.org/membership.pdf",
        policies_evidence="https://example.org/policies", sharing_evidence="https://example.org/sharing",
        process_evidence="SOP-ISAO-01",
    )  # fmt: skip


def communicate(target: Any, user: Any, on: dt.date, parts: str = "abcd", audience: str = "customers") -> Any:
    content = {p: COMPLETE[p] for p in parts}
    return services.action_record(case=target, kind="communication", on=on, user=user,
                                  data={"audience": audience, "content": content})  # fmt: skip


def fix_validated(target: Any, user: Any, on: dt.date, version: str = "1.1") -> Any:
    fix = services.action_record(case=target, kind="fix_release", on=on, user=user,
                                 data={"target_version": version, "distributed": True})  # fmt: skip
    services.action_record(case=target, kind="validation", on=on, user=user,
                           data={"fix_action": fix.pk, "result": "regression and penetration tests passed"},
                           files=[("test-report.txt", b"all 212 tests passed\n", "text/plain")])  # fmt: skip
    return fix
