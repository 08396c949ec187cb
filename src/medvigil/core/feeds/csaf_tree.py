"""Flattening of a CSAF 2.0 ``product_tree`` into :class:`CsafProduct` values by product id.

Branches are walked depth first; each product keeps its branch path and the names of the
nearest ``vendor``, ``product_name`` (or ``product_family``), ``product_version`` and
``product_version_range`` branches. ``full_product_names`` are taken as they are, and each
``relationships`` entry defines a composite product (e.g. "X as default component of Y") whose
helpers and branch facts are those of its ``product_reference``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from medvigil.core.feeds._io import JsonObj, strings
from medvigil.core.model.advisory import CsafProduct, ProductHelpers

_BRANCH_FIELDS = {
    "vendor": "vendor",
    "product_name": "product_name",
    "product_family": "product_family",
    "product_version": "product_version",
    "product_version_range": "product_version_range",
}


@dataclass(slots=True)
class ProductTree:
    """The products and product groups of one CSAF document."""

    products: dict[str, CsafProduct] = field(default_factory=dict)
    """Products by id (first definition wins)."""
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Product group id -> product ids."""
    duplicates: list[str] = field(default_factory=list)
    """Product ids defined more than once (CSAF mandatory test 6.1.2)."""

    def add(self, product: CsafProduct) -> None:
        """Register ``product``, noting a second definition of its id."""
        if product.product_id in self.products:
            self.duplicates.append(product.product_id)
        else:
            self.products[product.product_id] = product

    def expand(self, product_ids: Any, group_ids: Any = None) -> tuple[str, ...]:
        """Return ``product_ids`` plus the members of ``group_ids``, de-duplicated, in order."""
        ids = list(strings(product_ids))
        for group in strings(group_ids):
            ids.extend(self.groups.get(group, ()))
        return tuple(dict.fromkeys(ids))


def product_tree(tree: JsonObj | None) -> ProductTree:
    """Flatten a ``product_tree`` object."""
    result = ProductTree()
    if not tree:
        return result
    for product in _walk(tree.get("branches") or (), ()):
        result.add(product)
    for full in tree.get("full_product_names") or ():
        result.add(_product(full, ()))
    for rel in tree.get("relationships") or ():
        composite = _relationship(rel, result.products)
        if composite:
            result.add(composite)
    for group in tree.get("product_groups") or ():
        result.groups[str(group.get("group_id", ""))] = strings(group.get("product_ids"))
    return result


def _walk(branches: Any, path: tuple[tuple[str, str], ...]) -> Iterator[CsafProduct]:
    for branch in branches:
        here = (*path, (str(branch.get("category", "")), str(branch.get("name", ""))))
        if isinstance(branch.get("product"), dict):
            yield _product(branch["product"], here)
        yield from _walk(branch.get("branches") or (), here)


def _product(full: JsonObj, path: tuple[tuple[str, str], ...]) -> CsafProduct:
    facts: dict[str, str] = {}
    for category, name in path:
        key = _BRANCH_FIELDS.get(category)
        if key:
            facts[key] = name
    return CsafProduct(
        product_id=str(full.get("product_id", "")),
        name=str(full.get("name", "")),
        helpers=helpers(full.get("product_identification_helper")),
        branch_path=path,
        vendor=facts.get("vendor"),
        product_name=facts.get("product_name") or facts.get("product_family"),
        product_version=facts.get("product_version"),
        product_version_range=facts.get("product_version_range"),
    )


def _relationship(rel: JsonObj, known: dict[str, CsafProduct]) -> CsafProduct | None:
    full = rel.get("full_product_name")
    if not isinstance(full, dict):
        return None
    reference = str(rel.get("product_reference", ""))
    relates_to = str(rel.get("relates_to_product_reference", ""))
    base = known.get(reference)
    own = _product(full, ())
    link = (str(rel.get("category", "")), reference, relates_to)
    if base is None:
        return replace(own, relationship=link)
    return replace(
        base,
        product_id=own.product_id,
        name=own.name,
        helpers=own.helpers or base.helpers,
        relationship=link,
    )


def helpers(helper: Any) -> ProductHelpers | None:
    """Map a ``product_identification_helper`` object (None when absent)."""
    if not isinstance(helper, dict) or not helper:
        return None
    hashes = tuple(
        (str(h.get("filename", "")), str(fh.get("algorithm", "")), str(fh.get("value", "")))
        for h in helper.get("hashes") or ()
        for fh in h.get("file_hashes") or ()
    )
    return ProductHelpers(
        cpe=helper.get("cpe"),
        purl=helper.get("purl"),
        model_numbers=strings(helper.get("model_numbers")),
        sbom_urls=strings(helper.get("sbom_urls")),
        serial_numbers=strings(helper.get("serial_numbers")),
        skus=strings(helper.get("skus")),
        x_generic_uris=tuple(
            (str(u.get("namespace", "")), str(u.get("uri", ""))) for u in helper.get("x_generic_uris") or ()
        ),
        hashes=hashes,
    )
