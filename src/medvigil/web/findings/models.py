"""Findings: one per (product version, component, vulnerability identity), never silently deleted.

A finding keeps the component's identity denormalised (``component_key`` is the package key and
version, ``device`` for CSAF matches of the whole product version) because SBOM re-imports replace
component rows; the ``component`` link is re-pointed on every match run. ``FindingEvent`` is the
history of state changes. ``MatchKey`` lists the join keys (package keys, CPE vendor:product,
stated and inferred) of every matched component so that a feed import re-evaluates only the
components its changed records can touch. ``SupplierVex`` keeps a supplier's VEX documents per
product (or one version of it); matching applies the active ones' statements as evidence.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from medvigil.web.advisories.models import Vulnerability
from medvigil.web.inventory.models import Component, Product, ProductVersion


class Finding(models.Model):
    """A component (or the device itself) of a product version matched to a vulnerability."""

    class State(models.TextChoices):
        OPEN = "open"
        RESOLVED = "resolved", "resolved (component upgraded or removed)"
        NOT_AFFECTED = "not_affected", "not affected (VEX)"
        WITHDRAWN = "withdrawn", "withdrawn upstream"
        FALSE_POSITIVE = "false_positive", "false positive"
        SUPPRESSED = "suppressed", "suppressed until a date"
        ACCEPTED = "accepted", "risk accepted"

    class Triage(models.TextChoices):
        """An analyst's decision on a finding that still matches; re-matching keeps it."""

        NONE = "", "none"
        FALSE_POSITIVE = "false_positive", "false positive"
        SUPPRESSED = "suppressed", "suppressed until a date"
        ACCEPTED = "accepted", "risk accepted"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    product_version = models.ForeignKey(ProductVersion, on_delete=models.CASCADE, related_name="findings")
    component = models.ForeignKey(
        Component, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    component_key = models.CharField(max_length=600)
    component_name = models.CharField(max_length=500)
    component_version = models.CharField(max_length=200, blank=True)
    component_purl = models.CharField(max_length=1000, blank=True)
    component_cpes = models.JSONField(default=list, blank=True)
    component_bom_ref = models.CharField(max_length=500, blank=True)
    vulnerability = models.ForeignKey(Vulnerability, on_delete=models.PROTECT, related_name="findings")
    vulnerability_key = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True)
    sources = models.JSONField(default=list, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    method = models.CharField(max_length=20)
    confidence = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    state_reason = models.CharField(max_length=500, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    state_changed_at = models.DateTimeField()
    severity = models.CharField(max_length=10, blank=True)
    severity_score = models.FloatField(null=True, blank=True)
    epss = models.FloatField(null=True, blank=True)
    kev = models.BooleanField(default=False)
    triage = models.CharField(max_length=16, choices=Triage.choices, default=Triage.NONE, blank=True)
    """While set, a match keeps the finding in this state instead of open (``services.finding_triage``)."""
    triage_reason = models.TextField(blank=True)
    triage_until = models.DateField(null=True, blank=True)
    """End of a suppression: the finding reopens after it."""
    triage_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    triage_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-kev", "-severity_score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product_version", "component_key", "vulnerability"], name="uniq_finding"
            ),
        ]
        # The list's filters (state, then product, severity, KEV or method) followed by its sort
        # columns: a page is read from one index backwards, without sorting (selectors.SORTS).
        indexes = [
            models.Index(fields=["state", "severity_score", "epss"], name="finding_state_score"),
            models.Index(fields=["state", "epss", "severity_score"], name="finding_state_epss"),
            models.Index(fields=["state", "kev", "severity_score", "epss"], name="finding_state_kev"),
            models.Index(fields=["product", "state", "severity_score", "epss"], name="finding_product"),
            models.Index(fields=["state", "severity", "severity_score", "epss"], name="finding_severity"),
            models.Index(fields=["state", "method", "severity_score", "epss"], name="finding_method"),
            models.Index(fields=["product_version", "state"], name="finding_version"),
            models.Index(fields=["vulnerability"], name="finding_vuln"),
            # Program metrics (web/metrics): the product x severity heat map and the burn-down read
            # these covering indexes instead of the table.
            models.Index(fields=["state", "product", "severity"], name="finding_metrics_heat"),
            models.Index(
                fields=["first_seen", "state", "state_changed_at", "product"], name="finding_metrics_burn"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vulnerability_key} in {self.component_name} {self.component_version}".strip()


class FindingEvent(models.Model):
    """One change of a finding: opened, state changes, evidence changes, with the reason."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20)
    old_state = models.CharField(max_length=16, blank=True)
    new_state = models.CharField(max_length=16, blank=True)
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    """Who triaged or commented (empty for matching runs)."""

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"


class MatchKey(models.Model):
    """A join key of a matched component (``pkg:<package key>`` or ``cpe:<vendor:product>``)."""

    product_version = models.ForeignKey(ProductVersion, on_delete=models.CASCADE, related_name="+")
    component_id = models.BigIntegerField(null=True)
    key = models.CharField(max_length=700)

    class Meta:
        indexes = [
            models.Index(fields=["key"], name="matchkey_key"),
            models.Index(fields=["product_version"], name="matchkey_version"),
        ]

    def __str__(self) -> str:
        return self.key


class MatchSettings(models.Model):
    """Per-product matching switches."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="match_settings")
    infer_cpes = models.BooleanField(
        default=True, help_text="infer CPEs from purl/name for components that state none (cpe-inferred)"
    )

    def __str__(self) -> str:
        return f"match settings of {self.product}"


class SupplierVex(models.Model):
    """A supplier VEX document stored for a product (all versions, or one version).

    The original bytes are kept; matching re-reads them. Removal clears ``active`` (the row and
    its bytes stay for the audit trail); re-importing the same bytes re-activates it.
    """

    class Format(models.TextChoices):
        CYCLONEDX = "cyclonedx-vex", "CycloneDX VEX"
        OPENVEX = "openvex", "OpenVEX"
        CSAF = "csaf-vex", "CSAF VEX"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="supplier_vex")
    product_version = models.ForeignKey(
        ProductVersion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="supplier_vex",
        help_text="empty: the statements apply to every version of the product",
    )
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=20, choices=Format.choices)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content = models.BinaryField()
    statement_count = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "sha256"], name="uniq_supplier_vex"),
        ]
        indexes = [models.Index(fields=["product", "active"], name="supplier_vex_active")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.format})"
