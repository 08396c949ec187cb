"""API shapes of findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


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
    first_seen: dt.datetime
    last_seen: dt.datetime


class FindingEventOut(Schema):
    """A history entry of a finding."""

    at: dt.datetime
    kind: str
    old_state: str
    new_state: str
    reason: str


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
