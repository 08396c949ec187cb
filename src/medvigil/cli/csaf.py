"""``medvigil csaf validate FILE...``: check CSAF 2.0 documents offline before publishing or importing.

Runs the CSAF JSON schema, the mandatory tests (section 6.1) and, unless ``--no-optional``, the
optional tests (section 6.2) as warnings. ``--format json`` prints::

    {"documents": [{"path", "id", "valid", "errors": [{"test", "pointer", "message"}],
                    "warnings": [{"test", "pointer", "message"}]}]}

``test`` is ``schema`` for a JSON-schema violation. Exit code 1 when any document fails the
schema or a mandatory test (warnings never fail), 2 when a file cannot be read as JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from medvigil.cli.output import FormatOpt, OutputFormat, console, err_console, print_json
from medvigil.core.errors import InputError

csaf_app = typer.Typer(
    help="CSAF 2.0 documents: validate before publishing or importing.", no_args_is_help=True
)


def _issue(test: str, pointer: str, message: str) -> dict[str, str]:
    return {"test": test, "pointer": pointer or "/", "message": message}


def check_document(path: Path, *, optional: bool = True) -> dict[str, Any]:
    """Schema, mandatory and (optionally) optional tests of one file, in the JSON contract's form."""
    # imported here: the validators load jsonschema and the CWE catalog, which other commands skip
    from medvigil.core.csaf.optional import check_optional
    from medvigil.core.csaf.validate import validate_csaf
    from medvigil.core.feeds.validation import csaf_validator, violations

    try:
        doc = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", source=str(path)) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("document"), dict):
        raise InputError("not a CSAF document (no 'document' object)", source=str(path))
    errors = [_issue("schema", v.pointer, v.message) for v in violations(csaf_validator(), doc)]
    if not errors:
        errors = [_issue(v.test_id, v.pointer, v.message) for v in validate_csaf(doc)]
    warnings = [_issue(v.test_id, v.pointer, v.message) for v in check_optional(doc)] if optional else []
    tracking = doc["document"].get("tracking") or {}
    return {
        "path": str(path),
        "id": str(tracking.get("id", "")) if isinstance(tracking, dict) else "",
        "valid": not errors,
        "errors": errors,
        "warnings": warnings,
    }


def _print(result: dict[str, Any]) -> None:
    state = "[green]valid[/green]" if result["valid"] else "[red]invalid[/red]"
    console.print(f"{result['path']} ({result['id'] or 'no id'}): {state}")
    for kind, style in (("errors", "red"), ("warnings", "yellow")):
        for item in result[kind]:
            label = "schema" if item["test"] == "schema" else f"CSAF {item['test']}"
            console.print(
                f"  [{style}]{label}[/{style}] {item['pointer']}: {item['message']}", highlight=False
            )


@csaf_app.command("validate")
def csaf_validate(
    paths: Annotated[list[Path], typer.Argument(help="CSAF 2.0 JSON documents", exists=True, dir_okay=False)],
    optional: Annotated[bool, typer.Option(help="also run the optional tests (6.2) as warnings")] = True,
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Validate CSAF documents: schema and mandatory tests fail, optional tests warn."""
    results = [check_document(p, optional=optional) for p in paths]
    if format is OutputFormat.JSON:
        print_json({"documents": results})
    else:
        for result in results:
            _print(result)
        bad = sum(not r["valid"] for r in results)
        (err_console if bad else console).print(f"{len(results) - bad} valid, {bad} invalid")
    if any(not r["valid"] for r in results):
        raise typer.Exit(code=1)
