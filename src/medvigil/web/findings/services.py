"""Matching runs: compute findings with the core engine and reconcile them with the store.

* :func:`match_product_versions` matches whole product versions (after an SBOM import, or
  ``medvigil rematch``): every component and the device itself (CSAF product trees).
* :func:`rematch_after_import` re-evaluates only the components that the records changed by
  an import can touch: those whose join keys (``MatchKey``) the records' packages, CPE index
  entries or CSAF helpers name, plus those with findings on the records' vulnerabilities.

Reconciliation never deletes: a finding that no longer matches becomes *resolved* (or
*withdrawn* when only withdrawn records supported it), a finding that matches again is
reopened, and every change is a :class:`FindingEvent` with its reason. All reads are set-based
(components of many versions in one query, candidates by key sets); writes are bulk.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from medvigil.core.matching.engine import MatchOptions, match, match_device
from medvigil.core.matching.grouping import group_matches
from medvigil.core.matching.keys import package_key
from medvigil.core.model import Component as CoreComponent
from medvigil.core.model import ComponentType
from medvigil.core.model.match import DeviceIdentity
from medvigil.web.advisories.bulk import chunked
from medvigil.web.advisories.models import AdvisoryRecord, AffectedPackage, CpeIndexEntry, Vulnerability
from medvigil.web.advisories.models import CsafProductStatus as CsafRow
from medvigil.web.findings import candidates
from medvigil.web.findings.keys import component_key
from medvigil.web.findings.models import Finding, MatchKey, MatchSettings
from medvigil.web.findings.reconcile import Computed, reconcile
from medvigil.web.inventory.models import Component, ProductVersion

log = logging.getLogger(__name__)

__all__ = [
    "MatchRunResult",
    "match_product_versions",
    "refresh_sort_fields",
    "rematch_after_import",
    "rematch_all",
]

_COLUMNS = (
    "id",
    "product_version_id",
    "name",
    "group",
    "version",
    "purl",
    "cpes",
    "type",
    "bom_ref",
    "supplier",
)
DEVICE_KEY = "device"


@dataclass(slots=True)
class MatchRunResult:
    """What a matching run did."""

    versions: int = 0
    components: int = 0
    opened: int = 0
    reopened: int = 0
    resolved: int = 0
    withdrawn: int = 0
    not_affected: int = 0
    updated: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    by_state: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Counts for printing."""
        names = (
            "versions",
            "components",
            "opened",
            "reopened",
            "resolved",
            "withdrawn",
            "not_affected",
            "updated",
        )
        return {n: getattr(self, n) for n in names}


def _core(row: tuple[Any, ...]) -> CoreComponent:
    _, _, name, group, version, purl, cpes, ctype, bom_ref, supplier = row
    try:
        kind = ComponentType(str(ctype))
    except ValueError:
        kind = ComponentType.LIBRARY
    return CoreComponent(
        name=str(name), version=str(version), group=str(group), purl=str(purl) or None,
        cpes=tuple(cpes or ()), type=kind, bom_ref=str(bom_ref), supplier=str(supplier),
    )  # fmt: skip


def _load_components(
    version_ids: Sequence[int], only: dict[int, set[int]] | None
) -> dict[int, list[tuple[int, CoreComponent]]]:
    out: dict[int, list[tuple[int, CoreComponent]]] = {v: [] for v in version_ids}
    for chunk in chunked(version_ids, 500):
        for row in (
            Component.objects.filter(product_version_id__in=chunk).order_by("id").values_list(*_COLUMNS)
        ):
            pk, pv = int(row[0]), int(row[1])
            if only is None or pk in only.get(pv, ()):
                out[pv].append((pk, _core(row)))
    return out


def _infer_flags(versions: Sequence[ProductVersion]) -> dict[int, bool]:
    product_ids = {v.product_id for v in versions}
    off = set(
        MatchSettings.objects.filter(product_id__in=product_ids, infer_cpes=False).values_list(
            "product_id", flat=True
        )
    )
    return {v.pk: v.product_id not in off for v in versions}


def _device(version: ProductVersion) -> DeviceIdentity:
    product = version.product
    return DeviceIdentity(product.name, version.version, tuple(product.model_numbers or ()))


def _compute(
    version: ProductVersion,
    comps: list[tuple[int, CoreComponent]],
    found: candidates.Candidates,
    infer: bool,
    with_device: bool,
) -> list[Computed]:
    core = [c for _, c in comps]
    matches = list(match(core, found.index, MatchOptions(infer_cpes=infer)))
    if with_device:
        matches += match_device(_device(version), found.index, position=len(core))
    out = []
    for group in group_matches(matches, core):
        vuln = found.vulnerability_pks[group.record_keys[0]]
        if group.component == len(core):
            out.append(Computed(None, DEVICE_KEY, None, vuln, group))
        else:
            pk, component = comps[group.component]
            out.append(Computed(pk, component_key(component), component, vuln, group))
    return out


