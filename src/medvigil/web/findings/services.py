"""Matching runs: compute findings with the core engine and reconcile them with the store.

* :func:`match_product_versions` matches whole product versions (after an SBOM import, or
  ``medvigil rematch``): every component and the device itself (CSAF product trees).
* :func:`rematch_after_import` re-evaluates only the components that the records changed by
  an import can touch: those whose join keys (``MatchKey``) the records' packages, CPE index
  entries or CSAF helpers name, plus those with findings on the records' vulnerabilities.
* :func:`supplier_vex_import` / :func:`supplier_vex_remove` keep a product's supplier VEX
  documents; every matching run applies the active ones (product-wide and version-scoped) as
  not-affected evidence, and a change re-matches the product's versions in the background.
* The device itself is identified for CSAF product trees by name, model numbers and the
  product's CPEs and purls (a CPE with version ``*`` or a purl without one stands for each
  registered version).

Reconciliation never deletes: a finding that no longer matches becomes *resolved* (or
*withdrawn* when only withdrawn records supported it), a finding that matches again is
reopened, and every change is a :class:`FindingEvent` with its reason. All reads are set-based
(components of many versions in one query, candidates by key sets); writes are bulk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from medvigil.core.errors import Error, InputError
from medvigil.core.feeds.vex import read_vex, read_vex_document
from medvigil.core.matching.cpe import ANY, Cpe, CpeError, parse_cpe
from medvigil.core.matching.engine import MatchOptions, match, match_device
from medvigil.core.matching.grouping import group_matches
from medvigil.core.matching.keys import purl_version
from medvigil.core.model import Component as CoreComponent
from medvigil.core.model import ComponentType
from medvigil.core.model.match import DeviceIdentity
from medvigil.core.model.vex import VexAssertion
from medvigil.web.advisories.models import AdvisoryRecord, AffectedPackage, CpeIndexEntry, Vulnerability
from medvigil.web.advisories.models import CsafProductStatus as CsafRow
from medvigil.web.audit.services import audit_match_run, audit_record
from medvigil.web.bulk import chunked
from medvigil.web.findings import candidates
from medvigil.web.findings.keys import component_key
from medvigil.web.findings.models import Finding, FindingEvent, MatchKey, MatchSettings, SupplierVex
from medvigil.web.findings.reconcile import Computed, reconcile
from medvigil.web.inventory.models import Component, Product, ProductVersion
from medvigil.web.notifications import sources as notify

log = logging.getLogger(__name__)

__all__ = [
    "MatchRunResult",
    "SupplierVexImportResult",
    "device_identity",
    "finding_triage",
    "match_product_versions",
    "refresh_sort_fields",
    "rematch_after_import",
    "rematch_all",
    "rematch_product",
    "supplier_vex_import",
    "supplier_vex_remove",
    "suppressions_expire",
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


_CPE_QUOTE = re.compile(r"([^A-Za-z0-9_.\-])")


def _cpe_version(version: str) -> str:
    """A version string as a CPE 2.3 formatted-string attribute (lower case, escaped)."""
    return _CPE_QUOTE.sub(r"\\\1", version.strip()).lower() or ANY


def _same(left: str, right: str) -> bool:
    return left.strip().lstrip("vV").lower() == right.strip().lstrip("vV").lower()


def device_identity(product: Product, version: str) -> DeviceIdentity:
    """How CSAF product trees may identify this version of the product.

    A product CPE with version ``*`` gets the version filled in; one with a concrete version
    identifies only the version it names. A purl without a version stands for every version
    (the registered version is compared); one with a version only for that version.
    """
    wanted = _cpe_version(version)
    cpes: list[Cpe] = []
    for text in product.cpes or ():
        try:
            cpe = parse_cpe(text)
        except CpeError:
            continue
        if cpe.version == ANY:
            cpe = dataclasses.replace(cpe, version=wanted)
        elif cpe.version != wanted:
            continue
        cpes.append(cpe)
    purls = tuple(p for p in product.purls or () if not purl_version(p) or _same(purl_version(p), version))
    models = tuple(product.model_numbers or ())
    return DeviceIdentity(product.name, version, models, tuple(c.to_fs() for c in cpes), purls)


def _device_component(device: DeviceIdentity) -> CoreComponent:
    """The device as a component, so that supplier VEX about its purl or CPE applies to it."""
    purl = device.purls[0] if device.purls else None
    return CoreComponent(
        name=device.name, version=device.version, purl=purl, cpes=device.cpes,
        type=ComponentType.DEVICE,
    )  # fmt: skip


def _compute(
    version: ProductVersion,
    comps: list[tuple[int, CoreComponent]],
    found: candidates.Candidates,
    infer: bool,
    with_device: bool,
    vex: Sequence[VexAssertion] = (),
) -> list[Computed]:
    core = [c for _, c in comps]
    matches = list(match(core, found.index, MatchOptions(infer_cpes=infer)))
    targets = core
    if with_device:
        device = device_identity(version.product, version.version)
        matches += match_device(device, found.index, position=len(core))
        if vex:
            targets = [*core, _device_component(device)]
    out = []
    for group in group_matches(matches, targets, vex):
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
    vex = _active_vex(versions)
    computed: dict[int, list[Computed]] = {
        v.pk: _compute(v, by_version[v.pk], found, flags[v.pk], devices, vex.get(v.pk, ())) for v in versions
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
        audit_match_run(versions, reason=reason, counts=result.counts())
        if result.opened:
            notify.findings_new(versions, since=started)
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
        keys.update(
            "pkg:" + key
            for key in AffectedPackage.objects.filter(record_id__in=chunk)
            .exclude(package_key="")
            .values_list("package_key", flat=True)
        )
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
    """Copy severity, EPSS and KEV from the identities onto every finding (one UPDATE); KEV
    listings and EPSS jumps of open findings are notified in the same transaction."""
    vuln = Vulnerability.objects.filter(pk=OuterRef("vulnerability_id"))
    with transaction.atomic():
        notify.intel_jumps()
        return Finding.objects.update(
            epss=Subquery(vuln.values("epss")[:1]),
            kev=Subquery(vuln.values("kev")[:1]),
            severity_score=Subquery(vuln.values("cvss_score")[:1]),
            severity=Subquery(vuln.values("severity")[:1]),
        )


# --- supplier VEX -----------------------------------------------------------------------------

_EMPTY_FIELD = {
    "cyclonedx-vex": "vulnerabilities[].analysis",
    "openvex": "statements",
    "csaf-vex": "product_tree.product_identification_helper",
}
_EMPTY_HINT = {
    "cyclonedx-vex": "no vulnerability has an analysis state and an affects reference",
    "openvex": "no statement names a vulnerability, a known status and a product",
    "csaf-vex": "no product status names a product with a purl or CPE helper "
    "(products identified only by name or model number cannot be tied to components)",
}


_SAFE_NAME = re.compile(r"[^\w.\- ]")


@dataclass(frozen=True, slots=True)
class SupplierVexImportResult:
    """What a supplier VEX import did."""

    document: SupplierVex
    created: bool
    """False when the same bytes were already stored and active for the product (a no-op)."""


def _vex_max_bytes() -> int:
    return int(settings.SUPPLIER_VEX_MAX_BYTES)


def _user(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def supplier_vex_import(
    *,
    product: Product,
    filename: str,
    content: bytes,
    user: Any = None,
    version: ProductVersion | None = None,
) -> SupplierVexImportResult:
    """Store a supplier VEX document for ``product`` (or one ``version``) after reading it.

    The document must parse (CycloneDX VEX, OpenVEX or CSAF) and carry at least one statement
    that can be tied to a component; otherwise :class:`InputError` names the file and field and
    nothing is stored. Importing bytes already stored for the product is a no-op (a removed
    document is re-activated, with the scope given now). The product's versions are re-matched
    in the background once the transaction commits.
    """
    filename = _SAFE_NAME.sub("_", (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1])[:255]
    if version is not None and version.product_id != product.pk:
        raise InputError(f"version {version.version!r} is not a version of {product.name}", field="version")
    limit = _vex_max_bytes()
    if len(content) > limit:
        raise InputError(
            f"{len(content)} bytes is over the limit of {limit} bytes", source=filename, field="file"
        )
    digest = hashlib.sha256(content).hexdigest()
    existing = SupplierVex.objects.filter(product=product, sha256=digest).first()
    if existing is not None and existing.active:
        return SupplierVexImportResult(existing, False)
    parsed = read_vex_document(content, filename)
    if not parsed.assertions:
        raise InputError(_EMPTY_HINT[parsed.format], source=filename, field=_EMPTY_FIELD[parsed.format])
    with transaction.atomic():
        if existing is not None:
            existing.active, existing.removed_at, existing.removed_by = True, None, None
            existing.product_version = version
            existing.filename = filename
            existing.uploaded_by = _user(user)
            existing.save()
            doc = existing
        else:
            doc = SupplierVex.objects.create(
                product=product,
                product_version=version,
                filename=filename,
                format=parsed.format,
                sha256=digest,
                size=len(content),
                content=content,
                statement_count=len(parsed.assertions),
                uploaded_by=_user(user),
            )
    return SupplierVexImportResult(doc, True)


def supplier_vex_remove(*, document: SupplierVex, user: Any = None) -> SupplierVex:
    """Stop applying a supplier VEX document (kept for the record); its findings are re-matched."""
    if not document.active:
        return document
    document.active = False
    document.removed_at = timezone.now()
    document.removed_by = _user(user)
    document.save(update_fields=["active", "removed_at", "removed_by"])
    return document


def _active_vex(versions: Sequence[ProductVersion]) -> dict[int, list[VexAssertion]]:
    """Statements of the active supplier VEX documents that apply to each version."""
    product_ids = {v.product_id for v in versions}
    if not product_ids:
        return {}
    by_product: dict[int, list[VexAssertion]] = {}
    by_version: dict[int, list[VexAssertion]] = {}
    rows = SupplierVex.objects.filter(product_id__in=product_ids, active=True).values_list(
        "product_id", "product_version_id", "filename", "content"
    )
    for product_id, version_id, filename, content in rows:
        try:
            statements = read_vex(bytes(content), filename)
        except Error as exc:  # validated at import; a parser change must not stop matching
            log.warning("supplier VEX %s of product %s skipped: %s", filename, product_id, exc.diagnostics())
            continue
        if version_id is None:
            by_product.setdefault(product_id, []).extend(statements)
        else:
            by_version.setdefault(version_id, []).extend(statements)
    return {
        v.pk: [*by_product.get(v.product_id, ()), *by_version.get(v.pk, ())]
        for v in versions
        if v.product_id in by_product or v.pk in by_version
    }


def rematch_product(*, product_id: int, version_id: int | None = None, reason: str) -> MatchRunResult:
    """Match every version of a product (or one version) from scratch."""
    versions = ProductVersion.objects.select_related("product").filter(product_id=product_id).order_by("id")
    if version_id is not None:
        versions = versions.filter(pk=version_id)
    return match_product_versions(versions, reason=reason)


# --- triage of single findings ----------------------------------------------------------------

TRIAGE_ACTIONS = ("false_positive", "suppress", "accept", "clear", "comment")
_TRIAGE_OF = {
    "false_positive": Finding.Triage.FALSE_POSITIVE,
    "suppress": Finding.Triage.SUPPRESSED,
    "accept": Finding.Triage.ACCEPTED,
}
_TRIAGE_LIVE = (Finding.State.OPEN, Finding.State.FALSE_POSITIVE, Finding.State.SUPPRESSED,
                Finding.State.ACCEPTED)  # fmt: skip


def finding_triage(
    *, finding: Finding, action: str, reason: str, user: Any = None, until: dt.date | None = None
) -> Finding:
    """Record an analyst's decision on one finding, with its reason, in the finding's history.

    ``false_positive``, ``suppress`` (until ``until``, a future date) and ``accept`` take an open
    (or already triaged) finding out of the open list; re-matching keeps the decision while the
    finding still matches. ``clear`` reverses it (the finding is open again); ``comment`` only
    adds a note. Every action needs a reason.
    """
    reason = (reason or "").strip()
    if action not in TRIAGE_ACTIONS:
        raise InputError(f"action must be one of {', '.join(TRIAGE_ACTIONS)}", field="action")
    if not reason:
        raise InputError("a reason is required", field="reason")
    if len(reason) > 2000:
        raise InputError("the reason is longer than 2,000 characters", field="reason")
    now = timezone.now()
    actor = _user(user)
    with transaction.atomic():
        f = Finding.objects.select_for_update().get(pk=finding.pk)
        old = f.state
        if action == "comment":
            FindingEvent.objects.create(finding=f, at=now, kind="comment", reason=reason, actor=actor)
            audit_record("finding.comment", f, reason=reason, actor=actor)
            return f
        if f.state not in _TRIAGE_LIVE:
            raise InputError(
                f"the finding is {f.get_state_display()}; only a finding that still matches can be triaged",
                field="action",
            )
        if action == "clear":
            if not f.triage:
                raise InputError("the finding has no triage decision to reverse", field="action")
            f.triage, f.triage_until, f.triage_reason = Finding.Triage.NONE, None, ""
            f.state, kind = Finding.State.OPEN, "triage-cleared"
        else:
            if action == "suppress" and (until is None or until <= timezone.localdate()):
                raise InputError("suppress needs a date after today", field="until")
            f.triage = _TRIAGE_OF[action]
            f.triage_until = until if action == "suppress" else None
            f.triage_reason = reason[:500]
            f.state, kind = f.triage, f.triage
        f.triage_by, f.triage_at = actor, now
        f.state_reason, f.state_changed_at = reason[:500], now
        f.save()
        text = reason + (f" (until {until.isoformat()})" if action == "suppress" and until else "")
        FindingEvent.objects.create(
            finding=f, at=now, kind=kind, old_state=old, new_state=f.state, reason=text, actor=actor
        )
        audit_record(
            f"finding.{action}",
            f,
            changes={"state": [old, f.state], "triage_until": [None, until.isoformat() if until else None]},
            reason=text,
            actor=actor,
        )
    return f


def suppressions_expire(*, today: dt.date | None = None) -> int:
    """Reopen findings whose suppression ended before ``today`` (a daily job); returns how many."""
    today = today or timezone.localdate()
    now = timezone.now()
    expired = list(
        Finding.objects.filter(
            state=Finding.State.SUPPRESSED, triage=Finding.Triage.SUPPRESSED, triage_until__lt=today
        )
    )
    with transaction.atomic():
        for f in expired:
            FindingEvent.objects.create(
                finding=f, at=now, kind="reopened", old_state=f.state, new_state=Finding.State.OPEN,
                reason=f"suppression ended on {f.triage_until}",
            )  # fmt: skip
            f.state, f.state_reason, f.state_changed_at = Finding.State.OPEN, "suppression ended", now
            f.triage, f.triage_until = Finding.Triage.NONE, None
            f.save(update_fields=["state", "state_reason", "state_changed_at", "triage", "triage_until"])
    return len(expired)
