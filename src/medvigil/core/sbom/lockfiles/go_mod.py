"""Go modules: ``go.mod`` (format ``go-mod``) and ``go.sum`` (format ``go-sum``).

go.mod:

* every ``require`` (single line or block) is a component, ``// indirect`` ones with the property
  ``medvigil:go:indirect=true``; the ``module`` line is the subject, with edges to the direct
  (non-indirect) requirements;
* ``replace`` directives are applied (a versioned one wins over a version-less one): a module
  replacement becomes the replacing module@version (property ``medvigil:go:replaced`` keeps the
  original), a local-directory replacement becomes a local component without a purl;
* ``exclude``, ``retract``, ``go``, ``toolchain``, ``godebug``, ``tool`` and ``ignore`` do not
  change the inventory; unknown directives are warned about.

go.sum: one component per distinct ``module version`` that has a module-zip hash line (``<module>
<version> h1:...``). Lines for ``<version>/go.mod`` only record that the module's go.mod was
consulted during version selection, not that its code is in the build, so they yield nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from medvigil.core.errors import SbomError
from medvigil.core.model import Component, ParsedSbom
from medvigil.core.sbom.interface import SbomReader
from medvigil.core.sbom.lockfiles._common import (
    SUBJECT_REF,
    Inventory,
    base_name,
    decode_text,
    golang_purl,
    local_component,
    subject_component,
)

_TOKEN = re.compile(r'//.*$|"(?:[^"\\]|\\.)*"|`[^`]*`|\S+')
_MODULE_LINE = re.compile(rb"^module\s+\S+", re.MULTILINE)
_GO_LINE = re.compile(rb"^go\s+\d", re.MULTILINE)
_SUM_LINE = re.compile(rb"^\S+ v\S+ h\d+:\S+=\s*$", re.MULTILINE)
_IGNORED = frozenset({"go", "toolchain", "godebug", "exclude", "retract", "tool", "ignore"})
INDIRECT_PROPERTY = ("medvigil:go:indirect", "true")
"""Property of requirements marked ``// indirect``."""

_Replace = tuple[str, str]  # new path, new version ('' for a local directory)


def _tokens(line: str) -> tuple[list[str], str]:
    """Split one go.mod line into tokens (quotes removed) and its ``//`` comment text."""
    tokens: list[str] = []
    comment = ""
    for match in _TOKEN.finditer(line):
        token = match.group(0)
        if token.startswith("//"):
            comment = token[2:].strip()
            break
        tokens.append(token[1:-1] if token[0] in '"`' and len(token) > 1 else token)
    return tokens, comment


def statements(text: str, source: str) -> Iterator[tuple[int, str, list[str], str]]:
    """Yield ``(line, verb, args, comment)`` for each go.mod statement, block members included."""
    block: tuple[int, str] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        tokens, comment = _tokens(line)
        if not tokens:
            continue
        if block is not None:
            if tokens == [")"]:
                block = None
            else:
                yield number, block[1], tokens, comment
        elif tokens[1:] == ["(", ")"]:
            continue
        elif tokens[1:] == ["("]:
            block = (number, tokens[0])
        else:
            yield number, tokens[0], tokens[1:], comment
    if block is not None:
        raise SbomError(f"'{block[1]} (' block is not closed", source=source, location=f"line {block[0]}")


def _is_local(path: str) -> bool:
    return path.startswith(("./", "../", "/", ".\\", "..\\")) or path in (".", "..") or path[1:3] == ":\\"


def _parse_replace(number: int, args: list[str], source: str) -> tuple[str, str, _Replace]:
    """``old [v] => new [v]`` -> ``(old, old_version, (new, new_version))``."""
    if "=>" not in args:
        raise SbomError("replace without '=>'", source=source, location=f"line {number}", field="replace")
    cut = args.index("=>")
    left, right = args[:cut], args[cut + 1 :]
    if len(left) not in (1, 2) or len(right) not in (1, 2) or (len(right) == 1 and not _is_local(right[0])):
        raise SbomError(
            "expected 'module [version] => module version' or '=> ./dir'",
            source=source,
            location=f"line {number}",
            field="replace",
        )
    return left[0], left[1] if len(left) == 2 else "", (right[0], right[1] if len(right) == 2 else "")


