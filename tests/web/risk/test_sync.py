"""Cases follow findings: imports open cases with suggestions, new versions carry over or re-review."""

from __future__ import annotations

from typing import Any

import pytest

from medvigil.web.advisories.services import feed_import
from medvigil.web.findings.models import Finding
from medvigil.web.inventory import services as inventory
from medvigil.web.risk import services
from medvigil.web.risk.demo import DEMO_DATA as RISK_DATA
from medvigil.web.risk.models import Case
from tests.web.conftest import demo_file

DROPWIZARD = "dropwizard-1.3.15.cdx.json"


def _import_sbom(version: Any, data: bytes, capture: Any) -> None:
    with capture(execute=True):
        inventory.sbom_import(product_version=version, data=data, filename="bom.json")


def _open_finding_keys(product: Any) -> set[str]:
    return set(
        Finding.objects.filter(product=product, state="open").values_list("vulnerability_key", flat=True)
    )


@pytest.fixture
def matched(version: Any, hazards: Any, django_capture_on_commit_callbacks: Any) -> Any:
    _import_sbom(version, demo_file(DROPWIZARD), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        feed_import(path=RISK_DATA / "nvd-demo.jsonl")
    return version


def test_imports_open_one_case_per_vulnerability_with_a_suggestion(matched: Any) -> None:
    product = matched.product
    expected = _open_finding_keys(product)
    assert expected  # jackson-databind 2.9.10 has NVD CVEs in the demo file
    cases = Case.objects.filter(product=product)
    assert {c.vulnerability.key for c in cases} == expected
    for case in cases:
        assert case.current_assessment is not None and case.current_assessment.status == "suggested"
        assert case.events.filter(kind="opened").exists()
        assert [cv.product_version for cv in case.scope.all()] == [matched]
    again = services.cases_sync(product=product)
    assert (again.opened, again.joined) == ([], 0)


def test_a_sync_that_changes_nothing_costs_a_handful_of_queries(
    matched: Any, django_assert_max_num_queries: Any
) -> None:
    product = matched.product
    assert Case.objects.filter(product=product).count() >= 4
    with django_assert_max_num_queries(12):  # independent of the number of cases and findings
        result = services.cases_sync(product=product)
    assert (result.opened, result.joined, result.left) == ([], 0, 0)


def test_a_new_version_carries_over_or_triggers_re_review(
    matched: Any, analyst: Any, django_capture_on_commit_callbacks: Any
) -> None:
    product = matched.product
    case = Case.objects.get(product=product, vulnerability__key="CVE-2019-20330")
    services.assessment_confirm(case=case, user=analyst)

    same = inventory.version_create(product=product, version="2.2")
    _import_sbom(same, demo_file(DROPWIZARD), django_capture_on_commit_callbacks)
    case.refresh_from_db()
    row = case.scope.get(product_version=same)
    assert row.carried and row.covered_by == case.current_assessment and not case.review_needed

    bumped = inventory.version_create(product=product, version="2.3")
    data = demo_file(DROPWIZARD).replace(b"jackson-databind@2.9.10?", b"jackson-databind@2.9.10.1?")
    _import_sbom(bumped, data, django_capture_on_commit_callbacks)
    assert "CVE-2019-20330" in _open_finding_keys(product)  # still vulnerable below 2.9.10.2
    case.refresh_from_db()
    assert case.review_needed and case.state == "triage"
    assert "version 2.3" in case.review_reason and "2.9.10.1" in case.review_reason
    assert case.events.filter(kind="re-review").count() == 1
