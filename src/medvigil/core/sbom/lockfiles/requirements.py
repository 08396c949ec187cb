"""pip ``requirements.txt`` (and ``constraints.txt``) with pinned versions.

* Only pinned lines (exactly one ``==`` or ``===`` specifier without a wildcard) are components,
  purl ``pkg:pypi/<PEP 503 name>@<version>``; unpinned lines, URL or path requirements and
  ``-e`` editables are warnings, not components (they name no version to match).
* Extras and environment markers are kept as the properties ``medvigil:pip:extras`` and
  ``medvigil:pip:marker`` (markers are not evaluated: the file may serve several platforms).
* ``--hash`` options become :class:`Hash` values; ``\\`` continuations and ``#`` comments follow
  pip's rules; ``-r``/``-c`` includes are recorded as warnings and not followed (only this file's
  bytes are read); index and install options are ignored.
* A line that is not a valid PEP 508 requirement raises :class:`SbomError` at ``line N``.

Detection is by file name (``requirements*.txt``, ``*-requirements.txt``, ``constraints*.txt``,
``requirements/*.txt``) or, for any other name (``deps.txt``, an upload), by content: every line
of the head is a pip option or a requirement (``name[extras] <specifiers> ; marker``) and at
least one pins ``name==version``. Plain text has no marker, so the content rule is strict.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from medvigil.core.errors import SbomError
from medvigil.core.model import Component, Hash, ParsedSbom
from medvigil.core.sbom.interface import SbomReader
from medvigil.core.sbom.lockfiles._common import Inventory, base_name, decode_text, pypi_purl

_NAME = re.compile(r"^(.*[-_.])?(requirements|constraints)([-_.].*)?\.txt$")
_COMMENT = re.compile(r"(^|\s)#.*$")
_LINE_OPTION = re.compile(r"\s+--?[A-Za-z]")
_HASH = re.compile(r"--hash[=\s]\s*([A-Za-z0-9]+):([0-9A-Fa-f]+)")
_HASH_ALGS = {"sha256": "SHA-256", "sha384": "SHA-384", "sha512": "SHA-512", "md5": "MD5", "sha1": "SHA-1"}
_INCLUDES = frozenset({"-r", "--requirement", "-c", "--constraint"})
_EDITABLE = frozenset({"-e", "--editable"})
_IGNORED_OPTIONS = frozenset(
    {
        "-i", "--index-url", "--extra-index-url", "--no-index", "-f", "--find-links", "--trusted-host",
        "--pre", "--prefer-binary", "--require-hashes", "--only-binary", "--no-binary", "--use-feature",
        "--config-settings", "--global-option", "--hash",
    }
)  # fmt: skip
_PINS = frozenset({"==", "==="})
_SPEC = r"(===?|~=|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+"
_REQUIREMENT_LINE = re.compile(
    rf"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*(?:\[[A-Za-z0-9._,\s-]*\])?\s*"
    rf"(?:\(?\s*{_SPEC}(?:\s*,\s*{_SPEC})*\s*\)?|\s@\s*\S+)?\s*(?:;.*)?"
)
_PATH_OR_URL_LINE = re.compile(r"(?:\.{0,2}/|[A-Za-z][A-Za-z0-9+.-]*://)\S*(?:\s*;.*)?")
_PINNED_LINE = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*(?:\[[^\]]*\])?\s*===?\s*[A-Za-z0-9.+!_-]+\s*(?:;.*)?"
)


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(first line number, text)`` with comments removed and ``\\`` continuations joined."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = _COMMENT.sub("", raw)
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        joined = " ".join(part.strip() for part in pending).strip()
        pending = []
        if joined:
            yield start, joined
    if pending:
        joined = " ".join(part.strip() for part in pending).strip()
        if joined:
            yield start, joined


def _option(line: str) -> tuple[str, str]:
    """``--requirement=x.txt`` / ``-r x.txt`` / ``-rx.txt`` -> ``(option, argument)``."""
    head, _, rest = line.partition(" ")
    if head.startswith("--") and "=" in head:
        opt, _, arg = head.partition("=")
        return opt, arg
    if not head.startswith("--") and len(head) > 2:
        return head[:2], head[2:]
    return head, rest.strip()


class RequirementsReader(SbomReader):
    """pip requirements files (pinned lines only)."""

    format_id: ClassVar[str] = "requirements"
    label: ClassVar[str] = "pip requirements.txt"

    def sniff(self, name: str, head: bytes) -> bool:
        """By file name, else by content (see the module docstring)."""
        normal = name.replace("\\", "/").lower()
        if _NAME.match(base_name(name)) is not None or (
            "/requirements/" in f"/{normal}" and normal.endswith(".txt")
        ):
            return True
        return looks_pinned(head)

    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse a requirements file; raise :class:`SbomError` at ``line N`` for an invalid requirement."""
        inv = Inventory()
        for number, line in logical_lines(decode_text(data, source)):
            loc = f"line {number}"
            if line.startswith("-"):
                _handle_option(line, loc, inv)
                continue
            comp = _requirement(line, loc, inv, source)
            if comp is not None:
                inv.add(comp)
        return inv.result(format_id=self.format_id, spec_version="")