class GoModReader(SbomReader):
    """Go ``go.mod`` requirements with replace directives applied."""

    format_id: ClassVar[str] = "go-mod"
    label: ClassVar[str] = "Go go.mod"

    def sniff(self, name: str, head: bytes) -> bool:
        """By file name, else ``module`` and ``go`` directives at line starts."""
        if base_name(name) == "go.mod":
            return True
        return _MODULE_LINE.search(head) is not None and _GO_LINE.search(head) is not None

    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse go.mod; raise :class:`SbomError` at the line of a malformed directive."""
        text = decode_text(data, source)
        inv = Inventory()
        module, go_version = "", ""
        requires: list[tuple[int, str, str, bool]] = []
        replaces: dict[tuple[str, str], _Replace] = {}
        for number, verb, args, comment in statements(text, source):
            if verb == "module" and len(args) == 1:
                module = args[0]
            elif verb == "go" and len(args) == 1:
                go_version = args[0]
            elif verb == "require":
                if len(args) != 2:
                    raise SbomError(
                        "expected 'module version'", source=source, location=f"line {number}", field="require"
                    )
                indirect = comment == "indirect" or comment.startswith("indirect;")
                requires.append((number, args[0], args[1], indirect))
            elif verb == "replace":
                old, old_version, new = _parse_replace(number, args, source)
                replaces[(old, old_version)] = new
            elif verb not in _IGNORED:
                inv.warn(f"line {number}", f"unknown or malformed directive {verb!r} ignored")
        for _number, path, version, indirect in requires:
            replacement = replaces.get((path, version)) or replaces.get((path, ""))
            ref = inv.add(_require_component(path, version, indirect, replacement))
            if not indirect:
                inv.edge(SUBJECT_REF, ref)
        subject = subject_component(module) if module else None
        return inv.result(format_id=self.format_id, spec_version=go_version, subject=subject, name=module)


def _require_component(path: str, version: str, indirect: bool, new: _Replace | None) -> Component:
    props: tuple[tuple[str, str], ...] = (INDIRECT_PROPERTY,) if indirect else ()
    if new is not None and not new[1]:
        local = local_component(path, "", new[0])
        return Component(name=local.name, bom_ref=local.bom_ref, properties=local.properties + props)
    if new is not None:
        props += (("medvigil:go:replaced", f"{path} {version}"),)
        path, version = new
    purl = golang_purl(path, version)
    return Component(name=path, version=version, purl=purl, bom_ref=purl, properties=props)


class GoSumReader(SbomReader):
    """Go ``go.sum``: modules whose code was downloaded (module-zip hash lines)."""

    format_id: ClassVar[str] = "go-sum"
    label: ClassVar[str] = "Go go.sum"

    def sniff(self, name: str, head: bytes) -> bool:
        """By file name, else a first line shaped ``module vX.Y.Z h1:...=``."""
        if base_name(name) in ("go.sum", "go.work.sum"):
            return True
        first = head.lstrip().split(b"\n", 1)[0]
        return _SUM_LINE.match(first) is not None

    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse go.sum; raise :class:`SbomError` at a line that is not ``module version hash``."""
        inv = Inventory()
        for number, line in enumerate(decode_text(data, source).splitlines(), 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 3 or not fields[1].startswith("v") or ":" not in fields[2]:
                raise SbomError("expected 'module version hash'", source=source, location=f"line {number}")
            path, version, _hash = fields
            if version.endswith("/go.mod"):
                continue
            purl = golang_purl(path, version)
            inv.add(Component(name=path, version=version, purl=purl, bom_ref=purl))
        return inv.result(format_id=self.format_id, spec_version="")
