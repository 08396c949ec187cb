"""Gradle version catalogs (``gradle/libs.versions.toml``).

* ``[libraries]``: ``"group:artifact:version"`` strings or tables with ``module = "group:artifact"`` or
  ``group``/``name``, and ``version = "1.0"``, ``version.ref = "alias"`` or a rich version
  ``{ strictly | require | prefer }``. Purl ``pkg:maven/group/artifact@version``.
* Rich versions take the first plain version among ``strictly``, ``require``, ``prefer``; ranges
  (``[1.0,2.0)``), dynamic (``1.+``, ``latest.release``) and missing versions or refs give a component
  with an empty version (purl without version) plus a warning, e.g. libraries whose version comes
  from a BOM platform.
* ``[plugins]`` are components too, since they run in the build: purl of the plugin marker artefact
  Gradle resolves (``pkg:maven/<id>/<id>.gradle.plugin@version``), ``scope="excluded"`` (not shipped
  in the product) and property ``medvigil:gradle:plugin``.
* ``[bundles]`` only group libraries and add nothing. A catalog is not a lockfile: it states what
  the build asks for, and transitive dependencies are not listed.
"""

from __future__ import annotations

from typing import Any, ClassVar

from medvigil.core.errors import SbomError
from medvigil.core.model import Component, ParsedSbom
from medvigil.core.sbom.interface import SbomReader
from medvigil.core.sbom.lockfiles._common import (
    Inventory,
    base_name,
    expect_table,
    load_toml,
    maven_purl,
    pointer,
)

PLUGIN_PROPERTY = "medvigil:gradle:plugin"
"""Property holding the Gradle plugin id of a ``[plugins]`` component."""
_RICH_KEYS = ("strictly", "require", "prefer")


def _plain(version: str) -> bool:
    """Whether ``version`` names one version (not a range or dynamic selector)."""
    return bool(version) and not (
        version[0] in "[](" or "," in version or version.endswith("+") or version.startswith("latest.")
    )


class GradleCatalogReader(SbomReader):
    """Gradle version catalog TOML."""

    format_id: ClassVar[str] = "gradle-catalog"
    label: ClassVar[str] = "Gradle version catalog (libs.versions.toml)"

    def sniff(self, name: str, head: bytes) -> bool:
        """By file name (``*.versions.toml``), else a TOML ``[libraries]`` table next to ``[versions]``."""
        if base_name(name).endswith(".versions.toml"):
            return True
        return b"\n[libraries]" in b"\n" + head and (b"\n[versions]" in b"\n" + head or b"module =" in head)

    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse a catalog; raise :class:`SbomError` naming ``/libraries/<alias>`` and the field."""
        doc = load_toml(data, source)
        versions = expect_table(doc.get("versions", {}), source, "/versions")
        inv = Inventory()
        for alias, raw in expect_table(doc.get("libraries", {}), source, "/libraries").items():
            loc = pointer("libraries", alias)
            inv.add(_library(raw, versions, inv, source, loc))
        for alias, raw in expect_table(doc.get("plugins", {}), source, "/plugins").items():
            loc = pointer("plugins", alias)
            inv.add(_plugin(raw, versions, inv, source, loc))
        return inv.result(format_id=self.format_id, spec_version="")


def resolve_version(value: Any, versions: dict[str, Any], inv: Inventory, loc: str) -> str:
    """A catalog version (string, ``{ref}`` or rich) as one plain version, '' (with a warning) if none."""
    if isinstance(value, dict) and "ref" in value:
        ref = str(value["ref"])
        if ref not in versions:
            inv.warn(loc, f"version.ref {ref!r} is not in [versions]; version left empty")
            return ""
        value = versions[ref]
    if isinstance(value, dict):
        candidates = [str(value[k]) for k in _RICH_KEYS if k in value]
        value = next((c for c in candidates if _plain(c)), candidates[0] if candidates else "")
    text = "" if value is None else str(value)
    if _plain(text):
        return text
    inv.warn(loc, f"no single version ({text or 'none given'}); version left empty")
    return ""


def _coordinates(raw: Any, source: str, loc: str) -> tuple[str, str, Any]:
    """``(group, artifact, version value)`` of a library entry."""
    if isinstance(raw, str):
        parts = raw.split(":")
        if len(parts) not in (2, 3) or not all(parts):
            raise SbomError("expected 'group:artifact[:version]'", source=source, location=loc)
        return parts[0], parts[1], parts[2] if len(parts) == 3 else None
    table = expect_table(raw, source, loc, "a string or table")
    module = table.get("module")
    if module is not None:
        group, sep, artifact = str(module).partition(":")
        if not sep or not group or not artifact or ":" in artifact:
            raise SbomError("expected 'group:artifact'", source=source, location=loc, field="module")
    else:
        group, artifact = str(table.get("group") or ""), str(table.get("name") or "")
        if not group or not artifact:
            raise SbomError(
                "needs 'module' or 'group' and 'name'", source=source, location=loc, field="module"
            )
    return group, artifact, table.get("version")


def _library(raw: Any, versions: dict[str, Any], inv: Inventory, source: str, loc: str) -> Component:
    group, artifact, value = _coordinates(raw, source, loc)
    version = resolve_version(value, versions, inv, loc)
    purl = maven_purl(group, artifact, version)
    return Component(name=artifact, version=version, group=group, purl=purl, bom_ref=purl)


def _plugin(raw: Any, versions: dict[str, Any], inv: Inventory, source: str, loc: str) -> Component:
    if isinstance(raw, str):
        plugin_id, _, value = raw.partition(":")
        version_value: Any = value or None
    else:
        table = expect_table(raw, source, loc, "a string or table")
        plugin_id, version_value = str(table.get("id") or ""), table.get("version")
    if not plugin_id:
        raise SbomError("plugin without an id", source=source, location=loc, field="id")
    version = resolve_version(version_value, versions, inv, loc)
    artifact = f"{plugin_id}.gradle.plugin"
    purl = maven_purl(plugin_id, artifact, version)
    return Component(
        name=artifact,
        version=version,
        group=plugin_id,
        purl=purl,
        bom_ref=purl,
        scope="excluded",
        properties=((PLUGIN_PROPERTY, plugin_id),),
    )
