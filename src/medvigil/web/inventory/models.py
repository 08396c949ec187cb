"""Inventory storage: Product → ProductVersion → SbomDocument + Component."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from medvigil.core.model.component import ComponentType, SupportLevel
from medvigil.core.model.product import (
    CyberDeviceStatus,
    DeviceClass,
    Interface,
    Lifecycle,
    RegulatoryPathway,
    cyber_device_status,
)


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(m.value, m.value.replace("-", " ")) for m in enum]


class Product(models.Model):
    """A device model (or SaMD) as the manufacturer sells it."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    model_numbers = models.JSONField(default=list, blank=True)
    cpes = models.JSONField(
        default=list,
        blank=True,
        help_text="CPE 2.3 names of the device; version '*' stands for each registered version",
    )
    purls = models.JSONField(
        default=list, blank=True, help_text="package URLs of the device; without a version for every version"
    )
    udi_dis = models.JSONField(default=list, blank=True)
    device_class = models.CharField(max_length=3, choices=_choices(DeviceClass), default=DeviceClass.II)
    pathway = models.CharField(
        max_length=10, choices=_choices(RegulatoryPathway), default=RegulatoryPathway.K510
    )
    regulatory_number = models.CharField(max_length=40, blank=True)
    implantable = models.BooleanField(default=False)
    life_sustaining = models.BooleanField(default=False)
    patient_connected = models.BooleanField(default=False)
    home_use = models.BooleanField(default=False)
    has_software = models.BooleanField(default=True)
    interfaces = models.JSONField(default=list, blank=True)
    essential_performance = models.JSONField(default=list, blank=True)
    cyber_device_override = models.BooleanField(null=True, blank=True)
    cyber_device_reason = models.CharField(max_length=500, blank=True)
    end_of_support = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def cyber_device(self) -> CyberDeviceStatus:
        """Section 524B status, derived or overridden."""
        return cyber_device_status(
            has_software=self.has_software,
            interfaces=[Interface(i) for i in self.interfaces],
            override=self.cyber_device_override,
            override_reason=self.cyber_device_reason,
        )


class AnalysisState(models.TextChoices):
    """Where the matching (and case sync) of a version's current component set stands."""

    NONE = "", "not analysed"
    QUEUED = "queued", "analysis pending"
    RUNNING = "running", "analysis running"
    DONE = "done", "analysed"
    FAILED = "failed", "analysis failed"


