"""Alias groups: one ``Vulnerability`` per set of identifiers that records say are the same.

Per chunk of records: one query resolves every identifier against ``Alias``, a union-find joins
the identifiers inside the chunk, new identities are created in bulk (with their derived fields
when the caller computed them from the chunk's records), and a record that links
identities which were separate merges them (aliases and records move to the survivor, which
keeps its CVE key). Stored aliases are never removed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from medvigil.web.advisories.models import AdvisoryRecord, Alias, EpssScore, KevEntry, Vulnerability
from medvigil.web.advisories.prepare import DERIVED_FIELDS
from medvigil.web.advisories.signals import vulnerabilities_merged
from medvigil.web.bulk import columns, insert_rows, select_in, table, when


def is_cve(identifier: str) -> bool:
    """True for ``CVE-YYYY-NNNN`` identifiers."""
    return identifier.startswith("CVE-")


def choose_key(ids: Sequence[str]) -> str:
    """The first CVE id, else the first id."""
    return next((i for i in ids if is_cve(i)), ids[0])


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent.setdefault(x, x)
        while parent != x:
            grand = self.parent[parent]
            self.parent[x] = grand
            x, parent = parent, grand
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


@dataclass
class _Plan:
    new_keys: dict[str, str] = field(default_factory=dict)
    """group root -> key of the identity to create."""
    group_vuln: dict[str, int] = field(default_factory=dict)
    """group root -> existing vulnerability id."""
    merges: dict[int, list[int]] = field(default_factory=dict)
    rekeys: dict[int, str] = field(default_factory=dict)
    derived: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    """group root -> derived fields of a new identity, computed from its records in the chunk."""


@dataclass(frozen=True, slots=True)
class Resolved:
    """What :func:`resolve` did."""

    ids: list[int]
    """The vulnerability id of each record."""
    touched: set[int]
    """Vulnerabilities whose derived fields need a refresh: all, except the identities created
    here with their fields computed (and no KEV entry or EPSS score on any of their aliases)."""


def _existing(ids: set[str]) -> tuple[dict[str, int], dict[int, str]]:
    a, v, key = table(Alias), table(Vulnerability), columns(Vulnerability, ["key"])[0]
    by_alias = f"SELECT alias, vulnerability_id FROM {a} WHERE alias IN ({{marks}})"  # noqa: S608
    alias_vuln: dict[str, int] = dict(select_in(by_alias, sorted(ids)))
    by_id = f"SELECT id, {key} FROM {v} WHERE id IN ({{marks}})"  # noqa: S608
    keys: dict[int, str] = dict(select_in(by_id, sorted(set(alias_vuln.values()))))
    return alias_vuln, keys


def _plan(groups: dict[str, list[str]], alias_vuln: dict[str, int], keys: dict[int, str]) -> _Plan:
    plan = _Plan()
    for root, ids in groups.items():
        vids = sorted({alias_vuln[i] for i in ids if i in alias_vuln})
        if not vids:
            plan.new_keys[root] = choose_key(ids)
            continue
        survivor = min(vids, key=lambda v: (not is_cve(keys[v]), v))
        plan.group_vuln[root] = survivor
        if len(vids) > 1:
            plan.merges[survivor] = [v for v in vids if v != survivor]
        wanted = choose_key(ids)
        if not is_cve(keys[survivor]) and is_cve(wanted):
            plan.rekeys[survivor] = wanted
    return plan


def vulnerability_merge(*, survivor: int, merged: list[int]) -> None:
    """Fold the ``merged`` identities into ``survivor``: aliases and records move, receivers of
    :data:`~medvigil.web.advisories.signals.vulnerabilities_merged` re-point their rows, and the
    merged rows are deleted. The caller refreshes the survivor's denormalised fields."""
    Alias.objects.filter(vulnerability_id__in=merged).update(vulnerability_id=survivor)
    AdvisoryRecord.objects.filter(vulnerability_id__in=merged).update(vulnerability_id=survivor)
    vulnerabilities_merged.send(sender=Vulnerability, survivor=survivor, merged=merged)
    Vulnerability.objects.filter(id__in=merged).delete()


