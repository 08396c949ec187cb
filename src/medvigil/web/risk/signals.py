"""Receivers: cases follow merged identities, interface changes trigger re-review, an SBOM import
queues the version's analysis (match, then case sync, in one job), and cases are synced after feed
imports (queued after the findings app's own re-match, which connects first: ``findings`` precedes
``risk`` in INSTALLED_APPS)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.db.models.signals import post_save
from django.dispatch import receiver

from medvigil.web.advisories.models import ImportRun, Vulnerability
from medvigil.web.advisories.signals import vulnerabilities_merged
from medvigil.web.inventory.models import Product, SbomDocument
from medvigil.web.risk.models import Case, CaseEvent, CaseVersion


def _merge_case(into: Case, case: Case) -> None:
    """Move a case's history into ``into`` (same product, surviving identity) and delete it."""
    offset = int(into.assessments.aggregate(top=Max("number"))["top"] or 0)
    for assessment in case.assessments.order_by("number"):
        assessment.case = into
        assessment.number += offset
        assessment.save(update_fields=["case", "number"])
    known = set(into.scope.values_list("product_version_id", flat=True))
    CaseVersion.objects.filter(case=case).exclude(product_version_id__in=known).update(case=into)
    case.events.update(case=into)
    if case.day0 < into.day0:
        into.day0 = case.day0
    into.first_party = into.first_party or case.first_party
    case.delete()
    into.current_assessment = into.assessments.order_by("-number").first()
    into.save()


@receiver(vulnerabilities_merged, dispatch_uid="risk-cases-follow-merge")
def cases_follow_merge(sender: Any, survivor: int, merged: list[int], **kwargs: Any) -> None:
    """Re-point cases of merged identities to the survivor, merging two cases of one product."""
    key = Vulnerability.objects.filter(pk=survivor).values_list("key", flat=True).first() or str(survivor)
    for case in Case.objects.filter(vulnerability_id__in=merged).select_related("vulnerability"):
        old_key = case.vulnerability.key
        into = Case.objects.filter(product_id=case.product_id, vulnerability_id=survivor).first()
        if into is None:
            case.vulnerability_id = survivor
            case.save(update_fields=["vulnerability", "updated_at"])
            target = case
        else:
            _merge_case(into, case)
            target = into
        CaseEvent.objects.create(
            case=target, kind="identity-merged", message=f"{old_key} is the same vulnerability as {key}"
        )


@receiver(post_save, sender=Product, dispatch_uid="risk-interfaces-re-review")
def product_saved(sender: Any, instance: Product, created: bool, **kwargs: Any) -> None:
    """A change of the product's interfaces invalidates confirmed assessments made before it."""
    if created:
        return
    from medvigil.web.risk.services.carry_over import cases_review_interfaces

    cases_review_interfaces(product=instance)


def _enqueue_sync(product_ids: list[int] | None) -> None:
    def run() -> None:
        from medvigil.web.risk import tasks

        tasks.cases_sync_task(product_ids)

    transaction.on_commit(run)


@receiver(post_save, sender=SbomDocument, dispatch_uid="risk-analyse-after-sbom-import")
def sbom_imported(sender: Any, instance: SbomDocument, created: bool, **kwargs: Any) -> None:
    """Analyse the version (match, then sync the product's cases) once the import committed."""
    if created:
        version_id = instance.product_version_id

        def run() -> None:
            from medvigil.web.risk import tasks

            tasks.version_analysis_task(version_id)

        transaction.on_commit(run)


@receiver(post_save, sender=ImportRun, dispatch_uid="risk-cases-after-feed-import")
def feed_imported(sender: Any, instance: ImportRun, **kwargs: Any) -> None:
    """After a feed import re-matched findings (queued first), sync every product's cases."""
    if instance.status == ImportRun.Status.SUCCEEDED and not (
        instance.source and instance.source.kind in ("kev", "epss")
    ):
        _enqueue_sync(None)
