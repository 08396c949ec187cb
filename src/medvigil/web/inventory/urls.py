"""Inventory page routes."""

from __future__ import annotations

from django.urls import path

from medvigil.web.inventory import views

app_name = "inventory"
urlpatterns = [
    path("", views.product_list, name="product-list"),
    path("products/new/", views.product_create, name="product-create"),
    path("products/<slug:slug>/", views.product_detail, name="product-detail"),
    path("products/<slug:slug>/edit/", views.product_edit, name="product-edit"),
    path("products/<slug:slug>/diff/", views.version_diff, name="version-diff"),
    path("products/<slug:slug>/versions/<str:version>/", views.version_detail, name="version-detail"),
    path(
        "products/<slug:slug>/versions/<str:version>/export/<str:fmt>/",
        views.version_export,
        name="version-export",
    ),
    path(
        "products/<slug:slug>/versions/<str:version>/documents/<int:document_id>/",
        views.document_download,
        name="document-download",
    ),
]
