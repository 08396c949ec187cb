"""Mandatory tests on ``/document/tracking``: version, status and revision history.

6.1.14 sorted revision history, 6.1.16 latest document version, 6.1.17 draft status,
6.1.18 released revision history, 6.1.19 pre-release revision numbers, 6.1.20 non-draft
document version, 6.1.21 missing revision, 6.1.22 revision number twice, 6.1.30 mixed integer
and semantic versioning.

Versions are either integers (``0``, ``1``, ...) or semantic versions (``1.2.0-rc.1+build``);
build metadata never counts, and an integer ``n`` compares as ``n.0.0``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from medvigil.core.csaf._doc import CsafDoc, Finding, arr, instant, obj

INTEGER = re.compile(r"^(0|[1-9][0-9]*)$")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
_NEVER = (dt.datetime.min.replace(tzinfo=dt.UTC), Decimal(0))

PreKey = tuple[tuple[int, int, str], ...]


@dataclass(frozen=True, slots=True)
class Version:
    """A CSAF document version (integer or semantic)."""

    text: str
    semantic: bool
    major: int
    minor: int
    patch: int
    pre: str
    """Pre-release part (``rc.1``), ``""`` if none."""

    @classmethod
    def parse(cls, value: object) -> Version | None:
        """Parse an integer or semantic version; ``None`` for anything else."""
        if not isinstance(value, str):
            return None
        if INTEGER.match(value):
            return cls(value, False, int(value), 0, 0, "")
        match = SEMVER.match(value)
        if not match:
            return None
        major, minor, patch, pre, _build = match.groups()
        return cls(value, True, int(major), int(minor), int(patch), pre or "")

    @property
    def key(self) -> tuple[int, int, int, int, PreKey]:
        """Semantic-versioning precedence (a release sorts after its pre-releases)."""
        pre: PreKey = tuple(
            (0, int(part), "") if part.isdigit() else (1, 0, part) for part in self.pre.split(".") if self.pre
        )
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, pre)

    @property
    def without_build(self) -> str:
        """The version without ``+build`` metadata."""
        return self.text.split("+", 1)[0]

    @property
    def without_pre(self) -> str:
        """The version without pre-release part nor build metadata."""
        return self.without_build.split("-", 1)[0]

    @property
    def is_zero(self) -> bool:
        """``0`` or ``0.y.z``: a version before the first release."""
        return self.major == 0


@dataclass(frozen=True, slots=True)
class Revision:
    """One revision history item."""

    pointer: str
    number: Version | None
    raw_number: object
    when: tuple[dt.datetime, Decimal] | None
    """The date; ``None`` when it is not a timestamp (the item is then left out of date order)."""


def _revisions(doc: CsafDoc) -> list[Revision]:
    found = []
    for i, item in enumerate(arr(doc.tracking.get("revision_history"))):
        item = obj(item)
        found.append(
            Revision(
                pointer=f"/document/tracking/revision_history/{i}",
                number=Version.parse(item.get("number")),
                raw_number=item.get("number"),
                when=instant(item.get("date")),
            )
        )
    return found


def _by_date(revisions: list[Revision]) -> list[Revision]:
    """Revisions sorted ascending by date, then by number (items of the same date may be in any order)."""
    return sorted(
        (r for r in revisions if r.number is not None and r.when is not None),
        key=lambda r: (r.when or _NEVER, r.number.key if r.number else ()),
    )


def _status(doc: CsafDoc) -> str:
    return str(doc.tracking.get("status", ""))


def _version(doc: CsafDoc) -> Version | None:
    return Version.parse(doc.tracking.get("version"))


def sorted_revision_history(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.14: sorted by date, the revision numbers ascend."""
    previous: Revision | None = None
    for revision in _by_date(_revisions(doc)):
        assert revision.number is not None
        if previous is not None and previous.number is not None and revision.number.key < previous.number.key:
            yield (
                f"{revision.pointer}/number",
                f"revision {revision.number.text!r} is dated after revision {previous.number.text!r}",
            )
        previous = revision


def latest_document_version(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.16: the document version is the number of the latest revision (build metadata ignored)."""
    version = _version(doc)
    revisions = _by_date(_revisions(doc))
    if version is None or not revisions or revisions[-1].number is None:
        return
    latest = revisions[-1].number
    draft = _status(doc) == "draft"
    got = version.without_pre if draft else version.without_build
    want = latest.without_pre if draft else latest.without_build
    if got != want:
        yield (
            "/document/tracking/version",
            f"version {version.text!r} is not the latest revision {latest.text!r}",
        )


def document_status_draft(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.17: a version 0, 0.y.z or with a pre-release part has status draft."""
    version = _version(doc)
    if version and (version.is_zero or version.pre) and _status(doc) != "draft":
        yield (
            "/document/tracking/status",
            f"status is {_status(doc)!r} but version {version.text!r} is only allowed in a draft",
        )


def released_revision_history(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.18: a final or interim document has no revision 0 or 0.y.z."""
    if _status(doc) not in ("final", "interim"):
        return
    for revision in _revisions(doc):
        if revision.number and revision.number.is_zero:
            yield (
                f"{revision.pointer}/number",
                f"revision {revision.number.text!r} is not allowed in a {_status(doc)} document",
            )


def prerelease_revision(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.19: no revision number has a pre-release part."""
    for revision in _revisions(doc):
        if revision.number and revision.number.pre:
            yield f"{revision.pointer}/number", f"revision {revision.number.text!r} is a pre-release"


def non_draft_version(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.20: a final or interim document's version has no pre-release part."""
    version = _version(doc)
    if version and version.pre and _status(doc) in ("final", "interim"):
        yield (
            "/document/tracking/version",
            f"version {version.text!r} is a pre-release but status is {_status(doc)!r}",
        )


def missing_revision(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.21: sorted by date, revisions start at (major) version 0 or 1 and omit no (major) version."""
    revisions = _by_date(_revisions(doc))
    if not revisions or revisions[0].number is None:
        return
    first = revisions[0].number.major
    if first not in (0, 1):
        yield (
            f"{revisions[0].pointer}/number",
            f"the first revision is {revisions[0].number.text!r}, not 0 or 1",
        )
        return
    majors = {r.number.major for r in revisions if r.number}
    for expected in range(first, max(majors) + 1):
        if expected not in majors:
            yield "/document/tracking/revision_history", f"(major) version {expected} is missing"
            return


def revision_twice(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.22: no revision number is given twice."""
    seen: set[object] = set()
    for i, item in enumerate(arr(doc.tracking.get("revision_history"))):
        number = obj(item).get("number")
        if isinstance(number, str):
            if number in seen:
                yield (
                    f"/document/tracking/revision_history/{i}/number",
                    f"revision {number!r} is given more than once",
                )
            seen.add(number)


def mixed_versioning(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.30: the version and all revision numbers use the same scheme (integer or semantic)."""
    version = _version(doc)
    if version is None:
        return
    scheme = "semantic" if version.semantic else "integer"
    for revision in _revisions(doc):
        if revision.number and revision.number.semantic != version.semantic:
            yield (
                f"{revision.pointer}/number",
                f"revision {revision.number.text!r} is not {scheme} versioning like the version",
            )


TESTS = {
    "6.1.14": sorted_revision_history,
    "6.1.16": latest_document_version,
    "6.1.17": document_status_draft,
    "6.1.18": released_revision_history,
    "6.1.19": prerelease_revision,
    "6.1.20": non_draft_version,
    "6.1.21": missing_revision,
    "6.1.22": revision_twice,
    "6.1.30": mixed_versioning,
}
