"""CVD endpoints. Public (no login): submit a report (JSON or multipart with files), read it and
write a message with the ``X-CVD-Token`` header; a wrong or missing token gets the same 404 as an
unknown reference. Staff (viewer role): the queue and one report."""

from __future__ import annotations

from typing import Any

import orjson
import pydantic
from django.http import HttpRequest
from ninja import Header, Router, Schema, Status
from ninja.errors import HttpError

from medvigil.core.errors import InputError, NotFoundError
from medvigil.web.accounts.auth import require_read
from medvigil.web.disclosure import selectors, services, throttle
from medvigil.web.disclosure.views import tracking_url, uploads

router = Router(tags=["disclosure"])
Json = dict[str, Any]
NOT_FOUND = "no such report"


class ReportIn(Schema):
    """A researcher's report (only ``title`` and ``description`` are required)."""

    title: str
    description: str
    product: str = ""
    version: str = ""
    impact: str = ""
    steps: str = ""
    cvss_vector: str = ""
    contact_name: str = ""
    contact_email: str = ""
    credit: str = "none"
    credit_name: str = ""
    credit_organization: str = ""


class Submitted(Schema):
    """Keep ``token``: it is shown once and is the only key to the report."""

    reference: str
    token: str
    tracking_url: str


class MessageIn(Schema):
    """A message from the reporter."""

    body: str


def _limit(request: HttpRequest, scope: str) -> None:
    if not throttle.allow(request, scope):
        raise HttpError(429, "too many submissions from this address; try again later")


_SCHEMA = {"$ref": "#/components/schemas/ReportIn"}
_MULTIPART = {
    "allOf": [
        _SCHEMA,
        {
            "type": "object",
            "properties": {"attachments": {"type": "array", "items": {"type": "string", "format": "binary"}}},
        },
    ]
}


@router.post(
    "/cvd/reports",
    auth=None,
    response={201: Submitted},
    summary="Submit a report (JSON, or multipart/form-data with attachments)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _SCHEMA},
                "multipart/form-data": {"schema": _MULTIPART},
            },
        }
    },
)
def submit(request: HttpRequest) -> Status[Json]:
    if request.content_type == "multipart/form-data":
        raw: Any = {k: request.POST.get(k, "") for k in ReportIn.model_fields}
    else:
        try:
            raw = orjson.loads(request.body or b"{}")
        except orjson.JSONDecodeError as exc:
            raise HttpError(400, f"the body is not JSON: {exc}") from None
    try:
        data = ReportIn.model_validate(raw).dict()
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise InputError(str(first["msg"]), field=field) from None
    _limit(request, "report")
    report, token = services.report_submit(data=data, uploads=uploads(request))
    data = {
        "reference": report.reference,
        "token": token,
        "tracking_url": tracking_url(request, report, token),
    }
    return Status(201, data)


def _reported(reference: str, token: str | None) -> Any:
    try:
        return services.report_for_token(reference=reference, token=token or "")
    except NotFoundError:
        raise HttpError(404, NOT_FOUND) from None


@router.get("/cvd/reports/{reference}", auth=None, summary="The reporter's view of a report")
def reporter_view(request: HttpRequest, reference: str, x_cvd_token: Header[str | None] = None) -> Json:
    return selectors.report_dict(_reported(reference, x_cvd_token), staff=False)


@router.post("/cvd/reports/{reference}/messages", auth=None, response={201: Json}, summary="Reporter message")
def reporter_post(
    request: HttpRequest, reference: str, body: MessageIn, x_cvd_token: Header[str | None] = None
) -> Status[Json]:
    report = _reported(reference, x_cvd_token)
    _limit(request, "message")
    services.reporter_message(report=report, body=body.body)
    return Status(201, selectors.report_dict(report, staff=False))


@router.get("/cvd/queue", summary="Staff: the intake queue")
def staff_queue(request: HttpRequest, state: str = "") -> list[Json]:
    require_read(request)
    return [
        selectors.report_dict(r, staff=True) for r in selectors.queue(state=state, open_only=not state)[:500]
    ]


@router.get("/cvd/queue/{reference}", summary="Staff: one report with notes and history")
def staff_report(request: HttpRequest, reference: str) -> Json:
    require_read(request)
    return selectors.report_dict(selectors.report_get(reference=reference), staff=True)
