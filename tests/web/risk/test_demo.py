"""The demo portfolio shows assessed cases with real vulnerabilities, some uncontrolled."""

from __future__ import annotations

import json

import pytest

from medvigil.web.inventory.demo import demo_load
from medvigil.web.risk.demo import DEMO_DATA, demo_cases
from medvigil.web.risk.models import Case

pytestmark = pytest.mark.django_db


def test_demo_cases_are_real_assessed_and_idempotent() -> None:
    demo_load()
    lines = demo_cases()
    assert lines[0] == "nvd-demo.jsonl: imported"
    shipped = {
        json.loads(line)["cve"]["CVE_data_meta"]["ID"]
        for line in (DEMO_DATA / "nvd-demo.jsonl").read_text().splitlines()
    }
    cases = Case.objects.select_related("current_assessment", "vulnerability")
    from_feeds = {c.vulnerability.key for c in cases if not c.first_party}
    assert from_feeds and from_feeds <= shipped
    assert all(c.current_assessment is not None for c in cases)
    current = [c.current_assessment for c in cases if c.current_assessment is not None]
    confirmed = [a for a in current if a.status == "confirmed"]
    assert any(not a.controlled for a in confirmed)
    assert any(a.controlled for a in confirmed)
    assert cases.filter(state="closed").exists()
    assert cases.get(first_party=True).vulnerability.key == "MV-2026-0001"
    count = cases.count()
    assert demo_cases()[-1].endswith("0 assessed now)") and Case.objects.count() == count
