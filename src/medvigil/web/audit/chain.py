"""Appending to the chain: one writer at a time, the event's fields filled and hashed.

Appends are serialised so two writers never fork the chain: on PostgreSQL a transaction-level
advisory lock (``pg_advisory_xact_lock``) is taken before the head is read and held until the
transaction commits; on SQLite the write transaction (``BEGIN IMMEDIATE``) already excludes every
other writer. Either way the head read, the hash and the insert happen in one transaction.
"""

from __future__ import annotations

import contextlib
import contextvars
import getpass
import ipaddress
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from medvigil.core.audit.chain import GENESIS, HASHED_FIELDS, event_hash, normalise

if TYPE_CHECKING:
    from medvigil.web.audit.models import AuditEvent

LOCK_KEY = 0x6D76_6175_6469  # "mvaudi": the chain's advisory lock on PostgreSQL
VERBS = {0: "create", 1: "update", 2: "delete", 3: "access"}
REASON_FIELDS = ("reason", "justification", "rationale", "note")

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "medvigil_audit", default=None
)


@contextlib.contextmanager
def audit_context(
    *, actor: Any = None, label: str = "", request: Any = None, reason: str = ""
) -> Iterator[None]:
    """Who acts (a user, a request whose user is read at write time, or a label such as
    ``cli:alice``) and why, for every event written inside the block."""
    outer = _context.get() or {}
    given = {"actor": actor, "label": label, "request": request, "reason": reason}
    inner = dict(outer) | {key: value for key, value in given.items() if value}
    token = _context.set(inner)
    try:
        yield
    finally:
        _context.reset(token)


def _current_user() -> Any:
    ctx = _context.get() or {}
    if ctx.get("actor") is not None:
        return ctx["actor"]
    request = ctx.get("request")
    user = getattr(request, "user", None) if request is not None else None
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


def _default_label() -> str:
    ctx = _context.get() or {}
    if ctx.get("label"):
        return str(ctx["label"])
    return "system"


def cli_label() -> str:
    """``cli:<login name>`` for commands run from a shell."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _remote_addr() -> str | None:
    ctx = _context.get() or {}
    request = ctx.get("request")
    return request.META.get("REMOTE_ADDR") or None if request is not None else None


def _reason(event: AuditEvent) -> str:
    if event.reason:
        return event.reason
    ctx = _context.get() or {}
    if ctx.get("reason"):
        return str(ctx["reason"])
    changes = event.changes if isinstance(event.changes, dict) else {}
    for name in REASON_FIELDS:
        pair = changes.get(name)
        if isinstance(pair, list) and len(pair) == 2 and pair[1] not in (None, "", "None"):
            return str(pair[1])
    return ""


def _fill(event: AuditEvent) -> None:
    if event.actor_id is None:
        user = _current_user()
        if user is not None:
            event.actor = user
    if event.actor_id is not None and not event.actor_label:
        event.actor_label = event.actor.get_username() if event.actor else ""
    event.actor_label = event.actor_label or _default_label()
    event.verb = event.verb or VERBS.get(event.action, str(event.action))
    event.object_type = event.object_type or f"{event.content_type.app_label}.{event.content_type.model}"
    event.object_pk = str(event.object_pk)
    event.object_repr = str(event.object_repr or "")[:2000]
    event.reason = _reason(event)
    event.changes = normalise(event.changes) if event.changes is not None else None
    event.additional_data = normalise(event.additional_data) if event.additional_data is not None else None
    if event.remote_addr is None:
        event.remote_addr = _remote_addr()
    if event.remote_addr:
        event.remote_addr = str(ipaddress.ip_address(str(event.remote_addr)))


def fields_of(event: AuditEvent) -> dict[str, Any]:
    """The hashed fields of a model instance."""
    values = {name: getattr(event, name) for name in HASHED_FIELDS if name != "actor"}
    values["actor"] = event.actor_label
    values["remote_addr"] = event.remote_addr or None
    return values


def lock_chain() -> None:
    """Serialise appends until the current transaction ends (PostgreSQL; SQLite already is)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def head() -> tuple[int, str]:
    """The sequence number and hash of the last event (0 and GENESIS for an empty chain)."""
    from medvigil.web.audit.models import AuditEvent

    row = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return (row[0], row[1]) if row else (0, GENESIS)


def append(event: AuditEvent, insert: Callable[[], None]) -> None:
    """Give ``event`` the next sequence number, link and hash it, and insert it (one transaction)."""
    with transaction.atomic():
        lock_chain()
        seq, prev = head()
        _fill(event)
        event.seq = seq + 1
        event.prev_hash = prev
        event.hash = event_hash(fields_of(event))
        insert()
