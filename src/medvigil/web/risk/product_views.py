"""Per-product risk set-up pages: hazard list, risk matrix and exploitability policy editors,
first-party record."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from medvigil.core.errors import Error, NotFoundError
from medvigil.core.risk.exploitability import DEFAULT_POLICY
from medvigil.web.accounts.decorators import analyst_required, viewer_required
from medvigil.web.inventory.models import Product
from medvigil.web.inventory.selectors import product_get
from medvigil.web.risk import selectors, services
from medvigil.web.risk.forms import FirstPartyForm, HazardForm, MatrixForm, PolicyForm


def _product(slug: str) -> Product:
    try:
        return product_get(slug=slug)
    except NotFoundError as exc:
        raise Http404(exc.diagnostics()) from None


@viewer_required
def hazard_list(request: HttpRequest, slug: str) -> HttpResponse:
    product = _product(slug)
    form = HazardForm(request.POST or None)
    if request.method == "POST":
        return _hazard_save(request, product, form)
    context = {"product": product, "hazards": selectors.hazard_list(product=product), "form": form}
    return render(request, "risk/hazards.html", context)


@analyst_required
def _hazard_save(request: HttpRequest, product: Product, form: HazardForm) -> HttpResponse:
    if form.is_valid():
        kwargs = form.service_kwargs()
        existing = product.hazards.filter(identifier=kwargs["identifier"]).first()
        try:
            if existing is not None and request.POST.get("replace") == "1":
                kwargs.pop("identifier")
                services.hazard_update(hazard=existing, **kwargs)
            else:
                services.hazard_create(product=product, **kwargs)
        except Error as exc:
            messages.error(request, exc.diagnostics())
        else:
            messages.success(request, f"Saved hazard {form.cleaned_data['identifier']}.")
            return HttpResponseRedirect(reverse("risk:hazards", args=[product.slug]))
    context = {"product": product, "hazards": selectors.hazard_list(product=product), "form": form}
    return render(request, "risk/hazards.html", context, status=400)


@require_POST
@analyst_required
def hazard_delete(request: HttpRequest, slug: str, identifier: str) -> HttpResponse:
    product = _product(slug)
    try:
        services.hazard_delete(hazard=selectors.hazard_get(product=product, identifier=identifier))
    except NotFoundError as exc:
        raise Http404(exc.diagnostics()) from None
    messages.success(request, f"Removed hazard {identifier}; past assessments keep their copy.")
    return HttpResponseRedirect(reverse("risk:hazards", args=[product.slug]))


@viewer_required
def matrix_edit(request: HttpRequest, slug: str) -> HttpResponse:
    product = _product(slug)
    current = services.matrix_current(product=product)
    core = current.to_core()
    form = MatrixForm(request.POST or None, matrix=core)
    if request.method == "POST":
        return _matrix_save(request, product, form)
    context = {
        "product": product,
        "current": current,
        "grid": selectors.matrix_grid(core),
        "form": form,
        "editor_rows": form.editor_rows(),
        "bands": selectors.BANDS,
        "versions": product.risk_matrices.select_related("created_by").order_by("-version"),
        "policy": services.policy_current(product=product),
    }
    return render(request, "risk/matrix.html", context)


@analyst_required
def _matrix_save(request: HttpRequest, product: Product, form: MatrixForm) -> HttpResponse:
    if form.is_valid():
        try:
            made = services.matrix_update(
                product=product,
                data={"cells": form.cells()},
                user=request.user,
                note=form.cleaned_data["note"],
            )
        except Error as exc:
            messages.error(request, exc.diagnostics())
        else:
            messages.success(request, f"Saved risk matrix version {made.version}.")
    else:
        messages.error(request, "Every cell needs a result.")
    return HttpResponseRedirect(reverse("risk:matrix", args=[product.slug]))


@viewer_required
def policy_edit(request: HttpRequest, slug: str) -> HttpResponse:
    product = _product(slug)
    current = services.policy_current(product=product)
    core = current.to_core() if current is not None else DEFAULT_POLICY
    if request.method == "POST":
        return _policy_save(request, product)
    initial = core.to_dict()
    context = {
        "product": product,
        "current": current,
        "policy": core,
        "form": PolicyForm(initial=initial),
        "versions": product.exploitability_policies.select_related("created_by").order_by("-version"),
    }
    return render(request, "risk/policy.html", context)


@analyst_required
def _policy_save(request: HttpRequest, product: Product) -> HttpResponse:
    form = PolicyForm(request.POST)
    if form.is_valid():
        try:
            made = services.policy_update(
                product=product, data=form.policy_data(), user=request.user, note=form.cleaned_data["note"]
            )
        except Error as exc:
            form.add_error(None, exc.diagnostics())
        else:
            messages.success(request, f"Saved exploitability policy version {made.version}.")
            return HttpResponseRedirect(reverse("risk:policy", args=[product.slug]))
    current = services.policy_current(product=product)
    context = {
        "product": product,
        "current": current,
        "policy": current.to_core() if current is not None else DEFAULT_POLICY,
        "form": form,
        "versions": product.exploitability_policies.select_related("created_by").order_by("-version"),
    }
    return render(request, "risk/policy.html", context, status=400)


@analyst_required
def first_party_create(request: HttpRequest, slug: str) -> HttpResponse:
    product = _product(slug)
    versions = list(product.versions.order_by("-release_date", "-id").values_list("version", flat=True))
    form = FirstPartyForm(request.POST or None, versions=versions)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.first_party_record(product=product, user=request.user, **form.service_kwargs())
        except Error as exc:
            form.add_error(None, exc.diagnostics())
        else:
            messages.success(request, f"Recorded {case.vulnerability.key}.")
            return HttpResponseRedirect(reverse("risk:case-detail", args=[case.pk]))
    return render(request, "risk/first_party.html", {"product": product, "form": form})


@require_POST
@analyst_required
def version_rematch(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """ "Re-match now": queue the version's analysis (match, then case sync)."""
    from medvigil.web.inventory.selectors import version_get
    from medvigil.web.risk.services.analysis import version_analysis_request

    try:
        pv = version_get(product_slug=slug, version=version)
    except NotFoundError as exc:
        raise Http404(exc.diagnostics()) from None
    version_analysis_request(version=pv, reason=f"re-match requested by {request.user.get_username()}")
    messages.success(request, f"Re-matching {pv}: findings and cases follow in the background.")
    return HttpResponseRedirect(reverse("inventory:version-detail", args=[slug, pv.version]) + "#findings")
