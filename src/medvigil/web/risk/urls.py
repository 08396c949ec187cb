"""Risk page routes."""

from __future__ import annotations

from django.urls import path

from medvigil.web.risk import product_views, views

app_name = "risk"
urlpatterns = [
    path("risk/", views.portfolio, name="portfolio"),
    path("risk/cases/", views.case_list, name="case-list"),
    path("risk/cases/<int:case_id>/", views.case_detail, name="case-detail"),
    path("risk/cases/<int:case_id>/propose/", views.case_propose, name="case-propose"),
    path("risk/cases/<int:case_id>/confirm/", views.case_confirm, name="case-confirm"),
    path("risk/cases/<int:case_id>/assess/", views.case_assess, name="case-assess"),
    path("risk/cases/<int:case_id>/close/", views.case_close, name="case-close"),
    path("risk/cases/<int:case_id>/assign/", views.case_assign, name="case-assign"),
    path("risk/cases/<int:case_id>/alias/", views.case_alias, name="case-alias"),
    path("products/<slug:slug>/hazards/", product_views.hazard_list, name="hazards"),
    path(
        "products/<slug:slug>/hazards/<str:identifier>/delete/",
        product_views.hazard_delete,
        name="hazard-delete",
    ),
    path("products/<slug:slug>/risk-matrix/", product_views.matrix_edit, name="matrix"),
    path("products/<slug:slug>/exploitability-policy/", product_views.policy_edit, name="policy"),
    path(
        "products/<slug:slug>/versions/<str:version>/rematch/",
        product_views.version_rematch,
        name="version-rematch",
    ),
    path("products/<slug:slug>/cases/new/", product_views.first_party_create, name="first-party"),
]
