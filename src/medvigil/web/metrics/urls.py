"""Metrics routes."""

from __future__ import annotations

from django.urls import path

from medvigil.web.metrics import views

app_name = "metrics"
urlpatterns = [
    path("metrics/", views.metrics_page, name="page"),
    path("metrics/<slug:name>.csv", views.metrics_csv, name="csv"),
]
