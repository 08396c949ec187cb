"""Air-gapped transfer of the intelligence store: export to one bundle file, import it elsewhere.

A bundle is an uncompressed tar (its data files are compressed) holding ``data/<file>`` members
and, as the **last** member, ``manifest.json``::

    {"format": "medvigil-feed-bundle", "format_version": 1, "created_at": "...Z",
     "medvigil_version": "0.1.0", "since": "2024-01-01" | null,
     "entries": [{"source": "nvd", "parser": "nvd", "file": "nvd-nvd-1.1.jsonl.gz",
                  "sha256": "...", "size": 123, "records": 82000}, ...]}

Each data file is an input the ordinary parser of ``parser`` reads back, built from what the
store keeps:

* ``osv``, ``cve5``: a ``.zip`` with each record's upstream bytes as one ``.json`` member (the
  ``all.zip`` layout); the stored bytes come back unchanged, so ``raw_sha256`` is the same.
* ``csaf``: a ``.zip`` of the distinct CSAF documents (a document is stored once per
  vulnerability; it is exported once).
* ``nvd``: JSON 1.1 items as ``.jsonl.gz`` (one stored item per line, bytes unchanged); API 2.0
  items as a ``.zip`` of API response pages of 2,000 (``{"format": "NVD_CVE", ...}``).
* ``kev``: the store keeps KEV entries as fields, not upstream bytes; a catalog JSON is rebuilt
  from them (one per catalog version), which the KEV parser maps back to the same fields. KEV is
  small (about 1,400 entries) and is always exported whole, ``since`` does not apply.
* ``epss``: scores are kept per (CVE, day); one ``.csv.gz`` with a ``#model_version,score_date``
  header line per (day, model version) section, which the EPSS parser reads in turn.

Import reads the whole tar into a private temporary folder, refusing anything but regular files
with plain names, and checks the manifest (format, entries, parsers) and every file's size and
SHA-256 **before** anything is written. A truncated bundle lacks its trailing manifest or fails
mid-member; either way it is refused. The entries are then imported with ``feed_import``, all of
them in one transaction: if any entry fails, nothing of the bundle is kept (and a killed import
leaves nothing behind either). The temporary folder is in ``$TMPDIR``; it needs room for the
bundle's data once more. Importing the same
bundle again skips every entry (each file's checksum already has a succeeded run).

The checksums protect against corruption and truncation, not against someone who rewrites the
manifest too: for authenticity, sign the bundle file (e.g. ``gpg --detach-sign``) and check the
signature on the receiving side before importing.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import os
import re
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from medvigil import __version__
from medvigil.core.errors import FeedError
from medvigil.core.feeds.registry import FEED_PARSERS
from medvigil.web.advisories.models import AdvisoryRecord, EpssScore, ImportRun, KevEntry, Source
from medvigil.web.advisories.services import ImportRunResult, feed_import

__all__ = [
    "BundleEntry",
    "BundleError",
    "BundleImport",
    "BundleManifest",
    "bundle_export",
    "bundle_import",
    "bundle_verify",
]

FORMAT = "medvigil-feed-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data/"
NVD_PAGE = 2000
MAX_MANIFEST = 16 << 20
DEFAULT_MAX_BYTES = 64 << 30
"""Largest bundle content accepted on import (sum of member sizes)."""
IMPORT_ORDER = {"osv": 0, "cve5": 1, "nvd": 2, "csaf": 3, "kev": 4, "epss": 5}
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

Progress = Callable[[str], None]
"""Called with a short note per step (file written, entry imported)."""


class BundleError(FeedError):
    """A bundle cannot be written or is refused (tampered, truncated, not a bundle)."""


@dataclass(frozen=True, slots=True)
class BundleEntry:
    """One data file of a bundle."""

    source: str
    """``Source`` name the records are filed under."""
    parser: str
    """Parser id that reads the file (``osv``, ``nvd``, ``cve5``, ``csaf``, ``kev``, ``epss``)."""
    file: str
    sha256: str
    size: int
    records: int
    """Records exported (the import reports a different number of records read as a note)."""


@dataclass(frozen=True, slots=True)
class BundleManifest:
    """What a bundle holds."""

    created_at: str
    medvigil_version: str
    entries: tuple[BundleEntry, ...]
    since: str | None = None
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        """The manifest as written into the bundle."""
        return orjson.dumps(self, option=orjson.OPT_INDENT_2)


@dataclass(frozen=True, slots=True)
class BundleImport:
    """What importing a bundle did."""

    manifest: BundleManifest
    results: tuple[tuple[BundleEntry, ImportRunResult], ...]
    notes: tuple[str, ...] = ()

    @property
    def skipped(self) -> bool:
        """True when every entry had been imported before (nothing changed)."""
        return all(r.skipped for _, r in self.results)


# --- export --------------------------------------------------------------------------------------


def _safe(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._@+-]", "_", text).strip("._") or "x"
    return cleaned[:120]


def _raw(blob: bytes | memoryview) -> bytes:
    return zlib.decompress(bytes(blob))


@dataclass
class _Staged:
    source: str
    parser: str
    path: Path
    records: int = 0


@contextmanager
def _zip_writer(path: Path) -> Iterator[Callable[[str, bytes], None]]:
    names: set[str] = set()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:

        def add(name: str, data: bytes) -> None:
            unique, n = name, 1
            while unique in names:
                n += 1
                unique = f"{name.removesuffix('.json')}~{n}.json"
            names.add(unique)
            info = zipfile.ZipInfo(unique, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)

        yield add


@contextmanager
def _gzip(path: Path) -> Iterator[gzip.GzipFile]:
    """A reproducible gzip stream (no name, no timestamp) into ``path``."""
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        yield out


def _records(source: Source, since: dt.datetime | None) -> QuerySet[AdvisoryRecord]:
    rows = AdvisoryRecord.objects.filter(source=source)
    if since is not None:
        rows = rows.filter(modified__gte=since)
    return rows


def _export_documents(source: Source, since: dt.datetime | None, folder: Path) -> list[_Staged]:
    """osv/cve5: one member per record; csaf: one member per distinct document."""
    staged = _Staged(source.name, source.kind, folder / f"{_safe(source.name)}-{source.kind}.zip")
    rows = _records(source, since)
    with _zip_writer(staged.path) as add:
        if source.kind == "csaf":
            staged.records = rows.count()
            last = ""
            ordered = rows.order_by("raw_sha256").values_list("raw_sha256", "record_id", "raw")
            for digest, record_id, raw in ordered.iterator(chunk_size=500):
                if digest != last:
                    add(f"{_safe(record_id)}-{digest[:12]}.json", _raw(raw))
                    last = digest
        else:
            for record_id, raw in rows.order_by("record_id").values_list("record_id", "raw").iterator(2000):
                add(f"{_safe(record_id)}.json", _raw(raw))
                staged.records += 1
    return [staged] if staged.records else []


def _export_nvd(source: Source, since: dt.datetime | None, folder: Path) -> list[_Staged]:
    """1.1 items as JSONL lines (bytes unchanged); API 2.0 items as response pages in a zip."""
    legacy = _Staged(source.name, "nvd", folder / f"{_safe(source.name)}-nvd-1.1.jsonl.gz")
    api = _Staged(source.name, "nvd", folder / f"{_safe(source.name)}-nvd-api-2.0.zip")
    page: list[bytes] = []
    with _gzip(legacy.path) as lines, _zip_writer(api.path) as add:

        def flush() -> None:
            if page:
                body = b'{"format":"NVD_CVE","version":"2.0","vulnerabilities":[' + b",".join(page) + b"]}"
                add(f"page-{api.records // NVD_PAGE:05d}.json", body)
                page.clear()

        rows = _records(source, since).order_by("record_id").values_list("raw", flat=True)
        for blob in rows.iterator(chunk_size=2000):
            raw = _raw(blob)
            if b"\n" in raw or b"\r" in raw:
                raw = orjson.dumps(orjson.loads(raw))
            if b'"CVE_data_meta"' in raw[:4096] or b'"CVE_data_meta"' in raw:
                lines.write(raw + b"\n")
                legacy.records += 1
            else:
                page.append(raw)
                if len(page) == NVD_PAGE:
                    flush()
                api.records += 1
        flush()
    return [s for s in (legacy, api) if s.records]


def _kev_item(row: KevEntry) -> dict[str, Any]:
    return {
        "cveID": row.cve_id,
        "vendorProject": row.vendor,
        "product": row.product,
        "vulnerabilityName": row.name,
        "dateAdded": row.date_added.isoformat(),
        "shortDescription": row.short_description,
        "requiredAction": row.required_action,
        "dueDate": row.due_date.isoformat() if row.due_date else None,
        "knownRansomwareCampaignUse": row.known_ransomware,
        "notes": row.notes,
        "cwes": list(row.cwes or ()),
    }


def _export_kev(name: str, folder: Path) -> list[_Staged]:
    """One catalog JSON per stored catalog version (whole catalog; ``since`` does not apply)."""
    staged: list[_Staged] = []
    versions = (
        KevEntry.objects.order_by("catalog_version").values_list("catalog_version", flat=True).distinct()
    )
    for version in versions:
        entries = KevEntry.objects.filter(catalog_version=version).order_by("-date_added", "cve_id")
        items = [_kev_item(e) for e in entries.iterator(chunk_size=2000)]
        catalog = {
            "title": "CISA Catalog of Known Exploited Vulnerabilities (medvigil bundle export)",
            "catalogVersion": version,
            "dateReleased": None,
            "count": len(items),
            "vulnerabilities": items,
        }
        label = _safe(version) if version else "unversioned"
        path = folder / f"{_safe(name)}-kev-{label}.json"
        path.write_bytes(orjson.dumps(catalog))
        staged.append(_Staged(name, "kev", path, len(items)))
    return staged


def _export_epss(name: str, since: dt.date | None, folder: Path) -> list[_Staged]:
    """One CSV with a ``#model_version,score_date`` header line per (day, model) section."""
    staged = _Staged(name, "epss", folder / f"{_safe(name)}-epss.csv.gz")
    rows = EpssScore.objects.all()
    if since is not None:
        rows = rows.filter(score_date__gte=since)
    ordered = rows.order_by("score_date", "model_version", "cve_id").values_list(
        "score_date", "model_version", "cve_id", "epss", "percentile"
    )
    section: tuple[dt.date, str] | None = None
    with _gzip(staged.path) as out:
        for day, model, cve, epss, percentile in ordered.iterator(chunk_size=5000):
            if (day, model) != section:
                out.write(f"#model_version:{model},score_date:{day.isoformat()}T00:00:00+0000\n".encode())
                if section is None:
                    out.write(b"cve,epss,percentile\n")
                section = (day, model)
            out.write(f"{cve},{epss!r},{percentile!r}\n".encode())
            staged.records += 1
    return [staged] if staged.records else []


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _wanted(kind: str, name: str, sources: Sequence[str] | None) -> bool:
    return not sources or kind in sources or name in sources


