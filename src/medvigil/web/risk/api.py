"""Risk endpoints: cases, assessments, first-party vulnerabilities, hazards, matrices, policies.

Each endpoint checks the role, calls one service or selector and serialises with the presenters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from medvigil.web.accounts.auth import require_read, require_write
from medvigil.web.inventory.selectors import product_get
from medvigil.web.paging import SliceParams
from medvigil.web.risk import selectors, services
from medvigil.web.risk.presenters import assessment_dict, case_dict, hazard_dict, matrix_dict

router = Router(tags=["risk"])
Json = dict[str, Any]


class AssessmentIn(Schema):
    """A new assessment version: inputs merged over the latest version's."""

    inputs: dict[str, Any] = {}
    confirm: bool = False
    """Confirm at once (analyst's own assessment); otherwise it is stored as suggested."""
    justification: str = ""


class ConfirmIn(Schema):
    """Confirm the latest suggestion."""

    justification: str = ""


class CloseIn(Schema):
    """Close a case."""

    note: str = ""


class AssignIn(Schema):
    """Give a case to an analyst or admin (null or empty: unassign)."""

    assignee: str | None = None


class FirstPartyIn(Schema):
    """A first-party vulnerability."""

    title: str
    versions: list[str]
    components: list[str] = []
    description: str = ""
    identifier: str = ""
    cvss_vector: str = ""
    day0: dt.date | None = None


class AliasIn(Schema):
    """An alias (e.g. the CVE assigned to a first-party vulnerability)."""

    alias: str


class HazardIn(Schema):
    """A hazard of the product's hazard analysis."""

    identifier: str
    hazardous_situation: str
    harm: str
    severity: str
    links: dict[str, list[str]] = {}


class HazardPatch(Schema):
    """Hazard fields to change."""

    hazardous_situation: str | None = None
    harm: str | None = None
    severity: str | None = None
    links: dict[str, list[str]] | None = None


class MatrixIn(Schema):
    """A new matrix version: ``cells[severity][band] = {result, borderline, rationale}``."""

    cells: dict[str, dict[str, dict[str, Any]]]
    note: str = ""


class PolicyIn(Schema):
    """A new exploitability policy version (absent settings keep the defaults)."""

    settings: dict[str, Any]
    note: str = ""


@router.get(
    "/cases",
    response=list[Json],
    summary="List cases (filters as on the case list page; limit and offset take a slice, default all)",
)
def case_list(
    request: HttpRequest,
    page: Query[SliceParams],
    product: str = "",
    state: str = "",
    risk: str = "",
    kev: bool | None = None,
    unassessed: bool = False,
    review: bool = False,
    q: str = "",
    assignee: str = "",
) -> list[Json]:
    require_read(request)
    mine = request.user.get_username() if assignee == "mine" else assignee
    filters = selectors.CaseFilters(product, state, risk, kev, unassessed, review, q, assignee=mine)
    cases = selectors.case_page(filters=filters, offset=page.offset, limit=page.limit)
    return [case_dict(c) for c in cases]


@router.get(
    "/cases/{case_id}", response=Json, summary="A case with its versions, assessment history and events"
)
def case_get(request: HttpRequest, case_id: int) -> Json:
    require_read(request)
    return _case_detail(request, case_id)


def _case_detail(request: HttpRequest, case_id: int) -> Json:
    case = selectors.case_get(case_id=case_id)
    return case_dict(case, detail=True, events=selectors.case_events(case=case, user=request.user))


@router.get("/cases/{case_id}/assessments", response=list[Json], summary="Assessment history, newest first")
def assessment_list(request: HttpRequest, case_id: int) -> list[Json]:
    require_read(request)
    case = selectors.case_get(case_id=case_id)
    return [
        assessment_dict(a)
        for a in case.assessments.select_related("matrix", "policy", "created_by", "based_on")
    ]


@router.post("/cases/{case_id}/assessments", response={201: Json}, summary="Propose or change an assessment")
def assessment_create(request: HttpRequest, case_id: int, payload: AssessmentIn) -> Status[Json]:
    require_write(request)
    case = selectors.case_get(case_id=case_id)
    if payload.confirm:
        made = services.assessment_change(
            case=case, changes=payload.inputs, user=request.user, justification=payload.justification
        )
    else:
        made = services.assessment_propose(case=case, inputs=payload.inputs or None, user=request.user)
    return Status(201, assessment_dict(made))


@router.post(
    "/cases/{case_id}/confirm", response={201: Json}, summary="Confirm the latest suggested assessment"
)
def assessment_confirm(request: HttpRequest, case_id: int, payload: ConfirmIn) -> Status[Json]:
    require_write(request)
    case = selectors.case_get(case_id=case_id)
    made = services.assessment_confirm(case=case, user=request.user, justification=payload.justification)
    return Status(201, assessment_dict(made))


@router.post(
    "/cases/{case_id}/close", response=Json, summary="Close a case (refused unless its risk is settled)"
)
def case_close(request: HttpRequest, case_id: int, payload: CloseIn) -> Json:
    require_write(request)
    case = services.case_close(case=selectors.case_get(case_id=case_id), user=request.user, note=payload.note)
    return case_dict(case)


