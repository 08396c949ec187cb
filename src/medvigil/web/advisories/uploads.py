"""Feed import from the browser (air gap): an uploaded feed file or medvigil bundle is copied to a
temporary folder and imported through ``services.feed_import`` / ``bundle.bundle_import``.

The request's upload size is capped by ``inventory.uploads.CappedUploadHandler``
(``MEDVIGIL_SBOM_MAX_BYTES``); larger inputs are imported with ``medvigil feeds import``.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medvigil.core.errors import Error, InputError
from medvigil.web.advisories.bundle import bundle_import
from medvigil.web.advisories.models import ImportRun
from medvigil.web.advisories.services import feed_import

KINDS = ("feed", "bundle")
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    """What an uploaded import did, as one line for the page."""

    ok: bool
    message: str


def _safe_name(name: str) -> str:
    """The file name without folders or unusual characters (suffixes kept for format detection)."""
    base = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).lstrip(".")[:200]
    return base or "upload"


def import_upload(*, upload: Any, kind: str) -> UploadOutcome:
    """Import ``upload`` (a Django ``UploadedFile``) as a feed file or a bundle; never raises for
    bad input: the outcome names the file and what was wrong (a failed bundle keeps nothing)."""
    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}", field="kind")
    name = _safe_name(upload.name or "upload")
    with tempfile.TemporaryDirectory(prefix="medvigil-feed-upload-") as folder:
        path = Path(folder) / name
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            if kind == "bundle":
                done = bundle_import(path)
                if done.skipped:
                    return UploadOutcome(
                        True, f"{name}: every file of the bundle was imported before; nothing changed."
                    )
                parts = [
                    f"{e.file}: {'skipped' if r.skipped else _counts(r.counts)}" for e, r in done.results
                ]
                return UploadOutcome(True, f"{name}: bundle imported. " + "; ".join([*parts, *done.notes]))
            result = feed_import(path=path)
        except Error as exc:
            return UploadOutcome(False, f"{name}: {exc.diagnostics()}")
    if result.run is not None and not result.skipped:
        ImportRun.objects.filter(pk=result.run.pk).update(path=f"upload:{name}"[:1000])
    if result.failed:
        return UploadOutcome(False, f"{name}: import failed, nothing was kept: {result.message}")
    if result.skipped:
        return UploadOutcome(True, f"{name}: the same file was imported before; nothing changed.")
    errors = f", {len(result.errors)} record error(s) (see the run below)" if result.errors else ""
    return UploadOutcome(True, f"{name} ({result.source}): {_counts(result.counts)}{errors}.")


def _bundle(path: Path, name: str) -> UploadOutcome:
    done = bundle_import(path)
    if done.skipped:
        return UploadOutcome(True, f"{name}: every file of the bundle was imported before; nothing changed.")
    parts = [f"{e.file}: {'skipped' if r.skipped else _counts(r.counts)}" for e, r in done.results]
    return UploadOutcome(True, f"{name}: bundle imported. " + "; ".join([*parts, *done.notes]))


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {k}" for k, n in counts.items())