def looks_pinned(head: bytes) -> bool:
    """Whether ``head`` reads as a requirements file with at least one ``name==version`` line."""
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    if len(head) >= 65536:  # a cut head: its last line may be partial
        text = text.rsplit("\n", 1)[0]
    pinned = False
    for _, line in logical_lines(text):
        if line.startswith("-"):
            continue
        cut = _LINE_OPTION.search(line)
        spec = line[: cut.start()] if cut else line
        if _REQUIREMENT_LINE.fullmatch(spec.strip()) is None and not _PATH_OR_URL_LINE.fullmatch(
            spec.strip()
        ):
            return False
        pinned = pinned or _PINNED_LINE.fullmatch(spec.strip()) is not None
    return pinned


def _handle_option(line: str, loc: str, inv: Inventory) -> None:
    opt, arg = _option(line)
    if opt in _INCLUDES:
        inv.warn(loc, f"include {opt} {arg} not followed; read that file separately")
    elif opt in _EDITABLE:
        inv.warn(loc, f"editable requirement {arg!r} has no pinned version; not listed")
    elif opt not in _IGNORED_OPTIONS:
        inv.warn(loc, f"unknown option {opt!r} ignored")


def _requirement(line: str, loc: str, inv: Inventory, source: str) -> Component | None:
    cut = _LINE_OPTION.search(line)
    spec, options = (line[: cut.start()], line[cut.start() :]) if cut else (line, "")
    target = spec.split(";", 1)[0].strip()
    if target.startswith((".", "/")) or ("://" in target and "@" not in target.split("://", 1)[0]):
        inv.warn(loc, f"{spec.strip()!r} is a path or URL, not a named pinned requirement; not listed")
        return None
    # here, not at import: its grammar costs every fresh process (e.g. `medvigil scan`) ~25 ms
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(spec.strip())
    except InvalidRequirement as exc:
        raise SbomError(f"invalid requirement: {exc}", source=source, location=loc) from exc
    pins = list(req.specifier)
    if req.url or len(pins) != 1 or pins[0].operator not in _PINS or "*" in pins[0].version:
        shown = req.url or str(req.specifier) or "no version"
        inv.warn(loc, f"{req.name!r} is not pinned ({shown}); not listed")
        return None
    version = pins[0].version
    props: list[tuple[str, str]] = []
    if req.extras:
        props.append(("medvigil:pip:extras", ",".join(sorted(req.extras))))
    if req.marker is not None:
        props.append(("medvigil:pip:marker", str(req.marker)))
    hashes = tuple(
        Hash(alg=_HASH_ALGS.get(alg.lower(), alg.upper()), value=value.lower())
        for alg, value in _HASH.findall(options)
    )
    purl = pypi_purl(req.name, version)
    return Component(
        name=req.name, version=version, purl=purl, bom_ref=purl, hashes=hashes, properties=tuple(props)
    )
