"""``medvigil feeds export-bundle FILE`` / ``import-bundle FILE``: move intelligence across an air gap.

``export-bundle`` writes one tar file (data files plus a trailing ``manifest.json`` with format
version, creation time, medvigil version and, per file, source, parser, SHA-256, size and
record count); see :mod:`medvigil.web.advisories.bundle`. ``import-bundle`` verifies every
member and checksum first and refuses a tampered or truncated bundle (exit code 2, nothing
written); it then imports all entries through the normal feed import in one transaction.
Importing the same bundle twice changes nothing (every entry is reported ``skipped``).

``--format json`` prints ``{"manifest": {...}}`` for export and
``{"manifest": {...}, "runs": [{"source", "parser", "file", "status", "new", "updated",
"unchanged", "withdrawn", "rejected"}], "notes": [...]}`` for import.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from medvigil.cli import _django
from medvigil.cli.feeds import RUN_KEYS, feeds_app
from medvigil.cli.output import FormatOpt, OutputFormat, console, err_console, print_json, print_table


def _since(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--since") from exc


@feeds_app.command("export-bundle")
def export_bundle(
    file: Annotated[Path, typer.Argument(help="bundle file to write (a tar)", dir_okay=False)],
    source: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="source name or parser id to export (repeatable; default: all)"),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="only records modified since this date (YYYY-MM-DD)")
    ] = None,
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Write the intelligence store (or part of it) into one verifiable bundle file."""
    day = _since(since)
    _django.migrate()
    from medvigil.web.advisories.bundle import bundle_export, manifest_dict

    manifest = bundle_export(file, sources=source or None, since=day)
    if format is OutputFormat.JSON:
        print_json({"manifest": manifest_dict(manifest)})
        return
    print_table(
        f"Bundle {file.name}",
        ["file", "source", "parser", "records", "bytes", "sha256"],
        ([e.file, e.source, e.parser, e.records, e.size, e.sha256[:16] + "…"] for e in manifest.entries),
    )
    console.print(f"{file} written ({sum(e.size for e in manifest.entries):,} bytes of data).")


def _print_verified(file: Path, manifest: Any, format: OutputFormat) -> None:
    from medvigil.web.advisories.bundle import manifest_dict

    if format is OutputFormat.JSON:
        print_json({"manifest": manifest_dict(manifest), "verified": True})
        return
    print_table(
        f"Bundle {file.name} (created {manifest.created_at}, medvigil {manifest.medvigil_version})",
        ["file", "source", "parser", "records", "bytes"],
        ([e.file, e.source, e.parser, e.records, e.size] for e in manifest.entries),
    )
    console.print("verified: every member is listed and matches its size and SHA-256; nothing imported.")


@feeds_app.command("import-bundle")
def import_bundle(
    file: Annotated[
        Path, typer.Argument(help="bundle file written by export-bundle", exists=True, dir_okay=False)
    ],
    verify_only: Annotated[
        bool, typer.Option("--verify-only", help="check members and checksums, import nothing")
    ] = False,
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Verify a bundle completely, then import it (all or nothing)."""
    _django.migrate()
    from medvigil.web.advisories.bundle import bundle_import, bundle_verify, manifest_dict

    if verify_only:  # a tampered or truncated bundle: BundleError, exit code 2 (medvigil.cli.main)
        _print_verified(file, bundle_verify(file), format)
        return
    result = bundle_import(file)
    runs: list[dict[str, Any]] = []
    for entry, run in result.results:
        status = "skipped" if run.skipped else "imported"
        runs.append(
            {
                "source": entry.source,
                "parser": entry.parser,
                "file": entry.file,
                "status": status,
                **run.counts,
            }
        )
    if format is OutputFormat.JSON:
        print_json({"manifest": manifest_dict(result.manifest), "runs": runs, "notes": list(result.notes)})
        return
    print_table(
        f"Bundle {file.name} (created {result.manifest.created_at}, "
        f"medvigil {result.manifest.medvigil_version})",
        ["file", "source", "status", *RUN_KEYS],
        ([r["file"], r["source"], r["status"], *(r[k] for k in RUN_KEYS)] for r in runs),
    )
    for note in result.notes:
        err_console.print(f"note: {note}", markup=False, highlight=False)
