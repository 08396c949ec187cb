"""Fast sort keys for version strings: SemVer, Debian, RPM and vendor (CPE) versions.

Each function turns one version string into a plain Python value (nested tuples of ints
and strings) whose ``<`` / ``==`` order is the ecosystem's version order, so that ranges
can be pre-built at ingest and checked with tuple comparisons (about 10x faster than
univers, see ``docs/matching-accuracy.md``). Every function raises ``ValueError`` on a
string it cannot order correctly; :mod:`medvigil.core.matching.versions` turns that into
:class:`~medvigil.core.matching.versions.InvalidVersionError`.
"""

from __future__ import annotations

import re

__all__ = ["debian_key", "int_tuple_key", "rpm_key", "semver_key", "vendor_key"]

_SEMVER_RE = re.compile(
    r"^\s*[v=]?\s*(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?\s*$"
)
_INT_DOTS_RE = re.compile(r"^\d+(?:\.\d+)*$")

SemverKey = tuple[int, int, int, tuple[object, ...]]
"""(major, minor, patch, pre) where ``pre`` is ``(1,)`` for a release, else ``(0, ids...)``."""


def _pre_identifiers(pre: str) -> tuple[object, ...]:
    ids: list[tuple[int, int | str]] = []
    for part in pre.split("."):
        if part.isdigit():
            if len(part) > 1 and part[0] == "0":
                raise ValueError(f"numeric pre-release identifier with leading zero: {part!r}")
            ids.append((0, int(part)))
        else:
            ids.append((1, part))
    return (0, *ids)


def semver_key(version: str) -> SemverKey:
    """Key in SemVer 2.0 precedence (section 11); build metadata is ignored.

    Accepts an optional leading ``v`` or ``=`` (npm "loose", Go tags). Numeric pre-release
    identifiers sort below alphanumeric ones and a release sorts above its pre-releases.
    """
    match = _SEMVER_RE.match(version)
    if match is None:
        raise ValueError(f"not a SemVer 2.0 version: {version!r}")
    major, minor, patch, pre = match.groups()
    pre_key: tuple[object, ...] = (1,) if pre is None else _pre_identifiers(pre)
    return (int(major), int(minor), int(patch), pre_key)


def int_tuple_key(version: str) -> tuple[int, ...]:
    """Key for plain dotted integers (``1.2.10``): a tuple of ints with trailing zeros kept."""
    if not _INT_DOTS_RE.match(version):
        raise ValueError(f"not a dotted-integer version: {version!r}")
    return tuple(int(p) for p in version.split("."))


# --- Debian (deb-version(7)) -------------------------------------------------------------

_DEB_UPSTREAM_RE = re.compile(r"^[0-9][A-Za-z0-9.+~:-]*$")
_DEB_REVISION_RE = re.compile(r"^[A-Za-z0-9.+~]+$")
_DIGITS_RE = re.compile(r"(\D*)(\d*)")


def _deb_char(c: str) -> int:
    """dpkg's ``order()``: ``~`` before the end of a part, letters before other characters."""
    if c == "~":
        return -1
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


_DEB_END = ((0,), 0)


def _deb_part_key(part: str) -> tuple[tuple[tuple[int, ...], int], ...]:
    """Alternating (non-digit run, digit run) pairs, then an end marker.

    Each non-digit run becomes its characters' ``order()`` values plus a 0 terminator, so a
    shorter run sorts first unless the longer one continues with ``~``. The first pair is
    always present (``""`` and ``"0"`` compare equal, as in dpkg).
    """
    pairs: list[tuple[tuple[int, ...], int]] = []
    for letters, digits in _DIGITS_RE.findall(part):
        if not letters and not digits:
            continue
        pairs.append(((*(_deb_char(c) for c in letters), 0), int(digits) if digits else 0))
    if not pairs:
        pairs.append(((0,), 0))
    pairs.append(_DEB_END)
    return tuple(pairs)


def debian_key(version: str) -> tuple[object, ...]:
    """Key in dpkg order: epoch (int), then upstream and revision by the dpkg algorithm."""
    text = version.strip()
    epoch = 0
    if ":" in text:
        epoch_text, text = text.split(":", 1)
        if not epoch_text.isdigit():
            raise ValueError(f"bad Debian epoch in {version!r}")
        epoch = int(epoch_text)
    upstream, sep, revision = text.rpartition("-")
    if not sep:
        upstream, revision = text, ""
    if not _DEB_UPSTREAM_RE.match(upstream) or (sep and not _DEB_REVISION_RE.match(revision)):
        raise ValueError(f"not a Debian version: {version!r}")
    return (epoch, _deb_part_key(upstream), _deb_part_key(revision))


