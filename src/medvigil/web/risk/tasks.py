"""Background jobs (huey): analyse a version after an SBOM import; keep cases in step with findings
after feed imports."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from medvigil.web.inventory.models import Product
from medvigil.web.risk.services.analysis import analyses_recover, version_analyse
from medvigil.web.risk.services.cases import cases_sync


@db_task()  # type: ignore[untyped-decorator]
def version_analysis_task(version_id: int, reason: str = "SBOM import") -> dict[str, int]:
    """Match one product version, then sync its product's cases (queued after an SBOM import)."""
    return version_analyse(version_id=version_id, reason=reason).counts()


@db_task()  # type: ignore[untyped-decorator]
def cases_sync_task(product_ids: list[int] | None = None) -> dict[str, int]:
    """Open or join cases from open findings of the given products (all when ``None``)."""
    products = Product.objects.all() if product_ids is None else Product.objects.filter(pk__in=product_ids)
    opened = joined = review = 0
    for product in products:
        result = cases_sync(product=product)
        opened += len(result.opened)
        joined += result.joined
        review += result.review
    return {"opened": opened, "joined": joined, "review": review}


@db_periodic_task(crontab(minute="*/10"))  # type: ignore[untyped-decorator]
def analysis_recover_task() -> list[int]:
    """Every 10 minutes: queue again the analyses whose queued job was lost (past the timeout)."""
    return analyses_recover()
