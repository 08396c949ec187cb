"""Writes for vulnerability intelligence: sources and feed imports.

``feed_import`` reads one input (file, folder or archive a parser accepts) into one
``ImportRun``. All of its records are written in one transaction, in chunks with set-based
statements; a whole-input failure (wrong format, truncated archive, even after records were
parsed) rolls everything back and marks the run failed in a separate write. An input whose
checksum already has a succeeded run for the source is skipped without parsing.

Parsers that offer
:meth:`~medvigil.core.feeds.interface.FeedParser.parse_pending` hand over each record's id and
raw bytes first; a record whose raw checksum equals the stored one is counted unchanged without
being mapped, which makes re-importing mostly unchanged data cheap.

For large inputs (``MEDVIGIL_IMPORT_WORKERS=1``, the default, and at least
:data:`PIPELINE_MIN_BYTES`) those pending records are mapped and turned into rows in a second
process (:mod:`.workers`) while this process writes the previous chunk: the same functions as the
serial path, the same transaction, the same order of writes and record errors. A failure there
(a record that cannot be mapped is a located record error; anything else fails the input naming
the record) reaches this process through the future's result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from medvigil.core._gc import paused_gc
from medvigil.core.errors import Error, FeedParseError
from medvigil.core.feeds.interface import ParsedRecord, PendingItem, PendingRecord, RecordError
from medvigil.core.feeds.registry import FEED_PARSERS, detect_source, input_head
from medvigil.core.model.advisory import AdvisoryRecord as CoreRecord
from medvigil.core.model.advisory import EpssScore as CoreEpss
from medvigil.web.advisories import checkpoints
from medvigil.web.advisories.enrichment import EpssWriter, KevWriter, vulnerabilities_refresh
from medvigil.web.advisories.models import AdvisoryRecord, ImportRun, Source
from medvigil.web.advisories.prepare import Context, Prepared, prepare_pending
from medvigil.web.advisories.records import Counts, Plan, RecordWriter
from medvigil.web.advisories.workers import (
    PIPELINE_MIN_BYTES,
    Ahead,
    discard_if_broken,
    map_ahead,
    prepare_batch,
    raw_check,
    submit_early,
    worker_pool,
)
from medvigil.web.advisories.workers import start as start_worker
from medvigil.web.advisories.workers import starting as worker_starting
from medvigil.web.audit.services import CREATE, audit_record
from medvigil.web.config import store_snapshot

log = logging.getLogger("medvigil.advisories")
CHUNK = 2000
"""Records per set-based write."""
FIRST_CHUNK = 250
"""Records in an input's first chunk; each next chunk doubles up to :data:`CHUNK`. With a second
process this starts it mapping sooner (it idles until the first chunk is planned, and the
writer idles until that chunk is mapped)."""
MAX_ERRORS = 1000
"""Record errors kept on a run (``error_count`` counts them all)."""
IN_FLIGHT = 4
"""Chunks planned and handed to the second process ahead of the one being written. The executor
hands its one process up to three tasks at once (one running, two queued); the newer ones stay
cancellable, so a writer that would wait maps one of them itself (:meth:`_Load._map_while_waiting`)."""
AHEAD_FIRST = 8000
"""Records of an input the second process maps ahead while the CLI migrates the store."""
AHEAD_NEXT = 3000
"""Records of the next input it maps ahead while the writer finishes the current one."""

Progress = Callable[[int], None]
"""Called with the number of records read so far, after each chunk."""


class _Writer(Protocol):
    counts: Counts

    def write(self, chunk: list[ParsedRecord]) -> None: ...


@dataclass(frozen=True, slots=True)
class ImportRunResult:
    """What one ``feed_import`` did."""

    run: ImportRun | None
    """The run (for a skipped input: the earlier succeeded run with that checksum)."""
    path: Path
    source: str
    skipped: bool = False
    """True when the same bytes were imported before: nothing was read."""
    failed: bool = False
    message: str = ""
    errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """new/updated/unchanged/withdrawn/rejected of this import (all zero when skipped)."""
        names = ("new", "updated", "unchanged", "withdrawn", "rejected")
        if self.run is None or self.skipped:
            return dict.fromkeys(names, 0)
        return {n: getattr(self.run, n) for n in names}


def source_ensure(*, name: str, kind: str) -> Source:
    """The source with this name, created (enabled) when missing."""
    source, _ = Source.objects.get_or_create(name=name, defaults={"kind": kind})
    return source


def input_checksum(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, or of a folder's files (names and bytes, sorted)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    size = 0
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode() + b"\0")
        with file.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
                size += len(block)
    return digest.hexdigest(), size


def _error_dict(err: RecordError) -> dict[str, str]:
    return {
        "source": err.source,
        "location": err.location,
        "record_id": err.record_id,
        "field": err.field,
        "message": err.message,
    }


def _file_date(path: Path) -> dt.date:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).date()


@dataclass
class _Ahead:
    """Records of one input being mapped ahead by the second process (:func:`import_map_ahead`)."""

    ctx: Context
    count: int
    future: Future[Ahead]
    _found: dict[str, tuple[str, int, Prepared | RecordError]] | None = None

    def found(self) -> dict[str, tuple[str, int, Prepared | RecordError]]:
        """``location -> (pending id, raw check, mapped)``; empty when the read-ahead failed."""
        if self._found is None:
            try:
                rows = self.future.result()
            except Exception:  # noqa: BLE001 - the import maps these records itself (and meets any error)
                rows = []
            self._found = {loc: (rid, check, mapped) for loc, rid, check, mapped in rows}
        return self._found


_InFlight = tuple[Plan, list[Prepared | RecordError | None], Future[list[Prepared | RecordError]] | None]
"""A chunk handed over: its plan, its records mapped ahead (None: in the future's result), the future."""
_ahead: dict[str, _Ahead] = {}
"""Read-aheads by input path, taken by the input's import."""


def _ahead_key(path: Path) -> str:
    return str(path.resolve())


@dataclass
class _Load:
    run: ImportRun
    source: Source
    path: Path
    progress: Progress | None
    pool: Any = None
    """The executor mapping pending records (None: map them here)."""
    mapped_here: int = 0
    """Chunks handed to the worker and then mapped here while waiting (:meth:`_map_while_waiting`)."""
    pool_starting: bool = False
    """The worker is still booting: chunks are mapped here until it is up, then handed to it."""
    writer: Any = None
    errors: list[dict[str, str]] = field(default_factory=list)
    error_count: int = 0
    seen: int = 0
    inflight: deque[_InFlight] = field(default_factory=deque)
    ahead: _Ahead | None = None
    """This input's first records, mapped ahead by the second process."""
    pending_seen: int = 0
    """Pending records planned so far (the read-ahead's records are the first ``ahead.count``)."""
    then: Callable[[], None] | None = None
    """Called once every chunk of the input has been handed over (maps the next input ahead)."""

    def _writer_for(self, item: ParsedRecord | PendingRecord) -> Any:
        now = self.run.started_at
        if isinstance(item, PendingRecord) or isinstance(item.record, CoreRecord):
            return RecordWriter(
                source_id=self.source.pk, run_id=self.run.pk, now=now, source_name=self.source.name,
                input_name=self.path.name,
            )  # fmt: skip
        if isinstance(item.record, CoreEpss):
            return EpssWriter(default_date=_file_date(self.path))
        return KevWriter(run_id=self.run.pk, now=now)

    def _flush(self, chunk: list[PendingItem]) -> None:
        if chunk:
            if self.writer is None:
                first = next(i for i in chunk if not isinstance(i, RecordError))
                self.writer = self._writer_for(first)
            if self.pool_starting and not worker_starting():
                self.pool, self.pool_starting = worker_pool(), False
            if isinstance(self.writer, RecordWriter) and self.pool is not None:
                self._hand_over(list(chunk))
            elif isinstance(self.writer, RecordWriter):
                self.writer.write_items(chunk, self._error)
            else:
                self.writer.write(chunk)
            chunk.clear()
        if self.progress is not None:
            self.progress(self.seen)

    def _hand_over(self, chunk: list[PendingItem]) -> None:
        """Plan the chunk, send its records to be mapped, write the oldest chunk beyond the window.

        While this input's read-ahead is not back (the second process still starting, or mapping
        an earlier input ahead) and nothing is in flight, the chunk is mapped and written here
        instead: waiting would leave this process idle (a new store is created in a fraction of
        a second, so a first import's writer used to wait ~1 s for the worker to boot).
        """
        plan = self.writer.plan(chunk)
        if not self.inflight and self._ahead_not_back():
            self._count_pending(plan)
            self.writer.write_planned(plan, prepare_pending(plan.to_map, self.writer.context()), self._error)
            return
        ctx = self.writer.context(raw_by_writer=True)
        ready = self._mapped_ahead(plan, ctx)
        rest = [entry for entry, done in zip(plan.to_map, ready, strict=True) if done is None]
        future = self.pool.submit(prepare_batch, rest, ctx) if rest else None
        self.inflight.append((plan, ready, future))
        while len(self.inflight) > IN_FLIGHT:
            self._write_oldest()

    def _ahead_not_back(self) -> bool:
        """Whether records still to come are being mapped ahead and their results are not back."""
        ahead = self.ahead
        return ahead is not None and self.pending_seen < ahead.count and not ahead.future.done()

    def _count_pending(self, plan: Plan) -> None:
        """Advance the pending-record ordinal over ``plan`` without taking read-ahead results."""
        self.pending_seen += sum(isinstance(item, PendingRecord) for item in plan.items)

    def _mapped_ahead(self, plan: Plan, ctx: Context) -> list[Prepared | RecordError | None]:
        """Per record of ``plan.to_map``: its result mapped ahead (same location, id and raw
        bytes, same context), None when it still has to be mapped."""
        ahead = self.ahead
        if ahead is not None and ahead.ctx._replace(raw_by_writer=ctx.raw_by_writer) != ctx:
            ahead = None
        ready: list[Prepared | RecordError | None] = []
        for item, skipped in zip(plan.items, plan.skip, strict=True):
            if not isinstance(item, PendingRecord):
                continue
            ordinal = self.pending_seen
            self.pending_seen += 1
            if skipped:
                continue
            found = ahead.found().get(item.location) if ahead is not None and ordinal < ahead.count else None
            usable = found is not None and found[0] == item.record_id and found[1] == raw_check(item.raw)
            ready.append(found[2] if usable and found is not None else None)
        return ready

    def _map_while_waiting(self) -> None:
        """While the oldest chunk is still being mapped by the worker, map here the newest chunk
        whose task has not started (cancelled first): this process would only wait, and the
        worker is then the slower side. Results and order are the same; only who maps changes."""
        for index in range(len(self.inflight) - 1, 0, -1):
            oldest = self.inflight[0][2]
            if oldest is None or oldest.done():
                return
            plan, ready, future = self.inflight[index]
            if future is None or not future.cancel():
                continue
            rest = [entry for entry, done in zip(plan.to_map, ready, strict=True) if done is None]
            mapped = iter(prepare_pending(rest, self.writer.context()))
            self.inflight[index] = (plan, [d if d is not None else next(mapped) for d in ready], None)
            self.mapped_here += 1

    def _write_oldest(self) -> None:
        self._map_while_waiting()
        plan, ready, future = self.inflight.popleft()
        rest = iter(future.result() if future is not None else [])
        mapped = [done if done is not None else next(rest) for done in ready]
        self.writer.write_planned(plan, mapped, self._error)

    def drain(self) -> None:
        """Write every chunk still in flight (in order)."""
        while self.inflight:
            self._write_oldest()

    def cancel(self) -> None:
        """Drop the chunks in flight (the run failed; nothing of it is kept)."""
        while self.inflight:
            _, _, future = self.inflight.popleft()
            if future is not None:
                future.cancel()

    def _error(self, err: RecordError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(_error_dict(err))

    def consume(self, items: Iterable[PendingItem]) -> None:
        chunk: list[PendingItem] = []
        ids: set[object] = set()
        pending = False
        """Whether the chunk holds a record mapped only at write time (errors then stay in order)."""
        limit = FIRST_CHUNK
        for item in items:
            if isinstance(item, RecordError):
                if pending or self.inflight:  # behind records not written yet: keep the order
                    chunk.append(item)
                else:
                    self._error(item)
                continue
            key = _item_key(item)
            if key in ids or len(chunk) >= limit:
                self._flush(chunk)
                ids.clear()
                pending = False
                limit = min(CHUNK, limit * 2)
            ids.add(key)
            chunk.append(item)
            pending = pending or isinstance(item, PendingRecord)
            self.seen += 1
        self._flush(chunk)
        if self.then is not None and self.pool is not None:
            self.then()
        self.drain()
        if self.writer is not None:
            if isinstance(self.writer, RecordWriter):
                vulnerabilities_refresh(self.writer.counts.touched)
            else:
                self.writer.finish()


def _item_key(item: ParsedRecord | PendingRecord) -> object:
    if isinstance(item, PendingRecord):
        return item.record_id or object()
    return _record_key(item.record)


def _record_key(record: object) -> object:
    if isinstance(record, CoreRecord):
        return record.id
    if isinstance(record, CoreEpss):
        return (record.cve_id, record.score_date)
    return getattr(record, "cve_id", None)


def _finish(run: ImportRun, load: _Load) -> None:
    counts = load.writer.counts if load.writer is not None else Counts()
    for name in ("new", "updated", "unchanged", "withdrawn", "rejected"):
        setattr(run, name, getattr(counts, name))
    run.error_count = load.error_count
    run.errors = load.errors
    run.status = ImportRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    _audit(run)


def _fail(run: ImportRun, message: str) -> None:
    run.status = ImportRun.Status.FAILED
    run.message = message
    run.finished_at = timezone.now()
    run.new = run.updated = run.unchanged = run.withdrawn = run.rejected = 0
    run.save()
    _audit(run)


def _audit(run: ImportRun) -> None:
    """One audit event per import run (never per record)."""
    counts = {
        n: getattr(run, n) for n in ("new", "updated", "unchanged", "withdrawn", "rejected", "error_count")
    }
    audit_record(
        "feeds.import",
        run,
        action=CREATE,
        data={"status": run.status, "path": run.path, "sha256": run.sha256, "size": run.size, **counts},
        reason=run.message,
    )


def _start(source: Source | None, path: Path, digest: str, size: int) -> ImportRun:
    ImportRun.objects.filter(source=source, sha256=digest, status=ImportRun.Status.RUNNING).update(
        status=ImportRun.Status.FAILED,
        message="interrupted; nothing of it was kept",
        finished_at=timezone.now(),
    )
    return ImportRun.objects.create(
        source=source, path=str(path)[:1000], sha256=digest, size=size, started_at=timezone.now()
    )


def _refuse_in_starting_worker() -> None:
    """A spawned worker imports the parent's ``__main__``; an unguarded script would import there too."""
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise RuntimeError(
            "feed_import called while a worker process starts: guard the script's entry point with "
            "`if __name__ == '__main__':`"
        )


def import_worker_start(paths: Iterable[Path], *, source: str | None = None) -> None:
    """Start the second process now (without waiting) when one of ``paths`` will use it, so it
    boots while the caller does other work (the CLI: migrating the store). On a store whose
    tables do not exist yet (a first import: nothing can be unchanged, and creating the schema
    takes seconds by migrations; a new SQLite store made from the schema snapshot takes 0.1 s, and
    its first import maps its first chunks itself while the worker boots) it also maps the first
    records of the first two inputs meanwhile (:func:`import_map_ahead`; ``source`` as for
    :func:`feed_import`)."""
    paths = list(paths)
    if settings.FEEDS_IMPORT_WORKERS and any(
        p.is_file() and p.stat().st_size >= PIPELINE_MIN_BYTES for p in paths
    ):
        start_worker()
        tables = connection.introspection.table_names()
        if AdvisoryRecord._meta.db_table not in tables and not store_snapshot.applies():
            for path in paths[:2]:  # the store will be migrated (seconds): map meanwhile
                import_map_ahead(path, source=source)


def import_map_ahead(
    path: Path,
    *,
    source: str | None = None,
    source_name: str | None = None,
    count: int = AHEAD_FIRST,
    unless_imported: bool = False,
) -> None:
    """Have the second process read ``path`` and map its first ``count`` records now, without
    waiting: the CLI calls it before migrating the store, and each import for the next input
    while it writes its own last chunks. The import of ``path`` then takes the results of the
    records it has to map (only those with the same location, id and raw bytes; mapped ahead,
    they come with their raw bytes compressed, which the writer does for the others); any other
    record, or a read-ahead that failed, is mapped as usual. A no-op for small inputs, without
    a second process, or when ``path`` is not a file of a known source; with ``unless_imported``
    also when the import would skip ``path`` (its bytes were imported before).
    """
    path = Path(path)
    key = _ahead_key(path)
    if key in _ahead or not settings.FEEDS_IMPORT_WORKERS:
        return
    try:
        if not path.is_file() or path.stat().st_size < PIPELINE_MIN_BYTES:
            return
        kind = source or detect_source(path)
    except (OSError, Error):
        return
    if kind not in FEED_PARSERS:
        return
    if (
        unless_imported
        and ImportRun.objects.filter(
            source__name=source_name or kind,
            sha256=input_checksum(path)[0],
            status=ImportRun.Status.SUCCEEDED,
        ).exists()
    ):
        return
    ctx = RecordWriter(source_id=0, run_id=0, now=timezone.now(), source_name=source_name or kind,
                       input_name=path.name).context()  # fmt: skip
    future = submit_early(map_ahead, kind, str(path), count, ctx)
    if future is not None:
        _ahead[key] = _Ahead(ctx, count, future)


def _take_ahead(path: Path, piped: bool) -> _Ahead | None:
    """The read-ahead of ``path`` for an import mapping in the worker (``piped``; else dropped)."""
    ahead = _ahead.pop(_ahead_key(path), None)
    if ahead is not None and not piped:
        ahead.future.cancel()
        return None
    return ahead


def _pool_for(workers: int | None, size: int) -> tuple[Any, bool]:
    """The executor to map records in (None: this process), and whether it is still starting
    (then None: :meth:`_Load._flush` takes it once it is up)."""
    if workers is None:
        workers = settings.FEEDS_IMPORT_WORKERS if size >= PIPELINE_MIN_BYTES else 0
    if not workers:
        return None, False
    if worker_starting():
        return None, True
    return worker_pool(), False


def feed_import(
    *,
    path: Path,
    source: str | None = None,
    source_name: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
    then: Path | None = None,
) -> ImportRunResult:
    """Import one feed input as one run; see the module docstring.

    ``source`` is the parser id (detected when None); ``source_name`` the ``Source`` row to file
    the records under (default: the parser id). ``force`` re-reads an input imported before.
    ``workers``: 1 maps records in a second process, 0 here; None decides by the setting and the
    input's size. ``then``: the input the caller imports next (with a second process, its first
    records are mapped ahead while this import writes its last chunks and commits; see
    :func:`import_map_ahead`). Record errors are kept on the run; a whole-input failure returns
    ``failed=True``.
    """
    _refuse_in_starting_worker()
    path = Path(path)
    digest, size = input_checksum(path)
    try:
        kind = source or detect_source(path)
        parser = FEED_PARSERS.get(kind)
        if parser is None:
            raise FeedParseError(f"unknown feed source {kind!r}", source=str(path))
        if source is not None and not parser.sniff(*input_head(path)):
            raise FeedParseError(f"this is not {parser.label} data", source=str(path))
    except FeedParseError as exc:
        _take_ahead(path, False)
        run = _start(None, path, digest, size)
        _fail(run, exc.diagnostics())
        return ImportRunResult(run, path, source or "", failed=True, message=exc.diagnostics())
    src = source_ensure(name=source_name or kind, kind=kind)
    if not force:
        done = src.runs.filter(sha256=digest, status=ImportRun.Status.SUCCEEDED).order_by("-id").first()
        if done is not None:
            _take_ahead(path, False)
            return ImportRunResult(done, path, src.name, skipped=True)
    pool, pool_starting = _pool_for(workers, size)
    ahead = _take_ahead(path, pool is not None or pool_starting)
    run = _start(src, path, digest, size)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -65536")  # 64 MiB page cache for index inserts
    load = _Load(run=run, source=src, path=path, progress=progress, pool=pool, ahead=ahead)
    load.pool_starting = pool_starting
    if then is not None:
        load.then = lambda: import_map_ahead(
            then, source=source, source_name=source_name, count=AHEAD_NEXT, unless_imported=not force
        )
    try:
        with paused_gc(), transaction.atomic():  # GC passes were ~15% of the import's CPU
            load.consume(parser.parse_pending(path, source=path.name))
            _finish(run, load)
    except Error as exc:
        load.cancel()
        _fail(run, exc.diagnostics())
        return ImportRunResult(run, path, src.name, failed=True, message=exc.diagnostics())
    except BaseException as exc:
        load.cancel()
        discard_if_broken(exc)
        _fail(run, f"aborted: {type(exc).__name__}: {exc}")
        raise
    checkpoints.committed()
    log.debug("imported %s into %s: %s", path, src.name, run)
    return ImportRunResult(run, path, src.name, errors=load.errors)
