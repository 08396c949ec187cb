"""Advisories (one row per revision) and their published documents (bytes, never modified)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from medvigil.web.risk.models import Case


class AdvisoryKind(models.TextChoices):
    """CSAF security advisory or VEX."""

    ADVISORY = "advisory", "security advisory"
    VEX = "vex", "VEX"


class AdvisoryState(models.TextChoices):
    """Workflow: draft -> review -> published."""

    DRAFT = "draft"
    REVIEW = "review"
    PUBLISHED = "published"


class TlpLabel(models.TextChoices):
    """TLP 2.0."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"


class Advisory(models.Model):
    """One revision of an advisory about a case; a published row is never changed again."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="advisories")
    kind = models.CharField(max_length=10, choices=AdvisoryKind.choices, default=AdvisoryKind.ADVISORY)
    tracking_id = models.CharField(max_length=100)
    """CSAF ``/document/tracking/id``; shared by every revision."""
    revision = models.PositiveIntegerField(default=1)
    """Integer CSAF version of this row."""
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_revision"
    )
    revision_summary = models.CharField(max_length=300, default="Initial release")
    title = models.CharField(max_length=300)
    tlp = models.CharField(max_length=5, choices=TlpLabel.choices, default=TlpLabel.AMBER)
    embargo_until = models.DateTimeField(null=True, blank=True)
    """Not published before this moment (the CVD embargo when there is one)."""
    state = models.CharField(max_length=10, choices=AdvisoryState.choices, default=AdvisoryState.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    initial_release = models.DateTimeField(null=True, blank=True)
    """Release date of revision 1 (kept on every revision)."""
    history = models.JSONField(default=list, blank=True)
    """Revision history of the published document: ``[{"number", "date", "summary"}]``."""

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tracking_id", "revision"], name="uniq_advisory_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_id} v{self.revision} ({self.state})"


class PublishedDocument(models.Model):
    """One format of a published advisory revision, as the bytes that were checked and released."""

    advisory = models.ForeignKey(Advisory, on_delete=models.PROTECT, related_name="documents")
    format = models.CharField(max_length=20)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=60)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    sha512 = models.CharField(max_length=128)
    signature = models.TextField(blank=True)
    """ASCII-armoured detached OpenPGP signature of ``content`` (empty: not signed)."""
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["advisory", "format"]
        constraints = [models.UniqueConstraint(fields=["advisory", "format"], name="uniq_published_format")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:12]})"
