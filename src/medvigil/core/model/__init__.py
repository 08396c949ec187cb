"""Frozen dataclasses that every layer speaks."""

from medvigil.core.model.component import (
    Component,
    ComponentType,
    Dependency,
    ExternalReference,
    Hash,
    SupportLevel,
)
from medvigil.core.model.sbom import ParsedSbom

__all__ = [
    "Component",
    "ComponentType",
    "Dependency",
    "ExternalReference",
    "Hash",
    "ParsedSbom",
    "SupportLevel",
]
