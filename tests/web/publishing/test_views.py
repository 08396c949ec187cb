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


def test_case_page_drafts_an_advisory_and_lists_the_case_advisories(
    ready_case: Case, analyst: Any, viewer: Any
) -> None:
    bob = login(analyst)
    page = bob.get(f"/risk/cases/{ready_case.pk}/").content.decode()
    assert 'id="draft-advisory"' in page and "No advisory yet." in page
    made = bob.post("/publishing/draft/", {"case_id": ready_case.pk, "from": "case", "tlp": "GREEN"})
    adv = Advisory.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/publishing/{adv.pk}/"
    page = bob.get(f"/risk/cases/{ready_case.pk}/").content.decode()
    assert f"{adv.tracking_id} v1" in page and "TLP:GREEN" in page
    # a refusal from the case page comes back to the case page
    again = bob.post("/publishing/draft/", {"case_id": ready_case.pk, "from": "case"}, follow=True)
    assert again.redirect_chain[-1][0] == f"/risk/cases/{ready_case.pk}/"
    assert "still draft" in again.content.decode()
    seen = login(viewer).get(f"/risk/cases/{ready_case.pk}/").content.decode()
    listed = seen[seen.index('id="case-advisories"') : seen.index('id="remediation"')]
    assert 'id="draft-advisory"' not in seen and "No advisory yet." in listed  # drafts are not for viewers
    assert login(viewer).post("/publishing/draft/", {"case_id": ready_case.pk}).status_code in (302, 403)
    assert Advisory.objects.count() == 1


def test_share_and_embargo_override_from_the_advisory_page(ready_case: Case, analyst: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from medvigil.web.publishing import services

    until = timezone.now() + dt.timedelta(days=5)
    adv = services.advisory_draft(case=ready_case, user=analyst, embargo_until=until)
    services.advisory_submit(advisory=adv, user=analyst)
    bob = login(analyst)
    shared = bob.post(f"/publishing/{adv.pk}/share/", {"recipient": "H-ISAC"}, follow=True).content.decode()
    assert "Recorded on the case: shared with H-ISAC" in shared
    assert 'id="shares"' in shared and "TLP:AMBER" in shared
    case_page = bob.get(f"/risk/cases/{ready_case.pk}/").content.decode()
    sha = adv.case.actions.get(kind="isao_share").data["sha256"]
    assert f"shared with H-ISAC ({adv.tracking_id} v1, TLP:AMBER, sha256 {sha})" in case_page
    other = login(user_create(username="hank", password=PASSWORD, role="analyst"))
    page = other.get(f"/publishing/{adv.pk}/").content.decode()
    assert 'id="override-embargo"' in page and "embargoed" in page
    refused = other.post(f"/publishing/{adv.pk}/publish/", follow=True).content.decode()
    assert "embargo override with a reason" in refused and Advisory.objects.get().state == "review"
    other.post(f"/publishing/{adv.pk}/publish/", {"override_embargo": "patient safety: exploit in the wild"})
    assert Advisory.objects.get().state == "published"


def test_case_history_shows_events_of_unpublished_advisories_to_analysts_only(
    ready_case: Case, analyst: Any, viewer: Any, token_for: Any
) -> None:
    from medvigil.web.publishing import services

    approver = user_create(username="gail", password=PASSWORD, role="analyst")
    adv = services.advisory_draft(case=ready_case, user=analyst, tlp="CLEAR")
    services.advisory_submit(advisory=adv, user=analyst)
    services.advisory_publish(advisory=adv, user=approver)
    services.advisory_draft(case=ready_case, user=analyst, tlp="CLEAR", summary="fixed in 2.3")  # v2: a draft
    vex = services.advisory_draft(case=ready_case, user=analyst, kind="vex")
    services.advisory_submit(advisory=vex, user=analyst)
    services.advisory_share(advisory=vex, user=analyst, recipient="H-ISAC")  # shared while in review
    published = [f"{adv.tracking_id} v1 drafted", f"{adv.tracking_id} v1 published"]
    unpublished = [f"{adv.tracking_id} v2 drafted", vex.tracking_id]

    def history(user: Any) -> tuple[str, str]:
        page = login(user).get(f"/risk/cases/{ready_case.pk}/").content.decode()
        events = page[page.index('<table id="events">') :]
        api = Client().get(f"/api/cases/{ready_case.pk}", **token_for(user)).json()["events"]
        return events[: events.index("</table>")], " | ".join(e["message"] for e in api)

    for shown in history(analyst):
        assert all(m in shown for m in published + unpublished), shown
    for shown in history(viewer):
        assert all(m in shown for m in published), shown
        assert not any(m in shown for m in unpublished), shown


def test_isao_share_of_an_unpublished_advisory_is_hidden_from_viewers_with_its_bundle(
    ready_case: Case, analyst: Any, viewer: Any, token_for: Any
) -> None:
    from medvigil.web.publishing import services

    vex = services.advisory_draft(case=ready_case, user=analyst, kind="vex")
    services.advisory_submit(advisory=vex, user=analyst)
    services.advisory_share(advisory=vex, user=analyst, recipient="H-ISAC")  # shared while in review
    share = ready_case.actions.get(kind="isao_share")
    bundle = share.files.get()

    def seen(user: Any) -> tuple[str, str, int]:
        page = login(user).get(f"/risk/cases/{ready_case.pk}/").content.decode()
        panel = page[page.index('id="remediation"') :]
        api = Client().get(f"/api/cases/{ready_case.pk}/remediation", **token_for(user)).json()
        kinds = " ".join(a["kind"] for a in api["actions"])
        return panel, kinds, login(user).get(f"/evidence/{bundle.pk}/").status_code

    panel, kinds, status = seen(analyst)
    assert "shared with H-ISAC" in panel and "isao_share" in kinds and status == 200
    panel, kinds, status = seen(viewer)
    assert "shared with H-ISAC" not in panel and "isao_share" not in kinds and status == 404
    approver = user_create(username="gail", password=PASSWORD, role="analyst")
    services.advisory_publish(advisory=vex, user=approver)
    panel, kinds, status = seen(viewer)  # once published, the share is part of the public record
    assert "shared with H-ISAC" in panel and "isao_share" in kinds and status == 200
