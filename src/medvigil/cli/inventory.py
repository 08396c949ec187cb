"""``medvigil product ...`` and ``medvigil version ...``: the device inventory."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from medvigil.cli import _django
from medvigil.cli.output import FormatOpt, OutputFormat, console, print_json, print_table

product_app = typer.Typer(help="Device products: add, list, show, edit.", no_args_is_help=True)
version_app = typer.Typer(help="Product versions.", no_args_is_help=True)

_CPE_HELP = "device CPE 2.3 name, version * for every version (repeat)"
_PURL_HELP = "device package URL, without version for every version (repeat)"


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name) from None


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


@product_app.command("add")
def product_add(
    name: str,
    slug: Annotated[str, typer.Option(help="URL name; defaults to the slugified name")] = "",
    description: str = "",
    device_class: Annotated[str, typer.Option("--class", help="I, II or III")] = "II",
    pathway: Annotated[str, typer.Option(help="510k, de-novo, pma, exempt, other")] = "510k",
    regulatory_number: str = "",
    model_number: Annotated[list[str] | None, typer.Option(help="repeat or comma-separate")] = None,
    cpe: Annotated[list[str] | None, typer.Option(help=_CPE_HELP)] = None,
    purl: Annotated[list[str] | None, typer.Option(help=_PURL_HELP)] = None,
    udi_di: Annotated[list[str] | None, typer.Option(help="repeat or comma-separate")] = None,
    interface: Annotated[list[str] | None, typer.Option(help="ethernet, wifi, bluetooth, ble, ...")] = None,
    essential_performance: Annotated[list[str] | None, typer.Option(help="a function; repeat")] = None,
    implantable: bool = False,
    life_sustaining: bool = False,
    patient_connected: bool = False,
    home_use: bool = False,
    end_of_support: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Register a device product with its clinical context."""
    _django.setup()
    from medvigil.web.inventory.presenters import product_dict
    from medvigil.web.inventory.services import product_create

    product = product_create(
        name=name,
        slug=slug,
        description=description,
        device_class=device_class,
        pathway=pathway,
        regulatory_number=regulatory_number,
        model_numbers=_split(model_number),
        cpes=cpe or [],
        purls=purl or [],
        udi_dis=_split(udi_di),
        interfaces=_split(interface),
        essential_performance=essential_performance or [],
        implantable=implantable,
        life_sustaining=life_sustaining,
        patient_connected=patient_connected,
        home_use=home_use,
        end_of_support=_date(end_of_support, "--end-of-support"),
    )
    if format is OutputFormat.JSON:
        print_json(product_dict(product))
    else:
        console.print(f"Created product [bold]{product.name}[/] ({product.slug})")


@product_app.command("list")
def product_list(q: str = "", format: FormatOpt = OutputFormat.TABLE) -> None:
    """List products."""
    _django.setup()
    from medvigil.web.inventory.presenters import product_dict
    from medvigil.web.inventory.selectors import product_list as select

    products = list(select(q=q))
    if format is OutputFormat.JSON:
        print_json([{**product_dict(p), "version_count": getattr(p, "version_count", 0)} for p in products])
        return
    print_table(
        "Products",
        ["slug", "name", "class", "interfaces", "cyber device", "versions", "end of support"],
        (
            [p.slug, p.name, p.device_class, ", ".join(p.interfaces), p.cyber_device.is_cyber_device,
             getattr(p, "version_count", 0), p.end_of_support]
            for p in products
        ),
    )  # fmt: skip


