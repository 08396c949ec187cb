"""Findings page routes."""

from __future__ import annotations

from django.urls import path

from medvigil.web.findings import views

app_name = "findings"
urlpatterns = [path("findings/", views.finding_list_page, name="list")]