def _tar_add(tar: tarfile.TarFile, name: str, path: Path, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = path.stat().st_size
    info.mtime = int(mtime)
    info.mode = 0o644
    with path.open("rb") as handle:
        tar.addfile(info, handle)


def bundle_export(
    path: Path,
    *,
    sources: Sequence[str] | None = None,
    since: dt.date | None = None,
    progress: Progress | None = None,
) -> BundleManifest:
    """Write the store (or the given sources, records modified since ``since``) to ``path``.

    ``sources`` are parser ids or ``Source`` names. Memory stays bounded: records are streamed
    from the database into compressed files in a temporary folder beside ``path``, then into
    the tar; ``path`` appears (atomically renamed) only when complete.
    """
    path = Path(path)
    known = {s.kind for s in Source.objects.all()} | {s.name for s in Source.objects.all()}
    unknown = sorted(set(sources or ()) - known - set(IMPORT_ORDER))
    if unknown:
        raise BundleError(f"unknown source(s): {', '.join(unknown)}")
    since_at = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC) if since else None
    created = dt.datetime.now(dt.UTC)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".medvigil-bundle-", dir=path.parent) as tmp:
        folder = Path(tmp)
        staged: list[_Staged] = []
        record_sources = Source.objects.exclude(kind__in=("kev", "epss")).order_by("name")
        for source in sorted(record_sources, key=lambda s: (IMPORT_ORDER.get(s.kind, 9), s.name)):
            if not _wanted(source.kind, source.name, sources):
                continue
            exporter = _export_nvd if source.kind == "nvd" else _export_documents
            staged.extend(exporter(source, since_at, folder))
            if progress:
                progress(f"exported {source.name}")
        for kind in ("kev", "epss"):
            owner = Source.objects.filter(kind=kind).order_by("id").first()
            name = owner.name if owner else kind
            if _wanted(kind, name, sources):
                staged.extend(
                    _export_kev(name, folder) if kind == "kev" else _export_epss(name, since, folder)
                )
                if progress:
                    progress(f"exported {name}")
        entries = tuple(
            BundleEntry(s.source, s.parser, s.path.name, _sha256(s.path), s.path.stat().st_size, s.records)
            for s in staged
        )
        manifest = BundleManifest(
            created_at=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            medvigil_version=__version__,
            entries=entries,
            since=since.isoformat() if since else None,
        )
        (folder / MANIFEST).write_bytes(manifest.to_json())
        partial = folder / "bundle.tar"
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            for s in staged:
                _tar_add(tar, DATA + s.path.name, s.path, created.timestamp())
            _tar_add(tar, MANIFEST, folder / MANIFEST, created.timestamp())
        os.replace(partial, path)
    return manifest


