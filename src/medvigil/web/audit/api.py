"""Audit endpoints: the filtered, paged events and chain verification. Analysts and admins read;
viewers get 403 (the trail names people and carries before/after values of every record)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from medvigil.web.accounts.roles import can_write
from medvigil.web.audit import selectors

router = Router(tags=["audit"])
MAX_LIMIT = 500


def _require_analyst(request: HttpRequest) -> None:
    if not can_write(request.user):
        raise HttpError(403, "the analyst or admin role is needed to read the audit trail")


class EventsQuery(Schema):
    actor: str = ""
    object_type: str = ""
    action: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    object_pk: str = ""
    limit: int = 100
    offset: int = 0


class EventsOut(Schema):
    count: int
    items: list[dict[str, Any]]


class VerifyOut(Schema):
    ok: bool
    checked: int
    head_hash: str
    anchors_checked: int
    broken_seq: int | None
    reason: str


@router.get("/audit/events", response=EventsOut, summary="Audit events, newest first (chain fields included)")
def events(request: HttpRequest, q: Query[EventsQuery]) -> dict[str, Any]:
    _require_analyst(request)
    if not 1 <= q.limit <= MAX_LIMIT or q.offset < 0:
        raise HttpError(422, f"limit must be 1-{MAX_LIMIT} and offset >= 0")
    flt = selectors.EventFilter(
        actor=q.actor,
        object_type=q.object_type,
        action=q.action,
        since=q.since,
        until=q.until,
        object_pk=q.object_pk,
    )
    rows = selectors.events(flt)
    page = list(rows[q.offset : q.offset + q.limit])
    return {"count": rows.count(), "items": [selectors.event_dict(e) for e in page]}


@router.get("/audit/verify", response=VerifyOut, summary="Verify the whole chain and its stored anchors")
def verify(request: HttpRequest) -> dict[str, Any]:
    _require_analyst(request)
    report = selectors.chain_verify()
    return dataclasses.asdict(report)
