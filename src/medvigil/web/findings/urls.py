"""Findings page routes."""

from __future__ import annotations

from django.urls import path

from medvigil.web.findings import views

app_name = "findings"
urlpatterns = [
    path("findings/", views.finding_list_page, name="list"),
    path("findings/<int:finding_id>/", views.finding_detail, name="detail"),
    path("findings/<int:finding_id>/triage/", views.finding_triage, name="triage"),
    path("products/<slug:slug>/vex/", views.vex_upload, name="vex-upload"),
    path("products/<slug:slug>/vex/<int:vex_id>/", views.vex_download, name="vex-download"),
    path("products/<slug:slug>/vex/<int:vex_id>/remove/", views.vex_remove, name="vex-remove"),
]
