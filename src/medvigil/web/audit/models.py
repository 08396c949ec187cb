"""Audit events (django-auditlog's log entry, swapped in with the chain fields) and anchors.

``AuditEvent`` is django-auditlog's ``AUDITLOG_LOGENTRY_MODEL``: every log entry auditlog writes
for a registered model, and every set-level event a service records with ``audit_record``, comes
through :meth:`AuditEvent.save`, which appends it to the hash chain (``seq``, ``prev_hash``,
``hash``) under the chain lock. Rows are never updated or deleted by the application.
"""

from __future__ import annotations

from typing import Any

from auditlog.models import AbstractLogEntry
from django.db import models


class AuditEvent(AbstractLogEntry):  # type: ignore[misc]
    """One append-only, chained audit event."""

    seq = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    verb = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=100, db_index=True)
    actor_label = models.CharField(max_length=150, db_index=True)
    reason = models.TextField(blank=True)

    class Meta(AbstractLogEntry.Meta):  # type: ignore[misc]
        ordering = ["-seq"]
        verbose_name = "audit event"
        verbose_name_plural = "audit events"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Append a new event to the chain; an existing event cannot be saved again."""
        if self.pk is not None:
            raise ValueError("audit events are append-only")
        from medvigil.web.audit.chain import append

        append(self, lambda: super(AuditEvent, self).save(*args, **kwargs))

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("audit events are append-only")


class AuditAnchor(models.Model):
    """A checkpoint: the chain had ``count`` events ending in ``head_hash`` at ``created_at``."""

    created_at = models.DateTimeField(db_index=True)
    count = models.BigIntegerField()
    head_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-count"]

    def __str__(self) -> str:
        return f"anchor {self.count} {self.head_hash[:12]}"