def match_product_versions(
    versions: Iterable[ProductVersion],
    *,
    only: dict[int, set[int]] | None = None,
    devices: bool = True,
    reason: str = "matched",
) -> MatchRunResult:
    """Match product versions (or only the ``only`` components of each) and reconcile findings."""
    started = timezone.now()
    versions = list(versions)
    result = MatchRunResult(versions=len(versions))
    if not versions:
        return result
    by_version = _load_components([v.pk for v in versions], only)
    flags = _infer_flags(versions)
    every = [c for comps in by_version.values() for _, c in comps]
    result.components = len(every)
    found = candidates.load_index(every, infer=any(flags.values()), devices=devices)
    computed: dict[int, list[Computed]] = {
        v.pk: _compute(v, by_version[v.pk], found, flags[v.pk], devices) for v in versions
    }
    with transaction.atomic():
        if only is None:
            _refresh_keys(versions, by_version, flags)
        scope = None if only is None else {pv: set(pks) for pv, pks in only.items()}
        present = {pv: {component_key(c) for _, c in comps} for pv, comps in by_version.items()}
        reconcile(
            versions,
            computed,
            scope=scope,
            present=present,
            devices=devices,
            reason=reason,
            result=result,
            now=started,
        )
    result.seconds = (timezone.now() - started).total_seconds()
    log.info("match run (%s): %s in %.2f s", reason, result.counts(), result.seconds)
    return result


def _refresh_keys(
    versions: Sequence[ProductVersion],
    by_version: dict[int, list[tuple[int, CoreComponent]]],
    flags: dict[int, bool],
) -> None:
    ids = [v.pk for v in versions]
    MatchKey.objects.filter(product_version_id__in=ids).delete()
    rows = [
        MatchKey(product_version_id=pv, component_id=pk, key=key[:700])
        for pv, comps in by_version.items()
        for pk, component in comps
        for key in sorted(candidates.component_keys(component, infer=flags[pv]))
    ]
    MatchKey.objects.bulk_create(rows, batch_size=2000)


def _changed_keys(record_pks: Sequence[int]) -> tuple[set[str], bool]:
    keys: set[str] = set()
    csaf = False
    for chunk in chunked(record_pks):
        for ptype, ns, name in (
            AffectedPackage.objects.filter(record_id__in=chunk)
            .exclude(purl_type="")
            .values_list("purl_type", "purl_namespace", "purl_name")
        ):
            keys.add("pkg:" + package_key(ptype, ns or None, name))
        keys.update(
            f"cpe:{v}:{p}"
            for v, p in CpeIndexEntry.objects.filter(record_id__in=chunk).values_list("vendor", "product")
        )
        for purl, cpe in CsafRow.objects.filter(record_id__in=chunk).values_list("purl", "cpe"):
            csaf = True
            keys.update(
                candidates.component_keys(
                    CoreComponent("x", "0", purl=purl or None, cpes=(cpe,) if cpe else ()), infer=False
                )
            )
    return keys, csaf


def rematch_after_import(*, record_pks: Sequence[int], reason: str = "intelligence update") -> MatchRunResult:
    """Re-evaluate the components the changed records can affect (and devices if CSAF changed)."""
    keys, csaf = _changed_keys(record_pks)
    only: dict[int, set[int]] = {}
    for key_chunk in chunked(sorted(keys)):
        for pv, pk in MatchKey.objects.filter(key__in=key_chunk).values_list(
            "product_version_id", "component_id"
        ):
            if pk is not None:
                only.setdefault(pv, set()).add(pk)
    vulns: set[int] = set()
    for chunk in chunked(record_pks):
        vulns.update(AdvisoryRecord.objects.filter(pk__in=chunk).values_list("vulnerability_id", flat=True))
    for vuln_chunk in chunked(sorted(vulns)):
        for pv, pk in Finding.objects.filter(
            vulnerability_id__in=vuln_chunk, component__isnull=False
        ).values_list("product_version_id", "component_id"):
            if pk is not None:
                only.setdefault(pv, set()).add(pk)
    version_ids = set(only) | (set(ProductVersion.objects.values_list("id", flat=True)) if csaf else set())
    versions = ProductVersion.objects.filter(pk__in=version_ids).select_related("product")
    return match_product_versions(versions, only=only, devices=csaf, reason=reason)


def rematch_all(*, product_slug: str | None = None) -> MatchRunResult:
    """Match every version (of one product) from scratch."""
    versions = ProductVersion.objects.select_related("product").order_by("id")
    if product_slug:
        versions = versions.filter(product__slug=product_slug)
    return match_product_versions(versions, reason="forced re-match")


def refresh_sort_fields() -> int:
    """Copy severity, EPSS and KEV from the identities onto every finding (one UPDATE)."""
    vuln = Vulnerability.objects.filter(pk=OuterRef("vulnerability_id"))
    return Finding.objects.update(
        epss=Subquery(vuln.values("epss")[:1]),
        kev=Subquery(vuln.values("kev")[:1]),
        severity_score=Subquery(vuln.values("cvss_score")[:1]),
        severity=Subquery(vuln.values("severity")[:1]),
    )
