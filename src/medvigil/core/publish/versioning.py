"""CSAF version rules (CSAF 2.0 sec. 3.2.1.12, tests 6.1.14-6.1.22) for documents medvigil writes.

A document uses integer (``1``, ``2``...) or semantic versioning (``1.0.0``), never both (6.1.30).
A ``final`` document is immutable: a change is a new revision, with a higher version and a new
revision-history entry (:func:`revise`); :func:`check_successor` refuses a "new" document that
rewrites a published final one in place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from medvigil.core.errors import PublishError
from medvigil.core.publish.model import Revision, Tracking, TrackingStatus

__all__ = ["check_successor", "first_tracking", "next_version", "revise"]

_INTEGER = re.compile(r"^(0|[1-9][0-9]*)$")
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def next_version(version: str, *, major: bool = False) -> str:
    """The version after ``version``: integer + 1; semantic: minor + 1 (``major``: major + 1)."""
    if _INTEGER.match(version):
        return str(int(version) + 1)
    m = _SEMVER.match(version)
    if m is None:
        raise PublishError(
            f"version {version!r} is neither an integer nor a semantic version without pre-release",
            field="tracking.version",
        )
    x, y, _ = (int(g) for g in m.groups())
    return f"{x + 1}.0.0" if major else f"{x}.{y + 1}.0"


def first_tracking(
    doc_id: str, date: datetime, *, semantic: bool = False, status: TrackingStatus = TrackingStatus.FINAL
) -> Tracking:
    """Tracking of a first release: version ``1`` (or ``1.0.0``), one history entry."""
    number = "1.0.0" if semantic else "1"
    return Tracking(doc_id, status, number, (Revision(number, date, "Initial release"),), date, date)


def revise(
    tracking: Tracking,
    *,
    date: datetime,
    summary: str,
    major: bool = False,
    status: TrackingStatus | None = None,
) -> Tracking:
    """The tracking of the next revision: higher version, new history entry, new release date."""
    if date < tracking.current_release_date:
        raise PublishError(
            f"revision date {date.isoformat()} is before the current release "
            f"{tracking.current_release_date.isoformat()}",
            source=tracking.id,
            field="tracking.current_release_date",
        )
    if not summary.strip():
        raise PublishError("a revision needs a summary of what changed", source=tracking.id, field="summary")
    number = next_version(tracking.version, major=major)
    return replace(
        tracking,
        status=status or tracking.status,
        version=number,
        revisions=(*tracking.revisions, Revision(number, date, summary)),
        current_release_date=date,
    )


def _history(doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    tracking = doc["document"]["tracking"]
    return [(str(r["number"]), str(r["date"])) for r in tracking.get("revision_history", ())]


def check_successor(previous: Mapping[str, Any], current: Mapping[str, Any]) -> None:
    """Refuse ``current`` as a new state of ``previous`` (both CSAF documents) when it breaks the rules.

    A ``final`` or ``interim`` predecessor is immutable: the successor must keep its id, carry
    a different (higher) version and keep every earlier history entry.
    """
    before = previous["document"]["tracking"]
    after = current["document"]["tracking"]
    doc_id = str(before["id"])
    if after["id"] != before["id"]:
        raise PublishError(f"tracking id changed to {after['id']!r}", source=doc_id, field="tracking.id")
    if before["status"] == TrackingStatus.DRAFT:
        return
    if after["version"] == before["version"]:
        raise PublishError(
            f"version {before['version']} is {before['status']} and immutable; publish a new revision",
            source=doc_id,
            field="tracking.version",
        )
    old, new = _history(previous), _history(current)
    if new[: len(old)] != old or len(new) <= len(old):
        raise PublishError(
            "the revision history must keep every earlier entry and add one",
            source=doc_id,
            field="tracking.revision_history",
        )
