"""Shared helpers of the lockfile readers: loading, purls, locations and the component collector.

Conventions every lockfile reader follows (the lead's counting rule and our choices):

* one :class:`Component` per distinct purl, in first-seen document order; its ``bom_ref`` is the purl;
* packages that are not from a registry but from the project itself (workspace members, local paths,
  ``file:``/``link:`` protocols) are kept as components *without* a purl (a registry purl would
  point at an unrelated public package) and carry the property ``medvigil:lockfile:local``; their
  ``bom_ref`` is ``local:<name>@<version>``;
* development-only packages are kept, with ``scope="optional"`` and the property
  ``medvigil:lockfile:dev=true``; a package counts as dev only when every occurrence is dev;
* warnings are ``"<location>: <message>"`` strings, location being a JSON pointer or ``line N``.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from typing import Any

import orjson
from packageurl import PackageURL

from medvigil.core._json import json_error
from medvigil.core.errors import SbomError
from medvigil.core.model import Component, ComponentType, Dependency, ParsedSbom

DEV_PROPERTY = ("medvigil:lockfile:dev", "true")
"""Property added to development-only components (besides ``scope="optional"``)."""
LOCAL_PROPERTY = "medvigil:lockfile:local"
"""Property naming the local path or protocol of a non-registry, first-party package."""
VCS_PROPERTY = "medvigil:lockfile:vcs"
"""Property holding the VCS source of a package fetched from git rather than a registry."""
SUBJECT_REF = "lockfile:root"
"""bom_ref of the subject (the project the lockfile belongs to) in dependency edges."""

_COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz", ".zst")
_PEP503 = re.compile(r"[-_.]+")
_TOML_LINE = re.compile(r"at line (\d+)")


def base_name(name: str) -> str:
    """Return the lower-cased file name of ``name`` without directories or a compression suffix."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    for suffix in _COMPRESSION_SUFFIXES:
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def pointer(*parts: str | int) -> str:
    """Build a JSON pointer (RFC 6901) from path segments."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def pep503(name: str) -> str:
    """Normalise a Python distribution name as PEP 503 does (``Foo_Bar.baz`` -> ``foo-bar-baz``)."""
    return _PEP503.sub("-", name).lower()


# --- purls -------------------------------------------------------------------------------------


_PLAIN = re.compile(r"[A-Za-z0-9._\-]+")
_PLAIN_LOWER = re.compile(r"[a-z0-9._\-]+")


def _purl(kind: str, namespace: str, name: str, version: str) -> str:
    """Build a purl string; plain ASCII parts skip packageurl-python (same output, about 10x faster).

    ``test_purl_fast_path_matches_packageurl`` checks the fast path against the library.
    """
    lower = _PLAIN_LOWER if kind == "npm" else _PLAIN
    if lower.fullmatch(name) and (not version or _PLAIN.fullmatch(version)):
        if not namespace:
            return f"pkg:{kind}/{name}@{version}" if version else f"pkg:{kind}/{name}"
        if all(lower.fullmatch(seg.removeprefix("@")) for seg in namespace.split("/")):
            ns = namespace.replace("@", "%40")
            return f"pkg:{kind}/{ns}/{name}@{version}" if version else f"pkg:{kind}/{ns}/{name}"
    return PackageURL(type=kind, namespace=namespace or None, name=name, version=version or None).to_string()


def npm_purl(name: str, version: str) -> str:
    """Purl of an npm package; ``name`` may carry its scope (``@babel/core``)."""
    scope, _, bare = name.rpartition("/")
    return _purl("npm", scope, bare, version)


def pypi_purl(name: str, version: str) -> str:
    """Purl of a PyPI distribution, name PEP 503-normalised."""
    return _purl("pypi", "", pep503(name), version)


def golang_purl(module: str, version: str) -> str:
    """Purl of a Go module (``pkg:golang/github.com/foo/bar@v1.2.3``)."""
    namespace, _, name = module.rpartition("/")
    return _purl("golang", namespace, name, version)


def maven_purl(group: str, artifact: str, version: str) -> str:
    """Purl of a Maven artifact (``pkg:maven/group/artifact@version``)."""
    return _purl("maven", group, artifact, version)


def cargo_purl(name: str, version: str) -> str:
    """Purl of a Rust crate (``pkg:cargo/name@version``)."""
    return _purl("cargo", "", name, version)


def split_npm_name(name: str) -> tuple[str, str]:
    """Split ``@scope/name`` into ``("@scope", "name")``; unscoped names get an empty group."""
    if name.startswith("@") and "/" in name:
        scope, _, bare = name.partition("/")
        return scope, bare
    return "", name


def subject_component(name: str, version: str = "", *, group: str = "") -> Component:
    """The project a lockfile belongs to (``ParsedSbom.subject``); not counted as a component."""
    return Component(
        name=name, version=version, group=group, type=ComponentType.APPLICATION, bom_ref=SUBJECT_REF
    )


def local_component(name: str, version: str, where: str, *, group: str = "") -> Component:
    """A first-party package that is not fetched from a registry: no purl, marked local."""
    return Component(
        name=name,
        version=version,
        group=group,
        bom_ref=f"local:{group + '/' if group else ''}{name}" + (f"@{version}" if version else ""),
        properties=((LOCAL_PROPERTY, where),),
    )


# --- loading -----------------------------------------------------------------------------------


def decode_text(data: bytes, source: str) -> str:
    """Decode UTF-8 (a BOM is allowed) or raise :class:`SbomError` at the offending byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SbomError("not UTF-8 text", source=source, location=f"line {line}") from exc


