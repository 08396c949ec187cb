"""CPE names inferred from a component's purl or name, for components that state none.

NVD names products ``vendor:product``; a purl names them ``type/namespace/name``. The two
line up often enough to be useful (``pkg:golang/github.com/gin-gonic/gin`` ->
``gin-gonic:gin``, ``pkg:pypi/django`` -> ``djangoproject:django`` does *not*) and wrong often
enough to be the top source of false positives in other scanners. So inference here is
conservative and always marked: every candidate is an exact ``vendor:product`` pair built from
the component's own coordinates, the engine only uses pairs that exist in the advisory index,
and matches found this way are ``cpe-inferred`` with a lower confidence (and can be switched off).
"""

from __future__ import annotations

import functools
import re

from medvigil.core.ids import purl_key
from medvigil.core.matching.cpe import Cpe
from medvigil.core.model.component import Component, ComponentType

__all__ = ["infer_cpes"]

_CPE_CHARS = re.compile(r"[^a-z0-9_.\-]+")
_PARTS = {
    ComponentType.OPERATING_SYSTEM: "o",
    ComponentType.FIRMWARE: "o",
    ComponentType.DEVICE: "h",
}


def _cpe_value(text: str) -> str:
    return _CPE_CHARS.sub("_", text.strip().lower()).strip("_")


@functools.lru_cache(maxsize=1 << 16)
def _variants(text: str) -> frozenset[str]:
    value = _cpe_value(text)
    return frozenset(v for v in (value, value.replace("-", "_"), value.replace("_", "-")) if v)


def _vendors(namespace: str, name: str, supplier: str) -> set[str]:
    vendors = set(_variants(name))
    segments = [s for s in namespace.split("/") if s]
    if segments:
        if segments[0] in ("github.com", "gitlab.com", "bitbucket.org") and len(segments) > 1:
            vendors |= _variants(segments[1])
        vendors |= _variants(segments[-1].lstrip("@"))
        if "." in segments[-1]:  # maven group org.apache.logging -> apache
            parts = segments[-1].split(".")
            vendors |= _variants(parts[1] if len(parts) > 1 else parts[0])
    if supplier:
        vendors |= _variants(supplier.split(",")[0])
    return vendors


def infer_cpes(component: Component) -> tuple[Cpe, ...]:
    """Candidate CPEs (``vendor:product`` guesses, the component's version) for a component."""
    return _infer(
        component.purl or "", component.version, component.group, component.name, component.type,
        component.supplier,
    )  # fmt: skip


@functools.lru_cache(maxsize=1 << 15)
def _infer(
    purl: str, component_version: str, group: str, component_name: str, ctype: ComponentType, supplier: str
) -> tuple[Cpe, ...]:
    """:func:`infer_cpes` on the fields it reads (cached: a scan asks twice per component)."""
    version = _cpe_value(component_version) or "*"
    namespace, name = group, component_name
    key = purl_key(purl) if purl else None
    if key is not None:
        namespace, name = key.namespace, key.name
        if not component_version and "@" in purl:
            version = _cpe_value(purl.rsplit("@", 1)[1].split("?")[0]) or "*"
    if not name or version in ("*", "-"):
        return ()
    part = _PARTS.get(ctype, "a")
    products = _variants(name)
    vendors = _vendors(namespace, name, supplier)
    return tuple(
        Cpe(part, vendor, product, version) for vendor in sorted(vendors) for product in sorted(products)
    )
