"""Reads of the publishing app; viewers see published advisories only. Also what a case owes its
advisories from CVD: the embargo in force and the reporters' credit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from medvigil.core.errors import NotFoundError
from medvigil.core.publish.model import Acknowledgment
from medvigil.web.accounts.roles import Role, role_of
from medvigil.web.disclosure.models import Credit, Report, ReportState
from medvigil.web.publishing.models import Advisory, AdvisoryState
from medvigil.web.remediation.models import ActionKind, CaseAction
from medvigil.web.risk.models import Case

__all__ = [
    "advisory_get",
    "advisory_list",
    "advisory_shares",
    "case_acknowledgments",
    "current_embargo",
    "cvd_embargo",
    "hidden_advisory_ids",
    "public_advisories",
]

_NOT_BINDING = (ReportState.DUPLICATE, ReportState.INVALID, ReportState.OUT_OF_SCOPE)
"""CVD reports in these states set no embargo and earn no credit."""


def _visible(user: Any) -> QuerySet[Advisory]:
    rows = Advisory.objects.select_related(
        "case__product", "case__vulnerability", "approved_by", "created_by"
    )
    if role_of(user) < Role.ANALYST:
        rows = rows.filter(state=AdvisoryState.PUBLISHED)
    return rows


def advisory_list(*, user: Any, case_id: int | None = None) -> QuerySet[Advisory]:
    """Advisories the user may read, newest first."""
    rows = _visible(user)
    return rows.filter(case_id=case_id) if case_id is not None else rows


def hidden_advisory_ids(*, user: Any, case_id: int) -> list[int]:
    """The case's advisories ``user`` may not read (for viewers: drafts and revisions in review)."""
    if role_of(user) >= Role.ANALYST:
        return []
    unpublished = Advisory.objects.filter(case_id=case_id).exclude(state=AdvisoryState.PUBLISHED)
    return list(unpublished.values_list("pk", flat=True))


def advisory_get(*, advisory_id: int, user: Any = None, any_state: bool = False) -> Advisory:
    """One advisory (``any_state``: the CLI, which runs as the operator)."""
    rows = Advisory.objects.all() if any_state else _visible(user)
    found = rows.filter(pk=advisory_id).first()
    if found is None:
        raise NotFoundError(f"no advisory {advisory_id}")
    return found


def public_advisories() -> QuerySet[Advisory]:
    """Published TLP:CLEAR advisories (the public page and the CSAF provider)."""
    return Advisory.objects.filter(state=AdvisoryState.PUBLISHED, tlp="CLEAR").prefetch_related("documents")


def advisory_shares(advisory: Advisory) -> QuerySet[CaseAction]:
    """The ISAO shares of this advisory revision (recorded on its case), oldest first."""
    return (
        CaseAction.objects.filter(
            case_id=advisory.case_id, kind=ActionKind.ISAO_SHARE, data__advisory=advisory.pk
        )
        .select_related("created_by")
        .prefetch_related("files")
        .order_by("created_at", "id")
    )


def _cvd_reports(case: Case) -> list[Report]:
    return list(case.cvd_reports.exclude(state__in=_NOT_BINDING).order_by("submitted_at", "id"))


def cvd_embargo(case: Case) -> tuple[dt.datetime | None, list[str]]:
    """The latest embargo of the case's CVD reports (the start of that day, local time: a report
    may be published on its embargo date) and the references of the reports that set it."""
    dated = [r for r in _cvd_reports(case) if r.embargo_until]
    if not dated:
        return None, []
    last = max(r.embargo_until for r in dated if r.embargo_until)
    when = timezone.make_aware(dt.datetime.combine(last, dt.time.min))
    return when, [r.reference for r in dated if r.embargo_until == last]


def case_acknowledgments(case: Case) -> tuple[Acknowledgment, ...]:
    """Credit for the case's CVD reporters, as each agreed: by name (and organisation), as an
    anonymous researcher (no name, no organisation), or not at all."""
    out: list[Acknowledgment] = []
    how = "reported this vulnerability through coordinated disclosure"
    for r in _cvd_reports(case):
        if r.credit == Credit.NAME:
            name = (r.credit_name or r.reporter_name).strip()
            org = r.credit_organization.strip()
            if name or org:
                out.append(Acknowledgment((name,) if name else (), org, how))
                continue
        if r.credit in (Credit.NAME, Credit.ANONYMOUS):
            out.append(Acknowledgment(summary=f"an anonymous researcher {how}"))
    return tuple(dict.fromkeys(out))


def current_embargo(advisory: Advisory) -> tuple[dt.datetime | None, str]:
    """The embargo that applies now (the advisory's own or the CVD reports', whichever is later:
    a CVD date moved after drafting still holds) and where it comes from."""
    cvd, refs = cvd_embargo(advisory.case)
    own = advisory.embargo_until
    if cvd is not None and (own is None or cvd >= own):
        return cvd, f"the CVD embargo of {', '.join(refs)}"
    return own, "the advisory's embargo"
