"""Writes for a product's risk set-up: hazard analysis, risk matrix and exploitability policy.

Matrices and policies are versioned: an edit adds a new version, the highest is current, and
assessments keep pointing at the version they used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from medvigil.core.errors import InputError
from medvigil.core.risk.exploitability import ExploitabilityPolicy as CorePolicy
from medvigil.core.risk.harm import Severity
from medvigil.core.risk.matrix import DEFAULT_MATRIX
from medvigil.core.risk.matrix import RiskMatrix as CoreMatrix
from medvigil.web.inventory.models import Product
from medvigil.web.risk.models import HAZARD_LINK_KINDS, ExploitabilityPolicy, Hazard, RiskMatrix

__all__ = [
    "hazard_create",
    "hazard_delete",
    "hazard_update",
    "matrix_current",
    "matrix_update",
    "policy_current",
    "policy_update",
]


def _severity(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        if value not in {s.value for s in Severity}:
            raise InputError(f"severity {value} is not between 1 and 5", field="severity")
        return value
    return int(Severity.from_label(str(value)))


def _links(raw: Mapping[str, Any] | None) -> dict[str, list[str]]:
    raw = raw or {}
    unknown = sorted(set(raw) - set(HAZARD_LINK_KINDS))
    if unknown:
        raise InputError(
            f"hazard links are {', '.join(HAZARD_LINK_KINDS)}, not {unknown[0]!r}", field="links"
        )
    out: dict[str, list[str]] = {}
    for kind in HAZARD_LINK_KINDS:
        values = raw.get(kind, [])
        if isinstance(values, str):
            values = values.split(",")
        cleaned = [str(v).strip() for v in values if str(v).strip()]
        if cleaned:
            out[kind] = cleaned
    return out


def _check_text(identifier: str, situation: str, harm: str) -> None:
    for name, value in (("identifier", identifier), ("hazardous_situation", situation), ("harm", harm)):
        if not value.strip():
            raise InputError(f"a hazard needs a {name.replace('_', ' ')}", field=name)


def hazard_create(
    *,
    product: Product,
    identifier: str,
    hazardous_situation: str,
    harm: str,
    severity: str | int,
    links: Mapping[str, Any] | None = None,
) -> Hazard:
    """Add an entry to the product's hazard analysis; identifiers are unique per product."""
    _check_text(identifier, hazardous_situation, harm)
    hazard = Hazard(
        product=product,
        identifier=identifier.strip(),
        hazardous_situation=hazardous_situation.strip(),
        harm=harm.strip(),
        severity=_severity(severity),
        links=_links(links),
    )
    try:
        with transaction.atomic():
            hazard.save()
    except IntegrityError:
        raise InputError(f"{product.name} already has hazard {identifier!r}", field="identifier") from None
    return hazard


def hazard_update(*, hazard: Hazard, **fields: Any) -> Hazard:
    """Change a hazard; assessments keep the snapshot they were made with."""
    allowed = {"hazardous_situation", "harm", "severity", "links"}
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise InputError(f"unknown hazard field(s): {', '.join(unknown)}", field=unknown[0])
    if "severity" in fields:
        fields["severity"] = _severity(fields["severity"])
    if "links" in fields:
        fields["links"] = _links(fields["links"])
    for name, value in fields.items():
        setattr(hazard, name, value.strip() if isinstance(value, str) else value)
    _check_text(hazard.identifier, hazard.hazardous_situation, hazard.harm)
    hazard.save()
    return hazard


def hazard_delete(*, hazard: Hazard) -> None:
    """Remove a hazard from the analysis (past assessments keep their snapshot)."""
    hazard.delete()


def _next_version(model: Any, product: Product) -> int:
    top = model.objects.filter(product=product).aggregate(top=Max("version"))["top"]
    return int(top or 0) + 1


def matrix_current(*, product: Product) -> RiskMatrix:
    """The product's current matrix; the first call stores version 1 from the default matrix."""
    current = product.risk_matrices.order_by("-version").first()
    if current is not None:
        return current
    data = {**DEFAULT_MATRIX.to_mapping(), "name": product.slug, "version": 1}
    try:
        with transaction.atomic():
            return RiskMatrix.objects.create(product=product, version=1, data=data, note="default matrix")
    except IntegrityError:  # created concurrently
        return product.risk_matrices.order_by("-version").first()  # type: ignore[return-value]


def matrix_update(
    *, product: Product, data: Mapping[str, Any], user: Any = None, note: str = ""
) -> RiskMatrix:
    """Store a new version of the product's matrix; every cell is required and validated."""
    matrix_current(product=product)
    with transaction.atomic():
        version = _next_version(RiskMatrix, product)
        core = CoreMatrix.from_mapping({**data, "version": version, "name": product.slug})
        return RiskMatrix.objects.create(
            product=product,
            version=version,
            data=core.to_mapping(),
            note=note.strip()[:500],
            created_by=user if user is not None and user.is_authenticated else None,
        )


def policy_current(*, product: Product) -> ExploitabilityPolicy | None:
    """The product's current policy override, or ``None`` (the default policy applies)."""
    return product.exploitability_policies.order_by("-version").first()


def policy_update(
    *, product: Product, data: Mapping[str, Any], user: Any = None, note: str = ""
) -> ExploitabilityPolicy:
    """Store a new version of the product's exploitability policy (absent keys keep defaults)."""
    with transaction.atomic():
        version = _next_version(ExploitabilityPolicy, product)
        settings = {k: v for k, v in data.items() if k != "version"}
        core = CorePolicy.from_mapping({**settings, "version": version})
        return ExploitabilityPolicy.objects.create(
            product=product,
            version=version,
            data=core.to_dict(),
            note=note.strip()[:500],
            created_by=user if user is not None and user.is_authenticated else None,
        )
