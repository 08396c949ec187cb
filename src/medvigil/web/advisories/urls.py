"""Intelligence page routes."""

from __future__ import annotations

from django.urls import path

from medvigil.web.advisories import views

app_name = "advisories"
urlpatterns = [
    path("feeds/", views.feeds, name="feeds"),
    path("feeds/sync/", views.feeds_sync_now, name="feeds-sync"),
    path("feeds/import/", views.feeds_import_upload, name="feeds-import"),
    path("vulnerabilities/", views.vulnerability_list, name="vulnerability-list"),
    path("vulnerabilities/<str:key>/", views.vulnerability_detail, name="vulnerability-detail"),
    path("records/<str:source>/<path:record_id>/raw/", views.record_raw, name="record-raw"),
]
