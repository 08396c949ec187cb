"""Top-level routes: pages, the API, the admin and login."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from medvigil.web.config.api import api

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),  # throttled by django-axes
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("manage/", include("medvigil.web.accounts.urls")),
    path("api/", api.urls),
    path("", include("medvigil.web.risk.urls")),
    path("", include("medvigil.web.remediation.urls")),
    path("", include("medvigil.web.disclosure.urls")),
    path("", include("medvigil.web.publishing.urls")),
    path("", include("medvigil.web.audit.urls")),
    path("", include("medvigil.web.notifications.urls")),
    path("", include("medvigil.web.metrics.urls")),
    path("", include("medvigil.web.advisories.urls")),
    path("", include("medvigil.web.findings.urls")),
    path("dashboard/", include("medvigil.web.dashboard.urls")),
    path("", include("medvigil.web.inventory.urls")),
]

handler500 = "medvigil.web.config.errors.server_error"  # logs are JSON with the request id
