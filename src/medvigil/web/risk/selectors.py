"""Reads of the risk app: case lists with filters, case detail, heat map, hazards and matrices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from medvigil.core.errors import InputError, NotFoundError
from medvigil.core.risk.exploitability import ExploitabilityBand
from medvigil.core.risk.harm import Severity
from medvigil.core.risk.matrix import RiskMatrix as CoreMatrix
from medvigil.web.advisories.models import Alias
from medvigil.web.inventory.models import Product
from medvigil.web.paging import RowsById
from medvigil.web.publishing.selectors import hidden_advisory_ids
from medvigil.web.risk.models import (
    Assessment,
    AssessmentStatus,
    Case,
    CaseEvent,
    CaseState,
    CaseVersion,
    Hazard,
)

__all__ = [
    "CaseFilters",
    "assignee_choices",
    "assignee_get",
    "HeatCell",
    "UNCONTROLLED",
    "Standing",
    "case_clock",
    "case_events",
    "case_standing",
    "case_get",
    "case_list",
    "case_page",
    "case_rows",
    "hazard_get",
    "hazard_list",
    "heat_map",
    "matrix_grid",
]

BANDS = tuple(ExploitabilityBand)
SEVERITIES = tuple(reversed(Severity))


@dataclass(frozen=True, slots=True)
class CaseFilters:
    """Filters of the case list; empty values do not filter."""

    product: str = ""
    """Product slug."""
    state: str = ""
    """new, triage, assessed, remediation, monitoring, closed, or ``active`` (everything but closed)."""
    risk: str = ""
    """controlled or uncontrolled (latest assessment)."""
    kev: bool | None = None
    """Only (not) in CISA KEV."""
    unassessed: bool = False
    """No confirmed assessment yet."""
    review: bool = False
    """Re-review needed."""
    q: str = ""
    """Vulnerability key, alias or summary text."""
    severity: str = ""
    """Latest assessment's severity label (heat-map cell)."""
    band: str = ""
    """Latest assessment's exploitability band (heat-map cell)."""
    assignee: str = ""
    """Username of the assignee, or ``none`` for unassigned cases (the page's "mine" is the user's)."""


def _state_filter(qs: QuerySet[Case], state: str) -> QuerySet[Case]:
    if state == "active":
        return qs.exclude(state=CaseState.CLOSED)
    if state and state not in CaseState.values:
        raise InputError(f"unknown state {state!r}", field="state")
    return qs.filter(state=state) if state else qs


def _assessment_filter(qs: QuerySet[Case], f: CaseFilters) -> QuerySet[Case]:
    if f.risk:
        if f.risk not in ("controlled", "uncontrolled"):
            raise InputError("risk is controlled or uncontrolled", field="risk")
        uncontrolled = Q(current_assessment__controlled=False) & ~Q(
            current_assessment__vex_status="not_affected"
        )
        qs = qs.filter(
            uncontrolled if f.risk == "uncontrolled" else ~uncontrolled & Q(current_assessment__isnull=False)
        )
    if f.unassessed:
        qs = qs.exclude(current_assessment__status=AssessmentStatus.CONFIRMED)
    if f.severity:
        qs = qs.filter(current_assessment__severity=int(Severity.from_label(f.severity)))
    if f.band:
        qs = qs.filter(current_assessment__exploitability=f.band)
    return qs


def _apply(qs: QuerySet[Case], f: CaseFilters) -> QuerySet[Case]:
    if f.product:
        qs = qs.filter(product__slug=f.product)
    qs = _assessment_filter(_state_filter(qs, f.state), f)
    if f.kev is not None:
        qs = qs.filter(vulnerability__kev=f.kev)
    if f.review:
        qs = qs.filter(review_needed=True)
    if f.assignee:
        qs = (
            qs.filter(assignee__isnull=True)
            if f.assignee == "none"
            else qs.filter(assignee__username=f.assignee)
        )
    if f.q:  # aliases as a subquery: no join that repeats cases, so no DISTINCT
        aliases = Alias.objects.filter(alias__icontains=f.q).values("vulnerability_id")
        qs = qs.filter(
            Q(vulnerability__key__icontains=f.q) | Q(vulnerability_id__in=aliases) | Q(summary__icontains=f.q)
        )
    return qs