BLANK = ("", None, "", "", "", "[]", None, None, False)
"""The :data:`DERIVED_FIELDS` of an identity whose records have not been read yet."""


def _create(plan: _Plan) -> None:
    """Insert the new identities (set-based, with their derived fields when known) and note their ids."""
    if not plan.new_keys:
        return
    now = when(timezone.now())
    rows = [(key, *plan.derived.get(root, BLANK), False, now) for root, key in plan.new_keys.items()]
    insert_rows(Vulnerability, ("key", *DERIVED_FIELDS, "kev", "created_at"), rows)
    key = columns(Vulnerability, ["key"])[0]
    sql = f"SELECT {key}, id FROM {table(Vulnerability)} WHERE {key} IN ({{marks}})"  # noqa: S608
    ids: dict[str, int] = dict(select_in(sql, list(plan.new_keys.values())))
    for root, key in plan.new_keys.items():
        plan.group_vuln[root] = ids[key]


def _scored_elsewhere(vids: list[int]) -> set[int]:
    """Those of ``vids`` with a KEV entry or an EPSS score on one of their aliases (their KEV and
    EPSS fields come from the refresh)."""
    a, k, e = table(Alias), table(KevEntry), table(EpssScore)
    sql = (
        f"SELECT DISTINCT a.vulnerability_id FROM {a} a WHERE a.vulnerability_id IN ({{marks}}) AND ("  # noqa: S608
        f"EXISTS (SELECT 1 FROM {k} k WHERE k.cve_id = a.alias) OR "
        f"EXISTS (SELECT 1 FROM {e} e WHERE e.cve_id = a.alias))"
    )
    return {row[0] for row in select_in(sql, vids)} if vids else set()


def _groups(per_record: Sequence[Sequence[str]]) -> tuple[_UnionFind, dict[str, list[str]]]:
    """The identifiers joined by the records that name them together: root -> ids, first seen first."""
    uf = _UnionFind()
    for ids in per_record:
        for other in ids[1:]:
            uf.union(ids[0], other)
    groups: dict[str, list[str]] = {}
    for ids in per_record:
        for i in ids:
            groups.setdefault(uf.find(i), [])
    for ids in per_record:
        for i in ids:
            group = groups[uf.find(i)]
            if i not in group:
                group.append(i)
    return uf, groups


def resolve(
    per_record: Sequence[Sequence[str]], derive: Callable[[list[int]], tuple[Any, ...]] | None = None
) -> Resolved:
    """The vulnerability id of each record (given its :func:`~.prepare.identifiers`), creating,
    extending and merging identities.

    ``derive(indices)`` gives the derived fields of a new identity from the records at those
    positions (all of its records so far); without it new identities are inserted blank and
    left for the refresh.
    """
    uf, groups = _groups(per_record)
    alias_vuln, keys = _existing(set(uf.parent))
    plan = _plan(groups, alias_vuln, keys)
    roots = [uf.find(ids[0]) for ids in per_record]
    if derive is not None:
        members: dict[str, list[int]] = {}
        for index, root in enumerate(roots):
            if root in plan.new_keys:
                members.setdefault(root, []).append(index)
        plan.derived = {root: derive(indices) for root, indices in members.items()}
    _create(plan)
    for survivor, merged in plan.merges.items():
        vulnerability_merge(survivor=survivor, merged=merged)
    for vid, key in plan.rekeys.items():
        Vulnerability.objects.filter(id=vid).update(key=key)
    new_aliases = [
        (i, plan.group_vuln[root]) for root, ids in groups.items() for i in ids if i not in alias_vuln
    ]
    insert_rows(Alias, ("alias", "vulnerability"), new_aliases)
    vids = [plan.group_vuln[root] for root in roots]
    fresh = [plan.group_vuln[root] for root in plan.derived]
    touched = set(vids) - set(fresh) | _scored_elsewhere(fresh)
    return Resolved(vids, touched)
