"""Components of a product version, as read from an SBOM or lockfile."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class ComponentType(StrEnum):
    """Kind of component (CycloneDX vocabulary, which SPDX purposes map onto)."""

    APPLICATION = "application"
    FRAMEWORK = "framework"
    LIBRARY = "library"
    CONTAINER = "container"
    PLATFORM = "platform"
    OPERATING_SYSTEM = "operating-system"
    DEVICE = "device"
    DEVICE_DRIVER = "device-driver"
    FIRMWARE = "firmware"
    FILE = "file"
    MACHINE_LEARNING_MODEL = "machine-learning-model"
    DATA = "data"
    CRYPTOGRAPHIC_ASSET = "cryptographic-asset"
    OTHER = "other"


class SupportLevel(StrEnum):
    """Level of support from the component's maker (FDA SBOM field, PRE-SBOM-2)."""

    ACTIVELY_MAINTAINED = "actively-maintained"
    NO_LONGER_MAINTAINED = "no-longer-maintained"
    ABANDONED = "abandoned"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Hash:
    """A checksum of the component's artefact."""

    alg: str
    """Algorithm name as the document gives it, upper-cased (``SHA-256``, ``SHA1``)."""
    value: str
    """Hex digest."""


@dataclass(frozen=True, slots=True)
class ExternalReference:
    """A link from the component to somewhere else (VCS, website, advisories)."""

    type: str
    """Reference type (``vcs``, ``website``, ``purl`` for SPDX locators, ...)."""
    url: str
    """Where it points."""


@dataclass(frozen=True, slots=True)
class Component:
    """One piece of software in a product version."""

    name: str
    """Component name (with group/namespace folded out; see ``group``)."""
    version: str = ""
    """Version string as declared; empty when unknown."""
    group: str = ""
    """CycloneDX group / Maven groupId / npm scope; empty when none."""
    purl: str | None = None
    """Package URL with version, as declared or derived by a lockfile reader."""
    cpes: tuple[str, ...] = ()
    """CPE 2.2 or 2.3 names stated in the document."""
    supplier: str = ""
    """Supplier or author organisation."""
    type: ComponentType = ComponentType.LIBRARY
    """Component kind."""
    hashes: tuple[Hash, ...] = ()
    """Artefact checksums."""
    licenses: tuple[str, ...] = ()
    """Licence ids or expressions."""
    bom_ref: str = ""
    """CycloneDX bom-ref or SPDXID; unique within one document."""
    parent_ref: str = ""
    """bom_ref of the enclosing component for nested CycloneDX components."""
    description: str = ""
    """Free-text description."""
    support_level: SupportLevel = SupportLevel.UNKNOWN
    """Level of support (FDA SBOM field)."""
    end_of_support: dt.date | None = None
    """End-of-support date (FDA SBOM field)."""
    properties: tuple[tuple[str, str], ...] = ()
    """Name/value properties carried by the document."""
    external_references: tuple[ExternalReference, ...] = field(default=())
    """External references."""
    scope: str = ""
    """CycloneDX scope (required/optional/excluded) or lockfile dev marker ('optional')."""


@dataclass(frozen=True, slots=True)
class Dependency:
    """A dependency edge set: ``ref`` depends on each of ``depends_on``."""

    ref: str
    """bom_ref of the depending component (or of the subject)."""
    depends_on: tuple[str, ...] = ()
    """bom_refs it depends on."""