_ASSESSMENT_JSON = ("inputs", "result", "rubric_answers", "scope")
_LIST_DEFER = [
    *(f"current_assessment__{f}" for f in _ASSESSMENT_JSON),
    *(f"current_assessment__based_on__{f}" for f in _ASSESSMENT_JSON),
    "current_assessment__matrix__data",
    "current_assessment__policy__data",
]
"""Columns a list row does not show (large JSON, ~4 kB a row)."""


def case_list(*, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Cases with product, vulnerability and latest assessment, most urgent first.

    Everything a list row shows (assessment's matrix, policy, author, predecessor) is joined in the
    same query; the active version count is a correlated count, not a GROUP BY over the join.
    """
    versions = (
        CaseVersion.objects.filter(case=OuterRef("pk"), active=True)
        .order_by()
        .values("case")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = (
        Case.objects.select_related(
            "product",
            "vulnerability",
            "assignee",
            "current_assessment__matrix",
            "current_assessment__policy",
            "current_assessment__created_by",
            "current_assessment__based_on",
        )
        .defer(*_LIST_DEFER)
        .annotate(version_count=Coalesce(Subquery(versions), 0))
    )
    return _apply(qs, filters or CaseFilters()).order_by(*_ORDER)


_ORDER = (
    "current_assessment__controlled",
    "-vulnerability__kev",
    "-current_assessment__severity",
    "-day0",
    "-id",
)


SORTS: dict[str, tuple[str, ...]] = {
    "risk": _ORDER[:-1],
    "vulnerability": ("vulnerability__key",),
    "product": ("product__name", "day0"),
    "state": ("state", "day0"),
    "harm": ("current_assessment__severity", "day0"),
    "day0": ("day0",),
    "assignee": ("assignee__username", "day0"),
}
"""Sortable columns of the case list page (ascending ``order_by`` fields; ``risk``: worst first)."""


def case_rows(*, filters: CaseFilters | None = None, ordering: list[Any] | None = None) -> RowsById[Case]:
    """:func:`case_list` for paginators: the order is taken on a narrow query (ids and the sort
    columns; no JSON, no summaries, no version counts), then only a page's cases are read whole.
    ``ordering``: ``order_by`` arguments instead of the default (worst risk first)."""
    ordered = _apply(Case.objects.all(), filters or CaseFilters()).order_by(*(ordering or _ORDER))
    return RowsById(ordered, case_list())


def case_page(*, filters: CaseFilters | None = None, offset: int = 0, limit: int | None = None) -> list[Case]:
    """A slice of :func:`case_list` in its order (everything when no limit and offset are given)."""
    if limit is None and not offset:
        return list(case_list(filters=filters))
    return case_rows(filters=filters)[offset : None if limit is None else offset + limit]


def assignee_choices() -> list[Any]:
    """Users a case can be given to: active analysts and admins, by username."""
    from django.contrib.auth import get_user_model

    from medvigil.web.accounts.roles import can_write

    users = get_user_model().objects.filter(is_active=True).prefetch_related("groups").order_by("username")
    return [u for u in users if can_write(u)]


def assignee_get(*, username: str) -> Any:
    """The user named ``username`` (``None`` for an empty name: unassigned)."""
    from django.contrib.auth import get_user_model

    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    return user


def case_get(*, case_id: int) -> Case:
    """One case."""
    case = (
        Case.objects.select_related("product", "vulnerability", "current_assessment", "assignee")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFoundError(f"no case {case_id}")
    return case


def case_events(*, case: Case, user: Any) -> QuerySet[CaseEvent]:
    """The case's history as ``user`` may read it, newest first.

    Events about an advisory the user may not read (drafted, shared with an ISAO while in draft or
    review: ``data["advisory"]``) are left out, so a viewer learns nothing of unpublished drafts.
    """
    events = case.events.select_related("actor", "assessment")
    hidden = hidden_advisory_ids(user=user, case_id=case.pk)
    return events.exclude(data__advisory__in=hidden) if hidden else events


def case_clock(case: Case) -> dict[str, Any]:
    """FDA clock for an uncontrolled risk (regulatory.md 1.7): day 0 + 30 and + 60 calendar days.

    ``running`` is False when the case's standing (:func:`case_standing`) is not an uncontrolled
    risk: closed, not affected per VEX, controlled, or not assessed.
    """
    return {
        "day0": case.day0,
        "communicate_by": case.day0 + dt.timedelta(days=30),
        "fix_by": case.day0 + dt.timedelta(days=60),
        "running": case_standing(case).clock_running,
    }


UNCONTROLLED = Q(controlled=False) & ~Q(vex_status="not_affected")
"""An assessment whose risk is uncontrolled: a VEX not_affected means the risk is not present."""


@dataclass(frozen=True, slots=True)
class Standing:
    """What a case's risk is now, as shown on every page (pill, clock)."""

    label: str
    """``uncontrolled``, ``controlled``, ``not affected (VEX)``, ``closed · …``, ``not assessed``."""
    tone: str
    """CSS pill class: ``bad``, ``ok``, ``warn`` or empty."""
    clock_running: bool
    """The FDA 30/60-day clock applies."""
    unconfirmed: bool
    """The risk shown is medvigil's suggestion, not yet confirmed by an analyst."""


def case_standing(case: Case, confirmed: Assessment | None = None) -> Standing:
    """The case's risk from its state and its latest assessment (``confirmed``: the latest
    confirmed one when the current one is only suggested; found here when not given)."""
    a = case.current_assessment
    if a is None:
        closed = case.state == CaseState.CLOSED
        return Standing("closed" if closed else "not assessed", "", False, False)
    if a.status != AssessmentStatus.CONFIRMED and confirmed is None:
        confirmed = case.assessments.filter(status=AssessmentStatus.CONFIRMED).order_by("-number").first()
    decisive = a if a.status == AssessmentStatus.CONFIRMED else (confirmed or a)
    unconfirmed = decisive.status != AssessmentStatus.CONFIRMED
    if decisive.vex_status == "not_affected":
        label, tone, uncontrolled = "not affected (VEX)", "ok", False
    elif decisive.controlled:
        label, tone, uncontrolled = "controlled", "ok", False
    else:
        label, tone, uncontrolled = "uncontrolled", "bad", True
    if case.state == CaseState.CLOSED:
        return Standing(f"closed · {label}", "ok" if not uncontrolled else "warn", False, unconfirmed)
    if unconfirmed and uncontrolled:
        tone = "warn"
    return Standing(label, tone, uncontrolled, unconfirmed)


@dataclass(frozen=True, slots=True)
class HeatCell:
    """Cases of one (severity, band) cell."""

    severity: Severity
    band: ExploitabilityBand
    total: int
    uncontrolled: int
    suggested: int


def heat_map(*, product: str = "") -> list[list[HeatCell]]:
    """Open cases by their latest assessment's severity (rows, worst first) x exploitability band."""
    qs = Assessment.objects.filter(
        pk__in=Case.objects.exclude(state=CaseState.CLOSED).values("current_assessment")
    )
    if product:
        qs = qs.filter(case__product__slug=product)
    counts: dict[tuple[int, str], dict[str, Any]] = {
        (row["severity"], row["exploitability"]): dict(row)
        for row in qs.values("severity", "exploitability").annotate(
            total=Count("id"),
            uncontrolled=Count("id", filter=UNCONTROLLED),
            suggested=Count("id", filter=Q(status=AssessmentStatus.SUGGESTED)),
        )
    }
    grid = []
    for sev in SEVERITIES:
        row = []
        for band in BANDS:
            c = counts.get((int(sev), band.value), {})
            row.append(
                HeatCell(sev, band, c.get("total", 0), c.get("uncontrolled", 0), c.get("suggested", 0))
            )
        grid.append(row)
    return grid


def hazard_list(*, product: Product) -> QuerySet[Hazard]:
    """The product's hazard analysis."""
    return product.hazards.order_by("identifier")


def hazard_get(*, product: Product, identifier: str) -> Hazard:
    """One hazard of a product."""
    hazard = product.hazards.filter(identifier=identifier).first()
    if hazard is None:
        raise NotFoundError(f"{product.name} has no hazard {identifier!r}")
    return hazard


def matrix_grid(matrix: CoreMatrix) -> list[dict[str, Any]]:
    """Rows (worst severity first) of cells for templates: severity, then one cell per band."""
    rows = []
    for sev in SEVERITIES:
        cells = [{"band": band, "cell": matrix.cell(sev, band)} for band in BANDS]
        rows.append({"severity": sev, "cells": cells})
    return rows
