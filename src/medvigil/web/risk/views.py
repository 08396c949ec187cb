"""Case pages: portfolio heat map, case list, case page and its actions. Thin: selectors read,
services write; every change is a POST with the CSRF token and needs the analyst role."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from medvigil.core.errors import Error, NotFoundError
from medvigil.web.accounts.decorators import analyst_required, viewer_required
from medvigil.web.inventory.models import Product
from medvigil.web.risk import selectors, services
from medvigil.web.risk.forms import AssessmentForm
from medvigil.web.risk.models import Assessment, Case, CaseState
from medvigil.web.risk.selectors import UNCONTROLLED
from medvigil.web.sorting import Sort

CASE_PAGE_SIZE = 100


def _not_found(request: HttpRequest, exc: NotFoundError) -> HttpResponse:
    return render(request, "inventory/not_found.html", {"message": exc.diagnostics()}, status=404)


def _flag(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _filters(request: HttpRequest) -> selectors.CaseFilters:
    g = request.GET
    return selectors.CaseFilters(
        product=g.get("product", ""),
        state=g.get("state", "active"),
        risk=g.get("risk", ""),
        kev=_flag(g.get("kev", "")),
        unassessed=g.get("unassessed") == "1",
        review=g.get("review") == "1",
        q=g.get("q", "").strip(),
        severity=g.get("severity", ""),
        band=g.get("band", ""),
        assignee=request.user.get_username() if g.get("assignee") == "mine" else g.get("assignee", ""),
    )


@viewer_required
def portfolio(request: HttpRequest) -> HttpResponse:
    product = request.GET.get("product", "")
    cases = selectors.case_list(filters=selectors.CaseFilters(product=product, state="active"))
    context = {
        "grid": selectors.heat_map(product=product),
        "bands": selectors.BANDS,
        "product": product,
        "products": Product.objects.order_by("name").annotate(  # one query, not two per product
            hazard_count=Count("hazards", distinct=True), matrix_version=Max("risk_matrices__version")
        ),
        "totals": {
            "active": cases.count(),
            "uncontrolled": cases.filter(
                current_assessment__in=Assessment.objects.filter(UNCONTROLLED)
            ).count(),
            "unassessed": cases.exclude(current_assessment__status="confirmed").count(),
            "review": cases.filter(review_needed=True).count(),
            "kev": cases.filter(vulnerability__kev=True).count(),
        },
    }
    return render(request, "risk/portfolio.html", context)


@viewer_required
def case_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    sort = Sort.from_query(request.GET, selectors.SORTS, "risk")
    try:
        page = Paginator(
            selectors.case_rows(filters=filters, ordering=sort.order_by("-id")), CASE_PAGE_SIZE
        ).get_page(request.GET.get("page"))
    except Error as exc:
        messages.error(request, exc.diagnostics())
        page = Paginator(
            selectors.case_rows(filters=selectors.CaseFilters(state="active")), CASE_PAGE_SIZE
        ).get_page(1)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "cases": page,
        "page": page,
        "query": query.urlencode(),
        "headers": sort.headers(request.GET),
        "f": filters,
        "products": Product.objects.order_by("name"),
        "states": ["active", *CaseState.values, ""],
        "kev": request.GET.get("kev", ""),
        "assignee": request.GET.get("assignee", ""),
    }
    return render(request, "risk/case_list.html", context)


def _case_context(case: Case, user: Any, form: AssessmentForm | None = None) -> dict[str, Any]:
    current = case.current_assessment
    hazards = list(case.product.hazards.order_by("identifier"))
    return {
        "case": case,
        "a": current,
        "clock": selectors.case_clock(case),
        "standing": selectors.case_standing(case),
        "aliases": sorted(case.vulnerability.aliases.values_list("alias", flat=True)),
        "versions": case.scope.select_related("product_version", "covered_by"),
        "history": case.assessments.select_related("created_by", "matrix", "policy"),
        "events": selectors.case_events(case=case, user=user)[:50],
        "form": form or AssessmentForm(hazards=hazards, inputs=current.inputs if current else None),
        "assignees": selectors.assignee_choices(),
        "needs_confirm": current is not None and (current.status == "suggested" or case.review_needed),
        **_remediation(case, user),
        **_advisories(case, user),
    }


def _advisories(case: Case, user: Any) -> dict[str, Any]:
    from medvigil.web.publishing.models import AdvisoryKind, TlpLabel
    from medvigil.web.publishing.selectors import advisory_list, cvd_embargo

    embargo, refs = cvd_embargo(case)
    return {
        "advisories": advisory_list(user=user, case_id=case.pk),
        "advisory_kinds": AdvisoryKind.choices,
        "tlps": TlpLabel.values,
        "cvd_embargo": embargo,
        "cvd_refs": refs,
    }


def _remediation(case: Case, user: Any) -> dict[str, Any]:
    from medvigil.web.remediation.views import case_panel_context

    return case_panel_context(case, user)


@viewer_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        case = selectors.case_get(case_id=case_id)
    except NotFoundError as exc:
        return _not_found(request, exc)
    return render(request, "risk/case_detail.html", _case_context(case, request.user))


def _get(case_id: int) -> Case:
    try:
        return selectors.case_get(case_id=case_id)
    except NotFoundError as exc:
        raise Http404(exc.diagnostics()) from None


def _back(case: Case) -> HttpResponse:
    return HttpResponseRedirect(reverse("risk:case-detail", args=[case.pk]))


def _run(request: HttpRequest, case: Case, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except Error as exc:
        messages.error(request, exc.diagnostics())
    else:
        messages.success(request, done)
    return _back(case)


@require_POST
@analyst_required
def case_propose(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get(case_id)
    return _run(
        request, case, lambda: services.assessment_propose(case=case), "medvigil proposed a new assessment."
    )


@require_POST
@analyst_required
def case_confirm(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get(case_id)
    note = request.POST.get("justification", "")
    return _run(
        request,
        case,
        lambda: services.assessment_confirm(case=case, user=request.user, justification=note),
        "Assessment confirmed.",
    )


@require_POST
@analyst_required
def case_assess(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get(case_id)
    form = AssessmentForm(request.POST, hazards=list(case.product.hazards.order_by("identifier")))
    if not form.is_valid():
        messages.error(request, "Check the assessment form.")
        return render(request, "risk/case_detail.html", _case_context(case, request.user, form), status=400)
    confirm = request.POST.get("action") == "confirm"
    try:
        services.assessment_change(
            case=case,
            changes=form.inputs(),
            user=request.user,
            justification=form.cleaned_data["justification"],
            confirm=confirm,
        )
    except Error as exc:
        messages.error(request, f"Nothing was saved: {exc.diagnostics()}")
        return render(request, "risk/case_detail.html", _case_context(case, request.user, form), status=400)
    messages.success(
        request, "Assessment saved and confirmed." if confirm else "Assessment saved as a suggestion."
    )
    return _back(case)


@require_POST
@analyst_required
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get(case_id)
    note = request.POST.get("note", "")
    return _run(
        request, case, lambda: services.case_close(case=case, user=request.user, note=note), "Case closed."
    )


@require_POST
@analyst_required
def case_alias(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get(case_id)
    try:
        case = services.first_party_alias(case=case, alias=request.POST.get("alias", ""), user=request.user)
    except Error as exc:
        messages.error(request, exc.diagnostics())
    else:
        messages.success(request, f"Joined {case.vulnerability.key}.")
    return _back(case)


@require_POST
@analyst_required
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get(case_id)
    username = request.POST.get("assignee", "").strip()

    def assign() -> None:
        services.case_assign(case=case, assignee=selectors.assignee_get(username=username), user=request.user)

    done = f"Assigned to {username}." if username else "Unassigned."
    return _run(request, case, assign, done)
