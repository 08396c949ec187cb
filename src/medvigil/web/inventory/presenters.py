"""Plain-dict views of inventory objects, shared by the API and the CLI's JSON output."""

from __future__ import annotations

from typing import Any

from medvigil.core.model import Component as CoreComponent
from medvigil.core.sbom.diff import SbomDiff, component_key
from medvigil.core.sbom.horizon import HorizonConflict
from medvigil.web.inventory.models import Product, ProductVersion


def product_dict(product: Product) -> dict[str, Any]:
    """A product with its derived 524B status."""
    status = product.cyber_device
    return {
        "slug": product.slug,
        "name": product.name,
        "description": product.description,
        "model_numbers": product.model_numbers,
        "cpes": product.cpes,
        "purls": product.purls,
        "udi_dis": product.udi_dis,
        "device_class": product.device_class,
        "pathway": product.pathway,
        "regulatory_number": product.regulatory_number,
        "implantable": product.implantable,
        "life_sustaining": product.life_sustaining,
        "patient_connected": product.patient_connected,
        "home_use": product.home_use,
        "has_software": product.has_software,
        "interfaces": product.interfaces,
        "essential_performance": product.essential_performance,
        "cyber_device": {
            "is_cyber_device": status.is_cyber_device,
            "derived": status.derived,
            "overridden": status.overridden,
            "reason": status.reason,
        },
        "end_of_support": product.end_of_support,
    }


def analysis_dict(pv: ProductVersion) -> dict[str, Any]:
    """Where a version's analysis stands: ``none``, ``queued``, ``running``, ``done``, ``failed``,
    or ``stale`` (queued or running past ``MEDVIGIL_ANALYSIS_TIMEOUT_MINUTES``)."""
    return {
        "state": "stale" if pv.analysis_stale else (pv.analysis_state or "none"),
        "requested_at": pv.analysis_requested_at,
        "started_at": pv.analysis_started_at,
        "finished_at": pv.analysis_finished_at,
        "error": pv.analysis_error,
    }


def version_dict(pv: ProductVersion) -> dict[str, Any]:
    """A product version, with its analysis state (its findings are final once ``done``)."""
    return {
        "version": pv.version,
        "release_date": pv.release_date,
        "lifecycle": pv.lifecycle,
        "end_of_support": pv.end_of_support,
        "installed_base": pv.installed_base,
        "analysis": analysis_dict(pv),
    }


def component_dict(c: CoreComponent) -> dict[str, Any]:
    """A core component in the API's component shape."""
    return {
        "bom_ref": c.bom_ref,
        "parent_ref": c.parent_ref,
        "name": c.name,
        "group": c.group,
        "version": c.version,
        "type": c.type.value,
        "purl": c.purl or "",
        "cpes": list(c.cpes),
        "supplier": c.supplier,
        "licenses": list(c.licenses),
        "support_level": c.support_level.value,
        "end_of_support": c.end_of_support,
        "depends_on": [],
    }


def horizon_dicts(conflicts: list[HorizonConflict]) -> list[dict[str, Any]]:
    """Support-horizon conflicts."""
    return [
        {
            "name": h.component.name,
            "version": h.component.version,
            "purl": h.component.purl or "",
            "support_level": h.component.support_level.value,
            "end_of_support": h.component.end_of_support,
            "reason": h.reason,
        }
        for h in conflicts
    ]


def diff_dict(diff: SbomDiff) -> dict[str, Any]:
    """Added, removed and changed components."""
    return {
        "added": [component_dict(c) for c in diff.added],
        "removed": [component_dict(c) for c in diff.removed],
        "changed": [
            {
                "key": "/".join(component_key(ch.new)[1:]),
                "name": ch.new.name,
                "old_version": ch.old.version,
                "new_version": ch.new.version,
                "fields": list(ch.fields),
            }
            for ch in diff.changed
        ],
    }
