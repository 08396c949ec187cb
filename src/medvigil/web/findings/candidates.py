"""Candidate advisory rows for a set of components, as a core :class:`MatchIndex`.

One query per key set (chunked ``IN``): affected packages by their stored package key, CPE index
entries by product, CSAF product rows by purl key (all CSAF rows when devices are matched by
name), then the records, their configuration trees and their identities. Package keys are
:func:`~medvigil.core.matching.keys.package_key` on both sides (stored at import for advisories,
computed from the purl for components), so ``Zope.Interface`` finds ``zope-interface`` and
``once_cell`` finds ``once-cell``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import connection
from django.db.models import JSONField, Model, TextField
from django.db.models.functions import Cast

from medvigil.core.matching.cpe import Cpe, split_key
from medvigil.core.matching.cpe_config import (
    CpeTargets,
    PreparedNode,
    StoredConfig,
    StoredTrees,
    stored_screens_admit,
)
from medvigil.core.matching.engine import (
    MatchIndex,
    PackageRule,
    RecordInfo,
    component_cpes,
    prepare_package,
    prepare_record_nodes,
)
from medvigil.core.matching.inference import infer_cpes
from medvigil.core.matching.keys import purl_package_key
from medvigil.core.matching.teardown import drop_at_exit
from medvigil.core.model import Component as CoreComponent
from medvigil.core.model.advisory import CsafProduct, CsafProductStatus
from medvigil.web.advisories import codec
from medvigil.web.advisories.models import (
    AdvisoryRecord,
    AffectedPackage,
    CpeConfiguration,
    CpeIndexEntry,
)
from medvigil.web.advisories.models import CsafProductStatus as CsafRow
from medvigil.web.bulk import chunked

__all__ = ["Candidates", "CpeRows", "component_keys", "cpe_rows", "load_index", "own_cpes", "unscreened"]

CpeRows = dict[int, dict[str, str | None]]
"""Candidate records by CPE: each record's stored screen per ``vendor:product`` of the components."""


_KEY_MAX = AffectedPackage._meta.get_field("package_key").max_length or 700
_AFFECTED_COLUMNS = (
    "record_id", "ecosystem", "name", "purl", "purl_type", "purl_namespace", "purl_name", "vendor",
    "product", "ranges", "versions", "unaffected", "cpes", "default_status", "extra",
)  # fmt: skip
_AFFECTED_JSON = frozenset({"ranges", "versions", "unaffected", "cpes", "extra"})
_CSAF_COLUMNS = (
    "record_id", "product_id", "status", "name", "vendor", "product_name", "product_version",
    "product_version_range", "helpers", "branch_path",
)  # fmt: skip


def component_keys(component: CoreComponent, *, infer: bool) -> set[str]:
    """``pkg:<package key>`` and ``cpe:<vendor:product>`` join keys of a component."""
    return _keys_and_cpes(component, infer)[0]


def _keys_and_cpes(component: CoreComponent, infer: bool) -> tuple[set[str], Sequence[Cpe]]:
    keys: set[str] = set()
    if component.purl and (key := purl_package_key(component.purl)):
        keys.add("pkg:" + key)
    cpes = own_cpes(component, infer)
    keys.update("cpe:" + c.vendor_product for c in cpes)
    return keys, cpes


def own_cpes(component: CoreComponent, infer: bool) -> Sequence[Cpe]:
    """The CPEs the engine matches a component by: its stated ones, else (``infer``) inferred
    ones (:meth:`~medvigil.core.matching.engine.match`)."""
    stated = component_cpes(component)
    if infer and not stated:
        return infer_cpes(component)
    return stated


@dataclass(slots=True)
class Candidates:
    """A prepared index and where its records live in the database."""

    index: MatchIndex
    """The core index over candidate records."""
    record_pks: list[int] = field(default_factory=list)
    """AdvisoryRecord pk by index position."""
    vulnerability_pks: list[int] = field(default_factory=list)
    """Vulnerability pk by index position."""
    unscreened: int = 0
    """Candidate CPE index rows stored without a screen (the screens job has not run since their
    import): their records were read and decoded to be screened, which is slower, never wrong."""


