"""Event kinds, the event value every channel renders, and subscription filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    """What happened (the ``kind`` of an event and of a subscription filter)."""

    FINDING_NEW = "finding.new"
    """New findings on a product (one event per product and matching run)."""
    CASE_UNCONTROLLED = "case.uncontrolled"
    """A confirmed assessment made a case an uncontrolled risk (for the first time)."""
    INTEL_KEV = "intel.kev"
    """Vulnerabilities with open findings on a product entered CISA KEV."""
    INTEL_EPSS = "intel.epss"
    """The EPSS score of vulnerabilities with open findings on a product jumped."""
    CASE_DUE_SOON = "case.due_soon"
    """A milestone of the FDA clock of a case is due soon."""
    CASE_OVERDUE = "case.overdue"
    """A milestone of the FDA clock of a case is overdue."""
    OBLIGATION_CREATED = "obligation.created"
    """A case got its first reporting obligations."""
    OBLIGATION_CHANGED = "obligation.changed"
    """The reporting obligations of a case changed."""
    CVD_RECEIVED = "cvd.received"
    """A coordinated-disclosure report was received."""
    ADVISORY_PUBLISHED = "advisory.published"
    """An advisory (or VEX) revision was published."""
    TEST = "test"
    """A test message sent from a subscription's test button (never filtered)."""

    @property
    def label(self) -> str:
        """Human name."""
        return _LABELS[self]


_LABELS = {
    EventKind.FINDING_NEW: "New findings",
    EventKind.CASE_UNCONTROLLED: "New uncontrolled case",
    EventKind.INTEL_KEV: "KEV listing",
    EventKind.INTEL_EPSS: "EPSS jump",
    EventKind.CASE_DUE_SOON: "Case due soon",
    EventKind.CASE_OVERDUE: "Case overdue",
    EventKind.OBLIGATION_CREATED: "Reporting obligation created",
    EventKind.OBLIGATION_CHANGED: "Reporting obligation changed",
    EventKind.CVD_RECEIVED: "CVD report received",
    EventKind.ADVISORY_PUBLISHED: "Advisory published",
    EventKind.TEST: "Test",
}

SUBSCRIBABLE = tuple(k for k in EventKind if k is not EventKind.TEST)
"""Kinds a subscription can choose (the test kind always reaches its one subscription)."""

UNCONTROLLED = "uncontrolled"
CONTROLLED = "controlled"


@dataclass(frozen=True, slots=True)
class Event:
    """One event as every channel renders it."""

    id: str
    """The event's UUID: also the ``Idempotency-Key`` of each delivery."""
    kind: EventKind
    """What happened."""
    occurred_at: dt.datetime
    """When it was recorded (aware, UTC)."""
    title: str
    """One line for people."""
    product: str = ""
    """Product slug ('' when the event concerns no single product)."""
    product_name: str = ""
    """Product name for people."""
    risk: str = ""
    """``uncontrolled``, ``controlled`` or '' (not about an assessed risk)."""
    url: str = ""
    """Link to the page in medvigil ('' when no public URL is configured)."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """Kind-specific details (JSON values)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (the webhook body's ``event``)."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "occurred_at": self.occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "title": self.title,
            "product": {"slug": self.product, "name": self.product_name} if self.product else None,
            "risk": self.risk or None,
            "url": self.url or None,
            "data": dict(self.data),
        }


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What a subscription wants: empty sets mean every kind / every product."""

    kinds: frozenset[EventKind] = frozenset()
    """Event kinds (empty: all)."""
    products: frozenset[str] = frozenset()
    """Product slugs (empty: all, including events about no product)."""
    uncontrolled_only: bool = False
    """Keep only events whose ``risk`` is ``uncontrolled`` (the risk filter)."""

    def matches(self, event: Event) -> bool:
        """Whether the event passes the filter (a test event always does)."""
        if event.kind is EventKind.TEST:
            return True
        if self.kinds and event.kind not in self.kinds:
            return False
        if self.products and event.product not in self.products:
            return False
        return not self.uncontrolled_only or event.risk == UNCONTROLLED
