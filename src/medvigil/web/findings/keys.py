"""The identity of a finding's component within a product version."""

from __future__ import annotations

from medvigil.core.matching.keys import purl_package_key, purl_version
from medvigil.core.model import Component as CoreComponent

__all__ = ["component_key"]


def component_key(component: CoreComponent) -> str:
    """``<package key>@<version>`` (``pypi:django@2.2.1``), else ``name:<group>/<name>@<version>``."""
    package = purl_package_key(component.purl) if component.purl else None
    version = component.version or purl_version(component.purl or "")
    base = package or f"name:{component.group.lower()}/{component.name.lower()}"
    return f"{base}@{version}"[:600]
