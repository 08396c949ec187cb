"""``medvigil sbom ...``: import, check, diff, export and support addenda."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from medvigil.cli import _django
from medvigil.cli.output import FormatOpt, OutputFormat, console, print_json, print_table, read_input_file

sbom_app = typer.Typer(help="SBOMs and lockfiles: import, check, diff, export.", no_args_is_help=True)

InputFormatOpt = Annotated[
    str | None,
    typer.Option("--input-format", help="force a reader (e.g. cyclonedx-json); detected by default"),
]


class ExportFormat(StrEnum):
    """``sbom export --format`` choices."""

    CYCLONEDX = "cyclonedx"
    SPDX = "spdx"


@sbom_app.command("import")
def sbom_import(
    product: str,
    version: str,
    file: Path,
    input_format: InputFormatOpt = None,
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Import an SBOM or lockfile as the version's current component set (idempotent)."""
    _django.setup()
    from medvigil.web.inventory.selectors import version_get
    from medvigil.web.inventory.services import sbom_import as do_import

    pv = version_get(product_slug=product, version=version)
    data = read_input_file(file)
    with console.status(f"Importing {file.name}…"):
        result = do_import(product_version=pv, data=data, filename=file.name, format=input_format)
    doc = result.document
    if format is OutputFormat.JSON:
        print_json(
            {
                "created": result.created,
                "format": doc.format,
                "spec_version": doc.spec_version,
                "component_count": result.component_count,
                "replaced": result.replaced,
                "sha256": doc.sha256,
                "warnings": doc.warnings,
            }
        )
        return
    if not result.created:
        console.print(f"{file.name} is already the current SBOM of {pv}; nothing changed.")
        return
    console.print(
        f"Imported [bold]{result.component_count}[/] components from {file.name} "
        f"({doc.format} {doc.spec_version}) into {pv}"
        + (f", replacing {result.replaced}" if result.replaced else "")
    )
    for warning in doc.warnings:
        console.print(f"[yellow]warning:[/] {warning}")


@sbom_app.command("check")
def sbom_check(
    file: Path,
    input_format: InputFormatOpt = None,
    format: FormatOpt = OutputFormat.TABLE,
    strict: Annotated[bool, typer.Option(help="exit 1 when the schema check finds problems")] = False,
) -> None:
    """Validate an SBOM or lockfile and show what would be imported. Needs no database.

    Each format is checked with what it has: JSON schema, XSD, spdx-tools, SPDX 3 structure, or
    (lockfiles) parsing alone. The MEDVIGIL_SBOM_MAX_* limits apply as they do to imports.
    """
    from medvigil.core.sbom import limits as lim
    from medvigil.core.sbom.schema import check_sbom
    from medvigil.web.config.env import env_int

    limits = lim.SbomLimits(
        max_bytes=env_int("MEDVIGIL_SBOM_MAX_BYTES", lim.DEFAULT_MAX_BYTES, minimum=1024),
        max_components=env_int("MEDVIGIL_SBOM_MAX_COMPONENTS", lim.DEFAULT_MAX_COMPONENTS, minimum=1),
        max_depth=env_int("MEDVIGIL_SBOM_MAX_DEPTH", lim.DEFAULT_MAX_DEPTH, minimum=1),
    )
    data = read_input_file(file)
    parsed, check = check_sbom(data, source=str(file), format=input_format, limits=limits)
    schema_problems = list(check.problems)
    warnings = list(parsed.warnings) + [f"schema: {p}" for p in schema_problems]
    components = [
        {"name": c.name, "version": c.version, "purl": c.purl, "cpes": list(c.cpes),
         "supplier": c.supplier, "type": c.type.value}
        for c in parsed.components
    ]  # fmt: skip
    if format is OutputFormat.JSON:
        print_json(
            {
                "format": parsed.format,
                "spec_version": parsed.spec_version,
                "component_count": len(components),
                "components": components,
                "warnings": warnings,
                "check": {
                    "checked_with": check.checked_with,
                    "valid": check.valid,
                    "problems": schema_problems,
                    "notes": list(check.notes),
                },
            }
        )
    else:
        print_table(
            f"{file.name}: {parsed.format} {parsed.spec_version}, {len(components)} components",
            ["name", "version", "type", "purl", "supplier"],
            ([c["name"], c["version"], c["type"], c["purl"], c["supplier"]] for c in components),
        )
        for w in warnings:
            console.print(f"[yellow]warning:[/] {w}")
        verdict = "valid" if check.valid else f"{len(schema_problems)} problem(s)"
        console.print(f"Checked with {check.checked_with}: {verdict}")
        for note in check.notes:
            console.print(f"note: {note}")
    if strict and schema_problems:
        raise typer.Exit(1)


