"""Issue 12, done when: every document medvigil writes for the demo portfolio and for the FDA worked
examples passes its schema and (CSAF) every mandatory test, checked here independently of the
checks the publishers run themselves.

Each case goes the real way: drafted as a security advisory and as a VEX, submitted, published by
a second analyst, and every stored format is checked. A case whose vulnerability has no CVE yet
(first-party flaws) is published under its own id (CSAF ``ids``, the publisher as the system)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import stix2  # type: ignore[import-untyped,unused-ignore]
from django.conf import settings

from medvigil.core.csaf.validate import validate_csaf
from medvigil.core.feeds.validation import csaf_validator, violations
from medvigil.core.publish.vex import check_openvex
from medvigil.core.sbom.schema import validate_schema
from medvigil.web.accounts.services import user_create
from medvigil.web.inventory.demo import demo_load
from medvigil.web.publishing import services
from medvigil.web.publishing.models import Advisory, PublishedDocument
from medvigil.web.risk import services as risk
from medvigil.web.risk.demo import demo_cases
from medvigil.web.risk.models import Case
from tests.web.conftest import PASSWORD
from tests.web.remediation.conftest import isao  # noqa: F401 - fixture
from tests.web.remediation.test_worked_examples_e2e import _controlled, _uncontrolled
from tests.web.risk.conftest import new_version
from tests.web.risk.test_worked_examples import EXAMPLES

pytestmark = pytest.mark.django_db
SCHEMA_FORMATS = {"csaf", "csaf-vex", "cyclonedx-vex", "openvex", "stix", "notice-html", "notice-pdf"}


def check_document(doc: PublishedDocument) -> None:
    """The format's schema (and CSAF's mandatory tests), asserted."""
    content = bytes(doc.content)
    where = f"{doc.advisory.tracking_id} {doc.format}"
    if doc.format in ("csaf", "csaf-vex"):
        data = orjson.loads(content)
        assert violations(csaf_validator(), data) == [], where
        assert validate_csaf(data) == [], where
        assert data["document"]["tracking"]["status"] == "final", where
    elif doc.format == "cyclonedx-vex":
        assert validate_schema(content, source=where, format="cyclonedx-json", spec_version="1.6") == []
    elif doc.format == "openvex":
        check_openvex(orjson.loads(content))
    elif doc.format == "stix":
        bundle = stix2.parse(content.decode(), allow_custom=False)
        assert bundle.type == "bundle" and any(o.type == "report" for o in bundle.objects), where
    elif doc.format == "notice-html":
        html = content.decode()
        assert all(f'id="part-{p}"' in html for p in "abcd") and "<script" not in html, where
    else:
        assert doc.format == "notice-pdf" and content.startswith(b"%PDF-") and b"%%EOF" in content[-32:], (
            where
        )


def publish_all(case: Case, analyst: Any, approver: Any) -> list[PublishedDocument]:
    docs: list[PublishedDocument] = []
    for kind in ("advisory", "vex"):
        adv = Advisory.objects.filter(case=case, kind=kind, state="draft").first() or services.advisory_draft(
            case=case, user=analyst, kind=kind, tlp="CLEAR"
        )
        services.advisory_submit(advisory=adv, user=analyst)
        adv = services.advisory_publish(advisory=adv, user=approver)
        docs.extend(adv.documents.select_related("advisory"))
    return docs


@pytest.fixture
def approver(db: Any) -> Any:
    return user_create(username="second", password=PASSWORD, role="analyst")


def test_every_document_of_the_demo_portfolio_is_valid(analyst: Any, approver: Any) -> None:
    demo_load()
    demo_cases()
    cases = list(Case.objects.order_by("id"))  # closed ones too: a not-affected VEX is worth publishing
    assert len(cases) >= 3 and any(c.state == "closed" for c in cases)
    seen: set[str] = set()
    for case in cases:
        docs = publish_all(case, analyst, approver)
        for doc in docs:
            check_document(doc)
        seen |= {d.format for d in docs}
    assert {"csaf", "csaf-vex", "cyclonedx-vex", "openvex", "stix"} <= seen
    (first_party,) = Case.objects.filter(first_party=True)
    own_id = {"system_name": settings.PUBLISHER_NAME, "text": first_party.vulnerability.key}
    for kind, fmt in (("advisory", "csaf"), ("vex", "csaf-vex")):
        doc = PublishedDocument.objects.get(advisory__case=first_party, advisory__kind=kind, format=fmt)
        (vuln,) = orjson.loads(bytes(doc.content))["vulnerabilities"]
        assert "cve" not in vuln, fmt
        assert vuln["ids"] == [own_id], fmt


@pytest.mark.parametrize("example_id", sorted(EXAMPLES))
def test_every_document_of_the_fda_worked_examples_is_valid(
    example_id: str,
    analyst: Any,
    approver: Any,
    isao: Any,  # noqa: F811 - the fixture
) -> None:
    if EXAMPLES[example_id].expected == "controlled":
        case = _controlled(example_id, analyst)
    else:
        case = _uncontrolled(example_id, analyst, isao)
    if not case.scope.filter(active=True).exists():  # the example's device version, in scope
        pv = case.product.versions.order_by("id").first() or new_version(case.product, "1.0")
        risk.case_add_version(case=case, product_version=pv, components=[])
    docs = publish_all(case, analyst, approver)
    formats = {d.format for d in docs}
    if EXAMPLES[example_id].expected != "controlled":  # it has the FDA communication: a notice too
        assert formats == SCHEMA_FORMATS
    assert {"csaf", "csaf-vex", "cyclonedx-vex", "openvex", "stix"} <= formats
    for doc in docs:
        check_document(doc)
