"""The REST API under /api/, with OpenAPI docs at /api/docs.

Every error is JSON ``{"error": "<message>"}`` (plus ``"field"`` for a domain error naming one and
``"detail"`` for request validation): 400 bad input to the domain, 401 no or a wrong bearer token
(with ``WWW-Authenticate: Bearer``), 403 missing role or CSRF token, 404 unknown object, 422 a
parameter or body that does not fit its schema (paging included), 429 sign-in throttle, 503
database busy (with ``Retry-After``). The OpenAPI document lists them on every operation they
can come from.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from medvigil import __version__
from medvigil.core.errors import Error, InputError, NotFoundError
from medvigil.web.accounts.auth import API_AUTH
from medvigil.web.advisories.api import router as advisories_router
from medvigil.web.audit.api import router as audit_router
from medvigil.web.concurrency import ImportQueueFullError
from medvigil.web.config.errors import is_database_busy, retry_after_seconds
from medvigil.web.disclosure.api import router as disclosure_router
from medvigil.web.findings.api import router as findings_router
from medvigil.web.inventory.api import router as inventory_router
from medvigil.web.metrics.api import router as metrics_router
from medvigil.web.notifications.api import router as notifications_router
from medvigil.web.publishing.api import router as publishing_router
from medvigil.web.remediation.api import router as remediation_router
from medvigil.web.risk.api import router as risk_router

_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "what went wrong, naming the field or object"},
        "field": {"type": "string", "description": "the input field at fault, when there is one"},
        "detail": {"type": "array", "items": {"type": "object"}, "description": "validation errors"},
    },
    "required": ["error"],
}
_STATUSES = {
    "400": "Input the domain refuses (the field is named)",
    "401": "No, or no valid, bearer token or session (`WWW-Authenticate: Bearer`)",
    "403": "The account lacks the role, or a session write lacks the CSRF token",
    "404": "No such object",
    "422": "A parameter or the body does not fit its schema (e.g. paging: limit 1-1000, offset >= 0)",
    "429": "Too many failed sign-ins from this address (`Retry-After`)",
    "503": "The database is busy; retry after `Retry-After` seconds",
}


class MedvigilAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document lists the error statuses of each operation."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
        for operations in schema["paths"].values():
            for operation in operations.values():
                _document_errors(operation)
        return schema


def _document_errors(operation: dict[str, Any]) -> None:
    params = operation.get("parameters", [])
    wanted = {"400", "401", "403", "429", "503"}
    if params or "requestBody" in operation:
        wanted.add("422")
    if any(p.get("in") == "path" for p in params):
        wanted.add("404")
    responses = operation.setdefault("responses", {})
    for code in [c for c in responses if not isinstance(c, str)]:  # ninja keys its own as int
        responses[str(code)] = responses.pop(code)
    for status in sorted(wanted):
        content = {"application/json": {"schema": _ERROR_REF}}
        responses.setdefault(status, {"description": _STATUSES[status], "content": content})


api = MedvigilAPI(
    title="medvigil API",
    version=__version__,
    description="Inventory, SBOMs and (as they land) intelligence, findings and assessments. "
    "Authenticate with `Authorization: Bearer <token>` (create one with `medvigil token create`) "
    "or with the browser session (CSRF token required for writes). Errors are JSON "
    '`{"error": "..."}`; bad paging or parameters get 422.',
    auth=API_AUTH,
    urls_namespace="api",
)


@api.exception_handler(Error)
def _domain_error(request: HttpRequest, exc: Error) -> HttpResponse:
    if isinstance(exc, ImportQueueFullError):
        response = api.create_response(request, {"error": exc.diagnostics()}, status=503)
        response["Retry-After"] = str(retry_after_seconds())
        return response
    status = 404 if isinstance(exc, NotFoundError) else 400
    body: dict[str, str] = {"error": exc.diagnostics()}
    if isinstance(exc, InputError) and exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=status)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return _unauthorized(request)
    return api.create_response(request, {"error": exc.message}, status=exc.status_code)


def _unauthorized(request: HttpRequest) -> HttpResponse:
    challenge = 'Bearer realm="medvigil"'
    if "authorization" in request.headers:
        challenge += ', error="invalid_token"'
        message = "the bearer token is not valid (unknown, revoked or malformed)"
    else:
        message = "authentication required: send 'Authorization: Bearer <token>' or sign in"
    response = api.create_response(request, {"error": message}, status=401)
    response["WWW-Authenticate"] = challenge
    return response


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    parts = []
    for error in exc.errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "body", "path", "form"))
        parts.append(f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg", "invalid")))
    body = {"error": "; ".join(parts) or "invalid request", "detail": exc.errors}
    return api.create_response(request, body, status=422)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if is_database_busy(exc):
        body = {"error": "the database is busy with other writes; retry shortly"}
        response = api.create_response(request, body, status=503)
        response["Retry-After"] = str(retry_after_seconds())
        return response
    raise exc  # Django's handler logs it (with the request id) and answers 500


api.add_router("/", inventory_router)
api.add_router("/", advisories_router)
api.add_router("/", risk_router)
api.add_router("/", findings_router)
api.add_router("/", remediation_router)
api.add_router("/", disclosure_router)
api.add_router("/", publishing_router)
api.add_router("/", audit_router)
api.add_router("/", notifications_router)
api.add_router("/", metrics_router)
