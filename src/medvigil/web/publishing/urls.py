"""Publishing routes."""

from __future__ import annotations

from django.urls import path

from medvigil.web.publishing import provider_views as provider
from medvigil.web.publishing import views

app_name = "publishing"
urlpatterns = [
    path("publishing/", views.advisory_list, name="list"),
    path("publishing/draft/", views.advisory_draft, name="draft"),
    path("publishing/<int:advisory_id>/", views.advisory_detail, name="detail"),
    path("publishing/<int:advisory_id>/<str:step>/", views.advisory_step, name="step"),
    path("publishing/<int:advisory_id>/download/<str:fmt>", views.advisory_download, name="download"),
    path(".well-known/csaf/provider-metadata.json", provider.metadata, name="csaf-metadata"),
    path(".well-known/csaf/clear/index.txt", provider.index, name="csaf-index"),
    path(".well-known/csaf/clear/changes.csv", provider.changes, name="csaf-changes"),
    path(".well-known/csaf/clear/feed-tlp-clear.json", provider.feed, name="csaf-feed"),
    path(".well-known/csaf/clear/<path:path>", provider.document, name="csaf-document"),
    path(".well-known/csaf/openpgp/<str:fpr>.asc", provider.public_key, name="csaf-key"),
    path("security/advisories/", provider.public_page, name="public"),
]
