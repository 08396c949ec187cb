"""npm ``package-lock.json`` / ``npm-shrinkwrap.json`` (lockfile versions 1, 2 and 3).

* v2 and v3 are read from ``packages`` (keyed by install path, ``node_modules/a/node_modules/b``);
  the root entry ``""`` is the subject, not a component. v1 (no ``packages``) is read from the
  nested ``dependencies`` tree.
* ``link: true`` entries are skipped with a warning: the link target is listed under its own path.
  Paths outside ``node_modules`` (workspace members) and ``file:`` packages are local components
  without a purl.
* Aliases (``"foo": "npm:bar@1.0.0"``) are recorded under the real package (``bar``), with the
  alias name in the property ``medvigil:npm:alias``.
* Dev-only packages are kept (``scope="optional"``, see :mod:`._common`); ``inBundle``/``bundled``
  and ``optional`` become the properties ``medvigil:npm:bundled`` / ``medvigil:npm:optional``.
* Dependency edges (v2/v3 only) follow Node's resolution: a dependency of ``a/node_modules/b`` is
  looked up in ``a/node_modules/b/node_modules``, then up the tree to the top ``node_modules``.
* Entries without a version (v2/v3) or with a non-registry version (v1 git or tarball URLs) are
  warned about; the latter are kept without a purl.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any, ClassVar

from medvigil.core.errors import SbomError
from medvigil.core.model import Component, Hash, ParsedSbom
from medvigil.core.sbom.interface import SbomReader
from medvigil.core.sbom.lockfiles._common import (
    SUBJECT_REF,
    VCS_PROPERTY,
    Inventory,
    base_name,
    expect_table,
    load_json,
    local_component,
    npm_purl,
    opt_str,
    pointer,
    split_npm_name,
    subject_component,
)

_NAMES = ("package-lock.json", "npm-shrinkwrap.json", ".package-lock.json")
_FOREIGN = (b'"bomFormat"', b'"spdxVersion"', b'"@context"', b'"SPDXID"')
_LOCKFILE_VERSION = re.compile(rb'"lockfileVersion"\s*:\s*\d')
_NM = "node_modules/"
_HASH_ALGS = {"sha512": "SHA-512", "sha384": "SHA-384", "sha256": "SHA-256", "sha1": "SHA-1"}
_EDGE_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")


def integrity_hashes(integrity: str) -> tuple[Hash, ...]:
    """Turn an SRI ``integrity`` string (``sha512-<base64> ...``) into hex :class:`Hash` values."""
    out = []
    for token in integrity.split():
        alg, _, b64 = token.partition("-")
        name = _HASH_ALGS.get(alg.lower())
        if name is None:
            continue
        try:
            out.append(Hash(alg=name, value=base64.b64decode(b64, validate=True).hex()))
        except (binascii.Error, ValueError):
            continue
    return tuple(out)


def npm_component(
    name: str,
    version: str,
    *,
    alias: str = "",
    extra: tuple[tuple[str, str], ...] = (),
    hashes: tuple[Hash, ...] = (),
    licenses: tuple[str, ...] = (),
) -> Component:
    """A registry npm package as a component (scope in ``group``, purl as ``bom_ref``)."""
    group, bare = split_npm_name(name)
    purl = npm_purl(name, version)
    props = ((("medvigil:npm:alias", alias),) if alias and alias != name else ()) + extra
    return Component(
        name=bare,
        version=version,
        group=group,
        purl=purl,
        bom_ref=purl,
        properties=props,
        hashes=hashes,
        licenses=licenses,
    )


def _flags(entry: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    props: list[tuple[str, str]] = []
    if entry.get("inBundle") or entry.get("bundled"):
        props.append(("medvigil:npm:bundled", "true"))
    if entry.get("optional"):
        props.append(("medvigil:npm:optional", "true"))
    return tuple(props)


def non_registry_component(name: str, version: str, spec: str, inv: Inventory, loc: str) -> Component:
    """A package from a local path (local component) or from git / a tarball URL (no purl, warned)."""
    if spec.startswith(("file:", "link:", "workspace:")):
        return local_component(name, version, spec)
    inv.warn(loc, f"{name!r} comes from {spec!r}, not a registry; listed without a purl")
    group, bare = split_npm_name(name)
    return Component(
        name=bare,
        version=version,
        group=group,
        bom_ref=f"vcs:{name}@{spec}",
        properties=((VCS_PROPERTY, spec),),
    )


def _parse_alias(name: str, version: str) -> tuple[str, str, str]:
    """``("foo", "npm:bar@1.0.0")`` -> ``("bar", "1.0.0", "foo")``; otherwise unchanged, no alias."""
    if version.startswith("npm:"):
        real, _, real_version = version[4:].rpartition("@")
        if real:
            return real, real_version, name
    return name, version, ""


class PackageLockReader(SbomReader):
    """npm ``package-lock.json`` v1, v2 and v3."""

    format_id: ClassVar[str] = "package-lock"
    label: ClassVar[str] = "npm package-lock.json"

    def sniff(self, name: str, head: bytes) -> bool:
        """By file name, else JSON with ``lockfileVersion`` and no SBOM marker keys."""
        if base_name(name) in _NAMES:
            return True
        if not head.lstrip().startswith(b"{") or any(marker in head for marker in _FOREIGN):
            return False
        if _LOCKFILE_VERSION.search(head) is None:
            return False
        return any(key in head for key in (b'"packages"', b'"dependencies"', b'"name"'))

    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse a package-lock; raise :class:`SbomError` naming the JSON pointer of a bad entry."""
        doc = expect_table(load_json(data, source), source, "")
        version = doc.get("lockfileVersion")
        if not isinstance(version, int) or isinstance(version, bool):
            raise SbomError("missing or non-integer lockfileVersion", source=source, field="lockfileVersion")
        inv = Inventory()
        if "packages" in doc:
            packages = expect_table(doc["packages"], source, "/packages")
            root = packages.get("", {})
            subject = _subject(root if isinstance(root, dict) else {}, doc)
            _read_packages(packages, inv, source)
        else:
            subject = _subject({}, doc)
            deps = expect_table(doc.get("dependencies", {}), source, "/dependencies")
            _read_v1(deps, inv, source)
        return inv.result(
            format_id=self.format_id, spec_version=str(version), subject=subject, name=subject.name
        )


