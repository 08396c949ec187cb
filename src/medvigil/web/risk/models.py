"""Risk storage: hazards, versioned risk matrices and policies, cases and their assessments.

A ``Case`` is one vulnerability identity in one product; the product versions it touches are its
``CaseVersion`` rows. ``Assessment`` rows are append-only: proposing, confirming and changing an
assessment each add a new numbered version, so the history is never overwritten.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from medvigil.core.remediation.lifecycle import CaseStatus
from medvigil.core.risk.exploitability import ExploitabilityBand
from medvigil.core.risk.exploitability import ExploitabilityPolicy as CorePolicy
from medvigil.core.risk.harm import Hazard as CoreHazard
from medvigil.core.risk.harm import Severity
from medvigil.core.risk.matrix import RiskMatrix as CoreMatrix
from medvigil.core.risk.vex import VexStatus
from medvigil.web.inventory.models import Product, ProductVersion

SEVERITY_CHOICES = [(s.value, s.label) for s in Severity]
BAND_CHOICES = [(b.value, b.value) for b in ExploitabilityBand]
VEX_CHOICES = [(v.value, v.value.replace("_", " ")) for v in VexStatus]
HAZARD_LINK_KINDS = ("functions", "interfaces", "components")


class Hazard(models.Model):
    """One entry of a product's hazard analysis (ISO 14971)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="hazards")
    identifier = models.CharField(max_length=40)
    hazardous_situation = models.TextField()
    harm = models.TextField()
    severity = models.PositiveSmallIntegerField(choices=SEVERITY_CHOICES)
    links = models.JSONField(default=dict, blank=True)
    """``{"functions": [...], "interfaces": [...], "components": [...]}``."""
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "identifier"]
        constraints = [
            models.UniqueConstraint(fields=["product", "identifier"], name="uniq_hazard_identifier"),
        ]

    def __str__(self) -> str:
        return f"{self.identifier}: {self.harm}"

    @property
    def severity_level(self) -> Severity:
        """The ISO 14971 level."""
        return Severity(self.severity)

    def link_list(self, kind: str) -> list[str]:
        """Links of one kind (functions, interfaces or components)."""
        values = self.links.get(kind, []) if isinstance(self.links, dict) else []
        return [str(v) for v in values]

    def to_core(self) -> CoreHazard:
        """The core hazard the assessment engine takes."""
        linked = tuple(f"{kind[:-1]}:{ref}" for kind in HAZARD_LINK_KINDS for ref in self.link_list(kind))
        return CoreHazard(self.identifier, self.hazardous_situation, self.harm, self.severity_level, linked)


class VersionedProductSetting(models.Model):
    """A per-product setting kept as numbered versions; the highest version is the current one.

    Old versions stay, so an assessment can name the version it was made under.
    """

    version = models.PositiveIntegerField()
    data = models.JSONField()
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["product", "-version"]


class RiskMatrix(VersionedProductSetting):
    """One version of a product's risk matrix (``data``: ``core.risk.matrix.RiskMatrix.to_mapping()``)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="risk_matrices")

    class Meta(VersionedProductSetting.Meta):
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="uniq_risk_matrix_version"),
        ]

    def __str__(self) -> str:
        return f"{self.product} matrix v{self.version}"

    def to_core(self) -> CoreMatrix:
        """The core matrix."""
        return CoreMatrix.from_mapping(self.data)


class ExploitabilityPolicy(VersionedProductSetting):
    """One version of a product's exploitability policy override (absent: the default policy).

    ``data``: ``core.risk.exploitability.ExploitabilityPolicy.to_dict()``.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="exploitability_policies")

    class Meta(VersionedProductSetting.Meta):
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="uniq_policy_version"),
        ]

    def __str__(self) -> str:
        return f"{self.product} policy v{self.version}"

    def to_core(self) -> CorePolicy:
        """The core policy."""
        return CorePolicy.from_mapping(self.data)


# django-stubs types only the class form of TextChoices; the functional form builds the same enum.
CaseState = models.TextChoices("CaseState", [(s.name, s.value) for s in CaseStatus])  # type: ignore[call-overload]
"""Where a case stands: the Django choices of ``core.remediation.lifecycle.CaseStatus`` (the one
list of states, with the guarded transitions), labelled "New", "Triage", ..."""