# --- RPM (rpmvercmp, rpm >= 4.15 with ^) --------------------------------------------------

_RPM_TOKEN_RE = re.compile(r"~|\^|[0-9]+|[A-Za-z]+")
_RPM_TILDE, _RPM_END, _RPM_CARET, _RPM_ALPHA, _RPM_NUM = 0, 1, 2, 3, 4


def _rpm_part_key(part: str) -> tuple[tuple[int, int | str], ...]:
    """rpmvercmp as a key: ``~`` < end < ``^`` < letters < digits; separators are skipped."""
    tokens: list[tuple[int, int | str]] = []
    for tok in _RPM_TOKEN_RE.findall(part):
        if tok == "~":
            tokens.append((_RPM_TILDE, 0))
        elif tok == "^":
            tokens.append((_RPM_CARET, 0))
        elif tok[0].isdigit():
            tokens.append((_RPM_NUM, int(tok)))
        else:
            tokens.append((_RPM_ALPHA, tok))
    tokens.append((_RPM_END, 0))
    return tuple(tokens)


def rpm_key(version: str) -> tuple[object, ...]:
    """Key for ``[epoch:]version[-release]`` in rpm order (epoch, then rpmvercmp on each part).

    A missing release sorts below any release of the same version (rpm treats it as a
    wildcard only when comparing dependency ranges; for advisories a bare version is rare).
    """
    text = version.strip()
    if not text or any(c.isspace() for c in text):
        raise ValueError(f"not an RPM version: {version!r}")
    epoch = 0
    if ":" in text:
        epoch_text, text = text.split(":", 1)
        if not epoch_text.isdigit():
            raise ValueError(f"bad RPM epoch in {version!r}")
        epoch = int(epoch_text)
    ver, _, release = text.partition("-")
    if not ver:
        raise ValueError(f"not an RPM version: {version!r}")
    return (epoch, _rpm_part_key(ver), _rpm_part_key(release))


# --- vendor versions (CPE, CSAF product versions) -----------------------------------------

_VENDOR_TOKEN_RE = re.compile(r"[0-9]+|[a-z]+")
_PRE_WORDS = {"dev": 0, "alpha": 1, "a": 1, "beta": 2, "b": 2, "pre": 3, "preview": 3, "rc": 4, "cr": 4}
_V_PRE, _V_END, _V_ALPHA, _V_NUM = 0, 1, 2, 3


def vendor_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Generic key for vendor version strings such as ``2.4a``, ``1.0.0p1``, ``8.1 SP2``.

    The lower-cased string is split into digit runs and letter runs (anything else is a
    separator). Numbers compare numerically and above letters; a letter run that is a
    pre-release word (``alpha``, ``beta``, ``rc``, ``pre``, ``dev``) sorts below the end of
    the version only when it does not follow a number directly (``1.0 beta1`` < ``1.0``
    but ``2.4a`` > ``2.4``); other letter runs sort above the end (``8.1 SP2`` > ``8.1``).
    Trailing zeros of a run of numbers are dropped, so ``1.0`` == ``1.0.0`` and
    ``1.0 beta1`` < ``1.0``. A leading ``v`` before
    a digit is ignored.
    """
    text = version.strip().lower()
    if text.startswith("v") and text[1:2].isdigit():
        text = text[1:]
    tokens: list[tuple[int, int | str]] = []
    prev_end = -1
    for m in _VENDOR_TOKEN_RE.finditer(text):
        tok = m.group()
        if tok[0].isdigit():
            tokens.append((_V_NUM, int(tok)))
        elif tok in _PRE_WORDS and not (len(tok) == 1 and m.start() == prev_end):
            tokens.append((_V_PRE, _PRE_WORDS[tok]))
        else:
            tokens.append((_V_ALPHA, tok))
        prev_end = m.end()
    if not tokens:
        raise ValueError(f"no version components in {version!r}")
    tokens.append((_V_END, 0))
    return tuple(_strip_zero_runs(tokens))


def _strip_zero_runs(tokens: list[tuple[int, int | str]]) -> list[tuple[int, int | str]]:
    """Drop trailing zeros of each run of numbers, keeping the run's first number."""
    out: list[tuple[int, int | str]] = []
    run_start = 0
    for tok in tokens:
        if tok[0] != _V_NUM:
            while len(out) > run_start + 1 and out[-1] == (_V_NUM, 0):
                out.pop()
            out.append(tok)
            run_start = len(out)
        else:
            out.append(tok)
    return out
