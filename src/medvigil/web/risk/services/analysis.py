"""Analysis of a product version: match its components, then sync the product's cases.

One job does both, in this order, so "analysis pending" on the version page ends only when the
findings *and* the cases exist (two separate jobs could run in either order on two worker
threads). The job is queued when an SBOM import commits (``risk.signals``) and by the version
page's "Re-match now" (:func:`version_analysis_request`); the version's ``analysis_state`` says
where it stands (queued, running, done, failed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction

from medvigil.web.findings import services as findings
from medvigil.web.inventory import services as inventory
from medvigil.web.inventory.models import ProductVersion
from medvigil.web.risk.services.cases import cases_sync

__all__ = ["AnalysisResult", "version_analyse", "version_analysis_request"]

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

    A failure marks the version "analysis failed" with the error (shown on the page) and is
    re-raised so the job runner logs it.
    """
    version = ProductVersion.objects.filter(pk=version_id).select_related("product").first()
    if version is None:
        return AnalysisResult(0, 0, 0)
    inventory.analysis_start(version_ids=[version.pk])
    try:
        matched = findings.match_product_versions([version], reason=reason)
        synced = cases_sync(product=version.product)
    except Exception as exc:
        inventory.analysis_finish(version_ids=[version.pk], error=f"{type(exc).__name__}: {exc}")
        log.exception("analysis of %s failed", version)
        raise
    inventory.analysis_finish(version_ids=[version.pk])
    return AnalysisResult(matched.opened + matched.reopened, matched.resolved, len(synced.opened))


def version_analysis_request(*, version: ProductVersion, reason: str = "re-match requested") -> None:
    """Queue an analysis of ``version`` ("Re-match now"): pending at once, run in the background."""
    from medvigil.web.risk import tasks

    version_id = version.pk
    with transaction.atomic():
        inventory.analysis_queue(version_ids=[version_id])
        transaction.on_commit(lambda: tasks.version_analysis_task(version_id, reason))