def _subject(root: dict[str, Any], doc: dict[str, Any]) -> Component:
    name = str(root.get("name") or doc.get("name") or "")
    group, bare = split_npm_name(name)
    return subject_component(bare, str(root.get("version") or doc.get("version") or ""), group=group)


def _read_packages(packages: dict[str, Any], inv: Inventory, source: str) -> None:
    """v2/v3: one pass for components, one for edges."""
    ref_by_path: dict[str, str] = {"": SUBJECT_REF}
    links: dict[str, str] = {}
    for path, raw in packages.items():
        if path == "":
            continue
        loc = pointer("packages", path)
        entry = expect_table(raw, source, loc)
        if entry.get("link"):
            target = opt_str(entry, "resolved", source, loc)
            links[path] = target
            inv.warn(loc, f"link to {target!r} skipped; the target is listed under its own path")
            continue
        comp = _package_component(path, entry, inv, source, loc)
        if comp is not None:
            ref_by_path[path] = inv.add(comp, dev=bool(entry.get("dev")))
    for path, target in links.items():
        if target in ref_by_path:
            ref_by_path[path] = ref_by_path[target]
    for path, raw in packages.items():
        ref = ref_by_path.get(path)
        if ref is not None and path not in links:
            _package_edges(path, ref, raw, ref_by_path, inv)


def _package_component(
    path: str, entry: dict[str, Any], inv: Inventory, source: str, loc: str
) -> Component | None:
    key_name = path.rpartition(_NM)[2] if _NM in path else ""
    name = opt_str(entry, "name", source, loc) or key_name or path
    version = opt_str(entry, "version", source, loc)
    resolved = opt_str(entry, "resolved", source, loc)
    if _NM not in path or resolved.startswith("file:"):
        return local_component(name, version, resolved or path)
    if not version:
        inv.warn(loc, f"{name!r} has no version; skipped")
        return None
    extra = _flags(entry)
    if resolved.startswith(("git+", "git:", "github:")):
        extra += ((VCS_PROPERTY, resolved),)
    hashes = integrity_hashes(opt_str(entry, "integrity", source, loc))
    license_id = entry.get("license")
    licenses = (license_id,) if isinstance(license_id, str) else ()
    return npm_component(name, version, alias=key_name, extra=extra, hashes=hashes, licenses=licenses)


def _package_edges(
    path: str, ref: str, raw: dict[str, Any], ref_by_path: dict[str, str], inv: Inventory
) -> None:
    fields = _EDGE_FIELDS + ("devDependencies",) if path == "" or _NM not in path else _EDGE_FIELDS
    for field in fields:
        deps = raw.get(field)
        if not isinstance(deps, dict):
            continue
        for dep in deps:
            target = _resolve(path, dep, ref_by_path)
            if target is not None:
                inv.edge(ref, target)


def _resolve(path: str, dep: str, ref_by_path: dict[str, str]) -> str | None:
    """Node's lookup: ``<path>/node_modules/<dep>``, then each ancestor, then the top level."""
    base = path
    while True:
        candidate = f"{base}/{_NM}{dep}" if base else f"{_NM}{dep}"
        found = ref_by_path.get(candidate)
        if found is not None:
            return found
        if not base:
            return None
        cut = base.rfind("/" + _NM)
        base = base[:cut] if cut >= 0 else ""


def _read_v1(deps: dict[str, Any], inv: Inventory, source: str) -> None:
    """v1: walk the nested ``dependencies`` tree without recursion."""
    stack: list[tuple[str, dict[str, Any]]] = [("/dependencies", deps)]
    while stack:
        prefix, level = stack.pop()
        for name, raw in level.items():
            loc = prefix + pointer(name)
            entry = expect_table(raw, source, loc)
            comp = _v1_component(name, entry, inv, source, loc)
            if comp is not None:
                inv.add(comp, dev=bool(entry.get("dev")))
            nested = entry.get("dependencies")
            if nested is not None:
                stack.append((loc + "/dependencies", expect_table(nested, source, loc + "/dependencies")))


def _v1_component(
    name: str, entry: dict[str, Any], inv: Inventory, source: str, loc: str
) -> Component | None:
    spec = opt_str(entry, "version", source, loc)
    if not spec:
        inv.warn(loc, f"{name!r} has no version; skipped")
        return None
    real, version, alias = _parse_alias(name, spec)
    if ":" in version or "/" in version:
        return non_registry_component(real, "", version, inv, loc)
    hashes = integrity_hashes(opt_str(entry, "integrity", source, loc))
    return npm_component(real, version, alias=alias, extra=_flags(entry), hashes=hashes)
