"""``Case.first_confirmed`` (the metrics' time to assess): the day of the first confirmed version,
written with it by the assessment services, kept by later versions, backfilled by migration 0006."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from medvigil.web.metrics.selectors import MetricsQuery, metrics_get
from medvigil.web.risk import services as risk
from medvigil.web.risk.models import Assessment, Case
from tests.web.risk.conftest import NETWORK_RCE, case, hazards, make_vulnerability  # noqa: F401

pytestmark = pytest.mark.django_db
migration = importlib.import_module("medvigil.web.risk.migrations.0006_case_first_confirmed")


def _on(monkeypatch: pytest.MonkeyPatch, days_ago: int) -> dt.date:
    """Make the services run ``days_ago`` days in the past (the assessments' ``created_at``)."""
    when = dt.datetime.now(dt.UTC).replace(hour=12) - dt.timedelta(days=days_ago)
    monkeypatch.setattr(timezone, "now", lambda: when)
    return when.date()


def _first(target: Case) -> dt.date | None:
    return Case.objects.values_list("first_confirmed", flat=True).get(pk=target.pk)


def test_the_first_confirmation_day_is_kept_by_later_versions(
    case: Case,  # noqa: F811
    hazards: Any,  # noqa: F811
    analyst: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Case.objects.filter(pk=case.pk).update(day0=dt.datetime.now(dt.UTC).date() - dt.timedelta(days=30))
    case.refresh_from_db()
    _on(monkeypatch, 25)
    risk.assessment_propose(case=case)
    assert _first(case) is None  # a suggestion is no confirmation
    stale = Case.objects.get(pk=case.pk)  # read by another request before the confirmation
    confirmed_on = _on(monkeypatch, 20)
    risk.assessment_confirm(case=case, user=analyst)
    assert _first(case) == confirmed_on
    monkeypatch.undo()
    risk.assessment_propose(case=stale)  # a full save of the stale instance
    assert _first(case) == confirmed_on
    case.refresh_from_db()
    risk.assessment_change(case=case, changes={}, user=analyst)  # confirmed again today
    assert _first(case) == confirmed_on
    assess = metrics_get(query=MetricsQuery())["durations"]["assess"]["portfolio"]
    assert (assess["n"], assess["median"]) == (1, 10.0)


def test_the_migration_fills_the_earliest_confirmed_day(
    case: Case,  # noqa: F811
    hazards: Any,  # noqa: F811
    analyst: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    risk.assessment_propose(case=case)
    first = _on(monkeypatch, 9)
    risk.assessment_confirm(case=case, user=analyst)
    _on(monkeypatch, 3)
    risk.assessment_change(case=case, changes={}, user=analyst)
    suggested, _ = risk.case_open(
        product=case.product, vulnerability=make_vulnerability("CVE-2026-0002", NETWORK_RCE)
    )
    risk.assessment_propose(case=suggested)
    assert Assessment.objects.filter(case=case, status="confirmed").count() == 2
    Case.objects.update(first_confirmed=None)  # as before 0006

    migration.fill(apps, None)

    assert (_first(case), _first(suggested)) == (first, None)
