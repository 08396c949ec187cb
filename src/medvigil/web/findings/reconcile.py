"""Reconcile computed finding groups with stored findings: create, update, move state, never delete."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from medvigil.core.model import Component as CoreComponent
from medvigil.core.model.match import FindingGroup, FindingStatus, MatchStatus
from medvigil.web import bulk
from medvigil.web.advisories.models import Vulnerability
from medvigil.web.bulk import chunked
from medvigil.web.findings.models import Finding, FindingEvent
from medvigil.web.inventory.models import ProductVersion

__all__ = ["Computed", "reconcile", "triage_holds"]

_STATE = {
    FindingStatus.AFFECTED: Finding.State.OPEN,
    FindingStatus.UNDER_INVESTIGATION: Finding.State.OPEN,
    FindingStatus.NOT_AFFECTED: Finding.State.NOT_AFFECTED,
    FindingStatus.WITHDRAWN: Finding.State.WITHDRAWN,
}
_LIVE = frozenset({
    Finding.State.OPEN, Finding.State.NOT_AFFECTED, Finding.State.FALSE_POSITIVE, Finding.State.SUPPRESSED,
    Finding.State.ACCEPTED,
})  # fmt: skip
"""States of a finding that still matched at the last run (a vanished one becomes resolved)."""
_UPDATE_FIELDS = (
    "component", "component_name", "component_version", "component_purl", "component_cpes",
    "component_bom_ref", "vulnerability_key", "aliases", "sources", "evidence", "method", "confidence",
    "state", "state_reason",
    "last_seen", "state_changed_at", "severity", "severity_score", "epss", "kev",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Computed:
    """One finding as the engine computed it for one product version."""

    component_pk: int | None
    """Inventory component row (None for a device-level CSAF finding)."""
    key: str
    """Component identity (:func:`~medvigil.web.findings.keys.component_key` or ``device``)."""
    component: CoreComponent | None
    """The component (None for the device)."""
    vulnerability: int
    """Vulnerability pk."""
    group: FindingGroup
    """The engine's finding group."""


