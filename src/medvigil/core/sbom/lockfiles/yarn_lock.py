"""Yarn ``yarn.lock``: classic v1 (Yarn's own line format) and Berry v2+ (YAML with ``__metadata``).

* v1: each entry lists one or more specifiers (``"a@^1.0.0", "a@^1.1.0":``) and a resolved
  ``version``; alias specifiers (``foo@npm:bar@^1``) are recorded under the real package.
* Berry: the package is read from ``resolution`` (``name@npm:1.2.3``). ``workspace:.`` is the
  subject; other ``workspace:``, ``link:``, ``portal:`` and ``file:`` resolutions are local
  components without a purl; ``patch:`` resolutions are folded into the package they patch (the
  unpatched entry is in the lockfile too); git/http resolutions keep the npm purl of their
  ``version`` and carry ``medvigil:lockfile:vcs``.
* Edges come from each entry's ``dependencies`` and ``optionalDependencies``, resolved through the
  specifier lists. yarn.lock does not record dev-only packages, so no component is marked dev.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, ClassVar

from medvigil.core.errors import SbomError
from medvigil.core.model import Component, ParsedSbom
from medvigil.core.sbom.interface import SbomReader
from medvigil.core.sbom.lockfiles._common import (
    SUBJECT_REF,
    VCS_PROPERTY,
    Inventory,
    base_name,
    decode_text,
    expect_table,
    load_yaml,
    local_component,
    opt_str,
    pointer,
    subject_component,
)
from medvigil.core.sbom.lockfiles.npm_lock import integrity_hashes, npm_component

_V1_MARKER = b"# yarn lockfile v1"
_BERRY_MARKER = re.compile(rb"^__metadata:\s*$", re.MULTILINE)
_SPECIFIER = re.compile(r'"((?:[^"\\]|\\.)*)"|([^,"\s][^,]*)')
_LOCAL_PROTOCOLS = ("workspace:", "link:", "portal:", "file:")
_EDGE_FIELDS = ("dependencies", "optionalDependencies")


def split_descriptor(descriptor: str) -> tuple[str, str]:
    """``@scope/a@^1.0`` -> ``("@scope/a", "^1.0")`` (the first ``@`` after a leading scope ``@``)."""
    cut = descriptor.find("@", 1)
    if cut < 0:
        return descriptor, ""
    return descriptor[:cut], descriptor[cut + 1 :]


def _unquote(token: str) -> str:
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] == '"':
        return token[1:-1].replace('\\"', '"')
    return token


@dataclass(slots=True)
class _V1Entry:
    """One classic entry while parsing."""

    line: int
    specifiers: list[str]
    fields: dict[str, str] = field(default_factory=dict)
    deps: dict[str, str] = field(default_factory=dict)


class YarnLockReader(SbomReader):
    """Yarn ``yarn.lock`` classic v1 and Berry (v2+)."""

    format_id: ClassVar[str] = "yarn-lock"
    label: ClassVar[str] = "Yarn yarn.lock"

    def sniff(self, name: str, head: bytes) -> bool:
        """By file name, else the v1 banner or a Berry ``__metadata:`` block."""
        if base_name(name) == "yarn.lock":
            return True
        return _V1_MARKER in head or (_BERRY_MARKER.search(head) is not None and b"resolution:" in head)

    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse classic or Berry yarn.lock; raise :class:`SbomError` naming the line or key."""
        text = decode_text(data, source)
        if _BERRY_MARKER.search(data) is not None:
            return _read_berry(data, source, self.format_id)
        return _read_v1(text, source, self.format_id)


# --- classic v1 --------------------------------------------------------------------------------


def parse_v1(text: str, source: str) -> list[_V1Entry]:
    """Split a classic yarn.lock into entries; raise :class:`SbomError` at a malformed line."""
    entries: list[_V1Entry] = []
    block: dict[str, str] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if indent == 0:
            if not stripped.endswith(":"):
                raise SbomError(
                    "expected 'specifier[, specifier]:'", source=source, location=f"line {number}"
                )
            specs = [quoted or bare.strip() for quoted, bare in _SPECIFIER.findall(stripped[:-1])]
            entries.append(_V1Entry(line=number, specifiers=[s for s in specs if s]))
            block = None
        elif not entries:
            raise SbomError("indented line before the first entry", source=source, location=f"line {number}")
        elif indent == 2 and stripped.endswith(":"):
            block = entries[-1].deps if stripped[:-1] in _EDGE_FIELDS else {}
        elif indent == 2:
            key, _, value = stripped.partition(" ")
            entries[-1].fields[_unquote(key)] = _unquote(value)
            block = None
        elif indent == 4 and block is not None:
            key, _, value = stripped.partition(" ")
            block[_unquote(key)] = _unquote(value)
        else:
            raise SbomError("unexpected indentation", source=source, location=f"line {number}")
    return entries


