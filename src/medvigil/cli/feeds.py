"""``medvigil feeds ...``: import vulnerability-intelligence feeds into the store.

``medvigil feeds import PATH...`` takes files, folders (every file whose format is detected;
others are skipped and counted) and archives (an OSV ``all.zip`` is one input). Each input is
one import run. ``--format json`` prints::

    {"runs": [{"source", "path", "new", "updated", "unchanged", "withdrawn", "rejected",
               "errors": [{"location", "record_id", "field", "message"}, ...]}]}

``errors`` are objects: ``location`` is ``line N``/``item N``/a zip member or file, ``field`` a
JSON pointer or CSV column (empty when the record as a whole is bad). A run that failed as a
whole has all counts 0 and one error with ``location`` ``input`` and the reason; an input
whose bytes were imported before is skipped (all counts 0, no errors; the table says
``skipped``). Only the first 1,000 record errors of a run are kept. Exit code 2 when any run
failed as a whole; record errors are printed but do not fail the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from medvigil.cli import _django
from medvigil.cli.output import FormatOpt, OutputFormat, console, err_console, print_json, print_table

feeds_app = typer.Typer(
    help="Vulnerability-intelligence feeds: import files, folders, archives.", no_args_is_help=True
)

RUN_KEYS = ("new", "updated", "unchanged", "withdrawn", "rejected")
MAX_PRINTED_ERRORS = 20


def expand_inputs(paths: list[Path], source: str | None) -> tuple[list[Path], list[Path]]:
    """Files to import and files skipped (format not detected) for the given paths.

    A folder holding OSV JSON records (one advisory per file, the unpacked form of ``all.zip``)
    is one input; any other folder contributes each detected file, recursively.
    """
    from medvigil.core.errors import FeedParseError
    from medvigil.core.feeds.registry import FEED_PARSERS, detect_source, input_head

    inputs: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if not path.is_dir():
            inputs.append(path)
            continue
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            try:
                kind = source or detect_source(file)
            except FeedParseError:
                skipped.append(file)
                continue
            name, head = input_head(file)
            if kind in FEED_PARSERS and FEED_PARSERS[kind].sniff(name, head):
                inputs.append(file)
            else:
                skipped.append(file)
    return inputs, skipped


def _error_objects(result: Any) -> list[dict[str, str]]:
    if result.failed:
        return [{"location": "input", "record_id": "", "field": "", "message": result.message}]
    if result.skipped or result.run is None:
        return []
    keys = ("location", "record_id", "field", "message")
    return [{k: e.get(k, "") for k in keys} for e in result.run.errors]


def _run_json(result: Any) -> dict[str, Any]:
    counts = result.counts
    return {"source": result.source, "path": str(result.path), **counts, "errors": _error_objects(result)}


def _status(result: Any) -> tuple[str, int]:
    if result.skipped:
        return "skipped", 0
    if result.failed or result.run is None:
        return "failed", 0
    return "succeeded", result.run.error_count


def _import_all(inputs: list[Path], source: str | None, force: bool, show: bool) -> list[dict[str, Any]]:
    from medvigil.web.advisories.services import feed_import

    runs: list[dict[str, Any]] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[records]} records"), TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err_console, disable=not show, transient=True) as bar:
        task = bar.add_task("importing", total=len(inputs), records=0)
        for path in inputs:
            bar.update(task, description=f"{path.name[:40]}")
            result = feed_import(
                path=path, source=source, force=force, progress=lambda n: bar.update(task, records=n)
            )
            runs.append({**_run_json(result), "_status": _status(result)})
            bar.advance(task)
    return runs


def _print_table(runs: list[dict[str, Any]], skipped: list[Path]) -> None:
    print_table(
        "Feed import",
        ["input", "source", "status", *RUN_KEYS, "errors"],
        ([Path(r["path"]).name, r["source"], *r["_status"][:1], *(r[k] for k in RUN_KEYS), r["_status"][1]]
         for r in runs),
    )  # fmt: skip
    for r in runs:
        for e in r["errors"][:MAX_PRINTED_ERRORS]:
            rid = f" ({e['record_id']})" if e["record_id"] else ""
            field = f": field '{e['field']}'" if e["field"] else ""
            text = f"{Path(r['path']).name}: {e['location']}{rid}{field}: {e['message']}"
            err_console.print(text, markup=False, highlight=False)
        if r["_status"][1] > MAX_PRINTED_ERRORS:
            err_console.print(f"… {r['_status'][1] - MAX_PRINTED_ERRORS} more record errors in {r['path']}")
    if skipped:
        console.print(f"{len(skipped)} file(s) in the given folders are not feeds and were skipped.")


@feeds_app.command("import")
def feeds_import(
    paths: Annotated[list[Path], typer.Argument(help="feed files, folders or archives", exists=True)],
    source: Annotated[
        str | None, typer.Option("--source", "-s", help="osv, nvd, cve5, kev, epss or csaf (default: detect)")
    ] = None,
    force: Annotated[bool, typer.Option(help="re-read inputs whose bytes were imported before")] = False,
    format: FormatOpt = OutputFormat.TABLE,  # noqa: E501
) -> None:
    """Import feed files into the store: one run per input, all-or-nothing per input."""
    _django.migrate()
    inputs, skipped = expand_inputs(paths, source)
    runs = _import_all(inputs, source, force, show=format is OutputFormat.TABLE and err_console.is_terminal)
    if format is OutputFormat.JSON:
        print_json({"runs": [{k: v for k, v in r.items() if k != "_status"} for r in runs]})
    else:
        _print_table(runs, skipped)
    if any(r["_status"][0] == "failed" for r in runs):
        raise typer.Exit(code=2)


import medvigil.cli.feeds_bundle  # noqa: E402,F401 - registers export-bundle/import-bundle
from medvigil.cli import feeds_sync  # noqa: E402,F401 - registers ``feeds sync`` on feeds_app