@product_app.command("show")
def product_show(slug: str, format: FormatOpt = OutputFormat.TABLE) -> None:
    """Show a product, its clinical context and versions."""
    _django.setup()
    from medvigil.web.inventory.presenters import product_dict, version_dict
    from medvigil.web.inventory.selectors import product_get, version_list

    product = product_get(slug=slug)
    versions = list(version_list(product=product))
    data: dict[str, Any] = product_dict(product)
    data["versions"] = [
        {**version_dict(v), "component_count": getattr(v, "component_count", 0)} for v in versions
    ]
    if format is OutputFormat.JSON:
        print_json(data)
        return
    skip = {"versions", "cyber_device"}
    print_table(product.name, ["field", "value"], ([k, v] for k, v in data.items() if k not in skip))
    console.print(
        f"524B cyber device: {product.cyber_device.is_cyber_device} ({product.cyber_device.reason})"
    )
    print_table(
        "Versions",
        ["version", "released", "lifecycle", "end of support", "components"],
        (
            [v.version, v.release_date, v.lifecycle, v.end_of_support, getattr(v, "component_count", 0)]
            for v in versions
        ),
    )


@product_app.command("edit")
def product_edit(
    slug: str,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="FIELD=VALUE; lists comma-separated")
    ] = None,
    cpe: Annotated[list[str] | None, typer.Option(help=_CPE_HELP + "; replaces the list")] = None,
    purl: Annotated[list[str] | None, typer.Option(help=_PURL_HELP + "; replaces the list")] = None,
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Change product fields, e.g. --set end_of_support=2030-12-31 --set interfaces=wifi,ble.

    ``--cpe``/``--purl`` replace the device identifiers CSAF advisories are matched by
    (``--set cpes=`` clears them).
    """
    _django.setup()
    from medvigil.web.inventory.presenters import product_dict
    from medvigil.web.inventory.selectors import product_get
    from medvigil.web.inventory.services import product_update

    fields = dict(_parse_assignment(item) for item in set_ or [])
    if cpe:
        fields["cpes"] = cpe
    if purl:
        fields["purls"] = purl
    if not fields:
        raise typer.BadParameter("nothing to change: give --set, --cpe or --purl", param_hint="--set")
    product = product_update(product=product_get(slug=slug), **fields)
    if format is OutputFormat.JSON:
        print_json(product_dict(product))
    else:
        console.print(f"Updated {product.name}: {', '.join(sorted(fields))}")


_LIST_FIELDS = {"model_numbers", "udi_dis", "interfaces", "essential_performance", "cpes", "purls"}
_BOOL_FIELDS = {"implantable", "life_sustaining", "patient_connected", "home_use", "has_software"}


def _parse_assignment(item: str) -> tuple[str, Any]:
    name, sep, raw = item.partition("=")
    if not sep:
        raise typer.BadParameter(f"{item!r} is not FIELD=VALUE", param_hint="--set")
    name = name.strip().replace("-", "_")
    value: Any = raw.strip()
    if name in _LIST_FIELDS:
        value = _split([raw])
    elif name in _BOOL_FIELDS:
        value = raw.strip().lower() in {"1", "true", "yes"}
    elif name == "end_of_support":
        value = _date(raw.strip(), "--set end_of_support")
    elif name == "cyber_device_override":
        value = None if raw.strip() in {"", "none"} else raw.strip().lower() in {"1", "true", "yes"}
    return name, value


@version_app.command("add")
def version_add(
    product: str,
    version: str,
    release_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    lifecycle: Annotated[
        str, typer.Option(help="development, support, limited-support, end-of-support")
    ] = "support",
    end_of_support: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    installed_base: Annotated[int | None, typer.Option(help="devices in the field")] = None,
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Register a version of a product."""
    _django.setup()
    from medvigil.web.inventory.presenters import version_dict
    from medvigil.web.inventory.selectors import product_get
    from medvigil.web.inventory.services import version_create

    released, ends = _date(release_date, "--release-date"), _date(end_of_support, "--end-of-support")
    pv = version_create(
        product=product_get(slug=product),
        version=version,
        release_date=released,
        lifecycle=lifecycle,
        end_of_support=ends,
        installed_base=installed_base,
    )
    if format is OutputFormat.JSON:
        print_json(version_dict(pv))
    else:
        console.print(f"Registered {pv.product.name} version [bold]{pv.version}[/]")
