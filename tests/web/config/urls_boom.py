"""The real routes plus views that fail, for the error-handling tests."""

from __future__ import annotations

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from medvigil.web.config.urls import handler500
from medvigil.web.config.urls import urlpatterns as real


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("kaboom password=hunter2 Bearer mvg_leaked-token postgres://u:pw@db/x")


def locked(request: HttpRequest) -> HttpResponse:
    raise OperationalError("database is locked")


urlpatterns = [path("boom/", boom), path("api-boom/locked/", locked), *real]
__all__ = ["handler500", "urlpatterns"]
