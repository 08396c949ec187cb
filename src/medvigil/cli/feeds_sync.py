"""``medvigil feeds sync [SOURCES...]``: fetch feeds online and import them.

Without arguments the enabled sources (``MEDVIGIL_SYNC_SOURCES``) are synced one after the
other; a source that fails does not stop the others. ``--format json`` prints::

    {"syncs": [{"source", "status", "files", "message", "rejected": [{"url", "reason"}],
                "events": ["..."], "runs": [<run objects as in feeds import>]}]}

``status`` is ``succeeded``, ``failed`` (the cursor was not advanced; the downloads are kept and
``message`` says why) or ``busy`` (another sync of the source is running). Exit code 2 when a
source did not succeed.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from medvigil.cli import _django
from medvigil.cli.feeds import _run_json, feeds_app
from medvigil.cli.output import FormatOpt, OutputFormat, console, err_console, print_json, print_table


def _sync_json(result: Any) -> dict[str, Any]:
    return {
        "source": result.source,
        "status": str(result.status),
        "files": result.files,
        "message": result.message,
        "rejected": result.rejected,
        "events": result.events,
        "runs": [_run_json(r) for r in result.runs],
    }


def _print(syncs: list[dict[str, Any]]) -> None:
    keys = ("new", "updated", "unchanged")
    print_table(
        "Feed sync",
        ["source", "status", "files", *keys, "refused"],
        ([s["source"], s["status"], s["files"], *(sum(r[k] for r in s["runs"]) for k in keys),
          len(s["rejected"])] for s in syncs),
    )  # fmt: skip
    for s in syncs:
        if s["message"]:
            err_console.print(f"{s['source']}: {s['message']}", markup=False, highlight=False)
        for r in s["rejected"]:
            text = f"{s['source']}: rejected {r['url']}: {r['reason']}"
            err_console.print(text, markup=False, highlight=False)
        for event in s["events"]:
            console.print(f"{s['source']}: {event}", markup=False, highlight=False, style="dim")


@feeds_app.command("sync")
def feeds_sync_command(
    sources: Annotated[
        list[str] | None, typer.Argument(help="nvd, osv, kev, epss, csaf... (default: the enabled sources)")
    ] = None,
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Fetch feeds online (incrementally after the first sync) and import them."""
    _django.migrate()
    from medvigil.web.advisories.sync import feeds_sync

    results = feeds_sync(sources or None)  # an unknown source: an Error, exit code 2 (medvigil.cli.main)
    syncs = [_sync_json(r) for r in results]
    if format is OutputFormat.JSON:
        print_json({"syncs": syncs})
    else:
        _print(syncs)
    if any(r.failed for r in results):
        raise typer.Exit(code=2)
