"""CVD writes: submitting a report (reference, token, attachments), reporter and staff messages,
the guarded state transitions, assignment, links to product/versions/components, the case (day 0 =
report date, through the risk and remediation services), embargo, publication, the policy.

Every staff action writes a ``ReportEvent`` (actor, time, action, reason).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from medvigil.core.disclosure.securitytxt import contacts_checked
from medvigil.core.disclosure.sniff import sniff
from medvigil.core.errors import InputError, NotFoundError
from medvigil.core.remediation.calendar import add_working_days
from medvigil.core.risk.cvss import parse_vector
from medvigil.web.disclosure.models import (
    Attachment,
    Credit,
    DisclosurePolicy,
    Message,
    Report,
    ReportCounter,
    ReportEvent,
    ReportState,
)
from medvigil.web.inventory.models import Product, ProductVersion
from medvigil.web.notifications import sources as notify
from medvigil.web.risk.models import Case

PREFIX = "CVD"
TOKEN_BYTES = 32
"""256-bit reporter tokens (at least 128 bits are required)."""

S = ReportState
TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.ACKNOWLEDGED, S.DUPLICATE, S.INVALID, S.OUT_OF_SCOPE},
    S.ACKNOWLEDGED: {S.TRIAGE, S.DUPLICATE, S.INVALID, S.OUT_OF_SCOPE},
    S.TRIAGE: {S.VALID, S.DUPLICATE, S.INVALID, S.OUT_OF_SCOPE},
    S.VALID: {S.RESOLVED},
    S.RESOLVED: {S.PUBLISHED, S.VALID},
    S.DUPLICATE: {S.TRIAGE},
    S.INVALID: {S.TRIAGE},
    S.OUT_OF_SCOPE: {S.TRIAGE},
    S.PUBLISHED: set(),
}
"""Allowed moves; closing states (duplicate, invalid, out of scope) reopen to triage with a reason."""
CLOSING = {S.DUPLICATE, S.INVALID, S.OUT_OF_SCOPE}
_FORWARD = [S.ACKNOWLEDGED, S.TRIAGE, S.VALID, S.RESOLVED, S.PUBLISHED]


def allowed_moves(report: Report) -> list[str]:
    """The states a report may move to, the next step of the process first, closing ones last."""
    order = _FORWARD + [S.DUPLICATE, S.INVALID, S.OUT_OF_SCOPE]
    return [str(s) for s in order if s in TRANSITIONS[report.state]]


def hash_token(token: str) -> str:
    """SHA-256 hex of a reporter token (what is stored)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _actor(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _event(
    report: Report, action: str, message: str, user: Any, *, reason: str = "", data: Any = None
) -> None:
    ReportEvent.objects.create(
        report=report,
        action=action,
        message=message,
        actor=_actor(user),
        reason=reason.strip(),
        data=data or {},
    )


def _notify(report: Report, kind: str) -> None:
    """Mail the reporter after the transaction commits (a background job)."""
    if not report.reporter_email:
        return
    from medvigil.web.disclosure.tasks import mail_reporter

    pk = report.pk
    transaction.on_commit(lambda: mail_reporter(pk, kind))


def policy_get() -> DisclosurePolicy:
    """The policy row (created with the ISO/IEC 29147 defaults on first use)."""
    policy = DisclosurePolicy.objects.order_by("pk").first()
    return policy if policy is not None else DisclosurePolicy.objects.create()


def policy_update(*, user: Any, **fields: Any) -> DisclosurePolicy:
    """Change the policy (admin); every change is an audit event on no report, so it is logged."""
    policy = policy_get()
    allowed = {"policy_text", "safe_harbour", "ack_days", "contacts", "preferred_languages", "expires_days"}
    unknown = set(fields) - allowed
    if unknown:
        raise InputError(f"unknown policy field {sorted(unknown)[0]!r}", field=sorted(unknown)[0])
    if "contacts" in fields:
        fields["contacts"] = list(
            contacts_checked([str(c).strip() for c in fields["contacts"] if str(c).strip()])
        )
    if "expires_days" in fields and not 1 <= int(fields["expires_days"]) < 365:
        raise InputError("security.txt Expires must be less than a year ahead", field="expires_days")
    if "ack_days" in fields and not 1 <= int(fields["ack_days"]) <= 30:
        raise InputError("the acknowledgement SLA is 1 to 30 business days", field="ack_days")
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.save()
    return policy


# --- submission -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """One attached file as received."""

    name: str
    content: bytes


def _text(data: Mapping[str, Any], name: str, *, required: bool = False, limit: int) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        raise InputError("this field is required", field=name)
    if len(value) > limit:
        raise InputError(f"at most {limit} characters (got {len(value)})", field=name)
    return value


def _check_uploads(uploads: Sequence[Upload]) -> list[tuple[Upload, str]]:
    each, total, count = settings.CVD_ATTACHMENT_MAX_BYTES, settings.CVD_ATTACHMENTS_TOTAL_BYTES, 10
    if len(uploads) > count:
        raise InputError(f"at most {count} attachments (got {len(uploads)})", field="attachments")
    checked = []
    for up in uploads:
        if len(up.content) > each:
            raise InputError(
                f"{len(up.content)} bytes is over the limit of {each} bytes per attachment",
                source=up.name,
                field="attachments",
            )
        checked.append((up, sniff(up.name, up.content)))
    size = sum(len(up.content) for up in uploads)
    if size > total:
        raise InputError(f"attachments total {size} bytes, over the limit of {total}", field="attachments")
    return checked


def _product(data: Mapping[str, Any]) -> tuple[Product | None, ProductVersion | None, str]:
    slug = str(data.get("product") or "").strip()
    version = _text(data, "version", limit=100)
    if not slug:
        return None, None, version
    product = Product.objects.filter(slug=slug).first()
    if product is None:
        raise InputError(f"no product {slug!r}", field="product")
    pv = product.versions.filter(version=version).first() if version else None
    return product, pv, version


def _next_reference(year: int) -> str:
    """The next ``CVD-<year>-NNNN``: the year's counter row is updated inside the caller's
    transaction (a row lock on PostgreSQL, the write lock on SQLite), so references never repeat."""
    if not ReportCounter.objects.filter(year=year).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                ReportCounter.objects.create(year=year, last=1)
        except IntegrityError:  # another submission created the row first
            ReportCounter.objects.filter(year=year).update(last=F("last") + 1)
    number = ReportCounter.objects.get(year=year).last
    return f"{PREFIX}-{year}-{number:04d}"


def report_submit(*, data: Mapping[str, Any], uploads: Sequence[Upload] = ()) -> tuple[Report, str]:
    """Store a report; returns it with the reporter's token (shown once, stored hashed).

    Everything is checked before anything is written: a bad field or attachment stores nothing.
    """
    limit = settings.CVD_TEXT_MAX_CHARS
    title = _text(data, "title", required=True, limit=200)
    description = _text(data, "description", required=True, limit=limit)
    impact = _text(data, "impact", limit=limit)
    steps = _text(data, "steps", limit=limit)
    if len(description) + len(impact) + len(steps) > limit:
        raise InputError(f"the report text is over {limit} characters in total", field="description")
    vector = _text(data, "cvss_vector", limit=200)
    try:
        score = parse_vector(vector) if vector else None
    except InputError as exc:
        raise InputError(exc.diagnostics(), field="cvss_vector") from None
    credit = str(data.get("credit") or Credit.NONE)
    if credit not in Credit.values:
        raise InputError(f"credit must be one of {', '.join(Credit.values)}", field="credit")
    email = _text(data, "contact_email", limit=254)
    if email and ("@" not in email or any(ch.isspace() for ch in email)):
        raise InputError(f"{email!r} is not an e-mail address", field="contact_email")
    product, pv, version = _product(data)
    checked = _check_uploads(uploads)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    ack_due = add_working_days(now.date(), policy_get().ack_days)
    with transaction.atomic():
        report = Report.objects.create(
            reference=_next_reference(now.year),
            token_hash=hash_token(token),
            product=product,
            product_version=pv,
            version_text=version,
            title=title,
            description=description,
            impact=impact,
            steps=steps,
            cvss_vector=score.vector if score else "",
            cvss_score=score.base_score if score else None,
            reporter_name=_text(data, "contact_name", limit=200),
            reporter_email=email,
            credit=credit,
            credit_name=_text(data, "credit_name", limit=200),
            credit_organization=_text(data, "credit_organization", limit=200),
            submitted_at=now,
            ack_due=ack_due,
        )
        for up, kind in checked:
            Attachment.objects.create(
                report=report,
                filename=up.name[-255:] or "attachment",
                content_type=kind,
                size=len(up.content),
                sha256=hashlib.sha256(up.content).hexdigest(),
                content=up.content,
            )
        _event(report, "submitted", f"report {report.reference} received", None)
        notify.cvd_received(report)
    return report, token


def report_for_token(*, reference: str, token: str) -> Report:
    """The report if ``token`` is its token; the same ``NotFoundError`` for an unknown reference and
    a wrong or missing token (no enumeration). Compared in constant time."""
    report = Report.objects.filter(reference=reference).first()
    stored = report.token_hash if report is not None else hash_token(secrets.token_urlsafe(TOKEN_BYTES))
    if not hmac.compare_digest(stored, hash_token(token or "")) or report is None:
        raise NotFoundError(f"no report {reference!r}")
    return report


def reporter_message(*, report: Report, body: str) -> Message:
    """A message from the reporter (the caller has checked the token)."""
    body = _text({"body": body}, "body", required=True, limit=settings.CVD_TEXT_MAX_CHARS)
    if report.state == S.PUBLISHED:
        raise InputError("this report is published and closed for messages", field="body")
    with transaction.atomic():
        msg = Message.objects.create(report=report, kind=Message.REPORTER, body=body)
        _event(report, "reporter-message", "the reporter wrote", None)
    return msg


# --- staff ------------------------------------------------------------------------------------


def _need_user(user: Any) -> Any:
    if _actor(user) is None:
        raise InputError("a staff action needs a signed-in user", field="user")
    return user


def staff_message(*, report: Report, body: str, user: Any, internal: bool = False) -> Message:
    """A reply to the reporter (mailed) or an internal note (never shown to the reporter)."""
    _need_user(user)
    body = _text({"body": body}, "body", required=True, limit=settings.CVD_TEXT_MAX_CHARS)
    kind = Message.NOTE if internal else Message.STAFF
    with transaction.atomic():
        msg = Message.objects.create(report=report, kind=kind, body=body, author=user)
        _event(
            report,
            "note" if internal else "reply",
            "internal note" if internal else "replied to the reporter",
            user,
        )
        if not internal:
            _notify(report, "message")
    return msg


def report_transition(*, report: Report, to: str, user: Any, reason: str = "") -> Report:
    """Move the report; closing or reopening needs a reason; publishing needs the embargo passed."""
    _need_user(user)
    if to not in S.values:
        raise InputError(f"state must be one of {', '.join(S.values)}", field="to")
    if to not in TRANSITIONS[report.state]:
        allowed = ", ".join(sorted(TRANSITIONS[report.state])) or "none (final)"
        raise InputError(f"cannot move {report.state} → {to} (allowed: {allowed})", field="to")
    if (to in CLOSING or report.state in CLOSING) and not reason.strip():
        raise InputError(f"moving {report.state} → {to} needs a reason", field="reason")
    today = timezone.localdate()
    if to == S.PUBLISHED and report.embargo_until and report.embargo_until > today:
        raise InputError(f"the embargo runs until {report.embargo_until}", field="to")
    with transaction.atomic():
        before = report.state
        report.state = to
        fields = ["state", "updated_at"]
        if to == S.ACKNOWLEDGED and report.acknowledged_at is None:
            report.acknowledged_at = timezone.now()
            fields.append("acknowledged_at")
        if to == S.PUBLISHED:
            report.published_at = timezone.now()
            fields.append("published_at")
        report.save(update_fields=fields)
        _event(report, "transition", f"{before} → {to}", user, reason=reason, data={"from": before, "to": to})
        _notify(report, "acknowledged" if to == S.ACKNOWLEDGED else "status")
    return report


def report_assign(*, report: Report, assignee: Any, user: Any) -> Report:
    """Assign to an analyst (``None`` unassigns)."""
    _need_user(user)
    from medvigil.web.accounts.roles import can_write

    if assignee is not None and not can_write(assignee):
        raise InputError(f"{assignee.username} is not an analyst", field="assignee")
    with transaction.atomic():
        report.assignee = assignee
        report.save(update_fields=["assignee", "updated_at"])
        _event(report, "assign", f"assigned to {assignee.username if assignee else 'nobody'}", user)
    return report


def report_link(
    *, report: Report, product: Product, versions: Sequence[str], components: Sequence[str], user: Any
) -> Report:
    """Link the report to a product, its affected versions and components."""
    _need_user(user)
    rows = list(product.versions.filter(version__in=list(versions)))
    missing = sorted(set(versions) - {pv.version for pv in rows})
    if missing:
        raise InputError(f"{product.name} has no version {missing[0]!r}", field="versions")
    with transaction.atomic():
        report.product = product
        report.components = sorted({c.strip() for c in components if c.strip()})
        report.save(update_fields=["product", "components", "updated_at"])
        report.affected_versions.set(rows)
        _event(
            report,
            "link",
            f"linked to {product.slug} {', '.join(sorted(versions)) or '(no version)'}",
            user,
            data={"product": product.slug, "versions": sorted(versions), "components": report.components},
        )
    return report


def _set_day0(case: Case, report: Report, user: Any) -> None:
    from medvigil.web.remediation.services import day0_set

    day0_set(
        case=case,
        day0=report.submitted_at.date(),
        source="cvd",
        user=user,
        reason=f"coordinated disclosure report {report.reference}",
    )


def report_case_create(*, report: Report, user: Any) -> Case:
    """Open a first-party case from the linked product/versions/components; day 0 = report date."""
    _need_user(user)
    from medvigil.web.risk.services.first_party import first_party_record

    if report.case_id is not None:
        raise InputError(f"{report.reference} already has case {report.case_id}", field="case")
    if report.product is None:
        raise InputError("link the report to a product first", field="product")
    versions = [pv.version for pv in report.affected_versions.all()]
    if not versions and report.product_version is not None:
        versions = [report.product_version.version]
    with transaction.atomic():
        case = first_party_record(
            product=report.product,
            title=report.title,
            versions=versions,
            components=list(report.components),
            description=report.description,
            cvss_vector=report.cvss_vector,
            day0=report.submitted_at.date(),
            user=user,
        )
        _set_day0(case, report, user)
        report.case = case
        report.save(update_fields=["case", "updated_at"])
        _event(
            report, "case", f"opened case {case.pk} ({case.vulnerability.key})", user, data={"case": case.pk}
        )
    return case


def report_case_join(*, report: Report, case: Case, user: Any) -> Case:
    """Join an existing case; its day 0 moves to the report date when that is earlier."""
    _need_user(user)
    with transaction.atomic():
        if report.submitted_at.date() < case.day0:
            _set_day0(case, report, user)
        report.case = case
        report.product = report.product or case.product
        report.save(update_fields=["case", "product", "updated_at"])
        _event(
            report, "case", f"joined case {case.pk} ({case.vulnerability.key})", user, data={"case": case.pk}
        )
    return case


def report_embargo(*, report: Report, until: dt.date | None, user: Any, reason: str = "") -> Report:
    """Set or clear the embargo (publication date agreed with the reporter or coordinator)."""
    _need_user(user)
    if until is not None and until < timezone.localdate():
        raise InputError(f"the embargo date {until} is in the past", field="embargo_until")
    with transaction.atomic():
        report.embargo_until = until
        report.save(update_fields=["embargo_until", "updated_at"])
        _event(report, "embargo", f"embargo until {until or 'none'}", user, reason=reason)
    return report
