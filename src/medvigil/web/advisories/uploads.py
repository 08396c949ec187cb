"""Feed import from the browser (air gap): an uploaded feed file or medvigil bundle is kept in the
data folder and imported by a background job through ``services.feed_import`` /
``bundle.bundle_import`` (:func:`feed_upload_queue`, then :func:`feed_upload_run`); the feeds
page shows "import pending" until the job has recorded the outcome on the ``FeedUpload``.

The request's upload size is capped by ``inventory.uploads.CappedUploadHandler``
(``MEDVIGIL_SBOM_MAX_BYTES``); larger inputs are imported with ``medvigil feeds import``.
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from medvigil.core.errors import Error, InputError
from medvigil.web.advisories.bundle import bundle_import
from medvigil.web.advisories.models import FeedUpload, ImportRun
from medvigil.web.advisories.services import feed_import
from medvigil.web.config.errors import retry_busy

log = logging.getLogger(__name__)

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


def _folder(upload_id: int) -> Path:
    return Path(settings.DATA_DIR) / "feed-uploads" / str(upload_id)


def feed_upload_queue(*, upload: Any, kind: str, user: Any = None) -> FeedUpload:
    """Keep ``upload`` (a Django ``UploadedFile``) in the data folder and queue its import as a
    feed file or a bundle: "import pending" at once, the outcome when the job has run."""
    from medvigil.web.advisories.tasks import feed_upload_task

    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}", field="kind")
    name = _safe_name(upload.name or "upload")
    with transaction.atomic():
        row = FeedUpload.objects.create(name=name, kind=kind, size=upload.size or 0, uploaded_by=user)
        folder = _folder(row.pk)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / name).open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        transaction.on_commit(lambda: feed_upload_task(row.pk))
    return row


def feed_upload_run(*, upload_id: int) -> FeedUpload | None:
    """Import a queued upload and record the outcome; the file is removed afterwards.

    Every way out leaves the upload "done" or "failed" with a message, never "pending" (the state
    writes are retried while the database is locked); an unexpected error is re-raised for the job log.
    """
    row = FeedUpload.objects.filter(pk=upload_id).first()
    if row is None:
        return None
    folder = _folder(row.pk)
    try:
        retry_busy(lambda: FeedUpload.objects.filter(pk=row.pk).update(state=FeedUpload.State.RUNNING))
        outcome = import_path(path=folder / row.name, kind=row.kind)
    except Exception as exc:
        log.exception("import of uploaded %s failed", row.name)
        outcome = UploadOutcome(False, f"{row.name}: import failed: {type(exc).__name__}: {exc}")
        _finish(row, outcome)
        raise
    else:
        _finish(row, outcome)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    row.refresh_from_db()
    return row


def _finish(row: FeedUpload, outcome: UploadOutcome) -> None:
    state = FeedUpload.State.DONE if outcome.ok else FeedUpload.State.FAILED
    retry_busy(
        lambda: FeedUpload.objects.filter(pk=row.pk).update(
            state=state, message=outcome.message, finished_at=timezone.now()
        )
    )


def import_path(*, path: Path, kind: str) -> UploadOutcome:
    """Import the file at ``path`` as a feed file or a bundle; never raises for bad input: the
    outcome names the file and what was wrong (a failed bundle keeps nothing)."""
    name = path.name
    try:
        if kind == "bundle":
            return _bundle(path, name)
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
