"""Writes of the audit trail: set-level events from other services, and anchors.

Other apps call :func:`audit_record` once per set-based write (an SBOM import, a feed import run, a
re-match) or wrap such a write in :func:`audit_set`, which silences django-auditlog's per-row capture
inside the block and records one summarising event instead.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar, cast

from auditlog.context import disable_auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from medvigil.web.audit.chain import head, lock_chain
from medvigil.web.audit.models import AuditAnchor, AuditEvent

log = logging.getLogger("medvigil.audit")
F = TypeVar("F", bound=Callable[..., Any])

CREATE, UPDATE, DELETE = AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE


def audit_record(
    verb: str,
    obj: models.Model,
    *,
    action: int = UPDATE,
    changes: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    reason: str = "",
    actor: Any = None,
    label: str = "",
) -> AuditEvent:
    """Append one event ``verb`` (e.g. ``sbom.import``) about ``obj``.

    ``changes``: ``{field: [before, after]}``; ``data``: a summary (counts, digests) kept in
    ``additional_data``. ``actor`` is a user (else the request's or the context's actor).
    """
    event = AuditEvent(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_pk=str(obj.pk),
        object_id=obj.pk if isinstance(obj.pk, int) else None,
        object_repr=str(obj),
        action=action,
        verb=verb,
        changes=dict(changes) if changes is not None else None,
        additional_data=dict(data) if data is not None else None,
        reason=reason,
        timestamp=timezone.now(),
    )
    if actor is not None and getattr(actor, "is_authenticated", False):
        event.actor = actor
    elif label:
        event.actor_label = label
    event.save()
    return event


@contextlib.contextmanager
def audit_set(
    verb: str, obj: models.Model, *, action: int = UPDATE, reason: str = "", actor: Any = None
) -> Iterator[dict[str, Any]]:
    """Run a set-based write with per-row capture off; then record one event whose ``data`` is the
    dict the block filled in (counts). Nothing is recorded if the block raises, or if every count
    it filled in is zero (a write that changed nothing)."""
    summary: dict[str, Any] = {}
    with disable_auditlog():
        yield summary
    if any(summary.values()):
        audit_record(verb, obj, action=action, data=summary, reason=reason, actor=actor)


def anchor_write() -> AuditAnchor | None:
    """Record the current head (count and hash) as an anchor unless the last anchor already has it.

    The anchor is also logged (``medvigil.audit``) so a copy lives outside the database."""
    with transaction.atomic():
        lock_chain()
        count, head_hash = head()
        last = AuditAnchor.objects.order_by("-count").first()
        if count == 0 or (last is not None and last.count == count):
            return None
        anchor = AuditAnchor.objects.create(created_at=timezone.now(), count=count, head_hash=head_hash)
    log.info("audit anchor %s count=%d head=%s", anchor.created_at.isoformat(), count, head_hash)
    return anchor


def audited_set(verb: str, summary: Callable[[Any], Mapping[str, Any]]) -> Callable[[F], F]:
    """Decorate a set-based service taking ``product=``: per-row capture off inside it, then one
    ``verb`` event about the product with ``summary(result)`` as its data."""

    def wrap(func: F) -> F:
        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            with transaction.atomic(), audit_set(verb, kwargs["product"]) as data:
                result = func(*args, **kwargs)
                data.update(summary(result))
            return result

        return cast(F, inner)

    return wrap


def audit_match_run(versions: Iterable[Any], *, reason: str, counts: Mapping[str, Any]) -> None:
    """One ``findings.match`` event per product of a match run, naming its versions."""
    by_product: dict[Any, list[str]] = {}
    products: dict[Any, Any] = {}
    for version in versions:
        products.setdefault(version.product_id, version.product)
        by_product.setdefault(version.product_id, []).append(version.version)
    for pid, labels in by_product.items():
        audit_record(
            "findings.match",
            products[pid],
            data={"versions": sorted(labels), "run": dict(counts)},
            reason=reason,
        )
