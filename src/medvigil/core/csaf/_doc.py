"""A CSAF document indexed once for the mandatory tests: products, groups, vulnerabilities.

The tests run after the JSON schema passed, but they must not crash on a document that did not
(callers may run them alone): every accessor here tolerates a missing or mistyped member and
yields nothing for it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from medvigil.core.feeds._io import parse_datetime

JsonObj = dict[str, Any]

Finding = tuple[str, str]
"""What a test yields: ``(JSON pointer, message)``."""

AFFECTED = ("first_affected", "known_affected", "last_affected")
NOT_AFFECTED = ("known_not_affected",)
FIXED = ("first_fixed", "fixed")
UNDER_INVESTIGATION = ("under_investigation",)
STATUS_GROUPS: Mapping[str, tuple[str, ...]] = {
    "affected": AFFECTED,
    "not affected": NOT_AFFECTED,
    "fixed": FIXED,
    "under investigation": UNDER_INVESTIGATION,
}
"""The product status groups of CSAF 2.0 section 3.2.3.9 (``recommended`` belongs to none)."""


def obj(value: Any) -> JsonObj:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def arr(value: Any) -> list[Any]:
    """``value`` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def ids(value: Any) -> list[str]:
    """The strings of a JSON array of ids (anything else skipped)."""
    return [v for v in arr(value) if isinstance(v, str)]


@dataclass(frozen=True, slots=True)
class ProductTreeIndex:
    """Where products and groups are defined."""

    product_ids: tuple[tuple[str, str], ...]
    """``(pointer of the product_id, product id)`` for every definition, in document order."""
    full_products: tuple[tuple[str, JsonObj], ...]
    """``(pointer, full_product_name object)`` for branches, full_product_names and relationships."""
    branches: tuple[tuple[str, JsonObj], ...]
    """``(pointer, branch)`` for every branch at any depth."""
    group_ids: tuple[tuple[str, str], ...]
    """``(pointer of the group_id, group id)`` for every group definition."""
    groups: Mapping[str, frozenset[str]]
    """Group id -> member product ids."""


@dataclass(frozen=True, slots=True)
class CsafDoc:
    """One CSAF document and the facts several tests need."""

    raw: JsonObj
    document: JsonObj
    tracking: JsonObj
    category: str
    vulnerabilities: tuple[JsonObj, ...]
    tree: ProductTreeIndex

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> CsafDoc:
        """Index ``raw`` (a parsed CSAF document)."""
        doc = dict(raw)
        document = obj(doc.get("document"))
        return cls(
            raw=doc,
            document=document,
            tracking=obj(document.get("tracking")),
            category=str(document.get("category", "")),
            vulnerabilities=tuple(obj(v) for v in arr(doc.get("vulnerabilities"))),
            tree=_index_tree(obj(doc.get("product_tree"))),
        )

    def members(self, item: JsonObj) -> set[str]:
        """Product ids an item (remediation, threat, flag) names directly or through its groups."""
        found = set(ids(item.get("product_ids")))
        for group in ids(item.get("group_ids")):
            found.update(self.tree.groups.get(group, ()))
        return found

    def vulns(self) -> Iterator[tuple[str, JsonObj]]:
        """``(pointer, vulnerability)`` pairs."""
        for index, vuln in enumerate(self.vulnerabilities):
            yield f"/vulnerabilities/{index}", vuln


def _index_tree(tree: JsonObj) -> ProductTreeIndex:
    full: list[tuple[str, JsonObj]] = []
    branches: list[tuple[str, JsonObj]] = []
    todo = [(f"/product_tree/branches/{i}", obj(b)) for i, b in enumerate(arr(tree.get("branches")))]
    while todo:
        pointer, branch = todo.pop(0)
        branches.append((pointer, branch))
        if isinstance(branch.get("product"), dict):
            full.append((f"{pointer}/product", branch["product"]))
        todo[:0] = [(f"{pointer}/branches/{i}", obj(b)) for i, b in enumerate(arr(branch.get("branches")))]
    for i, product in enumerate(arr(tree.get("full_product_names"))):
        full.append((f"/product_tree/full_product_names/{i}", obj(product)))
    for i, rel in enumerate(arr(tree.get("relationships"))):
        product = obj(rel).get("full_product_name") if isinstance(rel, dict) else None
        if isinstance(product, dict):
            full.append((f"/product_tree/relationships/{i}/full_product_name", product))
    product_ids = tuple(
        (f"{pointer}/product_id", product["product_id"])
        for pointer, product in full
        if isinstance(product.get("product_id"), str)
    )
    group_ids: list[tuple[str, str]] = []
    groups: dict[str, set[str]] = {}
    for i, group in enumerate(arr(tree.get("product_groups"))):
        group_id = obj(group).get("group_id")
        if isinstance(group_id, str):
            group_ids.append((f"/product_tree/product_groups/{i}/group_id", group_id))
            groups.setdefault(group_id, set()).update(ids(obj(group).get("product_ids")))
    return ProductTreeIndex(
        product_ids=product_ids,
        full_products=tuple(full),
        branches=tuple(branches),
        group_ids=tuple(group_ids),
        groups={k: frozenset(v) for k, v in groups.items()},
    )


_STAMP = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$",
)


def instant(value: Any) -> tuple[dt.datetime, Decimal] | None:
    """An RFC 3339 timestamp as a sortable ``(UTC second, fraction)``, exact below microseconds.

    ``2021-07-21T10:00:00.00010Z`` is later than ``2021-07-21T10:00:00.000Z``; ``None`` for a
    value that is not such a timestamp.
    """
    if not isinstance(value, str):
        return None
    match = _STAMP.match(value)
    if not match:
        try:  # lenient fallback (no zone: UTC), to microseconds
            stamp = parse_datetime(value)
        except ValueError:
            return None
        if stamp is None:
            return None
        return stamp.replace(microsecond=0), Decimal(stamp.microsecond) / 1_000_000
    day, clock, fraction, zone = match.groups()
    zone = "+00:00" if zone in ("Z", "z") else zone
    try:
        second = dt.datetime.fromisoformat(f"{day}T{clock}{zone}").astimezone(dt.UTC)
    except ValueError:
        return None
    return second, Decimal(fraction or "0")
