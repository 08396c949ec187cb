"""Support addenda: support facts supplied beside an SBOM (FDA PRE-SBOM-2 allows an addendum)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from medvigil.core.errors import InputError
from medvigil.core.model.component import SupportLevel


@dataclass(frozen=True, slots=True)
class SupportUpdate:
    """One addendum line: a component (by purl or name) and its support facts."""

    match: str
    """A purl (version optional) or a component name."""
    support_level: SupportLevel
    """Level of support from the component's maker."""
    end_of_support: dt.date | None
    """End-of-support date, when known."""


def parse_support_addendum(data: bytes, *, source: str) -> list[SupportUpdate]:
    """Read an addendum CSV with columns ``component,support_level,end_of_support``.

    A bad value raises :class:`InputError` naming the file, the line and the field.
    """
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    missing = {"component", "support_level"} - set(reader.fieldnames or [])
    if missing:
        raise InputError(f"missing column(s) {', '.join(sorted(missing))}", source=source, location="line 1")
    updates = []
    for line, row in enumerate(reader, start=2):
        where = f"line {line}"
        name = (row.get("component") or "").strip()
        if not name:
            raise InputError("empty component", source=source, location=where, field="component")
        try:
            level = SupportLevel((row.get("support_level") or "").strip() or "unknown")
        except ValueError:
            allowed = ", ".join(s.value for s in SupportLevel)
            raise InputError(
                f"use one of {allowed}", source=source, location=where, field="support_level"
            ) from None
        raw = (row.get("end_of_support") or "").strip()
        try:
            eos = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            raise InputError(
                f"{raw!r} is not a YYYY-MM-DD date", source=source, location=where, field="end_of_support"
            ) from None
        updates.append(SupportUpdate(name, level, eos))
    return updates
