"""Audit routes."""

from __future__ import annotations

from django.urls import path

from medvigil.web.audit import views

app_name = "audit"
urlpatterns = [
    path("audit/", views.audit_list, name="list"),
    path("audit/export.json", views.audit_export, name="export"),
]
