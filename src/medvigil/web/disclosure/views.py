"""CVD pages. Public (no login): the policy, the report form, the tracking page, the
acknowledgments and ``/.well-known/security.txt``. Staff: the intake queue and a report's page
with its forms (analysts write, viewers read) and attachment downloads. Thin: selectors read,
services write; every write is a POST with the CSRF token."""

from __future__ import annotations

import datetime as dt
import subprocess
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from medvigil.core.disclosure.securitytxt import SecurityTxt
from medvigil.core.disclosure.securitytxt import render as render_securitytxt
from medvigil.core.errors import Error, InputError, NotFoundError
from medvigil.web.accounts.decorators import analyst_required, viewer_required
from medvigil.web.accounts.roles import can_write
from medvigil.web.disclosure import selectors, services, throttle
from medvigil.web.disclosure.models import Attachment, Credit, Message, Report, ReportState
from medvigil.web.inventory.models import Product
from medvigil.web.risk.models import Case

REPORT_FIELDS = (
    "product",
    "version",
    "title",
    "description",
    "impact",
    "steps",
    "cvss_vector",
    "contact_name",
    "contact_email",
    "credit",
    "credit_name",
    "credit_organization",
)


def origin(request: HttpRequest) -> str:
    """The public origin for absolute links."""
    return str(settings.CVD_PUBLIC_URL or request.build_absolute_uri("/").rstrip("/"))


def tracking_url(request: HttpRequest, report: Report, token: str) -> str:
    """The reporter's secret link."""
    return origin(request) + reverse("disclosure:track", args=[report.reference, token])


def uploads(request: HttpRequest) -> list[services.Upload]:
    """The attached files (read up to one byte over the limit, so an oversize file is named)."""
    limit = int(settings.CVD_ATTACHMENT_MAX_BYTES)
    return [
        services.Upload(f.name or "attachment", f.read(limit + 1))
        for f in request.FILES.getlist("attachments")
    ]


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "disclosure/error.html",
        {"error": "Too many submissions from your address; try again later."},
        status=429,
    )


def _products() -> list[dict[str, Any]]:
    return [
        {"slug": p.slug, "name": p.name, "versions": [v.version for v in p.versions.order_by("version")]}
        for p in Product.objects.prefetch_related("versions").order_by("name")
    ]


def policy(request: HttpRequest) -> HttpResponse:
    pol = services.policy_get()
    return render(
        request,
        "disclosure/policy.html",
        {"policy": pol, "text": pol.policy_text.replace("{ack_days}", str(pol.ack_days))},
    )


def report_form(request: HttpRequest) -> HttpResponse:
    values: dict[str, str] = {}
    error: Error | None = None
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in REPORT_FIELDS}
        if "target" in request.POST:  # the form's one select: "slug::version"
            values["product"], _, values["version"] = request.POST["target"].partition("::")
        if not throttle.allow(request, "report"):
            return _too_many(request)
        try:
            throttle.check_human(request.POST.dict())
            report, token = services.report_submit(data=values, uploads=uploads(request))
        except Error as exc:
            error, status = exc, 400
        else:
            return render(
                request,
                "disclosure/submitted.html",
                {"report": report, "tracking_url": tracking_url(request, report, token)},
                status=201,
            )
    return render(
        request,
        "disclosure/report_form.html",
        {
            "products": _products(),
            "values": values,
            "error": error.diagnostics() if error else "",
            "error_field": getattr(error, "field", ""),
            "credits": Credit.choices,
            "started": throttle.form_stamp(),
            "max_attachment": settings.CVD_ATTACHMENT_MAX_BYTES,
        },
        status=status,
    )


