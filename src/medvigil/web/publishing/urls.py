"""Publishing routes."""

from __future__ import annotations

from django.urls import path

from medvigil.web.publishing import views

app_name = "publishing"
urlpatterns = [
    path("publishing/", views.advisory_list, name="list"),
    path("publishing/draft/", views.advisory_draft, name="draft"),
    path("publishing/<int:advisory_id>/", views.advisory_detail, name="detail"),
    path("publishing/<int:advisory_id>/<str:step>/", views.advisory_step, name="step"),
    path("publishing/<int:advisory_id>/download/<str:fmt>", views.advisory_download, name="download"),
]
