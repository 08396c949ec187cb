"""The clock's risk, communication and fix facts are kept as ``CaseFile`` columns beside the
determination: written by ``case_evaluate`` on every action, backfilled by migration 0002."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps

from medvigil.web.remediation import services
from medvigil.web.remediation.models import CaseFile
from medvigil.web.risk import services as risk
from medvigil.web.risk.models import Case
from tests.web.remediation.conftest import communicate, days_ago, fix_validated, isao  # noqa: F401
from tests.web.risk.conftest import NETWORK_RCE, case, hazards, make_vulnerability  # noqa: F401

pytestmark = pytest.mark.django_db
migration = importlib.import_module("medvigil.web.remediation.migrations.0002_clock_fact_columns")


def _columns(target: Case) -> tuple[str, Any, Any]:
    cf = CaseFile.objects.get(case=target)
    return cf.risk_status, cf.communication_sent, cf.fix_distributed


def _assessed(target: Case, analyst: Any) -> None:
    """Day 0 fifty days ago and a confirmed assessment, through the services."""
    services.day0_set(case=target, day0=days_ago(50), source="feed", user=analyst)
    risk.assessment_propose(case=target)
    risk.assessment_confirm(case=target, user=analyst)


def test_the_service_writes_the_columns_with_the_determination(
    case: Case,  # noqa: F811
    hazards: Any,  # noqa: F811
    analyst: Any,
    isao: Any,  # noqa: F811
) -> None:
    _assessed(case, analyst)
    facts = CaseFile.objects.get(case=case).determination["facts"]
    assert _columns(case) == (facts["risk_status"], None, None)
    communicate(case, analyst, days_ago(40))
    assert _columns(case)[1] == days_ago(40)
    fix_validated(case, analyst, days_ago(8))
    facts = CaseFile.objects.get(case=case).determination["facts"]
    assert facts["communication_sent"] == days_ago(40).isoformat()
    assert facts["fix_distributed"] == days_ago(8).isoformat()
    assert _columns(case) == (facts["risk_status"], days_ago(40), days_ago(8))


def test_the_migration_copies_the_facts_of_existing_rows(
    case: Case,  # noqa: F811
    hazards: Any,  # noqa: F811
    analyst: Any,
    isao: Any,  # noqa: F811
) -> None:
    _assessed(case, analyst)
    communicate(case, analyst, days_ago(40))
    fix_validated(case, analyst, days_ago(8))
    written = _columns(case)
    other, _ = risk.case_open(
        product=case.product, vulnerability=make_vulnerability("CVE-2026-0002", NETWORK_RCE)
    )
    CaseFile.objects.update_or_create(
        case=other,
        defaults={"determination": {"facts": {"risk_status": "controlled", "fix_distributed": "n/a"}}},
    )
    CaseFile.objects.update(risk_status="", communication_sent=None, fix_distributed=None)  # as before 0002

    migration.fill(apps, None)

    assert _columns(case) == written
    assert written[0] in ("controlled", "uncontrolled") and written[2] == days_ago(8)
    assert _columns(other) == ("controlled", None, None)  # a value that is not a date is no date
