"""Writes of the risk app (one module per sub-area, re-exported here)."""

from __future__ import annotations

from medvigil.web.risk.services.assessments import assessment_change, assessment_confirm, assessment_propose
from medvigil.web.risk.services.carry_over import case_review_check, cases_review_interfaces
from medvigil.web.risk.services.cases import SyncResult, case_add_version, case_close, case_open, cases_sync
from medvigil.web.risk.services.first_party import first_party_alias, first_party_record
from medvigil.web.risk.services.product_risk import (
    hazard_create,
    hazard_delete,
    hazard_update,
    matrix_current,
    matrix_update,
    policy_current,
    policy_update,
)
from medvigil.web.risk.services.states import case_assign

__all__ = [
    "SyncResult",
    "assessment_change",
    "assessment_confirm",
    "assessment_propose",
    "case_add_version",
    "case_assign",
    "case_close",
    "case_open",
    "case_review_check",
    "cases_review_interfaces",
    "cases_sync",
    "first_party_alias",
    "first_party_record",
    "hazard_create",
    "hazard_delete",
    "hazard_update",
    "matrix_current",
    "matrix_update",
    "policy_current",
    "policy_update",
]
