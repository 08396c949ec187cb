"""Writes for the inventory: products, versions, SBOM imports and support addenda.

Every write that touches several rows runs in one transaction, so a failed import leaves
nothing half-written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from medvigil.core.errors import InputError, NotFoundError
from medvigil.core.ids import purl_key
from medvigil.core.matching.cpe import CpeError, parse_cpe
from medvigil.core.model import ParsedSbom
from medvigil.core.model.product import DeviceClass, Interface, Lifecycle, RegulatoryPathway
from medvigil.core.model.support import SupportUpdate
from medvigil.core.sbom.limits import SbomLimits
from medvigil.core.sbom.registry import read_sbom
from medvigil.web.audit.services import audit_record
from medvigil.web.concurrency import import_slot
from medvigil.web.inventory.bulk import insert_components
from medvigil.web.inventory.models import (
    AnalysisState,
    Component,
    InventoryEvent,
    Product,
    ProductVersion,
    SbomDocument,
)

PRODUCT_FIELDS = {
    "name", "description", "model_numbers", "cpes", "purls", "udi_dis", "device_class", "pathway",
    "regulatory_number",
    "implantable", "life_sustaining", "patient_connected", "home_use", "has_software", "interfaces",
    "essential_performance", "cyber_device_override", "cyber_device_reason", "end_of_support",
}  # fmt: skip
_ENUM_FIELDS: dict[str, Any] = {
    "device_class": DeviceClass,
    "pathway": RegulatoryPathway,
}


def _check_product_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise InputError(f"unknown product field(s): {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    for name, enum in _ENUM_FIELDS.items():
        if name in fields and fields[name] not in {m.value for m in enum}:
            allowed = ", ".join(m.value for m in enum)
            raise InputError(f"{fields[name]!r} is not one of {allowed}", field=name)
    for iface in fields.get("interfaces", []):
        if iface not in {m.value for m in Interface}:
            allowed = ", ".join(m.value for m in Interface)
            raise InputError(f"unknown interface {iface!r}; use {allowed}", field="interfaces")
    if (
        fields.get("cyber_device_override") is not None
        and not str(fields.get("cyber_device_reason", "")).strip()
    ):
        raise InputError("overriding the cyber-device status needs a reason", field="cyber_device_reason")


def _device_cpe(text: str) -> str:
    """A device CPE checked and normalised to a CPE 2.3 formatted string."""
    if not text.lower().startswith("cpe:2.3:"):
        raise InputError(f"{text!r} is not a CPE 2.3 formatted string (cpe:2.3:...)", field="cpes")
    try:
        parsed = parse_cpe(text)
    except CpeError as exc:
        raise InputError(exc.message, field="cpes") from None
    if parsed.part not in ("a", "o", "h") or "*" in parsed.vendor + parsed.product:
        raise InputError(f"{text!r}: a device CPE needs part a, o or h, a vendor and a product", field="cpes")
    return parsed.to_fs()


def _device_purl(text: str) -> str:
    """A device purl checked with the core purl parser."""
    if purl_key(text) is None or any(c.isspace() for c in text):
        raise InputError(f"{text!r} is not a package URL (pkg:type/namespace/name)", field="purls")
    return text


def _device_ids(fields: dict[str, Any]) -> None:
    """Validate and normalise the device's CPEs and purls in place (blank lines and repeats dropped)."""
    for name, check in (("cpes", _device_cpe), ("purls", _device_purl)):
        if name in fields:
            values = (str(v).strip() for v in fields[name] or [])
            fields[name] = list(dict.fromkeys(check(v) for v in values if v))


def product_create(*, name: str, slug: str = "", **fields: Any) -> Product:
    """Create a product; ``slug`` defaults to the slugified name."""
    if not name.strip():
        raise InputError("a product needs a name", field="name")
    _check_product_fields(fields)
    _device_ids(fields)
    product = Product(name=name.strip(), slug=slug or slugify(name)[:80], **fields)
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise InputError(f"a product with slug {product.slug!r} exists", field="slug") from None
    return product


def product_update(*, product: Product, **fields: Any) -> Product:
    """Change the given fields of a product."""
    merged = {"cyber_device_reason": product.cyber_device_reason, **fields}
    _check_product_fields(merged)
    _device_ids(fields)
    for name, value in fields.items():
        setattr(product, name, value)
    product.save()
    return product


def version_create(
    *,
    product: Product,
    version: str,
    release_date: dt.date | None = None,
    lifecycle: str = Lifecycle.SUPPORT.value,
    end_of_support: dt.date | None = None,
    installed_base: int | None = None,
) -> ProductVersion:
    """Register a version of a product."""
    if not version.strip():
        raise InputError("a version needs a version string", field="version")
    if lifecycle not in {m.value for m in Lifecycle}:
        raise InputError(f"{lifecycle!r} is not a lifecycle stage", field="lifecycle")
    try:
        with transaction.atomic():
            return ProductVersion.objects.create(
                product=product,
                version=version.strip(),
                release_date=release_date,
                lifecycle=lifecycle,
                end_of_support=end_of_support,
                installed_base=installed_base,
            )
    except IntegrityError:
        raise InputError(f"{product.name} already has version {version!r}", field="version") from None


@dataclass(frozen=True, slots=True)
class SbomImportResult:
    """What an SBOM import did."""

    document: SbomDocument
    created: bool
    """False when the same bytes were already the version's current document (a no-op)."""
    component_count: int
    replaced: int
    """Components of the previous set that this import replaced."""


