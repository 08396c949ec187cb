"""``medvigil vex ...``: a product's supplier VEX documents (CycloneDX VEX, OpenVEX, CSAF VEX).

Stored statements mark the findings they cover "not affected (VEX)" with the statement as
evidence; the product's versions are re-matched by the background worker after each change
(``medvigil rematch SLUG`` does it at once).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from medvigil.cli import _django
from medvigil.cli.output import (
    FormatOpt,
    OutputFormat,
    ProductArg,
    RemovedProductOpt,
    console,
    print_json,
    print_table,
    read_input_file,
)

vex_app = typer.Typer(help="Supplier VEX documents of a product: import, list, remove.", no_args_is_help=True)


@vex_app.command("import")
def vex_import(
    product: ProductArg,
    file: Path,
    version: Annotated[
        str | None, typer.Option("--version", help="only this product version; every version by default")
    ] = None,
    format: FormatOpt = OutputFormat.TABLE,
    _old_product: RemovedProductOpt = None,
) -> None:
    """Store a supplier VEX document for a product (idempotent: the same bytes are stored once)."""
    _django.setup()
    from medvigil.web.findings.presenters import supplier_vex_dict
    from medvigil.web.findings.services import supplier_vex_import
    from medvigil.web.inventory.selectors import product_get, version_get

    target = product_get(slug=product)
    pv = version_get(product_slug=product, version=version) if version else None
    result = supplier_vex_import(
        product=target, version=pv, filename=file.name, content=read_input_file(file)
    )
    doc = result.document
    if format is OutputFormat.JSON:
        print_json({"created": result.created, "document": supplier_vex_dict(doc)})
        return
    if not result.created:
        console.print(f"{file.name} is already stored for {target.name}; nothing changed.")
        return
    scope = f"version {pv.version}" if pv else "every version"
    console.print(
        f"Stored [bold]{doc.filename}[/] ({doc.get_format_display()}, {doc.statement_count} statements) "
        f"for {target.name}, {scope}. Findings are re-matched by the background worker."
    )


@vex_app.command("list")
def vex_list(
    product: ProductArg,
    all_: Annotated[bool, typer.Option("--all", help="include removed documents")] = False,
    format: FormatOpt = OutputFormat.TABLE,
    _old_product: RemovedProductOpt = None,
) -> None:
    """List a product's supplier VEX documents."""
    _django.setup()
    from medvigil.web.findings.presenters import supplier_vex_dict
    from medvigil.web.findings.selectors import supplier_vex_list
    from medvigil.web.inventory.selectors import product_get

    target = product_get(slug=product)
    docs: list[dict[str, Any]] = [
        supplier_vex_dict(d) for d in supplier_vex_list(product=target, include_removed=all_)
    ]
    if format is OutputFormat.JSON:
        print_json(docs)
        return
    print_table(
        f"Supplier VEX of {target.name}",
        ["id", "file", "format", "applies to", "statements", "uploaded", "active", "sha256"],
        (
            [d["id"], d["filename"], d["format"], d["product_version"] or "every version",
             d["statement_count"], d["uploaded_at"].strftime("%Y-%m-%d %H:%M"), d["active"], d["sha256"][:12]]
            for d in docs
        ),
    )  # fmt: skip


@vex_app.command("remove")
def vex_remove(
    product: ProductArg,
    document_id: int,
    format: FormatOpt = OutputFormat.TABLE,
    _old_product: RemovedProductOpt = None,
) -> None:
    """Stop applying a supplier VEX document (it is kept for the record)."""
    _django.setup()
    from medvigil.web.findings.presenters import supplier_vex_dict
    from medvigil.web.findings.selectors import supplier_vex_get
    from medvigil.web.findings.services import supplier_vex_remove
    from medvigil.web.inventory.selectors import product_get

    doc = supplier_vex_get(product=product_get(slug=product), vex_id=document_id)
    doc = supplier_vex_remove(document=doc)
    if format is OutputFormat.JSON:
        print_json(supplier_vex_dict(doc))
        return
    console.print(f"Removed {doc.filename}; the findings it covered are re-matched by the background worker.")
