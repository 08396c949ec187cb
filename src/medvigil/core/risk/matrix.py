"""Risk evaluation: severity x exploitability band -> controlled or uncontrolled (PM-RISK-4).

The FDA's figure has no cell values; ``DEFAULT_MATRIX`` is the implementation default of
regulatory.md section 1.4, to be overridden per product. Every cell carries a rationale; borderline
cells ("B") need a written justification before a decision on them is confirmed (``confirm``).
Matrices are versioned and round-trip through JSON (``to_json`` / ``from_json``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from medvigil.core.errors import InputError
from medvigil.core.risk.exploitability import ExploitabilityBand
from medvigil.core.risk.harm import Severity

__all__ = [
    "DEFAULT_MATRIX",
    "MATRIX_FORMAT",
    "ConfirmedDecision",
    "MatrixCell",
    "RiskDecision",
    "RiskMatrix",
    "RiskResult",
    "confirm",
    "evaluate",
]

MATRIX_FORMAT = "medvigil-risk-matrix/1"
"""Identifier of the JSON layout written by ``RiskMatrix.to_mapping``."""


class RiskResult(StrEnum):
    """The binary determination the FDA asks for."""

    CONTROLLED = "controlled"
    UNCONTROLLED = "uncontrolled"


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """One cell of the matrix."""

    result: RiskResult
    """Controlled or uncontrolled."""
    borderline: bool = False
    """A decision on this cell needs a written justification."""
    rationale: str = ""
    """Why the cell has this value."""


_BANDS = tuple(ExploitabilityBand)
_SEVERITIES = tuple(Severity)


@dataclass(frozen=True, slots=True)
class RiskMatrix:
    """A complete severity x exploitability matrix (5 x 3 cells)."""

    cells: tuple[tuple[Severity, ExploitabilityBand, MatrixCell], ...]
    """All 15 cells, severity-major."""
    version: int = 1
    """Revision number; bump on every edit."""
    name: str = "default"
    """Name (product or template)."""
    basis: str = "implementation-default"
    """Legal weight tag (regulatory.md section 0): here never a legal requirement."""

    def cell(self, severity: Severity, band: ExploitabilityBand) -> MatrixCell:
        """Return the cell for ``severity`` and ``band``."""
        for sev, bnd, cell in self.cells:
            if sev is severity and bnd is band:
                return cell
        raise InputError(f"matrix {self.name!r} has no cell {severity.label}/{band.value}")

    def to_mapping(self) -> dict[str, Any]:
        """Return a JSON-ready mapping ``{"cells": {severity: {band: cell}}, ...}``."""
        cells: dict[str, dict[str, dict[str, Any]]] = {}
        for sev, band, cell in self.cells:
            cells.setdefault(sev.label, {})[band.value] = {
                "result": cell.result.value,
                "borderline": cell.borderline,
                "rationale": cell.rationale,
            }
        return {
            "format": MATRIX_FORMAT,
            "name": self.name,
            "version": self.version,
            "basis": self.basis,
            "cells": cells,
        }

    def to_json(self) -> str:
        """Serialise to JSON text (stable key order)."""
        return json.dumps(self.to_mapping(), indent=2, sort_keys=False)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RiskMatrix:
        """Build a matrix from a mapping like ``to_mapping`` gives; every cell is required."""
        fmt = data.get("format", MATRIX_FORMAT)
        if fmt != MATRIX_FORMAT:
            raise InputError(f"unsupported risk matrix format {fmt!r}", field="format")
        raw_cells = data.get("cells")
        if not isinstance(raw_cells, Mapping):
            raise InputError("risk matrix needs a 'cells' mapping", field="cells")
        cells = tuple((sev, band, _cell_from(raw_cells, sev, band)) for sev in _SEVERITIES for band in _BANDS)
        version = data.get("version", 1)
        if not isinstance(version, int) or version < 1:
            raise InputError(
                f"risk matrix version must be a positive integer, not {version!r}", field="version"
            )
        return cls(
            cells=cells,
            version=version,
            name=str(data.get("name", "default")),
            basis=str(data.get("basis", "implementation-default")),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> RiskMatrix:
        """Parse JSON text written by ``to_json``."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InputError(f"risk matrix is not valid JSON: {exc}") from exc
        if not isinstance(data, Mapping):
            raise InputError("risk matrix JSON must be an object")
        return cls.from_mapping(data)