def unscreened(rows: CpeRows) -> int:
    """How many of ``rows``' index rows have no stored screen yet (NULL)."""
    return sum(screen is None for screens in rows.values() for screen in screens.values())


def _select(
    model: type[Model], columns: Sequence[str], where: str, params: Sequence[Any], *, decode_json: bool = True
) -> list[dict[str, Any]]:
    """Rows as dicts; JSON columns are read as text and decoded with orjson (Django's per-field
    ``json.loads`` was a third of the candidate load), or left as text (``decode_json=False``)."""
    meta = model._meta
    qn = connection.ops.quote_name
    json_cols = {f.column for f in meta.concrete_fields if isinstance(f, JSONField)}
    select = ", ".join(f"CAST({qn(c)} AS TEXT)" if c in json_cols else qn(c) for c in columns)
    sql = f"SELECT {select} FROM {qn(meta.db_table)} WHERE {where}"  # noqa: S608 - names from model metadata
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
    if not decode_json:
        return [dict(zip(columns, row, strict=True)) for row in rows]
    decode = [c in json_cols for c in columns]
    return [
        {
            c: (orjson.loads(v) if d and v is not None else v)
            for c, v, d in zip(columns, row, decode, strict=True)
        }
        for row in rows
    ]


def _marks(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


def _package_rows(keys: set[str]) -> list[dict[str, Any]]:
    """Affected-package rows whose stored ``package_key`` (:func:`~medvigil.core.matching.keys.
    package_key`, computed at import) is one of ``keys``: the same function on both sides."""
    rows: list[dict[str, Any]] = []
    for chunk in chunked(sorted({k[:_KEY_MAX] for k in keys}), 2000):
        where = f"package_key IN ({_marks(chunk)})"
        rows.extend(_select(AffectedPackage, _AFFECTED_COLUMNS, where, chunk, decode_json=False))
    return rows


def _cpe_records(pairs: set[str], targets: CpeTargets | None = None) -> CpeRows:
    """Records with a vulnerable entry of one of ``pairs``, each with its compact screen per pair
    (:func:`~medvigil.core.matching.cpe_config.stored_screens`, ``None`` in rows stored before
    screens were). With ``targets`` (the own CPEs of the components), only the records whose
    screens admit one of them: the others cannot yield a finding, so neither their trees nor their
    rows are read (most candidate records of a scan are other versions of the same product)."""
    products = {split_key(p)[1] for p in pairs}
    canonical = {p: p for p in pairs}  # one string per pair, not one per row (~200,000 rows)
    found: CpeRows = {}
    for chunk in chunked(sorted(products)):
        for record, vendor, product, screen in CpeIndexEntry.objects.filter(product__in=chunk).values_list(
            "record_id", "vendor", "product", "screen"
        ):
            if (pair := canonical.get(f"{vendor}:{product}")) is not None:
                found.setdefault(record, {})[pair] = screen
    if targets is None:
        return found
    return {record: screens for record, screens in found.items() if stored_screens_admit(screens, targets)}


def _cpe_subset(rows: CpeRows, pairs: set[str], targets: CpeTargets) -> CpeRows:
    """The records of ``rows`` for ``pairs`` (each with the screens of those pairs only) whose
    screens admit one of ``targets``: what :func:`_cpe_records` returns for them."""
    out: CpeRows = {}
    for record, screens in rows.items():
        part = {pair: screen for pair, screen in screens.items() if pair in pairs}
        if part and stored_screens_admit(part, targets):
            out[record] = part
    return out


def _csaf_rows(package_keys: set[str], all_rows: bool) -> list[dict[str, object]]:
    query = CsafRow.objects.all()
    if not all_rows:
        query = query.exclude(purl="", cpe="")
    rows = query.values(*_CSAF_COLUMNS, "purl", "cpe")
    return [r for r in rows if all_rows or r["cpe"] or _row_package(r) in package_keys]


def _row_package(row: dict[str, object]) -> str | None:
    return purl_package_key(str(row["purl"])) if row["purl"] else None


def _csaf_status(row: dict[str, object]) -> CsafProductStatus:
    product = CsafProduct(
        product_id=str(row["product_id"]),
        name=str(row["name"]),
        helpers=codec.product_helpers(row["helpers"]),  # type: ignore[arg-type]
        vendor=str(row["vendor"]) or None,
        product_name=str(row["product_name"]) or None,
        product_version=str(row["product_version"]) or None,
        product_version_range=str(row["product_version_range"]) or None,
    )
    return CsafProductStatus(product.product_id, str(row["status"]), product)


def cpe_rows(components: Iterable[CoreComponent], *, infer: bool) -> CpeRows:
    """The candidate records of the components' CPEs with their stored screens, not screened yet,
    for a scan split over processes: read once before the workers fork, counted to balance the
    parts, then passed to each worker's :func:`load_index`, which screens its own part's (the
    screens are parsed in the workers, in parallel)."""
    pairs = {c.vendor_product for component in components for c in own_cpes(component, infer)}
    return _cpe_records(pairs) if pairs else {}


def load_index(
    components: Iterable[CoreComponent],
    *,
    infer: bool,
    devices: bool,
    extra_keys: Iterable[str] = (),
    preloaded: CpeRows | None = None,
) -> Candidates:
    """Select candidate rows for ``components`` (and devices, by CSAF name) and prepare an index
    (``preloaded``: the :func:`cpe_rows` of a larger set of components, e.g. a whole SBOM of
    which ``components`` are one part, instead of querying the CPE index again)."""
    keys: set[str] = set(extra_keys)
    own: list[Cpe] = []
    for component in components:
        found, cpes = _keys_and_cpes(component, infer)
        keys |= found
        own.extend(cpes)
    pkg_keys = {k[4:] for k in keys if k.startswith("pkg:")}
    cpe_pairs = {k[4:] for k in keys if k.startswith("cpe:")}
    affected = _package_rows(pkg_keys) if pkg_keys else []
    cpe_records: CpeRows = {}
    if cpe_pairs and preloaded is None:
        cpe_records = _cpe_records(cpe_pairs, CpeTargets(own))
    elif cpe_pairs and preloaded is not None:
        cpe_records = _cpe_subset(preloaded, cpe_pairs, CpeTargets(own))
    csaf = _csaf_rows(pkg_keys, devices)
    csaf_pks = {int(r["record_id"]) for r in csaf}  # type: ignore[call-overload]
    record_pks = {int(r["record_id"]) for r in affected} | set(cpe_records) | csaf_pks
    built = _build(record_pks, affected, cpe_records, csaf)
    built.unscreened = unscreened(cpe_records)
    return built


_PreparedRow = tuple[tuple[PackageRule, str] | None, tuple[PreparedNode, ...]]

_CACHE_LIMIT = 50_000
"""Prepared rows kept per process (then the caches start again empty)."""
_prepared_rows: dict[tuple[Any, ...], _PreparedRow] = {}
_stored_configs: dict[bytes, StoredConfig] = {}
_stored_trees: dict[bytes, StoredTrees] = {}


def _prepared_row(row: dict[str, Any]) -> _PreparedRow:
    """The matching rule of an affected-package row (text JSON columns), cached by content.

    Parsing a row's ranges and enumerated versions into version keys (PyPI enumerations hold
    thousands of versions) was most of the candidate load; the same rows come back in every
    scan and re-match, so prepared rules are kept per process, keyed by the row's stored values
    (not its id: an updated record's rows are replaced, and ids are reused across databases).
    """
    key = tuple(row[c] for c in _AFFECTED_COLUMNS[1:])
    found = _prepared_rows.get(key)
    if found is None:
        decoded = {
            c: (orjson.loads(v) if c in _AFFECTED_JSON and v is not None else v) for c, v in row.items()
        }
        pkg = codec.affected_package(decoded)
        found = (prepare_package(pkg), prepare_record_nodes((), (pkg,)))
        if len(_prepared_rows) >= _CACHE_LIMIT:
            _prepared_rows.clear()
        _prepared_rows[key] = found
    return found


def _stored_config(text: str, screens: dict[str, str | None]) -> StoredConfig:
    """The NVD configuration trees of one stored ``nodes`` text, screened by the compact screens
    stored with the index rows of the components' ``vendor:product`` (``screens``) or, for rows
    stored without them, by decoding the text (:class:`StoredConfig`); prepared when first
    admitted. Cached by a digest of the text (keeping the texts themselves as keys held ~30 MB
    per 12,000 records): the prepared trees, and the configurations screened from the text."""
    digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
    trees = _stored_trees.get(digest)
    if trees is None:
        if len(_stored_trees) >= _CACHE_LIMIT:
            _stored_trees.clear()
        trees = _stored_trees[digest] = StoredTrees(text)
    if all(screens.values()):  # NULL (not filled yet) or "" (no screen): decoded
        config = StoredConfig.of_screens(trees, screens)  # type: ignore[arg-type]
        if config is not None:
            return config
    found = _stored_configs.get(digest)
    if found is None:
        found = StoredConfig(text, trees)
        if len(_stored_configs) >= _CACHE_LIMIT:
            _stored_configs.clear()
        _stored_configs[digest] = found
    return found


def _build(
    record_pks: set[int],
    affected: Sequence[dict[str, Any]],
    cpe_records: dict[int, dict[str, str | None]],
    csaf: Sequence[dict[str, object]],
) -> Candidates:
    by_record_affected: dict[int, list[_PreparedRow]] = {}
    for row in affected:
        by_record_affected.setdefault(int(row["record_id"]), []).append(_prepared_row(row))
    by_record_csaf: dict[int, list[dict[str, object]]] = {}
    for row in csaf:
        by_record_csaf.setdefault(int(row["record_id"]), []).append(row)  # type: ignore[call-overload]
    stored: dict[int, list[StoredConfig]] = {}
    for chunk in chunked(sorted(cpe_records), 2000):
        where = f"record_id IN ({_marks(chunk)})"
        for row in _select(CpeConfiguration, ("record_id", "nodes"), where, chunk, decode_json=False):
            if row["nodes"] is not None:
                record = row["record_id"]
                stored.setdefault(record, []).append(_stored_config(row["nodes"], cpe_records[record]))
    out = Candidates(MatchIndex())
    kinds: dict[str, str] = {}  # one string per source kind, not one per record
    for chunk in chunked(sorted(record_pks)):
        # aliases as text decoded with orjson (the JSONField's json.loads was 20% of a warm load)
        rows = (
            AdvisoryRecord.objects.filter(pk__in=chunk)
            .annotate(aliases_text=Cast("aliases", TextField()))
            .values_list(
                "pk",
                "source__kind",
                "record_id",
                "aliases_text",
                "withdrawn",
                "rejected",
                "vulnerability_id",
                "vulnerability__key",
            )  # fmt: skip
        )
        for pk, kind, rid, aliases, withdrawn, rejected, vuln, vkey in rows:
            prepared = by_record_affected.get(pk, ())
            listed = orjson.loads(aliases) if aliases else ()
            ids = tuple(dict.fromkeys([*listed, rid if vkey == rid else vkey]))  # one string when equal
            info = RecordInfo(kinds.setdefault(kind, kind), rid, ids, withdrawn is not None or rejected)
            position = out.index.add_prepared(
                info,
                [rule for rule, _ in prepared if rule is not None],
                tuple(n for _, cve5 in prepared for n in cve5),
                [_csaf_status(r) for r in by_record_csaf.get(pk, ())],
                stored.get(pk, ()),
            )
            if position is not None:
                out.record_pks.append(pk)
                out.vulnerability_pks.append(vuln)
    return out


drop_at_exit(_prepared_rows.clear, _stored_configs.clear, _stored_trees.clear)
