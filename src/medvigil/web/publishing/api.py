"""Publishing endpoints: analysts draft and submit; an admin or a second analyst publishes; viewers
read published advisories and download their documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from medvigil.core.errors import InputError
from medvigil.core.publish.formats import FORMATS
from medvigil.web.accounts.auth import require_read, require_write
from medvigil.web.publishing import presenters, selectors, services
from medvigil.web.risk.selectors import case_get

router = Router(tags=["publishing"])
Json = dict[str, Any]


class DraftIn(Schema):
    """A new advisory (or the next revision of a published one: ``summary`` says what changed)."""

    kind: str = "advisory"
    tlp: str = "AMBER"
    title: str = ""
    embargo_until: dt.datetime | None = None
    summary: str = ""


@router.get("/advisories", response=list[Json], summary="Advisories (viewers: published only)")
def advisory_list(request: HttpRequest, case: int | None = None) -> list[Json]:
    require_read(request)
    return [presenters.advisory_dict(a) for a in selectors.advisory_list(user=request.user, case_id=case)]


@router.get("/advisories/{advisory_id}", response=Json, summary="One advisory revision")
def advisory_detail(request: HttpRequest, advisory_id: int) -> Json:
    require_read(request)
    return presenters.advisory_dict(selectors.advisory_get(advisory_id=advisory_id, user=request.user))


@router.post("/cases/{case_id}/advisories", response={201: Json}, summary="Draft an advisory for a case")
def advisory_draft(request: HttpRequest, case_id: int, body: DraftIn) -> Status[Json]:
    require_write(request)
    adv = services.advisory_draft(case=case_get(case_id=case_id), user=request.user, **body.dict())
    return Status(201, presenters.advisory_dict(adv))


@router.post("/advisories/{advisory_id}/submit", response=Json, summary="Submit a draft for review")
def advisory_submit(request: HttpRequest, advisory_id: int) -> Json:
    require_write(request)
    adv = selectors.advisory_get(advisory_id=advisory_id, user=request.user)
    return presenters.advisory_dict(services.advisory_submit(advisory=adv, user=request.user))


@router.post(
    "/advisories/{advisory_id}/publish",
    response=Json,
    summary="Approve and publish (second analyst or admin)",
)
def advisory_publish(request: HttpRequest, advisory_id: int) -> Json:
    require_write(request)
    adv = selectors.advisory_get(advisory_id=advisory_id, user=request.user)
    try:
        return presenters.advisory_dict(services.advisory_publish(advisory=adv, user=request.user))
    except InputError as exc:
        if exc.field == "user":
            raise HttpError(403, exc.message) from None
        raise


@router.get("/advisories/{advisory_id}/export/{fmt}", summary=f"Download one format ({', '.join(FORMATS)})")
def advisory_export(request: HttpRequest, advisory_id: int, fmt: str) -> HttpResponse:
    require_read(request)
    doc = services.advisory_render(selectors.advisory_get(advisory_id=advisory_id, user=request.user), fmt)
    response = HttpResponse(doc.content, content_type=doc.content_type)
    response["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
