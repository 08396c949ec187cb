"""Turn a CycloneDX document, in its JSON shape, into a :class:`ParsedSbom`.

Both CycloneDX readers use this: the JSON reader passes the decoded document, the XML reader
converts its tree into the same shape first. Counting rule: every entry of ``components``,
nested ones included, is one component; ``metadata.component`` is the ``subject`` and is not
counted, but components nested inside it are (their ``parent_ref`` is the subject's bom-ref).
A component without ``bom-ref`` gets a stable synthetic one (its purl, else
``group/name@version``, with ``#<index>`` appended if already taken) and a warning. Two
components with the same bom-ref are an error naming both (dependency edges could not tell them
apart). The walk stops at the component and nesting limits (:mod:`medvigil.core.sbom.limits`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from medvigil.core.errors import SbomError
from medvigil.core.model import (
    Component,
    ComponentType,
    Dependency,
    ExternalReference,
    Hash,
    ParsedSbom,
    SupportLevel,
)
from medvigil.core.sbom._common import TYPE_PROPERTY, component_type, dedupe, parse_datetime, support_fields
from medvigil.core.sbom.limits import DEFAULT_LIMITS, SbomLimits, too_deep, too_many_components

Path = tuple[str | int, ...]
Locator = Callable[[Path], str]
KNOWN_SPEC_VERSIONS = frozenset({"1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"})


def json_pointer(path: Path) -> str:
    """Render a path as a JSON pointer (``/components/12``)."""
    return "".join(f"/{p}" for p in path)


class _Builder:
    """Collects components in document order while walking the tree."""

    def __init__(self, source: str, locate: Locator, limits: SbomLimits = DEFAULT_LIMITS) -> None:
        self.source = source
        self.locate = locate
        self.limits = limits
        self.components: list[Component] = []
        self.warnings: list[str] = []
        self.used_refs: dict[str, tuple[Path, str, bool]] = {}
        """bom-ref -> (path, name, synthesised) of the component that has it."""
        self.missing_refs: list[str] = []
        self.algs = {
            "MD5": "MD5",
            "SHA-1": "SHA-1",
            "SHA-256": "SHA-256",
            "SHA-384": "SHA-384",
            "SHA-512": "SHA-512",
        }
        self.refs_cache: dict[tuple[str, str], ExternalReference] = {}
        self.types = {t.value: t for t in ComponentType}

    def error(self, message: str, path: Path, field: str = "") -> SbomError:
        return SbomError(message, source=self.source, location=self.locate(path), field=field)

    def component(self, raw: object, path: Path, parent_ref: str) -> Component:
        """Map one component object; ``path`` locates it for errors (hot path: keep it lean)."""
        if not isinstance(raw, dict):
            raise self.error("a component must be an object", path)
        get = raw.get
        name = get("name")
        if not isinstance(name, str) or not name.strip():
            raise self.error("component has no name", path, "name")
        version = get("version") or ""
        purl = get("purl") or None
        ref = get("bom-ref")
        synthetic = not isinstance(ref, str) or not ref
        if not isinstance(ref, str) or not ref:
            ref = self.synthetic_ref(raw, name, version, purl, path)
        elif ref in self.used_refs:
            raise self.duplicate_ref(ref, path, name)
        self.used_refs[ref] = (path, name, synthetic)
        cpe = get("cpe")
        cpes: tuple[str, ...] = (cpe,) if isinstance(cpe, str) and cpe else ()
        ctype = get("type")
        props: tuple[tuple[str, str], ...] = ()
        level, eos = SupportLevel.UNKNOWN, None
        if "properties" in raw:
            props = _properties(get("properties"))
            level, eos = support_fields(props, where=self.locate(path), warnings=self.warnings)
            cpes = dedupe([*cpes, *(v for n, v in props if n == "medvigil:cpe")])
            ctype = dict(props).get(TYPE_PROPERTY) or ctype
        return Component(
            name=name,
            version=str(version),
            group=str(get("group") or ""),
            purl=purl if isinstance(purl, str) else None,
            cpes=cpes,
            supplier=_supplier(raw),
            type=self.types.get(ctype) or component_type(ctype)
            if isinstance(ctype, str)
            else ComponentType.LIBRARY,
            hashes=self.hashes(get("hashes")),
            licenses=_licenses(get("licenses")),
            bom_ref=ref,
            parent_ref=parent_ref,
            description=str(get("description") or ""),
            support_level=level,
            end_of_support=eos,
            properties=props,
            external_references=self.ext_refs(get("externalReferences")),
            scope=str(get("scope") or ""),
        )

    def duplicate_ref(self, ref: str, path: Path, name: str) -> SbomError:
        """The error for a bom-ref already used, naming the first two components that share it."""
        first_path, first_name, synthetic = self.used_refs[ref]
        how = " (synthesised from its purl or name@version)" if synthetic else ""
        return self.error(
            f"bom-ref {ref!r} is used by two components: {first_name!r} at {self.locate(first_path)}"
            f"{how} and {name!r} here; bom-refs must be unique within a BOM",
            path,
            "bom-ref",
        )

    def hashes(self, raw: Any) -> tuple[Hash, ...]:
        """Hashes: a fast path for well-formed lists, the tolerant one otherwise."""
        if not raw:
            return ()
        algs = self.algs
        try:
            return tuple(
                [
                    Hash(algs.get(h["alg"]) or str(h["alg"]).upper(), str(h["content"]))
                    for h in raw
                    if h["content"]
                ]
            )
        except (TypeError, KeyError):
            return _hashes(raw)

    def ext_refs(self, raw: Any) -> tuple[ExternalReference, ...]:
        """External references, sharing one object per distinct (type, url) in the document."""
        if not raw:
            return ()
        cache = self.refs_cache
        try:
            out = []
            for r in raw:
                url = r["url"]
                if not url:
                    continue
                key = (r.get("type") or "other", url)
                found = cache.get(key)
                if found is None:
                    found = cache[key] = ExternalReference(type=str(key[0]), url=str(url))
                out.append(found)
            return tuple(out)
        except (TypeError, KeyError, AttributeError):
            return _ext_refs(raw)

    def synthetic_ref(self, raw: dict[str, Any], name: str, version: object, purl: object, path: Path) -> str:
        """Make a stable bom-ref for a component that has none."""
        if isinstance(purl, str) and purl:
            base = purl
        else:
            group = raw.get("group") or ""
            base = f"{group}/{name}@{version}" if group else f"{name}@{version}"
        ref = base if base not in self.used_refs else f"{base}#{len(self.components)}"
        self.missing_refs.append(self.locate(path))
        return ref


def _walk_ordered(builder: _Builder, items: object, path: Path, parent_ref: str) -> None:
    """Depth-first, document-order walk with an explicit stack (deep nesting cannot overflow)."""
    limits = builder.limits
    stack: list[tuple[object, Path, str, int, int]] = [(items, path, parent_ref, 0, 1)]
    while stack:
        entries, where, parent, start, depth = stack.pop()
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise builder.error("'components' must be an array", where)
        if depth > limits.max_depth and entries:
            raise too_deep(limits, source=builder.source, location=builder.locate((*where, 0)))
        for i in range(start, len(entries)):
            raw = entries[i]
            comp = builder.component(raw, (*where, i), parent)
            builder.components.append(comp)
            if len(builder.components) > limits.max_components:
                count = len(builder.components)
                raise too_many_components(
                    count, limits, source=builder.source, location=builder.locate((*where, i))
                )
            children = raw.get("components")
            if children:
                stack.append((entries, where, parent, i + 1, depth))
                stack.append((children, (*where, i, "components"), comp.bom_ref, 0, depth + 1))
                break


def _properties(raw: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list):
        return ()
    out = []
    for p in raw:
        if isinstance(p, dict):
            name = p.get("name")
            if isinstance(name, str):
                value = p.get("value")
                out.append((name, value if isinstance(value, str) else ""))
    return tuple(out)


def _supplier(raw: dict[str, Any]) -> str:
    for key in ("supplier", "manufacturer"):
        entity = raw.get(key)
        if isinstance(entity, dict):
            name = entity.get("name")
            if isinstance(name, str) and name:
                return name
    for key in ("publisher", "author"):
        value = raw.get(key)
        if isinstance(value, str) and value:
            return value
    authors = raw.get("authors")
    if isinstance(authors, list) and authors and isinstance(authors[0], dict):
        return str(authors[0].get("name") or "")
    return ""


def _hashes(raw: object) -> tuple[Hash, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        Hash(alg=str(h.get("alg", "")).upper(), value=str(h.get("content", "")))
        for h in raw
        if isinstance(h, dict) and h.get("content")
    )


def _licenses(raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list):
        return ()
    out: list[str] = []
    for entry in raw:
        if not isinstance(entry, dict):
            continue
        expression = entry.get("expression")
        if isinstance(expression, str):
            out.append(expression)
            continue
        lic = entry.get("license")
        if isinstance(lic, dict):
            out.append(str(lic.get("id") or lic.get("name") or ""))
    return dedupe(out)


def _ext_refs(raw: object) -> tuple[ExternalReference, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        ExternalReference(type=str(r.get("type") or "other"), url=str(r["url"]))
        for r in raw
        if isinstance(r, dict) and r.get("url")
    )


def _dependencies(builder: _Builder, raw: object) -> tuple[Dependency, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise builder.error("'dependencies' must be an array", ("dependencies",))
    out = []
    for i, dep in enumerate(raw):
        ref = dep.get("ref") if isinstance(dep, dict) else None
        if not isinstance(ref, str) or not ref:
            raise builder.error("dependency has no ref", ("dependencies", i), "ref")
        targets = dep.get("dependsOn") or []
        if not isinstance(targets, list):
            raise builder.error("'dependsOn' must be an array", ("dependencies", i, "dependsOn"))
        ids = tuple(targets)
        if not all(isinstance(t, str) for t in ids):
            raise builder.error("'dependsOn' must list bom-refs (strings)", ("dependencies", i, "dependsOn"))
        out.append(Dependency(ref=ref, depends_on=ids))
    return tuple(out)


def _authors(metadata: dict[str, Any]) -> tuple[str, ...]:
    names = [str(a.get("name") or "") for a in metadata.get("authors") or [] if isinstance(a, dict)]
    if not names:
        tools = metadata.get("tools") or []
        if isinstance(tools, dict):  # 1.5+: {"components": [...], "services": [...]}
            tools = [*(tools.get("components") or []), *(tools.get("services") or [])]
        names = [
            "Tool: " + " ".join(str(t.get(k)) for k in ("vendor", "name", "version") if t.get(k))
            for t in tools
            if isinstance(t, dict)
        ]
    return dedupe(names)


def build_cyclonedx(
    doc: dict[str, Any],
    *,
    source: str,
    fmt: str,
    locate: Locator = json_pointer,
    limits: SbomLimits = DEFAULT_LIMITS,
) -> ParsedSbom:
    """Map a CycloneDX document (JSON shape) to a :class:`ParsedSbom`."""
    builder = _Builder(source, locate, limits)
    spec = str(doc.get("specVersion") or "")
    if spec and spec not in KNOWN_SPEC_VERSIONS:
        builder.warnings.append(f"specVersion {spec!r} is not a CycloneDX version medvigil knows (1.0-1.7)")
    metadata = doc.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise builder.error("'metadata' must be an object", ("metadata",))
    metadata = metadata or {}
    subject = None
    if metadata.get("component") is not None:
        subject = builder.component(metadata["component"], ("metadata", "component"), "")
    if subject is not None:  # metadata comes first in the document
        nested = metadata["component"].get("components")
        _walk_ordered(builder, nested, ("metadata", "component", "components"), subject.bom_ref)
    _walk_ordered(builder, doc.get("components"), ("components",), "")
    if builder.missing_refs:
        builder.warnings.append(
            f"{len(builder.missing_refs)} component(s) had no bom-ref; synthesised from purl or "
            f"name@version (first at {builder.missing_refs[0]})"
        )
    return ParsedSbom(
        format=fmt,
        spec_version=spec,
        components=tuple(builder.components),
        subject=subject,
        dependencies=_dependencies(builder, doc.get("dependencies")),
        warnings=tuple(builder.warnings),
        serial_number=str(doc.get("serialNumber") or ""),
        created=parse_datetime(metadata.get("timestamp")),
        authors=_authors(metadata),
        name=subject.name if subject is not None else "",
    )
