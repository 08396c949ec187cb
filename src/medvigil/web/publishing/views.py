"""Publishing pages: list, detail with a preview, draft/submit/publish buttons (POST + CSRF, analyst
role), downloads. Viewers see published advisories only. Thin: selectors read, services write."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from medvigil.core.errors import Error, InputError, NotFoundError
from medvigil.core.publish.formats import FORMATS
from medvigil.web.accounts.decorators import analyst_required, viewer_required
from medvigil.web.accounts.roles import can_write
from medvigil.web.publishing import selectors, services
from medvigil.web.publishing.models import Advisory, AdvisoryKind, AdvisoryState, TlpLabel
from medvigil.web.risk.selectors import case_get

_PREVIEW_LIMIT = 200_000


def _advisory(request: HttpRequest, advisory_id: int) -> Advisory:
    try:
        return selectors.advisory_get(advisory_id=advisory_id, user=request.user)
    except NotFoundError as exc:
        raise Http404(exc.diagnostics()) from None


def _detail(adv: Advisory) -> HttpResponse:
    return HttpResponseRedirect(reverse("publishing:detail", args=[adv.pk]))


@viewer_required
def advisory_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.advisory_list(user=request.user)[:500]
    context = {
        "rows": rows,
        "can_write": can_write(request.user),
        "tlps": TlpLabel.values,
        "kinds": AdvisoryKind.choices,
    }
    return render(request, "publishing/list.html", context)


@viewer_required
def advisory_detail(request: HttpRequest, advisory_id: int) -> HttpResponse:
    adv = _advisory(request, advisory_id)
    main = "csaf-vex" if adv.kind == AdvisoryKind.VEX else "csaf"
    try:
        preview, problem = services.advisory_render(adv, main).content.decode()[:_PREVIEW_LIMIT], ""
    except Error as exc:
        preview, problem = "", exc.diagnostics()
    embargo, embargo_source = selectors.current_embargo(adv)
    context = {
        "adv": adv,
        "embargo": embargo,
        "embargo_source": embargo_source,
        "embargoed": embargo is not None and timezone.now() < embargo,
        "shares": selectors.advisory_shares(adv),
        "preview": preview,
        "problem": problem,
        "formats": FORMATS,
        "documents": list(adv.documents.all()),
        "can_write": can_write(request.user),
        "states": AdvisoryState,
    }
    return render(request, "publishing/detail.html", context)


def _when(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date (YYYY-MM-DD)", field="embargo_until") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@require_POST
@analyst_required
def advisory_draft(request: HttpRequest) -> HttpResponse:
    p = request.POST
    try:
        case_id = int(p.get("case_id", ""))
    except ValueError:
        messages.error(request, "Nothing was saved: give the number of a case")
        return HttpResponseRedirect(reverse("publishing:list"))
    # the case page's "Draft advisory" button comes back to the case on a refusal
    back = (
        reverse("risk:case-detail", args=[case_id]) if p.get("from") == "case" else reverse("publishing:list")
    )
    try:
        case = case_get(case_id=case_id)
        adv = services.advisory_draft(
            case=case, user=request.user, kind=p.get("kind", AdvisoryKind.ADVISORY),
            tlp=p.get("tlp", "AMBER"), title=p.get("title", ""),
            embargo_until=_when(p.get("embargo_until", "")), summary=p.get("summary", ""),
        )  # fmt: skip
    except NotFoundError as exc:
        raise Http404(exc.diagnostics()) from None
    except Error as exc:
        messages.error(request, f"Nothing was saved: {exc.diagnostics()}")
        return HttpResponseRedirect(back)
    messages.success(request, f"Drafted {adv.tracking_id} v{adv.revision}.")
    return _detail(adv)


@require_POST
@analyst_required
def advisory_step(request: HttpRequest, advisory_id: int, step: str) -> HttpResponse:
    adv = _advisory(request, advisory_id)
    try:
        if step == "submit":
            services.advisory_submit(advisory=adv, user=request.user)
        elif step == "publish":
            override = request.POST.get("override_embargo", "")
            services.advisory_publish(advisory=adv, user=request.user, override_embargo=override)
        elif step == "share":
            action, _ = services.advisory_share(
                advisory=adv, user=request.user, recipient=request.POST.get("recipient", "")
            )
            messages.success(request, f"Recorded on the case: {action.summary}.")
            return _detail(adv)
        else:
            raise Http404("unknown step")
    except Error as exc:
        messages.error(request, f"Nothing was changed: {exc.diagnostics()}")
    else:
        messages.success(request, "Submitted for review." if step == "submit" else "Published.")
    return _detail(adv)


@viewer_required
def advisory_download(request: HttpRequest, advisory_id: int, fmt: str) -> HttpResponse:
    adv = _advisory(request, advisory_id)
    try:
        doc = services.advisory_render(adv, fmt)
    except Error as exc:
        raise Http404(exc.diagnostics()) from None
    response = HttpResponse(doc.content, content_type=doc.content_type)
    response["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
