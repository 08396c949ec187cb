"""``medvigil reporting``: the 806/803 reporting determination of regulatory.md 7.4, offline.

``medvigil reporting evaluate FACTS.json`` needs no database: it reads the facts, evaluates rules
R1-R10 and prints every matching obligation. Exit codes: 0 ok, 2 missing, malformed or
contradictory facts (the message names the file and the field).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Table

from medvigil.cli.output import FormatOpt, OutputFormat, console, read_input_file
from medvigil.core.remediation.reporting import FactsError, evaluate, facts_from_mapping

__all__ = ["reporting_app"]

reporting_app = typer.Typer(help="Reporting determination (21 CFR 806/803, FDA 2016): no database needed.")


@reporting_app.command("evaluate")
def evaluate_cmd(
    facts_file: Annotated[Path, typer.Argument(help="JSON object with the section-7 facts ('-' for stdin)")],
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Evaluate R1-R10 top-down and print every matching obligation."""
    source = "<stdin>" if str(facts_file) == "-" else str(facts_file)
    data = typer.get_binary_stream("stdin").read() if source == "<stdin>" else read_input_file(facts_file)
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise FactsError(f"not JSON: {exc}", source=source) from None
    determination = evaluate(facts_from_mapping(raw, source=source))
    if format is OutputFormat.JSON:
        typer.echo(orjson.dumps(determination.to_dict(), option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(
        "Rule",
        "Regulation",
        "Outcome",
        "Due",
        "Calendar",
        "Reason",
        title=f"{determination.risk_status} risk",
    )
    for o in determination.obligations:
        d = o.to_dict()
        table.add_row(
            d["code"], d["regulation"], d["outcome"], d["due"] or "", d["calendar"] or "", d["reason"]
        )
    console.print(table)
    for alert in determination.alerts:
        console.print(f"[yellow]alert:[/] {alert}", highlight=False)
