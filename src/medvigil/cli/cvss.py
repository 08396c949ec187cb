"""``medvigil cvss``: score CVSS vectors (v2, v3.0, v3.1, v4.0) offline.

Exit codes: 0 ok, 2 a malformed vector (the message names the vector and the metric).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from medvigil.cli.output import FormatOpt, OutputFormat, console, print_json
from medvigil.core.risk.cvss import CvssScore, parse_vector

__all__ = ["OutputFormat", "cvss", "register"]


def _row(score: CvssScore) -> dict[str, object]:
    return {
        "vector": score.vector,
        "version": score.version.value,
        "base_score": score.base_score,
        "base_severity": score.base_severity,
        "temporal_score": score.temporal_score,
        "environmental_score": score.environmental_score,
    }


def _table(scores: list[CvssScore]) -> Table:
    table = Table("Vector", "Version", "Base", "Severity", "Temporal", "Environmental")
    for s in scores:
        table.add_row(
            s.vector,
            s.version.value,
            f"{s.base_score:.1f}",
            s.base_severity,
            "" if s.temporal_score is None else f"{s.temporal_score:.1f}",
            "" if s.environmental_score is None else f"{s.environmental_score:.1f}",
        )
    return table


def cvss(
    vectors: Annotated[list[str], typer.Argument(help="CVSS vectors (v2 with or without parentheses).")],
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Score CVSS v2, v3.0, v3.1 and v4.0 vectors (base, temporal, environmental)."""
    scores = [parse_vector(v) for v in vectors]  # a malformed vector: VectorError, exit code 2
    if format is OutputFormat.JSON:
        print_json([_row(s) for s in scores])
    else:
        console.print(_table(scores))


def register(app: typer.Typer) -> None:
    """Add the ``cvss`` command to ``app``."""
    app.command(name="cvss")(cvss)
