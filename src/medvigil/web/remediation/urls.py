"""Remediation routes."""

from __future__ import annotations

from django.urls import path

from medvigil.web.remediation import views

app_name = "remediation"
urlpatterns = [
    path("clock/", views.clock, name="clock"),
    path("risk/cases/<int:case_id>/transition/", views.transition, name="transition"),
    path("risk/cases/<int:case_id>/day0/", views.day0, name="day0"),
    path("risk/cases/<int:case_id>/facts/", views.facts, name="facts"),
    path("risk/cases/<int:case_id>/plan/", views.plan, name="plan"),
    path("risk/cases/<int:case_id>/actions/", views.action, name="action"),
    path("risk/cases/<int:case_id>/drafts/<str:kind>/", views.draft, name="draft"),
    path("evidence/<int:file_id>/", views.evidence, name="evidence"),
]
