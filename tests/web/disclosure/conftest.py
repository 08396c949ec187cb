"""CVD fixtures: fast spam checks, a fresh cache (rate limits) per test, and a submitted report."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from medvigil.web.disclosure import services
from medvigil.web.disclosure.models import Report

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REPORT = {
    "title": "Unauthenticated dose change over Wi-Fi",
    "description": "The pump accepts rate commands.",
    "impact": "Overdose",
    "steps": "1. connect 2. send",
    "contact_email": "res@example.org",
}


@pytest.fixture(autouse=True)
def _cvd_settings(settings: Any) -> Iterator[None]:
    settings.CVD_MIN_FILL_SECONDS = 0
    settings.CVD_RATE_LIMIT = 1000
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def submitted(db: Any) -> tuple[Report, str]:
    return services.report_submit(data=dict(REPORT))