class Case(models.Model):
    """One vulnerability identity in one product: the unit of human work."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="cases")
    vulnerability = models.ForeignKey(
        "advisories.Vulnerability", on_delete=models.PROTECT, related_name="cases"
    )
    state = models.CharField(max_length=20, choices=CaseState.choices, default=CaseState.NEW)
    day0 = models.DateField(help_text="the day the manufacturer learned of the vulnerability")
    first_party = models.BooleanField(default=False)
    summary = models.TextField(blank=True)
    review_needed = models.BooleanField(default=False)
    review_reason = models.TextField(blank=True)
    current_assessment = models.ForeignKey(
        "Assessment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    """The analyst or admin working the case (``services.case_assign``; none when unassigned)."""
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    first_confirmed = models.DateField(null=True, blank=True)
    """The UTC day of the case's first confirmed assessment (time to assess, docs/metrics.md); set by
    ``services.assessments`` in the transaction that stores it, never changed afterwards."""

    class Meta:
        ordering = ["-day0", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "vulnerability"], name="uniq_case_product_vulnerability"
            ),
        ]
        indexes = [models.Index(fields=["state"], name="case_state")]

    def __str__(self) -> str:
        return f"{self.vulnerability} in {self.product}"


class CaseVersion(models.Model):
    """A product version a case touches, with the components concerned."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="scope")
    product_version = models.ForeignKey(ProductVersion, on_delete=models.CASCADE, related_name="+")
    components = models.JSONField(default=list, blank=True)
    """``[{"key": ..., "name": ..., "version": ..., "purl": ...}]``, sorted by key."""
    source = models.CharField(max_length=20, default="finding")
    """``finding`` (matcher) or ``analyst`` (first-party record)."""
    active = models.BooleanField(default=True)
    """False when the version no longer has an open finding for the vulnerability."""
    covered_by = models.ForeignKey(
        "Assessment", null=True, blank=True, on_delete=models.SET_NULL, related_name="covered_versions"
    )
    carried = models.BooleanField(default=False)
    """The covering assessment was carried over from another version (components unchanged)."""
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "product_version__release_date", "product_version_id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "product_version"], name="uniq_case_version"),
        ]
        indexes = [  # the metrics' installed-base share reads the active scope of a case from it alone
            models.Index(fields=["case", "active", "product_version"], name="caseversion_active_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.case} @ {self.product_version.version}"


class AssessmentStatus(models.TextChoices):
    """Suggested by medvigil or confirmed by an analyst."""

    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"


class Assessment(models.Model):
    """One version of a case's assessment; rows are never changed after they are written."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=AssessmentStatus.choices)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    inputs = models.JSONField()
    """What the assessment was computed from (``risk.inputs.AssessmentInputs.to_dict``)."""
    result = models.JSONField()
    """``core.risk.assessment.Assessment.to_dict()``: every input, reason and the result."""
    rubric_answers = models.JSONField(null=True, blank=True)
    controlled = models.BooleanField()
    borderline = models.BooleanField(default=False)
    exploitability = models.CharField(max_length=10, choices=BAND_CHOICES)
    severity = models.PositiveSmallIntegerField(choices=SEVERITY_CHOICES)
    phi_only = models.BooleanField(default=False)
    vex_status = models.CharField(max_length=30, choices=VEX_CHOICES)
    matrix = models.ForeignKey(RiskMatrix, on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(
        ExploitabilityPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope = models.JSONField(default=dict)
    """Snapshot for carry-over: ``{"interfaces": [...], "versions": {version: [[key, ver], ...]}}``."""
    justification = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    """``None``: proposed by medvigil."""
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="uniq_assessment_number"),
        ]
        indexes = [
            models.Index(fields=["exploitability", "severity"], name="assessment_cell"),
            # web/metrics reads the current assessment of each case from this covering index
            models.Index(fields=["id", "controlled", "vex_status", "severity"], name="assessment_metrics"),
        ]

    def __str__(self) -> str:
        return f"{self.case} assessment v{self.number} ({self.status})"

    @property
    def risk(self) -> str:
        """``controlled`` or ``uncontrolled``."""
        return "controlled" if self.controlled else "uncontrolled"

    @property
    def severity_level(self) -> Severity:
        """ISO 14971 level."""
        return Severity(self.severity)

    @property
    def reasons(self) -> list[Any]:
        """The reasoning, step by step."""
        return list(self.result.get("reasons", []))


class CaseEvent(models.Model):
    """History of a case: opened, joined, proposed, confirmed, carried over, re-review, every state
    transition and remediation action, with who (``actor``), when (``at``) and why (``reason``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    message = models.TextField()
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    """Why (the analyst's words for a transition, reopen or day-0 change)."""
    data = models.JSONField(default=dict, blank=True)
    """Structured detail: ``{"from": state, "to": state}`` for transitions, the action for actions."""

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"