# --- import --------------------------------------------------------------------------------------


def _manifest(data: bytes) -> BundleManifest:
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise BundleError(f"the manifest is not JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BundleError("not a medvigil feed bundle (manifest format is not 'medvigil-feed-bundle')")
    version = doc.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise BundleError(f"bundle format version {version!r} is not supported (this medvigil reads 1)")
    entries = []
    for index, item in enumerate(doc.get("entries") or ()):
        try:
            entry = BundleEntry(
                source=str(item["source"]),
                parser=str(item["parser"]),
                file=str(item["file"]),
                sha256=str(item["sha256"]).lower(),
                size=int(item["size"]),
                records=int(item["records"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BundleError(f"manifest entry {index} is incomplete: {exc!r}") from exc
        if entry.parser not in FEED_PARSERS:
            raise BundleError(f"manifest entry {entry.file}: unknown parser {entry.parser!r}")
        if not _SAFE_NAME.match(entry.file) or not entry.source:
            raise BundleError(f"manifest entry {index}: bad file or source name {entry.file!r}")
        entries.append(entry)
    if len({e.file for e in entries}) != len(entries):
        raise BundleError("the manifest names a file twice")
    return BundleManifest(
        created_at=str(doc.get("created_at", "")),
        medvigil_version=str(doc.get("medvigil_version", "")),
        entries=tuple(entries),
        since=doc.get("since"),
        format_version=version,
    )


def _copy_member(
    member: tarfile.TarInfo, handle: Any, data: Path, found: dict[str, tuple[str, int]]
) -> tuple[str, tuple[str, int]]:
    name = member.name.removeprefix(DATA)
    if not member.name.startswith(DATA) or not _SAFE_NAME.match(name):
        raise BundleError(f"unexpected bundle member {member.name!r}")
    if name in found:
        raise BundleError(f"bundle member {member.name!r} appears twice")
    digest = hashlib.sha256()
    size = 0
    with (data / name).open("wb") as out:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
            out.write(block)
    if size != member.size:
        raise BundleError(f"bundle member {member.name!r} is truncated")
    return name, (digest.hexdigest(), size)


def _unpack(path: Path, folder: Path, max_bytes: int) -> tuple[bytes, dict[str, tuple[str, int]]]:
    """Copy the members into ``folder``; return the manifest bytes and each data file's (sha256, size)."""
    data = folder / "data"
    data.mkdir()
    found: dict[str, tuple[str, int]] = {}
    manifest: bytes | None = None
    total = 0
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if not member.isfile():
                    raise BundleError(f"bundle member {member.name!r} is not a regular file")
                total += member.size
                if total > max_bytes:
                    raise BundleError(
                        f"{path.name}: bundle member {member.name!r} ({member.size} bytes) takes the content "
                        f"over the limit of {max_bytes} bytes (MEDVIGIL_BUNDLE_MAX_BYTES)"
                    )
                if manifest is not None:
                    raise BundleError(f"bundle member {member.name!r} follows the manifest")
                handle = tar.extractfile(member)
                assert handle is not None
                if member.name == MANIFEST:
                    if member.size > MAX_MANIFEST:
                        raise BundleError("the manifest is implausibly large")
                    manifest = handle.read()
                    continue
                name, digest_size = _copy_member(member, handle, data, found)
                found[name] = digest_size
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BundleError(f"{path.name}: truncated or corrupt bundle: {exc}") from exc
    if manifest is None:
        raise BundleError(
            f"{path.name}: no manifest.json at the end: the bundle is truncated or not a bundle"
        )
    return manifest, found


def _check(manifest: BundleManifest, found: dict[str, tuple[str, int]]) -> None:
    problems = []
    listed = {e.file for e in manifest.entries}
    problems += [f"{name}: not listed in the manifest" for name in sorted(set(found) - listed)]
    for entry in manifest.entries:
        if entry.file not in found:
            problems.append(f"{entry.file}: missing from the bundle")
            continue
        digest, size = found[entry.file]
        if size != entry.size:
            problems.append(f"{entry.file}: {size} bytes, the manifest says {entry.size}")
        elif digest != entry.sha256:
            problems.append(
                f"{entry.file}: SHA-256 {digest[:16]}… does not match the manifest's {entry.sha256[:16]}…"
            )
    if problems:
        raise BundleError("bundle refused, nothing was imported: " + "; ".join(problems))


@contextmanager
def _unpacked(path: Path, max_bytes: int | None) -> Iterator[tuple[BundleManifest, Path]]:
    path = Path(path)
    if max_bytes is None:
        max_bytes = int(getattr(settings, "BUNDLE_MAX_BYTES", DEFAULT_MAX_BYTES))
    if not path.is_file():
        raise BundleError(f"{path}: no such bundle file")
    folder = Path(tempfile.mkdtemp(prefix="medvigil-bundle-"))
    try:
        raw, found = _unpack(path, folder, max_bytes)
        manifest = _manifest(raw)
        _check(manifest, found)
        yield manifest, folder / "data"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bundle_verify(path: Path, *, max_bytes: int | None = None) -> BundleManifest:
    """Check a bundle completely (members, manifest, sizes, checksums) without importing it."""
    with _unpacked(path, max_bytes) as (manifest, _):
        return manifest


def _read_count(result: ImportRunResult) -> int:
    run = result.run
    if run is None:
        return 0
    return run.new + run.updated + run.unchanged + run.error_count


def _order(entries: Iterable[BundleEntry]) -> list[BundleEntry]:
    return sorted(entries, key=lambda e: IMPORT_ORDER.get(e.parser, 9))


def bundle_import(
    path: Path, *, max_bytes: int | None = None, progress: Progress | None = None
) -> BundleImport:
    """Verify ``path`` completely, then import every entry through ``feed_import`` in one transaction.

    Raises :class:`BundleError` (nothing written) for a tampered, truncated or foreign bundle and
    when any entry fails to import.
    """
    path = Path(path)
    results: list[tuple[BundleEntry, ImportRunResult]] = []
    notes: list[str] = []
    with _unpacked(path, max_bytes) as (manifest, data), transaction.atomic():
        for entry in _order(manifest.entries):
            result = feed_import(path=data / entry.file, source=entry.parser, source_name=entry.source)
            if result.failed:
                raise BundleError(
                    f"{path.name}: {entry.file} failed to import, nothing was kept: {result.message}"
                )
            if not result.skipped and result.run is not None:
                label = f"{path.name}:{entry.file}"[:1000]
                ImportRun.objects.filter(pk=result.run.pk).update(path=label)
                result.run.path = label
                if _read_count(result) != entry.records:
                    notes.append(f"{entry.file}: {_read_count(result)} records read, {entry.records} listed")
            results.append((entry, result))
            if progress:
                progress(f"{entry.file}: {'skipped' if result.skipped else 'imported'}")
    return BundleImport(manifest, tuple(results), tuple(notes))


def manifest_dict(manifest: BundleManifest) -> dict[str, Any]:
    """The manifest as plain data (for JSON output)."""
    return dict(orjson.loads(manifest.to_json()))
