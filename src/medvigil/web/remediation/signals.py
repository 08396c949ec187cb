"""Receivers: a saved case (assessment proposed or confirmed, day 0, state) and a changed product
(class, pathway) re-evaluate the obligations and clock at once."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from medvigil.web.inventory.models import Product
from medvigil.web.remediation.models import CaseFile
from medvigil.web.remediation.services import case_evaluate
from medvigil.web.risk.models import Case, CaseState


@receiver(post_save, sender=Case, dispatch_uid="remediation-case-saved")
def case_saved(sender: Any, instance: Case, raw: bool = False, **kwargs: Any) -> None:
    """Re-evaluate a case once it has an assessment (or a remediation record)."""
    if raw:
        return
    if instance.current_assessment_id is None and not CaseFile.objects.filter(case=instance).exists():
        return
    case_evaluate(case=instance)


@receiver(post_save, sender=Product, dispatch_uid="remediation-product-saved")
def product_saved(
    sender: Any, instance: Product, raw: bool = False, created: bool = False, **kwargs: Any
) -> None:
    """Device class or pathway may have changed: re-evaluate the product's open, evaluated cases."""
    if raw or created:
        return
    for case in Case.objects.filter(product=instance, remediation__isnull=False).exclude(
        state=CaseState.CLOSED
    ):
        case_evaluate(case=case)