def load_json(data: bytes, source: str) -> Any:
    """Parse JSON with orjson; a syntax error becomes :class:`SbomError` at ``line N``."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        reason, where = json_error(data, exc)
        raise SbomError(f"invalid JSON: {reason}", source=source, location=where) from exc


def load_toml(data: bytes, source: str) -> dict[str, Any]:
    """Parse TOML with tomllib; a syntax error becomes :class:`SbomError` at ``line N``."""
    text = decode_text(data, source)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        location = f"line {found.group(1)}" if found else ""
        raise SbomError(f"invalid TOML: {exc}", source=source, location=location) from exc


def load_yaml(data: bytes, source: str) -> Any:
    """Parse YAML with the shared safe loader (alias expansion capped); errors become :class:`SbomError`."""
    import yaml  # here, not at import: PyYAML costs every fresh process (e.g. `scan`) ~20 ms

    from medvigil.core.sbom import _yaml

    text = decode_text(data, source)
    try:
        return _yaml.load_yaml(text, source=source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        location = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SbomError(f"invalid YAML: {problem}", source=source, location=location) from exc


def expect_table(value: Any, source: str, location: str, what: str = "an object") -> dict[str, Any]:
    """Return ``value`` when it is a mapping, else raise :class:`SbomError` at ``location``."""
    if not isinstance(value, dict):
        raise SbomError(f"expected {what}, found {type(value).__name__}", source=source, location=location)
    return value


def opt_str(table: dict[str, Any], key: str, source: str, location: str, *, numbers: bool = False) -> str:
    """Return ``table[key]`` as a string ('' when absent); raise when present but not a string.

    ``numbers=True`` (YAML readers) accepts a number and returns its text, since YAML reads an
    unquoted ``version: 1.2`` as a float.
    """
    value = table.get(key)
    if value is None:
        return ""
    if numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise SbomError(
            f"expected a string, found {type(value).__name__}", source=source, location=location, field=key
        )
    return value


# --- collecting --------------------------------------------------------------------------------


class Inventory:
    """Collects components (deduplicated by ``bom_ref``), dependency edges and warnings."""

    def __init__(self) -> None:
        """Start empty."""
        self._components: dict[str, Component] = {}
        self._dev: dict[str, bool] = {}
        self._edges: dict[str, dict[str, None]] = {}
        self.warnings: list[str] = []

    def __contains__(self, ref: object) -> bool:
        """Whether a component with this ``bom_ref`` was added."""
        return ref in self._components

    def add(self, component: Component, *, dev: bool = False) -> str:
        """Add ``component`` unless its ``bom_ref`` is known; return the ``bom_ref``."""
        ref = component.bom_ref
        if ref in self._components:
            self._dev[ref] = self._dev[ref] and dev
        else:
            self._components[ref] = component
            self._dev[ref] = dev
        return ref

    def edge(self, ref: str, target: str) -> None:
        """Record that ``ref`` depends on ``target`` (duplicates and self-loops are dropped)."""
        if ref != target:
            self._edges.setdefault(ref, {})[target] = None

    def warn(self, location: str, message: str) -> None:
        """Record a non-fatal problem at ``location``."""
        self.warnings.append(f"{location}: {message}" if location else message)

    def components(self) -> tuple[Component, ...]:
        """The collected components, dev-only ones marked ``scope="optional"``."""
        out = []
        for ref, comp in self._components.items():
            if self._dev[ref]:
                comp = dataclasses.replace(
                    comp, scope="optional", properties=(*comp.properties, DEV_PROPERTY)
                )
            out.append(comp)
        return tuple(out)

    def result(
        self, *, format_id: str, spec_version: str, subject: Component | None = None, name: str = ""
    ) -> ParsedSbom:
        """Build the :class:`ParsedSbom`."""
        deps = tuple(Dependency(ref=ref, depends_on=tuple(targets)) for ref, targets in self._edges.items())
        return ParsedSbom(
            format=format_id,
            spec_version=spec_version,
            components=self.components(),
            subject=subject,
            dependencies=deps,
            warnings=tuple(self.warnings),
            name=name,
        )
