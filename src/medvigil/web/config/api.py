"""The REST API under /api/, with OpenAPI docs at /api/docs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from medvigil import __version__
from medvigil.core.errors import Error, InputError, NotFoundError
from medvigil.web.accounts.auth import API_AUTH
from medvigil.web.advisories.api import router as advisories_router
from medvigil.web.audit.api import router as audit_router
from medvigil.web.findings.api import router as findings_router
from medvigil.web.inventory.api import router as inventory_router
from medvigil.web.remediation.api import router as remediation_router
from medvigil.web.risk.api import router as risk_router

api = NinjaAPI(
    title="medvigil API",
    version=__version__,
    description="Inventory, SBOMs and (as they land) intelligence, findings and assessments. "
    "Authenticate with `Authorization: Bearer <token>` (create one with `medvigil token create`) "
    "or with the browser session (CSRF token required for writes).",
    auth=API_AUTH,
    urls_namespace="api",
)


@api.exception_handler(Error)
def _domain_error(request: HttpRequest, exc: Error) -> HttpResponse:
    status = 404 if isinstance(exc, NotFoundError) else 400
    body: dict[str, str] = {"error": exc.diagnostics()}
    if isinstance(exc, InputError) and exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=status)


api.add_router("/", inventory_router)
api.add_router("/", advisories_router)
api.add_router("/", risk_router)
api.add_router("/", findings_router)
api.add_router("/", remediation_router)
api.add_router("/", audit_router)
