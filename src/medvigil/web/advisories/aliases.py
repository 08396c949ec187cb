"""Alias groups: one ``Vulnerability`` per set of identifiers that records say are the same.

Per chunk of records: one query resolves every identifier against ``Alias``, a union-find joins
the identifiers inside the chunk, new identities are created in bulk, and a record that links
identities which were separate merges them (aliases and records move to the survivor, which
keeps its CVE key). Stored aliases are never removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from medvigil.core.model.advisory import SOURCE_CSAF
from medvigil.core.model.advisory import AdvisoryRecord as CoreRecord
from medvigil.web.advisories.models import AdvisoryRecord, Alias, Vulnerability
from medvigil.web.advisories.signals import vulnerabilities_merged
from medvigil.web.bulk import columns, insert_rows, select_in, table, when


def is_cve(identifier: str) -> bool:
    """True for ``CVE-YYYY-NNNN`` identifiers."""
    return identifier.startswith("CVE-")


def identifiers(record: CoreRecord) -> list[str]:
    """The ids that name the record's vulnerability, preferred key first.

    The record id and its aliases; for CSAF the vulnerability's CVE and ids come before the
    ``<tracking id>/<...>`` record id (the document id itself is in ``related`` and is not an
    identity: one document covers several vulnerabilities).
    """
    if not record.aliases:
        rid = record.id.strip()[:200] if record.id else ""
        return [rid] if rid else []
    ordered = [*record.aliases, record.id] if record.source == SOURCE_CSAF else [record.id, *record.aliases]
    return list(dict.fromkeys(i.strip()[:200] for i in ordered if i and i.strip()))


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


def _create(plan: _Plan) -> None:
    """Insert the new identities (set-based) and note their ids."""
    if not plan.new_keys:
        return
    now = when(timezone.now())
    rows = [(key, "", "", "", "", False, "[]", False, now) for key in plan.new_keys.values()]
    fields = (
        "key", "summary", "cvss_vector", "cvss_version", "severity", "kev", "sources", "withdrawn",
        "created_at",
    )  # fmt: skip
    insert_rows(Vulnerability, fields, rows)
    key = columns(Vulnerability, ["key"])[0]
    sql = f"SELECT {key}, id FROM {table(Vulnerability)} WHERE {key} IN ({{marks}})"  # noqa: S608
    ids: dict[str, int] = dict(select_in(sql, list(plan.new_keys.values())))
    for root, key in plan.new_keys.items():
        plan.group_vuln[root] = ids[key]


def resolve(records: Sequence[CoreRecord]) -> list[int]:
    """Return the vulnerability id of each record, creating, extending and merging identities."""
    per_record = [identifiers(r) for r in records]
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
    alias_vuln, keys = _existing(set(uf.parent))
    plan = _plan(groups, alias_vuln, keys)
    _create(plan)
    for survivor, merged in plan.merges.items():
        vulnerability_merge(survivor=survivor, merged=merged)
    for vid, key in plan.rekeys.items():
        Vulnerability.objects.filter(id=vid).update(key=key)
    new_aliases = [
        (i, plan.group_vuln[root]) for root, ids in groups.items() for i in ids if i not in alias_vuln
    ]
    insert_rows(Alias, ("alias", "vulnerability"), new_aliases)
    return [plan.group_vuln[uf.find(ids[0])] for ids in per_record]
