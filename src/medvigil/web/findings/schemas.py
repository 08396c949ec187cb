"""API shapes of findings."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema


class FindingOut(Schema):
    """A finding."""

    id: int
    product: str
    product_version: str
    component: dict[str, Any]
    vulnerability: dict[str, Any]
    match: dict[str, Any]
    state: str
    state_reason: str
    triage: dict[str, Any] | None = None
    first_seen: dt.datetime
    last_seen: dt.datetime


class TriageIn(Schema):
    """An analyst's decision on one finding."""

    action: Literal["false_positive", "suppress", "accept", "clear", "comment"]
    reason: str = Field(min_length=1, max_length=2000)
    until: dt.date | None = Field(default=None, description="end of a suppression (action 'suppress')")


class FindingEventOut(Schema):
    """A history entry of a finding."""

    at: dt.datetime
    kind: str
    old_state: str
    new_state: str
    reason: str
    actor: str | None = None


class SupplierVexOut(Schema):
    """A stored supplier VEX document."""

    id: int
    product: str
    product_version: str | None
    filename: str
    format: str
    sha256: str
    size: int
    statement_count: int
    uploaded_by: str | None
    uploaded_at: dt.datetime
    active: bool
    removed_at: dt.datetime | None


class SupplierVexImportOut(Schema):
    """Result of a supplier VEX upload."""

    created: bool
    document: SupplierVexOut
