"""Background jobs (huey): match a version, re-match after a feed import or a supplier VEX change."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from medvigil.web.advisories.models import AdvisoryRecord, ImportRun
from medvigil.web.findings import services
from medvigil.web.inventory.models import ProductVersion


@db_task()  # type: ignore[untyped-decorator]
def match_version_task(version_id: int) -> dict[str, int]:
    """Match one product version (``medvigil`` queues ``risk.tasks.version_analysis_task`` after an
    SBOM import, which also syncs cases)."""
    versions = ProductVersion.objects.filter(pk=version_id).select_related("product")
    return services.match_product_versions(versions, reason="SBOM import").counts()


@db_task()  # type: ignore[untyped-decorator]
def match_product_task(product_id: int, reason: str = "supplier VEX change") -> dict[str, int]:
    """Match every version of a product (queued after a supplier VEX upload or removal)."""
    return services.rematch_product(product_id=product_id, reason=reason).counts()


@db_task()  # type: ignore[untyped-decorator]
def rematch_run_task(run_id: int) -> dict[str, Any]:
    """Re-match what the records written by one import run can affect; refresh sort fields."""
    run = ImportRun.objects.select_related("source").filter(pk=run_id).first()
    if run is None:
        return {}
    if run.source is not None and run.source.kind in ("kev", "epss"):
        return {"refreshed": services.refresh_sort_fields()}
    record_pks = list(AdvisoryRecord.objects.filter(import_run_id=run_id).values_list("pk", flat=True))
    if not record_pks:
        return {}
    return services.rematch_after_import(record_pks=record_pks, reason=f"import of {run.path}").counts()


@db_periodic_task(crontab(minute="7", hour="0"))  # type: ignore[untyped-decorator]
def suppressions_expire_task() -> int:
    """Daily: reopen findings whose suppression ended."""
    return services.suppressions_expire()