@sbom_app.command("diff")
def sbom_diff(product: str, old: str, new: str, format: FormatOpt = OutputFormat.TABLE) -> None:
    """Components added, removed and changed between two versions of a product."""
    _django.setup()
    from medvigil.web.inventory.presenters import diff_dict
    from medvigil.web.inventory.selectors import version_diff, version_get

    diff = diff_dict(
        version_diff(
            old=version_get(product_slug=product, version=old),
            new=version_get(product_slug=product, version=new),
        )
    )
    if format is OutputFormat.JSON:
        print_json(diff)
        return
    rows: list[list[Any]] = [["added", c["name"], "", c["version"], c["purl"]] for c in diff["added"]]
    rows += [["removed", c["name"], c["version"], "", c["purl"]] for c in diff["removed"]]
    rows += [
        ["changed", c["name"], c["old_version"], c["new_version"], ", ".join(c["fields"])]
        for c in diff["changed"]
    ]
    print_table(f"{product}: {old} → {new}", ["change", "name", "old", "new", "purl / fields"], rows)
    console.print(
        f"{len(diff['added'])} added, {len(diff['removed'])} removed, {len(diff['changed'])} changed"
    )


@sbom_app.command("export")
def sbom_export(
    product: str,
    version: str,
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.CYCLONEDX,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file; stdout by default")] = None,
) -> None:
    """Export a version's current component set as CycloneDX 1.6 or SPDX 2.3 JSON."""
    _django.setup()
    from medvigil.core.sbom.export import to_cyclonedx_json, to_spdx_json
    from medvigil.web.inventory.selectors import version_get, version_sbom

    parsed = version_sbom(product_version=version_get(product_slug=product, version=version))
    data = to_cyclonedx_json(parsed) if format is ExportFormat.CYCLONEDX else to_spdx_json(parsed)
    if output is None:
        sys.stdout.buffer.write(data + b"\n")
    else:
        output.write_bytes(data)
        console.print(f"Wrote {len(parsed.components)} components to {output}")


@sbom_app.command("horizon")
def sbom_horizon(product: str, version: str, format: FormatOpt = OutputFormat.TABLE) -> None:
    """Components whose support ends before the product version's end of support."""
    _django.setup()
    from medvigil.web.inventory.presenters import horizon_dicts
    from medvigil.web.inventory.selectors import support_horizon, version_get

    pv = version_get(product_slug=product, version=version)
    rows = horizon_dicts(support_horizon(product_version=pv))
    if format is OutputFormat.JSON:
        print_json(rows)
        return
    print_table(
        f"Support horizon of {pv} (ends {pv.effective_end_of_support or 'undeclared'})",
        ["component", "version", "support level", "end of support", "reason"],
        ([r["name"], r["version"], r["support_level"], r["end_of_support"], r["reason"]] for r in rows),
    )
    if rows:
        console.print(f"[yellow]{len(rows)} component(s) conflict with the product's support horizon[/]")


@sbom_app.command("support")
def sbom_support(product: str, version: str, addendum: Path, format: FormatOpt = OutputFormat.TABLE) -> None:
    """Apply a support addendum CSV (columns: component, support_level, end_of_support)."""
    _django.setup()
    from medvigil.core.model.support import parse_support_addendum
    from medvigil.web.inventory.selectors import version_get
    from medvigil.web.inventory.services import component_support_update

    pv = version_get(product_slug=product, version=version)
    updates = parse_support_addendum(read_input_file(addendum), source=str(addendum))
    changed = component_support_update(product_version=pv, updates=updates)
    if format is OutputFormat.JSON:
        print_json({"product": product, "version": version, "updated": changed})
        return
    console.print(f"Updated support facts of {changed} component(s) of {pv}")
