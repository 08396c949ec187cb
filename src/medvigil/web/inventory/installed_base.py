"""Services for the dated installed base: one count per product version and day, typed in the
admin or imported from a CSV file ``product,version,as_of,units[,source]``.

Recording a count also sets ``ProductVersion.installed_base`` to the version's latest count, so
the pages that show the (undated) installed base agree with the snapshots.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from medvigil.core.errors import InputError
from medvigil.web.inventory.models import InstalledBase, ProductVersion

__all__ = ["CSV_COLUMNS", "InstalledBaseImport", "installed_base_import_csv", "installed_base_record"]

CSV_COLUMNS = ("product", "version", "as_of", "units")
"""Required CSV header columns (``source`` is optional)."""
CSV_MAX_ROWS = 100_000


def _sync_latest(product_version: ProductVersion) -> None:
    latest = product_version.installed.aggregate(day=Max("as_of"))["day"]
    units = None if latest is None else product_version.installed.get(as_of=latest).units
    ProductVersion.objects.filter(pk=product_version.pk).update(installed_base=units)


def installed_base_record(
    *, product_version: ProductVersion, as_of: dt.date, units: int, source: str = "", user: Any = None
) -> InstalledBase:
    """Record (or correct) the number of devices running ``product_version`` on ``as_of``."""
    if units < 0:
        raise InputError("must be 0 or more", field="units")
    with transaction.atomic():
        row, _ = InstalledBase.objects.update_or_create(
            product_version=product_version,
            as_of=as_of,
            defaults={"units": units, "source": source[:200], "recorded_by": user},
        )
        _sync_latest(product_version)
    return row


@dataclass(frozen=True, slots=True)
class InstalledBaseImport:
    """What a CSV import recorded."""

    rows: int
    versions: int


def _parse_row(line: int, row: dict[str, str]) -> tuple[str, str, dt.date, int, str]:
    try:
        as_of = dt.date.fromisoformat(row["as_of"].strip())
    except ValueError:
        raise InputError("as_of must be YYYY-MM-DD", location=f"line {line}", field="as_of") from None
    text = row["units"].strip()
    if not text.isdigit():
        raise InputError("units must be a whole number >= 0", location=f"line {line}", field="units")
    return row["product"].strip(), row["version"].strip(), as_of, int(text), (row.get("source") or "").strip()


def installed_base_import_csv(*, data: bytes, user: Any = None, filename: str = "") -> InstalledBaseImport:
    """Import counts from CSV (UTF-8, header ``product,version,as_of,units[,source]``; product is the
    slug). Every row is checked before anything is written: one bad row imports nothing."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("the CSV file is not UTF-8", source=filename) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"the CSV header lacks {', '.join(missing)}", source=filename, location="line 1")
    parsed = [_parse_row(n, row) for n, row in enumerate(reader, start=2)]
    if len(parsed) > CSV_MAX_ROWS:
        raise InputError(f"more than {CSV_MAX_ROWS} rows", source=filename)
    keys = {(p, v) for p, v, *_ in parsed}
    versions = {
        (pv.product.slug, pv.version): pv
        for pv in ProductVersion.objects.select_related("product").filter(
            product__slug__in={p for p, _ in keys}, version__in={v for _, v in keys}
        )
    }
    for n, (p, v, *_) in enumerate(parsed, start=2):
        if (p, v) not in versions:
            raise InputError(f"no version {v!r} of product {p!r}", source=filename, location=f"line {n}")
    with transaction.atomic():
        for p, v, as_of, units, source in parsed:
            installed_base_record(
                product_version=versions[p, v], as_of=as_of, units=units, source=source, user=user
            )
    return InstalledBaseImport(rows=len(parsed), versions=len(keys))
