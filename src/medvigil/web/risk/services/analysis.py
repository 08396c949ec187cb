"""Analysis of a product version: match its components, then sync the product's cases.

One job does both, in this order, so "analysis pending" on the version page ends only when the
findings *and* the cases exist (two separate jobs could run in either order on two worker
threads). The job is queued when an SBOM import commits (``risk.signals``) and by the version
page's "Re-match now" (:func:`version_analysis_request`); the version's ``analysis_state`` says
where it stands (queued, running, done, failed). An analysis whose queued job was lost (a queue
lost with Redis, a removed queue file) is queued again by :func:`analyses_recover`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from medvigil.web.config.errors import retry_busy
from medvigil.web.findings import services as findings
from medvigil.web.inventory import services as inventory
from medvigil.web.inventory.models import AnalysisState, ProductVersion
from medvigil.web.risk.services.cases import cases_sync

__all__ = ["AnalysisResult", "analyses_recover", "version_analyse", "version_analysis_request"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """What one analysis did (counts for the job log)."""

    opened: int
    resolved: int
    cases_opened: int

    def counts(self) -> dict[str, int]:
        """Counts for printing."""
        return {"opened": self.opened, "resolved": self.resolved, "cases_opened": self.cases_opened}


def version_analyse(*, version_id: int, reason: str = "SBOM import") -> AnalysisResult:
    """Match one version and sync its product's cases, recording the state on the version.

    Every way out leaves the version "analysed" or "analysis failed", never "pending": the state
    writes are retried while the database is locked, and any failure, including one of the
    running or done mark itself, marks the version failed with the error (shown on the page)
    and is re-raised so the job runner logs it.
    """
    ids = [version_id]
    try:
        version = ProductVersion.objects.filter(pk=version_id).select_related("product").first()
        if version is None:
            return AnalysisResult(0, 0, 0)
        retry_busy(lambda: inventory.analysis_start(version_ids=ids))
        matched = findings.match_product_versions([version], reason=reason)
        synced = cases_sync(product=version.product)
        retry_busy(lambda: inventory.analysis_finish(version_ids=ids))
    except Exception as exc:
        log.exception("analysis of version %s failed", version_id)
        error = f"{type(exc).__name__}: {exc}"
        try:
            retry_busy(lambda: inventory.analysis_finish(version_ids=ids, error=error))
        except Exception:
            log.critical("analysis of version %s failed and the failure could not be recorded", version_id)
        raise
    return AnalysisResult(matched.opened + matched.reopened, matched.resolved, len(synced.opened))


def version_analysis_request(*, version: ProductVersion, reason: str = "re-match requested") -> None:
    """Queue an analysis of ``version`` ("Re-match now"): pending at once, run in the background."""
    from medvigil.web.risk import tasks

    version_id = version.pk
    with transaction.atomic():
        inventory.analysis_queue(version_ids=[version_id])
        transaction.on_commit(lambda: tasks.version_analysis_task(version_id, reason))


def analyses_recover() -> list[int]:
    """Queue again the analyses whose job was lost from the queue: queued and not started for
    longer than ``ANALYSIS_TIMEOUT_MINUTES`` (:attr:`ProductVersion.analysis_stale`) with no job
    of theirs waiting in the task queue. Returns the version ids queued again; each is logged.
    Without this a lost job left "analysis pending" on the version page for ever (its findings
    never refreshed).

    An analysis that *started* and never finished is not queued again here: its job may be what
    killed the worker (out of memory on one SBOM), and it would do so again on every recovery; it
    is shown stale and "Re-match now" queues it (docs/architecture.md)."""
    from medvigil.web.jobs import queued
    from medvigil.web.risk import tasks

    waiting = ProductVersion.objects.filter(analysis_state=AnalysisState.QUEUED).select_related("product")
    stale = [version for version in waiting.order_by("pk") if version.analysis_stale]
    if not stale:
        return []
    in_queue = {int(job.args[0]) for job in queued(tasks.version_analysis_task) if job.args}
    again = []
    for version in stale:
        if version.pk in in_queue:
            continue  # behind other jobs: not lost
        log.warning(
            "analysis of %s (version %s) was queued for more than %s minutes and its job is not in the "
            "queue: queued again", version, version.pk, settings.ANALYSIS_TIMEOUT_MINUTES,
        )  # fmt: skip
        version_analysis_request(version=version, reason="analysis job lost: queued again")
        again.append(version.pk)
    return again
