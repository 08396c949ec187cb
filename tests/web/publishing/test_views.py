"""Publishing pages: roles, CSRF-protected steps, preview, downloads; no inline script."""

from __future__ import annotations

from typing import Any

from django.test import Client

from medvigil.web.accounts.services import user_create
from medvigil.web.publishing.models import Advisory
from medvigil.web.risk.models import Case
from tests.web.conftest import PASSWORD, login


def test_pages_draft_review_publish_download(ready_case: Case, analyst: Any, viewer: Any) -> None:
    bob = login(analyst)
    assert bob.get("/publishing/").status_code == 200
    made = bob.post("/publishing/draft/", {"case_id": ready_case.pk, "kind": "vex", "tlp": "CLEAR"})
    adv = Advisory.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/publishing/{adv.pk}/"
    page = bob.get(f"/publishing/{adv.pk}/").content.decode()
    assert '"csaf_vex"' in page.replace("&quot;", '"') and 'id="submit-review"' in page
    assert "<script>" not in page and "onclick" not in page
    assert login(viewer).get(f"/publishing/{adv.pk}/").status_code == 404  # drafts are not for viewers
    assert login(viewer).post(f"/publishing/{adv.pk}/submit/").status_code in (302, 403)
    assert Advisory.objects.get().state == "draft"
    bob.post(f"/publishing/{adv.pk}/submit/")
    refused = bob.post(f"/publishing/{adv.pk}/publish/", follow=True).content.decode()
    assert "second analyst" in refused and Advisory.objects.get().state == "review"
    other = login(user_create(username="gail", password=PASSWORD, role="analyst"))
    other.post(f"/publishing/{adv.pk}/publish/")
    assert Advisory.objects.get().state == "published"
    viewer_client = login(viewer)
    assert adv.tracking_id in viewer_client.get("/publishing/").content.decode()
    got = viewer_client.get(f"/publishing/{adv.pk}/download/openvex")
    assert got.status_code == 200 and b"openvex.dev/ns/v0.2.0" in got.content
    assert viewer_client.get(f"/publishing/{adv.pk}/download/pdf").status_code == 404


def test_csrf_is_enforced_on_steps(ready_case: Case, analyst: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    assert client.post("/publishing/draft/", {"case_id": ready_case.pk}).status_code == 403
    assert not Advisory.objects.exists()