def _cell_from(raw: Mapping[str, Any], sev: Severity, band: ExploitabilityBand) -> MatrixCell:
    location = f"/cells/{sev.label}/{band.value}"
    row = raw.get(sev.label)
    entry = row.get(band.value) if isinstance(row, Mapping) else None
    if not isinstance(entry, Mapping):
        raise InputError("risk matrix cell missing", location=location)
    try:
        result = RiskResult(str(entry.get("result")))
    except ValueError:
        raise InputError(
            f"cell result must be controlled or uncontrolled, not {entry.get('result')!r}",
            location=location,
            field="result",
        ) from None
    borderline = entry.get("borderline", False)
    if not isinstance(borderline, bool):
        raise InputError("'borderline' must be true or false", location=location, field="borderline")
    return MatrixCell(result, borderline, str(entry.get("rationale", "")))


_C, _U = RiskResult.CONTROLLED, RiskResult.UNCONTROLLED
_DEFAULT_ROWS: dict[Severity, tuple[tuple[RiskResult, bool], ...]] = {
    Severity.NEGLIGIBLE: ((_C, False), (_C, False), (_C, False)),
    Severity.MINOR: ((_C, False), (_C, False), (_C, True)),
    Severity.SERIOUS: ((_C, False), (_C, True), (_U, False)),
    Severity.CRITICAL: ((_C, True), (_U, False), (_U, False)),
    Severity.CATASTROPHIC: ((_U, True), (_U, False), (_U, False)),
}


def _default_rationale(sev: Severity, band: ExploitabilityBand, result: RiskResult, borderline: bool) -> str:
    text = (
        f"{sev.label.capitalize()} harm with {band.value} exploitability: {result.value} "
        "(medvigil's default matrix; not an FDA value)"
    )
    return text + "; borderline, justify before accepting" if borderline else text


DEFAULT_MATRIX = RiskMatrix(
    cells=tuple(
        (sev, band, MatrixCell(res, bl, _default_rationale(sev, band, res, bl)))
        for sev in _SEVERITIES
        for band, (res, bl) in zip(_BANDS, _DEFAULT_ROWS[sev], strict=True)
    ),
)
"""The default matrix of regulatory.md section 1.4."""


@dataclass(frozen=True, slots=True)
class RiskDecision:
    """The evaluation of one severity/band pair against a matrix."""

    result: RiskResult
    """Controlled or uncontrolled."""
    borderline: bool
    """The cell is borderline: confirming needs a justification."""
    rationale: str
    """Why, in words (cell rationale included)."""
    severity: Severity
    """Severity input."""
    band: ExploitabilityBand
    """Exploitability band input."""
    matrix_name: str
    """Matrix used."""
    matrix_version: int
    """Its revision."""


def evaluate(
    severity: Severity, band: ExploitabilityBand, matrix: RiskMatrix = DEFAULT_MATRIX
) -> RiskDecision:
    """Look up ``severity`` x ``band`` in ``matrix`` and return the decision with its rationale."""
    cell = matrix.cell(severity, band)
    text = (
        f"Severity {severity.label} x exploitability {band.value} in matrix "
        f"'{matrix.name}' v{matrix.version}: {cell.result.value}"
    )
    if cell.borderline:
        text += " (borderline cell: a written justification is required)"
    if cell.rationale:
        text += f". Cell rationale: {cell.rationale}"
    return RiskDecision(
        result=cell.result,
        borderline=cell.borderline,
        rationale=text + ".",
        severity=severity,
        band=band,
        matrix_name=matrix.name,
        matrix_version=matrix.version,
    )


@dataclass(frozen=True, slots=True)
class ConfirmedDecision:
    """A decision an analyst has accepted, with the justification a borderline cell needs."""

    decision: RiskDecision
    """The accepted decision."""
    justification: str
    """Written justification (required for borderline cells, optional otherwise)."""


def confirm(decision: RiskDecision, justification: str = "") -> ConfirmedDecision:
    """Accept ``decision``; raise ``InputError`` when a borderline cell lacks a justification."""
    if decision.borderline and not justification.strip():
        raise InputError(
            f"borderline cell {decision.severity.label}/{decision.band.value} "
            f"({decision.result.value}) needs a written justification",
            field="justification",
        )
    return ConfirmedDecision(decision, justification.strip())