class ProductVersion(models.Model):
    """A released (or planned) version of a product."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=100)
    release_date = models.DateField(null=True, blank=True)
    lifecycle = models.CharField(max_length=20, choices=_choices(Lifecycle), default=Lifecycle.SUPPORT)
    end_of_support = models.DateField(null=True, blank=True)
    installed_base = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    analysis_state = models.CharField(
        max_length=10, choices=AnalysisState.choices, default=AnalysisState.NONE, blank=True
    )
    """Set by ``inventory.services.analysis_*``: queued at import or "Re-match now", running, done."""
    analysis_requested_at = models.DateTimeField(null=True, blank=True)
    analysis_started_at = models.DateTimeField(null=True, blank=True)
    """When a job last marked the analysis running (its lease: ``ANALYSIS_TIMEOUT_MINUTES``)."""
    analysis_finished_at = models.DateTimeField(null=True, blank=True)
    analysis_error = models.TextField(blank=True)

    class Meta:
        ordering = ["product__name", "-release_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="uniq_product_version"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.version}"

    @property
    def effective_end_of_support(self) -> Any:
        """This version's end of support, else the product's."""
        return self.end_of_support or self.product.end_of_support

    @property
    def analysis_stale(self) -> bool:
        """Running, or queued and not started, for longer than ``ANALYSIS_TIMEOUT_MINUTES``: the
        job died (a killed worker never marks it done or failed) or was lost from the queue (or no
        worker runs), so it must not look pending for ever. ``risk.tasks.analysis_recover_task``
        queues the lost queued ones again."""
        if self.analysis_state == AnalysisState.RUNNING:
            since = self.analysis_started_at or self.analysis_requested_at
        elif self.analysis_state == AnalysisState.QUEUED:
            since = self.analysis_requested_at
        else:
            return False
        limit = dt.timedelta(minutes=settings.ANALYSIS_TIMEOUT_MINUTES)
        return since is None or timezone.now() - since > limit


class SbomDocument(models.Model):
    """An imported SBOM or lockfile; the original bytes are kept verbatim and never deleted."""

    product_version = models.ForeignKey(ProductVersion, on_delete=models.PROTECT, related_name="documents")
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=40)
    spec_version = models.CharField(max_length=40, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content = models.BinaryField()
    component_count = models.PositiveIntegerField()
    warnings = models.JSONField(default=list, blank=True)
    serial_number = models.CharField(max_length=300, blank=True)
    is_current = models.BooleanField(default=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at", "-id"]
        indexes = [models.Index(fields=["product_version", "sha256"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.format})"


class Component(models.Model):
    """One piece of software in a product version's current component set."""

    product_version = models.ForeignKey(ProductVersion, on_delete=models.CASCADE, related_name="components")
    document = models.ForeignKey(SbomDocument, on_delete=models.PROTECT, related_name="components")
    position = models.PositiveIntegerField()
    bom_ref = models.CharField(max_length=500, blank=True)
    parent_ref = models.CharField(max_length=500, blank=True)
    name = models.CharField(max_length=500)
    group = models.CharField(max_length=300, blank=True)
    version = models.CharField(max_length=200, blank=True)
    type = models.CharField(max_length=30, choices=_choices(ComponentType), default=ComponentType.LIBRARY)
    purl = models.CharField(max_length=1000, blank=True)
    purl_type = models.CharField(max_length=40, blank=True)
    purl_namespace = models.CharField(max_length=300, blank=True)
    purl_name = models.CharField(max_length=300, blank=True)
    cpes = models.JSONField(default=list, blank=True)
    supplier = models.CharField(max_length=300, blank=True)
    hashes = models.JSONField(default=list, blank=True)
    licenses = models.JSONField(default=list, blank=True)
    scope = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True)
    properties = models.JSONField(default=list, blank=True)
    external_references = models.JSONField(default=list, blank=True)
    depends_on = models.JSONField(default=list, blank=True)
    support_level = models.CharField(
        max_length=30, choices=_choices(SupportLevel), default=SupportLevel.UNKNOWN
    )
    end_of_support = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["product_version", "position"]
        indexes = [
            models.Index(fields=["purl_type", "purl_namespace", "purl_name"], name="component_purl_key"),
            models.Index(fields=["product_version", "bom_ref"], name="component_bom_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()


class InventoryEvent(models.Model):
    """History of a product version's inventory (imports, replacements, support edits)."""

    product_version = models.ForeignKey(ProductVersion, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    message = models.TextField()
    document = models.ForeignKey(SbomDocument, null=True, blank=True, on_delete=models.PROTECT)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


class InstalledBase(models.Model):
    """How many devices ran a product version on a day, as the manufacturer counted them.

    The rows of one product with the same ``as_of`` are a snapshot of its installed base (a version
    left out of a snapshot had none in the field that day). ``ProductVersion.installed_base`` keeps
    the count of the latest snapshot (``inventory.installed_base.installed_base_record``).
    """

    product_version = models.ForeignKey(ProductVersion, on_delete=models.CASCADE, related_name="installed")
    as_of = models.DateField(help_text="the day the devices were counted")
    units = models.PositiveIntegerField(help_text="devices in the field running this version")
    source = models.CharField(max_length=200, blank=True, help_text="where the count comes from")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product_version", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["product_version", "as_of"], name="uniq_installed_base_day"),
        ]

    def __str__(self) -> str:
        return f"{self.product_version}: {self.units} on {self.as_of}"
