"""Metrics app: read-only aggregates over the other apps' tables (no models of its own)."""

from __future__ import annotations

from django.apps import AppConfig


class MetricsConfig(AppConfig):
    """Django app config."""

    name = "medvigil.web.metrics"
    label = "metrics"
    verbose_name = "Program metrics"
