"""Publishing workflow: draft -> review -> published with a second approver; bytes immutable; revisions."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import orjson
import pytest
from django.utils import timezone

from medvigil.core.csaf.validate import validate_csaf
from medvigil.core.errors import InputError
from medvigil.core.feeds.validation import csaf_validator, violations
from medvigil.web.accounts.services import user_create
from medvigil.web.publishing import services
from medvigil.web.publishing.models import AdvisoryState, PublishedDocument
from medvigil.web.risk.models import Case
from tests.web.conftest import PASSWORD


@pytest.fixture
def analyst2(db: Any) -> Any:
    return user_create(username="dave", password=PASSWORD, role="analyst")


def test_workflow_publishes_checked_immutable_documents(
    ready_case: Case, analyst: Any, analyst2: Any
) -> None:
    adv = services.advisory_draft(case=ready_case, user=analyst, tlp="CLEAR")
    draft = orjson.loads(services.advisory_render(adv, "csaf").content)
    assert draft["document"]["tracking"]["status"] == "draft"
    services.advisory_submit(advisory=adv, user=analyst)
    with pytest.raises(InputError, match="a second analyst"):
        services.advisory_publish(advisory=adv, user=analyst)
    adv = services.advisory_publish(advisory=adv, user=analyst2)
    assert adv.state == AdvisoryState.PUBLISHED and adv.approved_by == analyst2
    docs = {d.format: d for d in adv.documents.all()}
    assert set(docs) == {"csaf", "csaf-vex", "cyclonedx-vex", "openvex", "notice-html", "notice-pdf", "stix"}
    for d in docs.values():
        assert hashlib.sha256(bytes(d.content)).hexdigest() == d.sha256
    csaf = orjson.loads(bytes(docs["csaf"].content))
    assert violations(csaf_validator(), csaf) == [] and validate_csaf(csaf) == []
    assert (
        csaf["document"]["tracking"]["status"] == "final" and csaf["document"]["tracking"]["version"] == "1"
    )
    leaves = csaf["product_tree"]["branches"][0]["branches"][0]["branches"]
    helpers = {leaf["name"]: leaf["product"]["product_identification_helper"] for leaf in leaves}
    assert helpers["2.1"]["purl"] == "pkg:generic/example/pump-x@2.1"
    assert helpers["2.1"]["cpe"] == "cpe:2.3:h:example:pump_x:2.1:*:*:*:*:*:*:*"
    assert (
        "%" in helpers["2.2 \u201cb\u00e9ta\u201d"]["purl"]
        and "cpe" not in helpers["2.2 \u201cb\u00e9ta\u201d"]
    )
    assert b"(d) Fix or defense-in-depth" in bytes(docs["notice-html"].content)
    # published bytes are what export serves, later changes of the case do not touch them
    ready_case.summary = "changed later"
    ready_case.save()
    assert services.advisory_render(adv, "csaf").content == bytes(docs["csaf"].content)
    with pytest.raises(InputError, match="still draft|needs a summary"):
        services.advisory_draft(case=ready_case, user=analyst)
    rev2 = services.advisory_draft(case=ready_case, user=analyst, summary="Summary updated")
    assert (rev2.revision, rev2.previous, rev2.tracking_id) == (2, adv, adv.tracking_id)
    services.advisory_submit(advisory=rev2, user=analyst)
    later = timezone.now() + dt.timedelta(minutes=1)
    rev2 = services.advisory_publish(advisory=rev2, user=analyst2, now=later)
    v2 = orjson.loads(bytes(rev2.documents.get(format="csaf").content))
    assert [h["number"] for h in v2["document"]["tracking"]["revision_history"]] == ["1", "2"]
    assert (
        v2["document"]["tracking"]["initial_release_date"]
        == csaf["document"]["tracking"]["initial_release_date"]
    )
    assert PublishedDocument.objects.filter(advisory=adv).count() == 7  # the first revision's rows stay


def test_embargo_and_state_rules(ready_case: Case, analyst: Any, admin: Any) -> None:
    until = timezone.now() + dt.timedelta(days=3)
    adv = services.advisory_draft(case=ready_case, user=analyst, kind="vex", embargo_until=until)
    with pytest.raises(InputError, match="submit it for review first"):
        services.advisory_publish(advisory=adv, user=admin)
    services.advisory_submit(advisory=adv, user=analyst)
    with pytest.raises(InputError, match="embargoed until"):
        services.advisory_publish(advisory=adv, user=admin)
    adv = services.advisory_publish(advisory=adv, user=admin, now=until + dt.timedelta(seconds=1))
    assert adv.state == AdvisoryState.PUBLISHED and adv.tracking_id.endswith(f"-VEX-{ready_case.pk:04d}")


def test_viewer_cannot_draft(ready_case: Case, viewer: Any) -> None:
    with pytest.raises(InputError, match="analyst role is needed"):
        services.advisory_draft(case=ready_case, user=viewer)
