"""pnpm ``pnpm-lock.yaml``, lockfile versions 5.x, 6.x and 9.x.

Package keys by version (peer-dependency suffixes are dropped; peer variants are one component):

* 5.x: ``/name/1.0.0``, ``/@scope/name/1.0.0_peer@2.0.0``
* 6.x: ``/name@1.0.0``, ``/@scope/name@1.0.0(peer@2.0.0)``
* 9.x: ``name@1.0.0`` in ``packages`` (metadata) and ``name@1.0.0(peer@2.0.0)`` in ``snapshots``
  (dependency edges).

Dev-only packages (``dev: true``, 5.x/6.x) are kept, marked ``scope="optional"``; 9.x does not
record dev-ness per package. ``file:``/``link:`` versions are local components; tarball or git URLs
are kept without a purl and warned about. Importers (``importers`` or the top-level
``dependencies``/``devDependencies`` of single-project 5.x/6.x files) give the edges of the
subject, which has an empty name because the lockfile does not name the project.
"""

from __future__ import annotations

from typing import Any, ClassVar

from medvigil.core.errors import SbomError
from medvigil.core.model import ParsedSbom
from medvigil.core.sbom.interface import SbomReader
from medvigil.core.sbom.lockfiles._common import (
    SUBJECT_REF,
    Inventory,
    base_name,
    expect_table,
    load_yaml,
    opt_str,
    pointer,
    subject_component,
)
from medvigil.core.sbom.lockfiles.npm_lock import integrity_hashes, non_registry_component, npm_component

_EDGE_FIELDS = ("dependencies", "optionalDependencies")
_ROOT_FIELDS = ("dependencies", "optionalDependencies", "devDependencies")


def parse_key(key: str, slash_style: bool) -> tuple[str, str]:
    """Return ``(name, version)`` of a ``packages``/``snapshots`` key, peer suffix removed."""
    body = key[1:] if key.startswith("/") else key
    if slash_style:
        name, _, version = body.rpartition("/")
        return name, version.split("_", 1)[0].split("(", 1)[0]
    body = body.split("(", 1)[0]
    cut = body.find("@", 1)
    if cut < 0:
        return body, ""
    return body[:cut], body[cut + 1 :]


def _is_registry_version(version: str) -> bool:
    return bool(version) and ":" not in version and "/" not in version


class PnpmLockReader(SbomReader):
    """pnpm ``pnpm-lock.yaml`` (5.x, 6.x, 9.x)."""

    format_id: ClassVar[str] = "pnpm-lock"
    label: ClassVar[str] = "pnpm pnpm-lock.yaml"

    def sniff(self, name: str, head: bytes) -> bool:
        """By file name, else a YAML ``lockfileVersion:`` key at the start of the document."""
        if base_name(name) in ("pnpm-lock.yaml", "shrinkwrap.yaml"):
            return True
        first = head.lstrip().split(b"\n", 1)[0]
        return first.startswith(b"lockfileVersion:")

    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse a pnpm lockfile; raise :class:`SbomError` naming the key of a bad entry."""
        doc = expect_table(load_yaml(data, source), source, "")
        lock_version = str(doc.get("lockfileVersion", ""))
        if not lock_version:
            raise SbomError("missing lockfileVersion", source=source, field="lockfileVersion")
        slash_style = lock_version.startswith(("5", "4", "3"))
        inv = Inventory()
        packages = expect_table(doc.get("packages") or {}, source, "/packages")
        ref_by_key = _read_packages(packages, slash_style, inv, source)
        graph = (
            expect_table(doc.get("snapshots") or {}, source, "/snapshots") if "snapshots" in doc else packages
        )
        for key, raw in graph.items():
            ref = ref_by_key.get(_plain(key, slash_style))
            if ref is not None and isinstance(raw, dict):
                _edges(ref, raw, _EDGE_FIELDS, slash_style, ref_by_key, inv)
        _root_edges(doc, slash_style, ref_by_key, inv, source)
        # pnpm-lock.yaml does not name the project: the subject exists only to anchor root edges.
        return inv.result(format_id=self.format_id, spec_version=lock_version, subject=subject_component(""))


def _plain(key: str, slash_style: bool) -> str:
    name, version = parse_key(key, slash_style)
    return f"{name}@{version}"


def _read_packages(
    packages: dict[str, Any], slash_style: bool, inv: Inventory, source: str
) -> dict[str, str]:
    ref_by_key: dict[str, str] = {}
    for key, raw in packages.items():
        loc = pointer("packages", key)
        entry = expect_table(raw, source, loc)
        key_name, key_version = parse_key(str(key), slash_style)
        name = opt_str(entry, "name", source, loc, numbers=True) or key_name
        version = opt_str(entry, "version", source, loc, numbers=True)
        if not name:
            raise SbomError("cannot read a package name from the key", source=source, location=loc)
        if _is_registry_version(key_version):
            resolution = entry.get("resolution")
            integrity = resolution.get("integrity", "") if isinstance(resolution, dict) else ""
            comp = npm_component(name, version or key_version, hashes=integrity_hashes(str(integrity)))
        else:
            comp = non_registry_component(name, version, key_version or str(key), inv, loc)
        ref_by_key[_plain(str(key), slash_style)] = inv.add(comp, dev=entry.get("dev") is True)
    return ref_by_key


def _target(dep: str, spec: Any, slash_style: bool) -> str:
    """The plain ``name@version`` key a dependency value points to."""
    value = str(spec.get("version", "")) if isinstance(spec, dict) else str(spec)
    if value.startswith("/") or (not slash_style and value.find("@", 1) > 0 and not value[0].isdigit()):
        return _plain(value, slash_style)  # an alias or a full key: ``/bar@1.0.0`` / ``bar@1.0.0``
    version = value.split("(", 1)[0]
    if slash_style:
        version = version.split("_", 1)[0]
    return f"{dep}@{version}"


def _edges(
    ref: str,
    raw: dict[str, Any],
    fields: tuple[str, ...],
    slash_style: bool,
    ref_by_key: dict[str, str],
    inv: Inventory,
) -> None:
    for field_name in fields:
        deps = raw.get(field_name)
        if not isinstance(deps, dict):
            continue
        for dep, spec in deps.items():
            target = ref_by_key.get(_target(str(dep), spec, slash_style))
            if target is not None:
                inv.edge(ref, target)


def _root_edges(
    doc: dict[str, Any], slash_style: bool, ref_by_key: dict[str, str], inv: Inventory, source: str
) -> None:
    """Edges from the subject: the ``.`` importer, or the top-level dependency maps."""
    importers = doc.get("importers")
    if importers is not None:
        root = expect_table(importers, source, "/importers").get(".")
        if isinstance(root, dict):
            _edges(SUBJECT_REF, root, _ROOT_FIELDS, slash_style, ref_by_key, inv)
        return
    _edges(SUBJECT_REF, doc, _ROOT_FIELDS, slash_style, ref_by_key, inv)
