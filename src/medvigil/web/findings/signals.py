"""Receivers: match after feed imports and supplier VEX changes; follow identity merges (an SBOM
import is analysed by ``risk.tasks.version_analysis_task``: match, then case sync).

Work is queued with ``transaction.on_commit`` so it runs only when the import committed, and
as a huey task so a web request or a feed import does not wait for it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from medvigil.web.advisories.models import ImportRun
from medvigil.web.advisories.signals import vulnerabilities_merged
from medvigil.web.findings.models import Finding, FindingEvent, SupplierVex

log = logging.getLogger(__name__)


@receiver(post_save, sender=SupplierVex, dispatch_uid="findings-supplier-vex")
def _supplier_vex_changed(sender: Any, instance: SupplierVex, **kwargs: Any) -> None:
    """A VEX document was stored, removed or re-activated: re-match the product's versions."""
    product_id = instance.product_id
    why = f"supplier VEX {instance.filename} {'stored' if instance.active else 'removed'}"

    def enqueue() -> None:
        from medvigil.web.findings import tasks

        tasks.match_product_task(product_id, why)

    transaction.on_commit(enqueue)


@receiver(post_save, sender=ImportRun, dispatch_uid="findings-feed-import")
def _feed_imported(sender: Any, instance: ImportRun, **kwargs: Any) -> None:
    if instance.status != ImportRun.Status.SUCCEEDED:
        return
    run_id = instance.pk

    def enqueue() -> None:
        from medvigil.web.findings import tasks

        tasks.rematch_run_task(run_id)

    transaction.on_commit(enqueue)


@receiver(vulnerabilities_merged, dispatch_uid="findings-merge")
def _vulnerabilities_merged(sender: Any, survivor: int, merged: list[int], **kwargs: Any) -> None:
    """Re-point findings of merged identities; a duplicate joins the survivor's finding."""
    for f in Finding.objects.filter(vulnerability_id__in=merged):
        twin = Finding.objects.filter(
            product_version_id=f.product_version_id, component_key=f.component_key, vulnerability_id=survivor
        ).first()
        if twin is None:
            f.vulnerability_id = survivor
            f.save(update_fields=["vulnerability"])
            continue
        FindingEvent.objects.filter(finding=f).update(finding=twin)
        FindingEvent.objects.create(
            finding=twin, at=twin.last_seen, kind="merged",
            reason=f"identity {f.vulnerability_key} merged into this one; its history moved here",
        )  # fmt: skip
        f.delete()
