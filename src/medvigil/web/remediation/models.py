"""Remediation storage: a case's clock and reporting facts, its actions with evidence files, the
obligations the reporting determination found, and the organisation's ISAO participation.

``CaseFile`` keeps the clock columns (``next_due``, ``clock_state``) denormalised and indexed so
the portfolio clock page is one indexed, paged query over open cases whatever their number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from medvigil.web.risk.models import Case


class Day0Source(models.TextChoices):
    """How day 0 (the day the manufacturer learned) was set."""

    FEED = "feed", "feed publication or import"
    CVD = "cvd", "coordinated disclosure report"
    MANUAL = "manual", "set by an analyst"


class ClockState(models.TextChoices):
    """The worst milestone state of a case (the clock page's colour)."""

    NONE = "none", "no clock"
    PENDING = "pending"
    DUE_SOON = "due_soon", "due soon"
    OVERDUE = "overdue"
    MET = "met"


class CaseFile(models.Model):
    """The remediation side of one case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="remediation")
    day0_source = models.CharField(max_length=10, choices=Day0Source.choices, default=Day0Source.FEED)
    day0_reason = models.TextField(blank=True)
    plan = models.TextField(blank=True)
    """The remediation plan (PM-UNC-3.2: develop a plan to reach acceptable residual risk)."""
    plan_rationale = models.TextField(blank=True)
    """Why the timeline is what it is (CAPA; recall-strategy elements, 21 CFR 7.42)."""
    facts = models.JSONField(default=dict, blank=True)
    """Analyst-recorded reporting facts (event_occurred, known_sae_or_death, ...)."""
    open = models.BooleanField(default=True)
    """Mirrors ``case.state != closed`` so the clock query needs no join to filter."""
    next_due = models.DateField(null=True, blank=True)
    next_milestone = models.CharField(max_length=40, blank=True)
    clock_state = models.CharField(max_length=10, choices=ClockState.choices, default=ClockState.NONE)
    determination = models.JSONField(default=dict, blank=True)
    """The last ``core.remediation.reporting.Determination.to_dict()`` (with the facts used)."""
    evaluated_on = models.DateField(null=True, blank=True)
    risk_status = models.CharField(max_length=12, blank=True)
    """``determination["facts"]["risk_status"]`` ("" without a determination), for the metrics."""
    communication_sent = models.DateField(null=True, blank=True)
    """``determination["facts"]["communication_sent"]``, for the metrics."""
    fix_distributed = models.DateField(null=True, blank=True)
    """``determination["facts"]["fix_distributed"]``, for the metrics."""

    class Meta:
        indexes = [
            models.Index(fields=["open", "next_due", "id"], name="casefile_clock"),
            models.Index(fields=["open", "clock_state", "next_due"], name="casefile_clock_state"),
            models.Index(
                fields=["case", "risk_status", "communication_sent", "fix_distributed"],
                name="casefile_metrics",
            ),
        ]

    def __str__(self) -> str:
        return f"remediation of case {self.case_id}"


class ActionKind(models.TextChoices):
    """What was done."""

    FIX_RELEASE = "fix_release", "fix release"
    COMPENSATING_CONTROL = "compensating_control", "compensating control"
    COMMUNICATION = "communication", "customer communication"
    ISAO_SHARE = "isao_share", "ISAO share"
    VALIDATION = "validation", "validation evidence"
    REPORT_FILED = "report_filed", "regulatory report filed"


class CaseAction(models.Model):
    """One remediation action with its evidence; rows are not edited after they are written
    (a correction is a new action)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=30, choices=ActionKind.choices)
    on = models.DateField(help_text="the day it happened (distributed, sent, shared, validated)")
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict)
    """Kind-specific fields (``remediation.forms.ACTION_FIELDS``)."""
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "on", "id"]
        indexes = [models.Index(fields=["case", "kind", "on"], name="caseaction_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on}: {self.summary}"


class EvidenceFile(models.Model):
    """A file kept as evidence of an action, with its SHA-256 (bytes never change)."""

    action = models.ForeignKey(CaseAction, on_delete=models.PROTECT, related_name="files")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:12]})"


class Obligation(models.Model):
    """One obligation of the case's current reporting determination (replaced on re-evaluation)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="obligations")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=5)
    regulation = models.CharField(max_length=60)
    outcome = models.CharField(max_length=20)
    due = models.DateField(null=True, blank=True)
    calendar = models.CharField(max_length=20, blank=True)
    reason = models.TextField()
    evaluated_on = models.DateField()

    class Meta:
        ordering = ["case", "position"]
        indexes = [models.Index(fields=["outcome", "due"], name="obligation_due")]

    def __str__(self) -> str:
        return f"{self.code} {self.outcome} ({self.regulation})"


class IsaoMembership(models.Model):
    """The organisation's participation in an ISAO; "active" needs all four criteria of FDA 2016
    section IX with objective evidence (regulatory.md 1.8). Admin setting."""

    name = models.CharField(max_length=200)
    member_since = models.DateField()
    member_until = models.DateField(null=True, blank=True)
    membership_evidence = models.CharField(max_length=500, blank=True)
    policies_evidence = models.CharField(max_length=500, blank=True)
    sharing_evidence = models.CharField(max_length=500, blank=True)
    process_evidence = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    EVIDENCE_FIELDS = ("membership_evidence", "policies_evidence", "sharing_evidence", "process_evidence")

    def missing_evidence(self) -> list[str]:
        """The criteria without evidence."""
        return [f for f in self.EVIDENCE_FIELDS if not getattr(self, f).strip()]


class RemediationSettings(models.Model):
    """Organisation-wide clock settings (one row). Admin setting."""

    controlled_targets = models.JSONField(default=dict, blank=True)
    """``{"5": days, ...}``: routine-update targets for controlled risk by severity."""
    due_soon_days = models.PositiveSmallIntegerField(default=7)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "remediation settings"
