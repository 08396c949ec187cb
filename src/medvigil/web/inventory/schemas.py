"""Wire schemas of the inventory API (version the wire format here, not the models)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class ProductIn(Schema):
    """Fields accepted when creating a product."""

    name: str
    slug: str = ""
    description: str = ""
    model_numbers: list[str] = []
    cpes: list[str] = []
    purls: list[str] = []
    udi_dis: list[str] = []
    device_class: str = "II"
    pathway: str = "510k"
    regulatory_number: str = ""
    implantable: bool = False
    life_sustaining: bool = False
    patient_connected: bool = False
    home_use: bool = False
    has_software: bool = True
    interfaces: list[str] = []
    essential_performance: list[str] = []
    cyber_device_override: bool | None = None
    cyber_device_reason: str = ""
    end_of_support: dt.date | None = None


class ProductPatch(Schema):
    """Fields that may be changed; omitted ones stay."""

    name: str | None = None
    description: str | None = None
    model_numbers: list[str] | None = None
    cpes: list[str] | None = None
    purls: list[str] | None = None
    udi_dis: list[str] | None = None
    device_class: str | None = None
    pathway: str | None = None
    regulatory_number: str | None = None
    implantable: bool | None = None
    life_sustaining: bool | None = None
    patient_connected: bool | None = None
    home_use: bool | None = None
    has_software: bool | None = None
    interfaces: list[str] | None = None
    essential_performance: list[str] | None = None
    cyber_device_override: bool | None = None
    cyber_device_reason: str | None = None
    end_of_support: dt.date | None = None


class CyberDeviceOut(Schema):
    """Section 524B status."""

    is_cyber_device: bool
    derived: bool
    overridden: bool
    reason: str


class ProductOut(Schema):
    """A product as the API returns it."""

    slug: str
    name: str
    description: str
    model_numbers: list[str]
    cpes: list[str]
    purls: list[str]
    udi_dis: list[str]
    device_class: str
    pathway: str
    regulatory_number: str
    implantable: bool
    life_sustaining: bool
    patient_connected: bool
    home_use: bool
    has_software: bool
    interfaces: list[str]
    essential_performance: list[str]
    cyber_device: CyberDeviceOut
    end_of_support: dt.date | None


class VersionIn(Schema):
    """Fields accepted when registering a version."""

    version: str
    release_date: dt.date | None = None
    lifecycle: str = "support"
    end_of_support: dt.date | None = None
    installed_base: int | None = None


class AnalysisOut(Schema):
    """Where the matching (and case sync) of a version's current SBOM stands: wait for ``done``
    before reading its findings as complete (``queued``/``running``: not final yet; ``stale``: not
    finished within ``MEDVIGIL_ANALYSIS_TIMEOUT_MINUTES``; ``failed``: see ``error``; ``none``: no
    analysis recorded)."""

    state: str
    requested_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str


class VersionOut(Schema):
    """A product version."""

    version: str
    release_date: dt.date | None
    lifecycle: str
    end_of_support: dt.date | None
    installed_base: int | None
    analysis: AnalysisOut

    @staticmethod
    def resolve_analysis(obj: Any) -> dict[str, Any]:
        """The version's analysis state (:func:`~medvigil.web.inventory.presenters.analysis_dict`)."""
        from medvigil.web.inventory.presenters import analysis_dict

        return analysis_dict(obj)


class ComponentOut(Schema):
    """A component of a version."""

    bom_ref: str
    parent_ref: str
    name: str
    group: str
    version: str
    type: str
    purl: str
    cpes: list[str]
    supplier: str
    licenses: list[str]
    support_level: str
    end_of_support: dt.date | None
    depends_on: list[str]


class DocumentOut(Schema):
    """An imported SBOM document (bytes via the download endpoint)."""

    id: int
    filename: str
    format: str
    spec_version: str
    sha256: str
    size: int
    component_count: int
    warnings: list[str]
    is_current: bool
    imported_at: dt.datetime


class ImportOut(Schema):
    """Result of an SBOM upload."""

    created: bool
    document: DocumentOut
    component_count: int
    replaced: int


class HorizonOut(Schema):
    """A support-horizon conflict."""

    name: str
    version: str
    purl: str
    support_level: str
    end_of_support: dt.date | None
    reason: str


class ChangedOut(Schema):
    """A component present in both versions with different facts."""

    key: str
    name: str
    old_version: str
    new_version: str
    fields: list[str]


class DiffOut(Schema):
    """Component differences between two versions."""

    added: list[ComponentOut]
    removed: list[ComponentOut]
    changed: list[ChangedOut]


class ErrorOut(Schema):
    """A refusal: ``{"error": "..."}``."""

    error: str