def track(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    try:
        report = services.report_for_token(reference=reference, token=token)
    except NotFoundError:
        raise Http404("no such report") from None
    if request.method == "POST":
        if not throttle.allow(request, "message"):
            return _too_many(request)
        try:
            services.reporter_message(report=report, body=request.POST.get("body", ""))
        except Error as exc:
            messages.error(request, f"Nothing was sent: {exc.diagnostics()}")
        else:
            messages.success(request, "Your message was sent.")
        return HttpResponseRedirect(request.path)
    context = {"report": report, "thread": selectors.reporter_thread(report)}
    response = render(request, "disclosure/track.html", context)
    # The token is in the URL: never sent to another site. "same-origin" (not "no-referrer", which
    # makes the browser post the reply form with "Origin: null" and fail the CSRF origin check).
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def acknowledgments(request: HttpRequest) -> HttpResponse:
    return render(request, "disclosure/acknowledgments.html", {"rows": selectors.acknowledgments()})


def _clearsign(text: str) -> str | None:
    if not settings.CVD_GPG_KEY:
        return None
    env = {"PATH": "/usr/bin:/bin"} | ({"GNUPGHOME": settings.CVD_GPG_HOME} if settings.CVD_GPG_HOME else {})
    done = subprocess.run(  # noqa: S603 - fixed argv, no shell
        ["/usr/bin/gpg", "--batch", "--yes", "--local-user", settings.CVD_GPG_KEY, "--clearsign", "--armor"],
        input=text.encode(),
        capture_output=True,
        timeout=20,
        env=env,
        check=False,
    )
    return done.stdout.decode() if done.returncode == 0 else None


def security_txt(request: HttpRequest) -> HttpResponse:
    pol = services.policy_get()
    base = origin(request)
    expires = timezone.now().replace(microsecond=0) + dt.timedelta(days=min(int(pol.expires_days), 364))
    doc = SecurityTxt(
        contacts=(*settings.CVD_CONTACTS, *pol.contacts, base + reverse("disclosure:report")),
        expires=expires,
        policy=base + reverse("disclosure:policy"),
        acknowledgments=base + reverse("disclosure:acknowledgments"),
        preferred_languages=pol.preferred_languages,
        canonical=base + "/.well-known/security.txt",
        csaf=(base + reverse("publishing:csaf-metadata"),) if settings.CSAF_PROVIDER else (),
    )
    text = render_securitytxt(doc)
    return HttpResponse(_clearsign(text) or text, content_type="text/plain; charset=utf-8")


# --- staff ------------------------------------------------------------------------------------


def _report(reference: str) -> Report:
    try:
        return selectors.report_get(reference=reference)
    except NotFoundError as exc:
        raise Http404(exc.diagnostics()) from None


@viewer_required
def queue(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    try:
        rows = list(selectors.queue(state=state, open_only=not state)[:200])
    except Error as exc:
        messages.error(request, exc.diagnostics())
        rows, state = [], ""
    today = timezone.localdate()
    return render(
        request,
        "disclosure/queue.html",
        {
            "rows": [(r, selectors.ack_overdue(r, today)) for r in rows],
            "state": state,
            "states": ReportState.choices,
            "counts": selectors.queue_counts(today),
        },
    )


@viewer_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    report = _report(reference)
    analysts = [
        u for u in get_user_model().objects.filter(is_active=True).order_by("username") if can_write(u)
    ]
    open_cases = (
        Case.objects.filter(product=report.product).select_related("vulnerability") if report.product else []
    )
    return render(
        request,
        "disclosure/detail.html",
        {
            "report": report,
            "thread": report.messages.select_related("author").order_by("at", "id"),
            "events": report.events.select_related("actor"),
            "allowed": services.allowed_moves(report),
            "overdue": selectors.ack_overdue(report),
            "analysts": analysts,
            "products": _products(),
            "linked_versions": [pv.version for pv in report.affected_versions.all()],
            "open_cases": open_cases,
            "note_kind": Message.NOTE,
            "reporter_kind": Message.REPORTER,
        },
    )


def _date_or_none(value: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{value!r} is not a YYYY-MM-DD date", field="embargo_until") from None


def _transition(request: HttpRequest, report: Report) -> str:
    p = request.POST
    services.report_transition(
        report=report, to=p.get("to", ""), user=request.user, reason=p.get("reason", "")
    )
    return f"Moved to {report.get_state_display()}."


def _assign(request: HttpRequest, report: Report) -> str:
    name = request.POST.get("assignee", "")
    assignee = get_user_model().objects.filter(username=name).first() if name else None
    if name and assignee is None:
        raise InputError(f"no user {name!r}", field="assignee")
    services.report_assign(report=report, assignee=assignee, user=request.user)
    return "Assignment saved."


def _reply(request: HttpRequest, report: Report) -> str:
    services.staff_message(report=report, body=request.POST.get("body", ""), user=request.user)
    return "Reply sent to the reporter."


def _note(request: HttpRequest, report: Report) -> str:
    services.staff_message(report=report, body=request.POST.get("body", ""), user=request.user, internal=True)
    return "Note saved."


def _link(request: HttpRequest, report: Report) -> str:
    p = request.POST
    product = Product.objects.filter(slug=p.get("product", "")).first()
    if product is None:
        raise InputError(f"no product {p.get('product', '')!r}", field="product")
    components = p.get("components", "").replace("\n", ",").split(",")
    versions = p.getlist("versions")
    services.report_link(
        report=report, product=product, versions=versions, components=components, user=request.user
    )
    return "Links saved."


def _case_create(request: HttpRequest, report: Report) -> str:
    case = services.report_case_create(report=report, user=request.user)
    return f"Opened case {case.pk}."


def _case_join(request: HttpRequest, report: Report) -> str:
    raw = request.POST.get("case", "")
    case = Case.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if case is None:
        raise InputError(f"no case {raw!r}", field="case")
    services.report_case_join(report=report, case=case, user=request.user)
    return f"Joined case {case.pk}."


def _embargo(request: HttpRequest, report: Report) -> str:
    until = _date_or_none(request.POST.get("embargo_until", ""))
    services.report_embargo(
        report=report, until=until, user=request.user, reason=request.POST.get("reason", "")
    )
    return "Embargo saved."


ACTIONS = {
    "transition": _transition,
    "assign": _assign,
    "reply": _reply,
    "note": _note,
    "link": _link,
    "case-create": _case_create,
    "case-join": _case_join,
    "embargo": _embargo,
}


@analyst_required
@require_POST
def act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    report = _report(reference)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404("no such action")
    try:
        done = handler(request, report)
    except Error as exc:
        messages.error(request, f"Nothing was saved: {exc.diagnostics()}")
    else:
        messages.success(request, done)
    return HttpResponseRedirect(reverse("disclosure:detail", args=[report.reference]))


@viewer_required
def attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    att = Attachment.objects.filter(pk=attachment_id).first()
    if att is None:
        raise Http404("no such attachment")
    response = HttpResponse(bytes(att.content), content_type="application/octet-stream")
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in att.filename)[:200] or "attachment"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