def _edges(parsed: ParsedSbom) -> dict[str, list[str]]:
    edges: dict[str, list[str]] = {}
    for dep in parsed.dependencies:
        edges.setdefault(dep.ref, []).extend(dep.depends_on)
    return edges


def sbom_limits() -> SbomLimits:
    """The configured limits of one SBOM (``MEDVIGIL_SBOM_MAX_BYTES``/``_COMPONENTS``/``_DEPTH``)."""
    return SbomLimits(
        max_bytes=settings.SBOM_MAX_BYTES,
        max_components=settings.SBOM_MAX_COMPONENTS,
        max_depth=settings.SBOM_MAX_DEPTH,
    )


def sbom_import(
    *,
    product_version: ProductVersion,
    data: bytes,
    filename: str,
    format: str | None = None,
    user: Any = None,
) -> SbomImportResult:
    """Read an SBOM or lockfile and make it the version's current component set.

    Parsing happens before any write; the writes run in one transaction. Importing the bytes
    that are already current is a no-op. Earlier documents are kept, marked not current.
    """
    digest = hashlib.sha256(data).hexdigest()
    current = product_version.documents.filter(is_current=True).defer("content").first()
    if current is not None and current.sha256 == digest:
        return SbomImportResult(current, False, current.component_count, 0)
    with import_slot(filename):  # queued: a few imports at a time (medvigil.web.concurrency)
        return _sbom_import(product_version, data, filename, format, user, digest, current)


def _sbom_import(
    product_version: ProductVersion,
    data: bytes,
    filename: str,
    format: str | None,
    user: Any,
    digest: str,
    current: SbomDocument | None,
) -> SbomImportResult:
    parsed = read_sbom(data, source=filename, format=format, limits=sbom_limits())
    with transaction.atomic():
        replaced = product_version.components.count()
        product_version.components.all().delete()
        product_version.documents.filter(is_current=True).update(is_current=False)
        doc = SbomDocument.objects.create(
            product_version=product_version,
            filename=filename[:255],
            format=parsed.format,
            spec_version=parsed.spec_version[:40],
            sha256=digest,
            size=len(data),
            content=data,
            component_count=len(parsed.components),
            warnings=list(parsed.warnings),
            serial_number=parsed.serial_number[:300],
            imported_by=user if user is not None and user.is_authenticated else None,
        )
        count = insert_components(
            version_id=product_version.pk,
            document_id=doc.pk,
            components=parsed.components,
            edges=_edges(parsed),
        )
        verb = "replaced the component set" if replaced or current else "imported"
        InventoryEvent.objects.create(
            product_version=product_version,
            kind="sbom-import",
            message=f"{filename} ({parsed.format} {parsed.spec_version}) {verb}: "
            f"{count} components" + (f", {replaced} replaced" if replaced else ""),
            document=doc,
            actor=doc.imported_by,
        )
        analysis_queue(version_ids=[product_version.pk])
        audit_record(
            "sbom.import",
            product_version,
            data={
                "document": doc.pk,
                "filename": doc.filename,
                "sha256": digest,
                "format": doc.format,
                "components": count,
                "replaced": replaced,
            },
            actor=user,
        )
    return SbomImportResult(doc, True, count, replaced)


# --- analysis state: matching and case sync of a version's component set ---------------------


def analysis_queue(*, version_ids: list[int]) -> int:
    """Mark versions "analysis pending" (an SBOM import or "Re-match now" queued their match)."""
    return ProductVersion.objects.filter(pk__in=version_ids).update(
        analysis_state=AnalysisState.QUEUED, analysis_requested_at=timezone.now(), analysis_error=""
    )


def analysis_start(*, version_ids: list[int]) -> int:
    """Mark versions "analysis running" (the background job picked them up) from now on."""
    return ProductVersion.objects.filter(pk__in=version_ids).update(
        analysis_state=AnalysisState.RUNNING, analysis_started_at=timezone.now()
    )


def analysis_finish(*, version_ids: list[int], error: str = "") -> int:
    """Mark versions analysed, or failed with ``error`` (shown on the version page)."""
    return ProductVersion.objects.filter(pk__in=version_ids).update(
        analysis_state=AnalysisState.FAILED if error else AnalysisState.DONE,
        analysis_finished_at=timezone.now(),
        analysis_error=error[:2000],
    )


def component_support_update(
    *, product_version: ProductVersion, updates: list[SupportUpdate], user: Any = None
) -> int:
    """Apply an SBOM addendum of support levels and end-of-support dates; returns rows changed.

    The FDA accepts these fields in an addendum when the SBOM does not carry them. A line that
    matches no component is an error naming the line, and nothing is changed.
    """
    components = list(product_version.components.all())
    changed: list[Component] = []
    for number, update in enumerate(updates, start=1):
        key = purl_key(update.match)
        if key is not None:
            wanted = (key.type, key.namespace, key.name)
            hits = [c for c in components if (c.purl_type, c.purl_namespace, c.purl_name) == wanted]
        else:
            hits = [c for c in components if c.name == update.match]
        if not hits:
            raise NotFoundError(f"addendum line {number}: no component matches {update.match!r}")
        for c in hits:
            c.support_level = update.support_level.value
            c.end_of_support = update.end_of_support
            changed.append(c)
    with transaction.atomic():
        Component.objects.bulk_update(changed, ["support_level", "end_of_support"], batch_size=1000)
        InventoryEvent.objects.create(
            product_version=product_version,
            kind="support-addendum",
            message=f"support addendum applied to {len(changed)} components",
            actor=user if user is not None and user.is_authenticated else None,
        )
        audit_record("components.support", product_version, data={"components": len(changed)}, actor=user)
    return len(changed)
