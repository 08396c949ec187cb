"""``medvigil audit``: verify the tamper-evident audit chain, export it for an inspector, anchor it.

``verify`` exits 0 when every event links and hashes, and 1 naming the first broken event (its
sequence number and why) on any changed, deleted, reordered or inserted row, or when an anchor
(stored, or given with ``--anchor FILE`` from a copy kept outside the database) records more
events than the chain still has.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from medvigil.cli import _django
from medvigil.cli.output import FormatOpt, OutputFormat, console, print_json, print_table, read_input_file
from medvigil.core.errors import InputError

__all__ = ["audit_app"]

audit_app = typer.Typer(help="The tamper-evident audit trail: verify, export, anchor.")


def _anchors(path: Path | None) -> list[Any]:
    from medvigil.core.audit.chain import Anchor

    if path is None:
        return []
    source = str(path)
    try:
        raw = orjson.loads(read_input_file(path))
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc}", source=source) from None
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for number, item in enumerate(items, start=1):
        if not (
            isinstance(item, dict)
            and isinstance(item.get("count"), int)
            and isinstance(item.get("head_hash"), str)
        ):
            raise InputError(
                f"anchor {number}: needs an integer 'count' and a string 'head_hash'", source=source
            )
        out.append(Anchor(count=item["count"], head_hash=item["head_hash"], label=f"{source}#{number}"))
    return out


@audit_app.command("verify")
def verify_cmd(
    anchor: Annotated[
        Path | None, typer.Option("--anchor", help="JSON anchor(s) kept outside the database to check too")
    ] = None,
    format: FormatOpt = OutputFormat.TABLE,
) -> int:
    """Recompute every event's hash and link; exit 1 naming the first broken event."""
    extra = _anchors(anchor)
    _django.setup()
    from medvigil.web.audit.selectors import chain_verify

    report = chain_verify(extra)
    data = dataclasses.asdict(report)
    if format is OutputFormat.JSON:
        print_json(data)
    elif report.ok:
        console.print(
            f"audit chain ok: {report.checked} events, {report.anchors_checked} anchors, "
            f"head {report.head_hash}",
            highlight=False,
        )
    else:
        console.print(
            f"[red]audit chain broken at event {report.broken_seq}:[/] {report.reason}", highlight=False
        )
    return 0 if report.ok else 1


@audit_app.command("export")
def export_cmd(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write here instead of stdout")
    ] = None,
    format: FormatOpt = OutputFormat.JSON,
) -> None:
    """The whole chain with every hashed field, hash and anchor, for an inspector to re-verify."""
    _django.setup()
    from medvigil.web.audit.selectors import export_chunks

    if format is OutputFormat.TABLE:
        from medvigil.web.audit.selectors import events

        rows = [
            (
                e.seq,
                e.timestamp.isoformat(timespec="seconds"),
                e.actor_label,
                e.verb,
                e.object_type,
                e.object_repr,
            )
            for e in events()[:50]
        ]
        print_table(
            "Latest audit events (use --format json for the full export)",
            ["Seq", "Time", "Actor", "Action", "Type", "Object"],
            rows,
        )
        return
    if output is None:
        out = sys.stdout.buffer
        for chunk in export_chunks():
            out.write(chunk)
        out.flush()
        return
    with output.open("wb") as fh:
        for chunk in export_chunks():
            fh.write(chunk)


@audit_app.command("anchor")
def anchor_cmd(format: FormatOpt = OutputFormat.TABLE) -> None:
    """Write an anchor of the current head now and print it (keep a copy outside the database)."""
    _django.setup()
    from medvigil.web.audit.models import AuditAnchor
    from medvigil.web.audit.services import anchor_write

    anchor = anchor_write() or AuditAnchor.objects.order_by("-count").first()
    data = (
        {"created_at": anchor.created_at.isoformat(), "count": anchor.count, "head_hash": anchor.head_hash}
        if anchor is not None
        else {"created_at": None, "count": 0, "head_hash": None}
    )
    if format is OutputFormat.JSON:
        print_json(data)
    else:
        console.print(
            f"anchor: {data['count']} events, head {data['head_hash']} at {data['created_at']}",
            highlight=False,
        )
