"""Factories for publishing tests: a case with two versions, an assessment, a fix and a communication."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from medvigil.web.inventory.models import Product, ProductVersion
from medvigil.web.risk import services as risk
from medvigil.web.risk.models import Case
from tests.web.remediation.conftest import communicate
from tests.web.risk.conftest import case, hazards, new_version  # noqa: F401 - shared fixtures


@pytest.fixture
def ready_case(
    case: Case,  # noqa: F811 - the shared fixture
    product: Product,
    version: ProductVersion,
    analyst: Any,
) -> Case:
    product.purls = ["pkg:generic/example/pump-x"]
    product.cpes = ["cpe:2.3:h:example:pump_x:*:*:*:*:*:*:*:*"]
    product.model_numbers = ["PX-100"]
    product.save()
    risk.case_add_version(
        case=case, product_version=new_version(product, "2.2 \u201cb\u00e9ta\u201d"), components=[]
    )
    risk.assessment_propose(case=case)
    risk.assessment_confirm(case=case, user=analyst)
    communicate(case, analyst, timezone.localdate())
    return case
