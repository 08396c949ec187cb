"""Mandatory tests on product ids, product groups, product status and product references.

6.1.1 missing / 6.1.2 multiple definition of a product id, 6.1.3 circular relationship,
6.1.4 missing / 6.1.5 multiple definition of a product group id, 6.1.6 contradicting product
status, 6.1.29 remediation and 6.1.32 flag without product reference, 6.1.33 several flags
(VEX justifications) for one product.
"""

from __future__ import annotations

from collections.abc import Iterator

from medvigil.core.csaf._doc import STATUS_GROUPS, CsafDoc, Finding, arr, ids, obj


def product_references(doc: CsafDoc) -> Iterator[tuple[str, str]]:
    """Yield ``(pointer, product id)`` for every place a document refers to a product id."""
    tree = obj(doc.raw.get("product_tree"))
    for i, group in enumerate(arr(tree.get("product_groups"))):
        yield from _ids(obj(group).get("product_ids"), f"/product_tree/product_groups/{i}/product_ids")
    for i, rel in enumerate(arr(tree.get("relationships"))):
        for key in ("product_reference", "relates_to_product_reference"):
            value = obj(rel).get(key)
            if isinstance(value, str):
                yield f"/product_tree/relationships/{i}/{key}", value
    for base, vuln in doc.vulns():
        for status, members in obj(vuln.get("product_status")).items():
            yield from _ids(members, f"{base}/product_status/{status}")
        for key, field in (
            ("remediations", "product_ids"),
            ("threats", "product_ids"),
            ("flags", "product_ids"),
            ("scores", "products"),
        ):
            for i, item in enumerate(arr(vuln.get(key))):
                yield from _ids(obj(item).get(field), f"{base}/{key}/{i}/{field}")


def _ids(values: object, pointer: str) -> Iterator[tuple[str, str]]:
    for pos, value in enumerate(arr(values)):
        if isinstance(value, str):
            yield f"{pointer}/{pos}", value


def missing_product_id(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.1: every product id referred to is defined in the product tree."""
    defined = {product_id for _, product_id in doc.tree.product_ids}
    for pointer, product_id in product_references(doc):
        if product_id not in defined:
            yield pointer, f"product id {product_id!r} is not defined in the product tree"


def multiple_product_id(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.2: no product id is defined twice."""
    seen: dict[str, str] = {}
    for pointer, product_id in doc.tree.product_ids:
        if product_id in seen:
            yield (
                pointer,
                f"product id {product_id!r} is defined more than once (first at {seen[product_id]})",
            )
        else:
            seen[product_id] = pointer


def circular_product_id(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.3: no relationship defines a product in terms of itself, directly or through others."""
    edges: dict[str, set[str]] = {}
    where: dict[str, str] = {}
    for i, rel in enumerate(arr(obj(doc.raw.get("product_tree")).get("relationships"))):
        rel = obj(rel)
        product_id = obj(rel.get("full_product_name")).get("product_id")
        if not isinstance(product_id, str):
            continue
        where.setdefault(product_id, f"/product_tree/relationships/{i}/full_product_name/product_id")
        for key in ("product_reference", "relates_to_product_reference"):
            if isinstance(rel.get(key), str):
                edges.setdefault(product_id, set()).add(rel[key])
    for start in sorted(edges):
        if _reaches(edges, start, start):
            yield where[start], f"product id {start!r} is defined through a relationship on itself"


def _reaches(edges: dict[str, set[str]], start: str, target: str) -> bool:
    seen: set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node == target:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return False


def missing_group_id(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.4: every product group id referred to is defined."""
    defined = {group_id for _, group_id in doc.tree.group_ids}
    for base, vuln in doc.vulns():
        for key in ("remediations", "threats", "flags"):
            for i, item in enumerate(arr(vuln.get(key))):
                for pos, group_id in enumerate(ids(obj(item).get("group_ids"))):
                    if group_id not in defined:
                        yield (
                            f"{base}/{key}/{i}/group_ids/{pos}",
                            f"product group id {group_id!r} is not defined in the product tree",
                        )


def multiple_group_id(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.5: no product group id is defined twice."""
    seen: set[str] = set()
    for pointer, group_id in doc.tree.group_ids:
        if group_id in seen:
            yield pointer, f"product group id {group_id!r} is defined more than once"
        seen.add(group_id)


def contradicting_status(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.6: a product is in at most one of the groups affected, not affected, fixed, under investigation."""
    for base, vuln in doc.vulns():
        status = obj(vuln.get("product_status"))
        group_of: dict[str, str] = {}
        for group, categories in STATUS_GROUPS.items():
            for category in categories:
                for pos, product_id in enumerate(ids(status.get(category))):
                    first = group_of.setdefault(product_id, group)
                    if first != group:
                        yield (
                            f"{base}/product_status/{category}/{pos}",
                            f"product id {product_id!r} is both {first} and {group}",
                        )


def remediation_without_product(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.29: every remediation names products or product groups."""
    yield from _without_product(doc, "remediations", "remediation")


def flag_without_product(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.32: every flag names products or product groups."""
    yield from _without_product(doc, "flags", "flag")


def _without_product(doc: CsafDoc, key: str, label: str) -> Iterator[Finding]:
    for base, vuln in doc.vulns():
        for i, item in enumerate(arr(vuln.get(key))):
            item = obj(item)
            if "product_ids" not in item and "group_ids" not in item:
                yield f"{base}/{key}/{i}", f"{label} names neither product_ids nor group_ids"


def multiple_flags(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.33: a product is in at most one flag (one VEX justification) per vulnerability."""
    for base, vuln in doc.vulns():
        first: dict[str, int] = {}
        for i, flag in enumerate(arr(vuln.get("flags"))):
            for product_id in sorted(doc.members(obj(flag))):
                seen = first.setdefault(product_id, i)
                if seen != i:
                    yield (
                        f"{base}/flags/{i}",
                        f"product id {product_id!r} already has a flag ({base}/flags/{seen})",
                    )


TESTS = {
    "6.1.1": missing_product_id,
    "6.1.2": multiple_product_id,
    "6.1.3": circular_product_id,
    "6.1.4": missing_group_id,
    "6.1.5": multiple_group_id,
    "6.1.6": contradicting_status,
    "6.1.29": remediation_without_product,
    "6.1.32": flag_without_product,
    "6.1.33": multiple_flags,
}