def _read_v1(text: str, source: str, format_id: str) -> ParsedSbom:
    inv = Inventory()
    ref_by_spec: dict[str, str] = {}
    entries = parse_v1(text, source)
    for entry in entries:
        ref = _v1_add(entry, inv, source)
        for spec in entry.specifiers:
            ref_by_spec[spec] = ref
    for entry in entries:
        ref = ref_by_spec[entry.specifiers[0]] if entry.specifiers else ""
        for dep, rng in entry.deps.items():
            target = ref_by_spec.get(f"{dep}@{rng}")
            if target is not None and ref:
                inv.edge(ref, target)
    return inv.result(format_id=format_id, spec_version="1")


def _v1_add(entry: _V1Entry, inv: Inventory, source: str) -> str:
    loc = f"line {entry.line}"
    version = entry.fields.get("version", "")
    if not entry.specifiers:
        raise SbomError("entry without a specifier", source=source, location=loc)
    if not version:
        raise SbomError("entry without a version", source=source, location=loc, field="version")
    name, rng = split_descriptor(entry.specifiers[0])
    if rng.startswith("npm:"):
        name = split_descriptor(rng[4:])[0]
    if rng.startswith(("file:", "link:")):
        return inv.add(local_component(name, version, rng))
    resolved = entry.fields.get("resolved", "")
    extra = ((VCS_PROPERTY, resolved),) if resolved.startswith(("git+", "git:", "github:")) else ()
    hashes = integrity_hashes(entry.fields.get("integrity", ""))
    return inv.add(npm_component(name, version, extra=extra, hashes=hashes))


# --- Berry -------------------------------------------------------------------------------------


def _read_berry(data: bytes, source: str, format_id: str) -> ParsedSbom:
    doc = expect_table(load_yaml(data, source), source, "")
    meta = expect_table(doc.get("__metadata", {}), source, "/__metadata")
    inv = Inventory()
    subject: Component | None = None
    ref_by_desc: dict[str, str] = {}
    for key, raw in doc.items():
        if key == "__metadata":
            continue
        loc = pointer(key)
        entry = expect_table(raw, source, loc)
        ref, root = _berry_add(entry, inv, source, loc)
        if root is not None:
            subject = root
        if ref:
            for descriptor in str(key).split(","):
                ref_by_desc[descriptor.strip()] = ref
    for key, raw in doc.items():
        own = ref_by_desc.get(str(key).split(",")[0].strip())
        if own is not None and key != "__metadata":
            _berry_edges(own, raw, ref_by_desc, inv)
    return inv.result(
        format_id=format_id,
        spec_version=str(meta.get("version", "")),
        subject=subject,
        name=subject.name if subject else "",
    )


def _berry_add(entry: dict[str, Any], inv: Inventory, source: str, loc: str) -> tuple[str, Component | None]:
    """Add one Berry entry; return its bom_ref ('' when skipped) and the subject when it is the root."""
    resolution = opt_str(entry, "resolution", source, loc, numbers=True)
    version = opt_str(entry, "version", source, loc, numbers=True)
    if not resolution:
        raise SbomError("entry without a resolution", source=source, location=loc, field="resolution")
    name, ref = split_descriptor(resolution)
    if version.endswith("-use.local"):
        version = ""  # Berry's placeholder for workspaces, which have no resolved version
    if ref == "workspace:.":
        return SUBJECT_REF, subject_component(name, version)
    if ref.startswith(_LOCAL_PROTOCOLS):
        return inv.add(local_component(name, version, ref)), None
    if ref.startswith("patch:"):
        inner = urllib.parse.unquote(ref[len("patch:") :].split("#", 1)[0])
        name, ref = split_descriptor(inner)
    if ref.startswith("npm:"):
        return inv.add(npm_component(name, ref[4:])), None
    if not version:
        inv.warn(loc, f"{resolution!r} has no version; skipped")
        return "", None
    return inv.add(npm_component(name, version, extra=((VCS_PROPERTY, ref),))), None


def _berry_edges(ref: str, raw: dict[str, Any], ref_by_desc: dict[str, str], inv: Inventory) -> None:
    for field_name in _EDGE_FIELDS:
        deps = raw.get(field_name)
        if not isinstance(deps, dict):
            continue
        for dep, rng in deps.items():
            rng = str(rng)
            descriptor = f"{dep}@{rng}" if ":" in rng else f"{dep}@npm:{rng}"
            target = ref_by_desc.get(descriptor)
            if target is not None:
                inv.edge(ref, target)