@router.post("/cases/{case_id}/assignee", response=Json, summary="Assign a case (or unassign with null)")
def case_assign(request: HttpRequest, case_id: int, payload: AssignIn) -> Json:
    require_write(request)
    case = services.case_assign(
        case=selectors.case_get(case_id=case_id),
        assignee=selectors.assignee_get(username=(payload.assignee or "").strip()),
        user=request.user,
    )
    return case_dict(case)


@router.post("/cases/{case_id}/aliases", response=Json, summary="Join a first-party case to its CVE")
def case_alias(request: HttpRequest, case_id: int, payload: AliasIn) -> Json:
    require_write(request)
    case = services.first_party_alias(
        case=selectors.case_get(case_id=case_id), alias=payload.alias, user=request.user
    )
    return _case_detail(request, case.pk)


@router.post("/products/{slug}/cases", response={201: Json}, summary="Record a first-party vulnerability")
def first_party_create(request: HttpRequest, slug: str, payload: FirstPartyIn) -> Status[Json]:
    require_write(request)
    case = services.first_party_record(product=product_get(slug=slug), user=request.user, **payload.dict())
    return Status(201, _case_detail(request, case.pk))


@router.post("/products/{slug}/cases/sync", response=Json, summary="Open or join cases from open findings")
def cases_sync(request: HttpRequest, slug: str) -> Json:
    require_write(request)
    result = services.cases_sync(product=product_get(slug=slug))
    return {
        "opened": len(result.opened),
        "joined": result.joined,
        "left": result.left,
        "carried": result.carried,
        "review": result.review,
    }


@router.get("/products/{slug}/hazards", response=list[Json], summary="The product's hazard analysis")
def hazard_list(request: HttpRequest, slug: str) -> list[Json]:
    require_read(request)
    return [hazard_dict(h) for h in selectors.hazard_list(product=product_get(slug=slug))]


@router.post("/products/{slug}/hazards", response={201: Json}, summary="Add a hazard")
def hazard_create(request: HttpRequest, slug: str, payload: HazardIn) -> Status[Json]:
    require_write(request)
    hazard = services.hazard_create(product=product_get(slug=slug), **payload.dict())
    return Status(201, hazard_dict(hazard))


@router.patch("/products/{slug}/hazards/{identifier}", response=Json, summary="Change a hazard")
def hazard_update(request: HttpRequest, slug: str, identifier: str, payload: HazardPatch) -> Json:
    require_write(request)
    hazard = selectors.hazard_get(product=product_get(slug=slug), identifier=identifier)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return hazard_dict(services.hazard_update(hazard=hazard, **fields))


@router.delete("/products/{slug}/hazards/{identifier}", response={204: None}, summary="Remove a hazard")
def hazard_delete(request: HttpRequest, slug: str, identifier: str) -> Status[None]:
    require_write(request)
    services.hazard_delete(hazard=selectors.hazard_get(product=product_get(slug=slug), identifier=identifier))
    return Status(204, None)


@router.get("/products/{slug}/matrix", response=Json, summary="The product's current risk matrix")
def matrix_get(request: HttpRequest, slug: str) -> Json:
    require_read(request)
    return matrix_dict(services.matrix_current(product=product_get(slug=slug)))


@router.get("/products/{slug}/matrices", response=list[Json], summary="Every version of the product's matrix")
def matrix_versions(request: HttpRequest, slug: str) -> list[Json]:
    require_read(request)
    product = product_get(slug=slug)
    services.matrix_current(product=product)
    return [matrix_dict(m) for m in product.risk_matrices.select_related("created_by").order_by("-version")]


@router.put("/products/{slug}/matrix", response={201: Json}, summary="Store a new version of the risk matrix")
def matrix_update(request: HttpRequest, slug: str, payload: MatrixIn) -> Status[Json]:
    require_write(request)
    made = services.matrix_update(
        product=product_get(slug=slug), data={"cells": payload.cells}, user=request.user, note=payload.note
    )
    return Status(201, matrix_dict(made))


@router.get("/products/{slug}/policy", response=Json, summary="The exploitability policy in force")
def policy_get(request: HttpRequest, slug: str) -> Json:
    require_read(request)
    policy = services.policy_current(product=product_get(slug=slug))
    if policy is None:
        from medvigil.core.risk.exploitability import DEFAULT_POLICY

        return {"version": None, "default": True, "settings": DEFAULT_POLICY.to_dict()}
    return {"version": policy.version, "default": False, "settings": policy.data, "note": policy.note}


@router.put(
    "/products/{slug}/policy", response={201: Json}, summary="Store a new exploitability policy version"
)
def policy_update(request: HttpRequest, slug: str, payload: PolicyIn) -> Status[Json]:
    require_write(request)
    made = services.policy_update(
        product=product_get(slug=slug), data=payload.settings, user=request.user, note=payload.note
    )
    return Status(201, {"version": made.version, "default": False, "settings": made.data, "note": made.note})


@router.get(
    "/risk/heatmap", response=list[list[Json]], summary="Open cases by severity x exploitability band"
)
def heat_map(request: HttpRequest, product: str = "") -> list[list[Json]]:
    require_read(request)
    return [
        [
            {"severity": c.severity.label, "band": c.band.value, "total": c.total,
             "uncontrolled": c.uncontrolled, "suggested": c.suggested}
            for c in row
        ]
        for row in selectors.heat_map(product=product)
    ]  # fmt: skip
