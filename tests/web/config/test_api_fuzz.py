"""Schemathesis over the whole API (bounded): no operation answers a server error.

Requests are generated from the OpenAPI document and sent through the WSGI app as an admin with a
bearer token (so the generated input reaches the views rather than stopping at 401). Each
operation gets a few generated examples (``MEDVIGIL_FUZZ_EXAMPLES`` raises it locally).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from medvigil.web.accounts.services import token_create

EXAMPLES = int(os.environ.get("MEDVIGIL_FUZZ_EXAMPLES", "5"))


@pytest.fixture
def admin_headers(admin: Any, version: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    from medvigil.web.advisories import tasks

    monkeypatch.setattr(tasks, "feeds_sync", lambda sources=None: [])  # no internet from "Sync now"
    # As Django's test client does: the test's database connection must survive each request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield {"Authorization": f"Bearer {token_create(user=admin, name='fuzz')}"}
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _schema() -> Any:
    from medvigil.web.config.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


schema = _schema()


@schema.parametrize()  # type: ignore[untyped-decorator]
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_operation_answers_a_server_error(case: Any, admin_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=admin_headers, checks=[not_a_server_error, status_code_conformance])