def _vulnerabilities(pks: set[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for chunk in chunked(sorted(pks)):
        for row in Vulnerability.objects.filter(pk__in=chunk).values(
            "pk", "key", "cvss_score", "severity", "epss", "kev", "withdrawn"
        ):
            out[row["pk"]] = dict(row)
    return out


def _apply(f: Finding, c: Computed, version: ProductVersion, vuln: dict[str, Any], now: dt.datetime) -> None:
    comp, group = c.component, c.group
    f.product_id = version.product_id
    f.product_version_id = version.pk
    f.component_id = c.component_pk
    f.component_key = c.key
    f.component_name = comp.name[:500] if comp else version.product.name[:500]
    f.component_version = (comp.version if comp else version.version)[:200]
    f.component_purl = ((comp.purl or "") if comp else "")[:1000]
    f.component_cpes = list(comp.cpes) if comp else []
    f.component_bom_ref = (comp.bom_ref if comp else "")[:500]
    f.vulnerability_id = c.vulnerability
    f.vulnerability_key = vuln["key"]
    f.aliases = sorted(set(group.ids) - {vuln["key"]})
    f.sources = list(group.sources)
    f.evidence = [e.as_dict() for e in group.evidence]
    f.method = group.method.value
    f.confidence = group.confidence
    f.last_seen = now
    f.severity = vuln["severity"] or ""
    f.severity_score = vuln["cvss_score"]
    f.epss = vuln["epss"]
    f.kev = bool(vuln["kev"])


def _reason(group: FindingGroup) -> str:
    if group.status is FindingStatus.NOT_AFFECTED:
        vex = [e for e in group.evidence if e.method is None and e.status is MatchStatus.NOT_AFFECTED]
        if vex:
            what = vex[0].summary.removeprefix("supplier VEX: ")
            return f"not affected per supplier VEX {vex[0].source}: {what}"[:500]
    best = group.evidence[0]
    return f"{group.method.value} ({best.source} {best.record_id}): {best.summary}"[:500]


class _Writer:
    def __init__(self, now: dt.datetime, reason: str, result: Any) -> None:
        self.now, self.reason, self.result = now, reason, result
        self.new: list[Finding] = []
        self.changed: list[Finding] = []
        self.seen: list[int] = []
        self.events: list[tuple[Finding, str, str, str, str]] = []

    def move(self, f: Finding, state: str, why: str) -> None:
        kind = "reopened" if state == Finding.State.OPEN else state
        self.events.append((f, kind, f.state, state, f"{why} [{self.reason}]"))
        counter = {
            "reopened": "reopened", "resolved": "resolved", "withdrawn": "withdrawn",
            "not_affected": "not_affected",
        }.get(kind, "updated")  # fmt: skip
        setattr(self.result, counter, getattr(self.result, counter) + 1)
        f.state, f.state_reason, f.state_changed_at = state, why[:500], self.now

    def flush(self) -> None:
        for chunk in chunked(self.seen):
            Finding.objects.filter(pk__in=chunk).update(last_seen=self.now)
        Finding.objects.bulk_create(self.new, batch_size=1000)
        # One UPDATE per row through executemany: Django's bulk_update builds CASE WHEN
        # statements that grow with rows x fields and took minutes for tens of thousands.
        bulk.update_rows(Finding, _UPDATE_FIELDS, [_update_row(f) for f in self.changed])
        at = bulk.when(self.now)
        rows = [(f.pk, at, k, o, n, r) for f, k, o, n, r in self.events]
        bulk.insert_rows(FindingEvent, ("finding", "at", "kind", "old_state", "new_state", "reason"), rows)


_JSON_FIELDS = frozenset({"component_cpes", "aliases", "sources", "evidence"})
_TIME_FIELDS = frozenset({"last_seen", "state_changed_at"})


def _update_row(f: Finding) -> tuple[Any, ...]:
    values: list[Any] = []
    for name in _UPDATE_FIELDS:
        if name == "component":
            values.append(f.component_id)
        elif name in _JSON_FIELDS:
            values.append(orjson.dumps(getattr(f, name)).decode())
        elif name in _TIME_FIELDS:
            values.append(bulk.when(getattr(f, name)))
        else:
            values.append(getattr(f, name))
    return (*values, f.pk)


def _tracked(f: Finding) -> tuple[Any, ...]:
    """What makes a stored finding differ from a computed one (besides ``last_seen``)."""
    return (
        f.component_id,
        f.evidence,
        f.state,
        f.severity,
        f.severity_score,
        f.epss,
        f.kev,
        f.aliases,
        f.sources,
    )


def triage_holds(f: Finding, today: dt.date) -> bool:
    """The analyst's triage still applies (a suppression ends after its date)."""
    if not f.triage:
        return False
    ended = f.triage_until is not None and f.triage_until < today
    return not (f.triage == Finding.Triage.SUPPRESSED and ended)


def _upsert(w: _Writer, existing: dict[tuple[int, str, int], Finding], version: ProductVersion,
            c: Computed, vuln: dict[str, Any]) -> None:  # fmt: skip
    state: str = _STATE[c.group.status]
    f = existing.pop((version.pk, c.key, c.vulnerability), None)
    if f is not None and state == Finding.State.OPEN and triage_holds(f, w.now.date()):
        state = f.triage  # a re-match keeps a false positive, suppression or acceptance
    if f is None:
        f = Finding(first_seen=w.now, state=state, state_changed_at=w.now, state_reason=_reason(c.group))
        _apply(f, c, version, vuln, w.now)
        w.new.append(f)
        w.events.append((f, "opened", "", state, f"{_reason(c.group)} [{w.reason}]"))
        w.result.opened += 1
        return
    before = _tracked(f)
    _apply(f, c, version, vuln, w.now)
    if f.state != state:
        why = f.triage_reason if state == f.triage else _reason(c.group)
        w.move(f, state, why)
    elif before == _tracked(f):
        w.result.unchanged += 1
        w.seen.append(f.pk)
        return
    else:
        w.result.updated += 1
    w.changed.append(f)


def reconcile(
    versions: Sequence[ProductVersion],
    computed: dict[int, list[Computed]],
    *,
    scope: dict[int, set[int]] | None,
    present: dict[int, set[str]],
    devices: bool,
    reason: str,
    result: Any,
    now: dt.datetime,
) -> None:
    """Write ``computed`` for ``versions``; stored findings in scope that vanished change state."""
    existing = {
        (f.product_version_id, f.component_key, f.vulnerability_id): f
        for f in _stored(versions, scope, devices)
    }
    vulns = _vulnerabilities(
        {c.vulnerability for cs in computed.values() for c in cs} | {k[2] for k in existing}
    )
    w = _Writer(now, reason, result)
    for version in versions:
        for c in computed.get(version.pk, ()):
            _upsert(w, existing, version, c, vulns[c.vulnerability])
    for (pv, key, vid), f in existing.items():
        if not _in_scope(f, scope, devices) or f.state not in _LIVE:
            continue
        what = f"{f.component_name} {f.component_version}".strip()
        if vulns.get(vid, {}).get("withdrawn"):
            w.move(
                f,
                Finding.State.WITHDRAWN,
                "every record of the vulnerability is withdrawn or rejected upstream",
            )
        elif key != "device" and key not in present.get(pv, ()):
            w.move(
                f,
                Finding.State.RESOLVED,
                f"component {what} is no longer in the version (upgraded or removed)",
            )
        else:
            w.move(f, Finding.State.RESOLVED, f"{what} no longer matches the advisory data")
        w.changed.append(f)
    w.flush()


def _stored(
    versions: Sequence[ProductVersion], scope: dict[int, set[int]] | None, devices: bool
) -> list[Finding]:
    """Stored findings that this run may change: whole versions, or only the scoped components."""
    ids = [v.pk for v in versions]
    if scope is None:
        return [
            f for chunk in chunked(ids, 500) for f in Finding.objects.filter(product_version_id__in=chunk)
        ]
    found = [
        f
        for chunk in chunked(sorted({pk for pks in scope.values() for pk in pks}))
        for f in Finding.objects.filter(component_id__in=chunk)
    ]
    if devices:
        found += [
            f
            for chunk in chunked(ids, 500)
            for f in Finding.objects.filter(product_version_id__in=chunk, component_key="device")
        ]
    return found


def _in_scope(f: Finding, scope: dict[int, set[int]] | None, devices: bool) -> bool:
    if f.component_key == "device":
        return devices
    if scope is None:
        return True
    return f.component_id is not None and f.component_id in scope.get(f.product_version_id, ())
