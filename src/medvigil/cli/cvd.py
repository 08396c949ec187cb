"""``medvigil cvd list|show``: the coordinated-disclosure intake queue for staff."""

from __future__ import annotations

from typing import Annotated

import typer

from medvigil.cli import _django
from medvigil.cli.output import FormatOpt, OutputFormat, console, print_json, print_table

cvd_app = typer.Typer(help="Coordinated vulnerability disclosure reports (staff).", no_args_is_help=True)


@cvd_app.command("list")
def list_reports(
    state: Annotated[
        str, typer.Option(help="one state (new, acknowledged, triage, ...); default: open")
    ] = "",
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """The intake queue, newest first (open reports unless --state is given)."""
    _django.setup()
    from medvigil.web.disclosure import selectors

    rows = [selectors.report_dict(r, staff=True) for r in selectors.queue(state=state, open_only=not state)]
    if format is OutputFormat.JSON:
        print_json(rows)
        return
    print_table(
        "CVD reports",
        ["reference", "state", "title", "product", "received", "ack due", "assignee", "case"],
        (
            [r["reference"], r["state"], r["title"], r["product"] or "", r["submitted_at"][:10],
             r["ack_due"] + (" OVERDUE" if r["ack_overdue"] else ""), r["assignee"] or "", r["case"] or ""]
            for r in rows
        ),
    )  # fmt: skip


@cvd_app.command("show")
def show(
    reference: Annotated[
        str, typer.Argument(help="report reference, e.g. CVD-2026-0001", show_default=False)
    ],
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """One report with its messages, internal notes and history."""
    _django.setup()
    from medvigil.web.disclosure import selectors

    data = selectors.report_dict(selectors.report_get(reference=reference), staff=True)
    if format is OutputFormat.JSON:
        print_json(data)
        return
    console.print(f"{data['reference']} · {data['state']} · {data['title']}", markup=False, highlight=False)
    console.print(data["description"], markup=False, highlight=False)
    print_table(
        "Messages", ["at", "from", "body"], ([m["at"][:16], m["from"], m["body"]] for m in data["messages"])
    )
    history = data["events"]
    events = ([e["at"][:16], e["actor"] or "", e["action"], e["message"], e["reason"]] for e in history)
    print_table("History", ["at", "actor", "action", "message", "reason"], events)
