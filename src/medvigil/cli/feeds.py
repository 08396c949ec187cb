"""``medvigil feeds ...``: import vulnerability-intelligence feeds into the store.

``medvigil feeds import PATH...`` takes files, folders (every file whose format is detected;
others are skipped and counted) and archives (an OSV ``all.zip`` is one input). Each input is
one import run. ``--format json`` prints::

    {"runs": [{"source", "path", "status", "error", "new", "updated", "unchanged", "withdrawn",
               "rejected", "error_count",
               "errors": [{"location", "record_id", "field", "message"}, ...]}],
     "totals": {"imported", "skipped", "failed", "not_feeds"},
     "not_feeds": ["path", ...]}

``status`` says per input whether it was ``imported``, ``skipped`` (its bytes were imported
before: all counts 0, no errors; ``--force`` re-reads it) or ``failed`` (as a whole: all counts
0, ``error`` the reason, and one error with ``location`` ``input``); ``error`` is null unless
failed. ``errors`` are objects: ``location`` is ``line N``/``item N``/a zip member or file,
``field`` a JSON pointer or CSV column (empty when the record as a whole is bad); only the first
1,000 record errors of a run are kept, ``error_count`` counts them all. ``not_feeds`` lists the
files of the given folders whose format was not detected (not imported). Exit code 2 when any
run failed as a whole; record errors are printed but do not fail the command.

The progress bar (on a terminal) counts bytes of all inputs, so it shows the total and an ETA;
within a file its read position is followed where the OS tells it (Linux ``/proc``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from medvigil.cli import _django
from medvigil.cli.output import (
    FormatOpt,
    OutputFormat,
    console,
    err_console,
    print_json,
    print_table,
    rich_console,
)

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


def _status(result: Any) -> str:
    if result.skipped:
        return "skipped"
    if result.failed or result.run is None:
        return "failed"
    return "imported"


def _run_json(result: Any) -> dict[str, Any]:
    status = _status(result)
    return {
        "source": result.source,
        "path": str(result.path),
        "status": status,
        "error": result.message if status == "failed" else None,
        **result.counts,
        "error_count": result.run.error_count if status == "imported" else int(status == "failed"),
        "errors": _error_objects(result),
    }


def read_offset(path: Path) -> int | None:
    """How far this process has read into ``path`` (Linux ``/proc``); None when it is not open or unknown."""
    fds = Path("/proc/self/fd")
    try:
        target = str(path.resolve())
        names = os.listdir(fds)
    except OSError:
        return None
    for fd in names:
        try:
            if os.readlink(fds / fd) != target:
                continue
            for line in (Path("/proc/self/fdinfo") / fd).read_text().splitlines():
                if line.startswith("pos:"):
                    return int(line.split()[1])
        except (OSError, ValueError):
            continue
    return None


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def import_progress(out: Console, *, show: bool) -> Progress:
    """The feed import progress bar: bytes done of the total, ETA, records of the current input."""
    records = TextColumn("{task.fields[records]:,} records")
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), records,
               TimeRemainingColumn(), TimeElapsedColumn())  # fmt: skip
    return Progress(*columns, console=rich_console(out), disable=not show, transient=True)


def _import_all(inputs: list[Path], source: str | None, force: bool, show: bool) -> list[dict[str, Any]]:
    from medvigil.web.advisories import checkpoints
    from medvigil.web.advisories.services import feed_import

    runs: list[dict[str, Any]] = []
    sizes = [_size(p) for p in inputs]
    with checkpoints.aside(), import_progress(err_console, show=show) as bar:
        task = bar.add_task("importing", total=sum(sizes), records=0)
        done = 0
        for index, (path, size) in enumerate(zip(inputs, sizes, strict=True)):
            bar.update(task, description=f"{path.name[:40]}", completed=done, records=0)

            def progress(records: int, path: Path = path, size: int = size, start: int = done) -> None:
                offset = read_offset(path) if show and not path.is_dir() else None
                ahead = min(offset, size) if offset is not None else 0
                bar.update(task, records=records, completed=start + ahead)

            then = inputs[index + 1] if index + 1 < len(inputs) else None  # mapped ahead meanwhile
            result = feed_import(path=path, source=source, force=force, progress=progress, then=then)
            runs.append(_run_json(result))
            done += size
            bar.update(task, completed=done)
    return runs


def _print_table(runs: list[dict[str, Any]], skipped: list[Path]) -> None:
    print_table(
        "Feed import",
        ["input", "source", "status", *RUN_KEYS, "errors"],
        ([Path(r["path"]).name, r["source"], r["status"], *(r[k] for k in RUN_KEYS), r["error_count"]]
         for r in runs),
    )  # fmt: skip
    for r in runs:
        for e in r["errors"][:MAX_PRINTED_ERRORS]:
            rid = f" ({e['record_id']})" if e["record_id"] else ""
            field = f": field '{e['field']}'" if e["field"] else ""
            text = f"{Path(r['path']).name}: {e['location']}{rid}{field}: {e['message']}"
            err_console.print(text, markup=False, highlight=False)
        if r["error_count"] > MAX_PRINTED_ERRORS:
            err_console.print(f"… {r['error_count'] - MAX_PRINTED_ERRORS} more record errors in {r['path']}")
    if skipped:
        console.print(f"{len(skipped)} file(s) in the given folders are not feeds and were skipped.")


def _totals(runs: list[dict[str, Any]], skipped: list[Path]) -> dict[str, int]:
    totals = {
        status: sum(r["status"] == status for r in runs) for status in ("imported", "skipped", "failed")
    }
    return {**totals, "not_feeds": len(skipped)}


def _start_worker_early(paths: list[Path]) -> None:
    """Launch the import's second process before Django is set up (it boots ~0.8 s sooner) when a
    file given is large enough to use it; ``import_worker_start`` then applies the settings (an
    invalid ``MEDVIGIL_IMPORT_WORKERS`` still fails there) and keeps or ignores it."""
    if os.environ.get("MEDVIGIL_IMPORT_WORKERS", "1").strip() == "0":
        return
    from medvigil.web.advisories import workers  # imports no Django

    if any(p.is_file() and p.stat().st_size >= workers.PIPELINE_MIN_BYTES for p in paths):
        workers.start()


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
    _start_worker_early(paths)
    _django.setup()
    from medvigil.web.advisories.services import import_worker_start

    inputs, skipped = expand_inputs(paths, source)
    import_worker_start(inputs, source=source)  # boots (and maps ahead) while the store is migrated
    _django.migrate()
    runs = _import_all(inputs, source, force, show=format is OutputFormat.TABLE and err_console.is_terminal)
    if format is OutputFormat.JSON:
        print_json({"runs": runs, "totals": _totals(runs, skipped), "not_feeds": [str(p) for p in skipped]})
    else:
        _print_table(runs, skipped)
    if any(r["status"] == "failed" for r in runs):
        raise typer.Exit(code=2)


@feeds_app.command("screens")
def feeds_screens(format: FormatOpt = OutputFormat.TABLE) -> None:
    """Fill now the CPE screens imports leave to a background job (faster CPE scans; a scan
    before the fill is only slower). ``--format json`` prints ``{"records", "rows"}``."""
    _django.setup()
    _django.migrate()
    from medvigil.web.advisories.screens import cpe_screens_fill, cpe_screens_pending
    from medvigil.web.advisories.tasks import cpe_screens_unmark

    cpe_screens_unmark()  # a fill queued meanwhile finds nothing left; the next import queues one
    records = cpe_screens_pending()
    show = format is OutputFormat.TABLE and err_console.is_terminal
    done = TextColumn("{task.completed:,}/{task.total:,} records")
    columns = (
        TextColumn("screening CPE index"),
        BarColumn(),
        done,
        TimeRemainingColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=rich_console(err_console), disable=not show, transient=True) as bar:
        task = bar.add_task("screens", total=records)
        rows = cpe_screens_fill(progress=lambda done: bar.update(task, completed=done))
    if format is OutputFormat.JSON:
        print_json({"records": records, "rows": rows})
    else:
        console.print(f"screened {rows:,} CPE index rows of {records:,} records")


import medvigil.cli.feeds_bundle  # noqa: E402,F401 - registers export-bundle/import-bundle
from medvigil.cli import feeds_sync  # noqa: E402,F401 - registers ``feeds sync`` on feeds_app
