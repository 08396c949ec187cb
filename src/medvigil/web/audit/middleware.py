"""Binds each request to the audit context: the actor is read when an event is written, so a
bearer-token user (authenticated inside the API view) is named as well as a session user."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from medvigil.web.audit.chain import audit_context


class AuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(request=request):
            return self.get_response(request)
