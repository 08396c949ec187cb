"""Publishing endpoints: analysts draft and submit; an admin or a second analyst publishes; viewers
read published advisories and download their documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
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


def _override(request: HttpRequest) -> str:
    """``{"override_embargo": reason}`` from an optional JSON body (a body-less POST publishes
    without an override)."""
    if request.content_type != "application/json" or not request.body.strip():
        return ""
    try:
        data = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        raise InputError("the body is not JSON", field="body") from None
    if not isinstance(data, dict) or not isinstance(data.get("override_embargo", ""), str):
        raise InputError('the body must be {"override_embargo": "reason"}', field="override_embargo")
    return str(data.get("override_embargo", ""))


_PUBLISH_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "override_embargo": {
                            "type": "string",
                            "description": "publish before the embargo for this reason (audited)",
                        }
                    },
                }
            }
        },
    }
}


class ShareIn(Schema):
    """Who the STIX 2.1 bundle is shared with (an ISAO such as H-ISAC, or CISA)."""

    recipient: str


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
    openapi_extra=_PUBLISH_BODY,
)
def advisory_publish(request: HttpRequest, advisory_id: int) -> Json:
    require_write(request)
    adv = selectors.advisory_get(advisory_id=advisory_id, user=request.user)
    override = _override(request)
    try:
        published = services.advisory_publish(advisory=adv, user=request.user, override_embargo=override)
        return presenters.advisory_dict(published)
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


@router.post(
    "/advisories/{advisory_id}/shares",
    response={201: Json},
    summary="Share the STIX 2.1 bundle with an ISAO (recorded on the case)",
)
def advisory_share(request: HttpRequest, advisory_id: int, body: ShareIn) -> Status[Json]:
    require_write(request)
    adv = selectors.advisory_get(advisory_id=advisory_id, user=request.user)
    action, doc = services.advisory_share(advisory=adv, user=request.user, recipient=body.recipient)
    return Status(201, {**presenters.share_dict(action), "bundle": orjson.loads(doc.content)})


@router.get("/advisories/{advisory_id}/shares", response=list[Json], summary="ISAO shares of an advisory")
def advisory_shares(request: HttpRequest, advisory_id: int) -> list[Json]:
    require_read(request)
    adv = selectors.advisory_get(advisory_id=advisory_id, user=request.user)
    return [presenters.share_dict(a) for a in selectors.advisory_shares(adv)]
