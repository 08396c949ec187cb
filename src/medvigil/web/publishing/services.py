"""Writes of the publishing app: draft, submit, publish (one transaction each), and the case snapshot.

:func:`advisory_input` turns a case (its versions, assessments and actions) into the frozen
:class:`~medvigil.core.publish.model.AdvisoryInput` every publisher reads. Publishing renders
every format once, checks each (the core publishers refuse anything that fails its schema or
a CSAF mandatory test) and stores the bytes with their SHA-256; those rows are never changed.
A later change is a new revision: a new :class:`Advisory` row with the next version and the
revision history extended.

CVD: a case linked to coordinated-disclosure reports (``disclosure.Report.case``) takes their
embargo (the latest date) as the advisory's default, and publishing before it is refused unless
the approver overrides with a reason (audited, and shown on the case). The researchers' credit,
as each agreed to be credited, becomes the document's acknowledgments.

ISAO sharing (:func:`advisory_share`): the STIX 2.1 bundle is recorded on the case as an ``ISAO
share`` action (recipient, TLP, SHA-256, the bundle itself as evidence), which the case page,
the audit trail and the reporting determination read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from medvigil.core.errors import InputError
from medvigil.core.publish.formats import FORMATS, Rendered, render
from medvigil.core.publish.model import (
    AdvisoryInput,
    FdaCommunication,
    ProductStatus,
    ProductVersion,
    Publisher,
    Reference,
    Remediation,
    RemediationCategory,
    Revision,
    Score,
    Tlp,
    Tracking,
    TrackingStatus,
    Vulnerability,
    VulnerabilityId,
)
from medvigil.core.risk.vex import Justification, VexStatus
from medvigil.web.accounts.roles import Role, role_of
from medvigil.web.audit.services import audit_record
from medvigil.web.notifications import sources as notify
from medvigil.web.publishing import signing
from medvigil.web.publishing.models import Advisory, AdvisoryKind, AdvisoryState, PublishedDocument
from medvigil.web.publishing.selectors import case_acknowledgments, current_embargo, cvd_embargo
from medvigil.web.remediation.models import ActionKind, CaseAction
from medvigil.web.risk.intel import VulnerabilityFacts, vulnerability_facts
from medvigil.web.risk.models import Case, CaseEvent
from medvigil.web.risk.services.first_party import PREFIX as FIRST_PARTY_PREFIX

__all__ = [
    "advisory_draft",
    "advisory_input",
    "advisory_publish",
    "advisory_render",
    "advisory_share",
    "advisory_submit",
]


GHSA_URL = "https://github.com/advisories/"
OSV_URL = "https://osv.dev/vulnerability/"


def _need_analyst(user: Any, what: str) -> None:
    if role_of(user) < Role.ANALYST:
        raise InputError(f"the analyst role is needed to {what}", field="user")


def _aware(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)


def _cve(facts: VulnerabilityFacts) -> str:
    """The vulnerability's CVE id, or empty when it has none (yet)."""
    return next((i.upper() for i in (facts.key, *sorted(facts.aliases)) if i.upper().startswith("CVE-")), "")


def _ids(facts: VulnerabilityFacts) -> tuple[VulnerabilityId, ...]:
    """Ids of a vulnerability without CVE: GHSA, the manufacturer's own (first-party ``MV-``),
    ``SYSTEM:ID`` (a CSAF document's local id), else an OSV id (the only other source of ids)."""
    found: dict[str, VulnerabilityId] = {}
    for ident in (facts.key, *sorted(facts.aliases)):
        system, sep, text = ident.partition(":")
        if sep and system and text:
            found[text] = VulnerabilityId(system, text)  # an explicit system wins over the guess below
        elif ident.upper().startswith("GHSA-"):
            found.setdefault(ident, VulnerabilityId("GitHub Security Advisory", ident, GHSA_URL + ident))
        elif ident.startswith(f"{FIRST_PARTY_PREFIX}-"):
            found.setdefault(ident, VulnerabilityId(settings.PUBLISHER_NAME, ident))
        else:
            found.setdefault(ident, VulnerabilityId("OSV", ident, OSV_URL + ident))
    return tuple(found.values())


def _references(cve: str, ids: tuple[VulnerabilityId, ...]) -> tuple[Reference, ...]:
    if cve:
        return (Reference(f"https://nvd.nist.gov/vuln/detail/{cve}", f"NVD entry of {cve}"),)
    return tuple(Reference(i.url, f"{i.system_name} entry of {i.text}") for i in ids if i.url)


def _identifier(values: list[str], version: str, kind: str) -> str:
    """The product's purl or CPE for one version (purl version percent-encoded, CPE escaped)."""
    for value in values or ():
        if kind == "purl":
            return value if "@" in value else f"{value}@{quote(version, safe='.-_~+')}"
        parts = value.split(":")
        if len(parts) == 13 and version.isascii() and not re.search(r"\s", version):
            if parts[5] in ("*", "-"):
                parts[5] = re.sub(r"([^A-Za-z0-9._\-])", r"\\\1", version)
            return ":".join(parts)
    return ""


def _products(case: Case) -> list[tuple[ProductVersion, Any]]:
    product = case.product
    out = []
    for cv in case.scope.filter(active=True).select_related("product_version", "covered_by"):
        pv = cv.product_version
        out.append(
            (
                ProductVersion(
                    product_id=f"CSAFPID-{pv.pk:04d}",
                    vendor=settings.PUBLISHER_NAME,
                    product_name=product.name,
                    version=pv.version,
                    cpe=_identifier(product.cpes, pv.version, "cpe"),
                    purl=_identifier(product.purls, pv.version, "purl"),
                    model_numbers=tuple(product.model_numbers or ()),
                ),
                cv.covered_by or case.current_assessment,
            )
        )
    if not out:
        raise InputError(
            "the case has no product version in scope", source=f"case {case.pk}", field="versions"
        )
    return out


def _status(product_id: str, assessment: Any) -> tuple[ProductStatus, str]:
    if assessment is None:
        return ProductStatus(product_id, VexStatus.UNDER_INVESTIGATION), ""
    vex = (assessment.result or {}).get("vex") or {}
    status = VexStatus(vex.get("status") or assessment.vex_status)
    justification = Justification(vex["justification"]) if vex.get("justification") else None
    impact = str(vex.get("impact_statement") or "")
    if status is VexStatus.NOT_AFFECTED and justification is None and not impact:
        impact = assessment.justification or "Assessed as not affected by the manufacturer."
    return ProductStatus(product_id, status, justification, impact), str(vex.get("action_statement") or "")


def _remediations(case: Case, statuses: list[tuple[ProductStatus, str]]) -> tuple[Remediation, ...]:
    affected = tuple(s.product_id for s, _ in statuses if s.status is VexStatus.AFFECTED)
    if not affected:
        return ()
    out: list[Remediation] = []
    actions = list(case.actions.filter(kind__in=[ActionKind.FIX_RELEASE, ActionKind.COMPENSATING_CONTROL]))
    for action in actions:
        data = action.data or {}
        if action.kind == ActionKind.FIX_RELEASE and data.get("distributed"):
            details = (
                f"Update to version {data.get('target_version', '')}. {data.get('description', '')}".strip()
            )
            out.append(Remediation(RemediationCategory.VENDOR_FIX, details, affected, date=_aware(action.on)))
        elif action.kind == ActionKind.COMPENSATING_CONTROL:
            out.append(Remediation(RemediationCategory.MITIGATION, str(data.get("text", "")), affected))
    statements = sorted({a for s, a in statuses if s.status is VexStatus.AFFECTED and a})
    out.extend(Remediation(RemediationCategory.MITIGATION, text, affected) for text in statements)
    if not any(r.category is RemediationCategory.VENDOR_FIX for r in out):
        planned = [a.data.get("target_version", "") for a in actions if a.kind == ActionKind.FIX_RELEASE]
        text = (
            f"A fix (version {planned[-1]}) is in work; its availability will be communicated."
            if planned
            else "No fix is available yet; its availability will be communicated."
        )
        out.append(Remediation(RemediationCategory.NONE_AVAILABLE, text, affected))
    return tuple(out)


def _fda(case: Case) -> FdaCommunication | None:
    latest = case.actions.filter(kind=ActionKind.COMMUNICATION).order_by("-on", "-id").first()
    content = (latest.data or {}).get("content", {}) if latest else {}
    if not all(str(content.get(p, "")).strip() for p in "abcd"):
        return None
    return FdaCommunication(*(str(content[p]) for p in "abcd"))


def _tracking(advisory: Advisory, when: dt.datetime, status: TrackingStatus) -> Tracking:
    history = [
        Revision(h["number"], dt.datetime.fromisoformat(h["date"]), h["summary"]) for h in advisory.history
    ]
    number = str(advisory.revision)
    if not history or history[-1].number != number:
        history.append(Revision(number, when, advisory.revision_summary))
    initial = advisory.initial_release or when
    return Tracking(advisory.tracking_id, status, number, tuple(history), initial, history[-1].date)


def advisory_input(advisory: Advisory, *, when: dt.datetime, status: TrackingStatus) -> AdvisoryInput:
    """The snapshot of the advisory's case as of now (``when`` is this release's date)."""
    case = advisory.case
    products = _products(case)
    statuses = [_status(p.product_id, assessment) for p, assessment in products]
    facts = vulnerability_facts(case.vulnerability)
    cve = _cve(facts)
    ids = () if cve else _ids(facts)
    key = cve or ids[0].text
    product_ids = tuple(p.product_id for p, _ in products)
    scored = tuple(s.product_id for s, _ in statuses if s.status is VexStatus.AFFECTED) or product_ids
    vuln = Vulnerability(
        cve=cve,
        ids=ids,
        title=facts.summary[:200] or key,
        description=facts.summary or key,
        statuses=tuple(s for s, _ in statuses),
        scores=tuple(Score(v, scored) for v in facts.cvss_vectors[:1]),
        remediations=_remediations(case, statuses),
        kev_date_added=_aware(case.vulnerability.kev_date_added)
        if case.vulnerability.kev_date_added
        else None,
        references=_references(cve, ids),
        discovery_date=_aware(case.day0),
    )
    return AdvisoryInput(
        publisher=Publisher(
            settings.PUBLISHER_NAME, settings.PUBLISHER_NAMESPACE, settings.PUBLISHER_CONTACT
        ),
        tracking=_tracking(advisory, when, status),
        title=advisory.title,
        products=tuple(p for p, _ in products),
        vulnerabilities=(vuln,),
        summary=case.summary,
        tlp=Tlp(advisory.tlp),
        fda=_fda(case),
        acknowledgments=case_acknowledgments(case),
    )


def advisory_render(advisory: Advisory, fmt: str) -> Rendered:
    """The document in ``fmt``: the stored bytes once published, a draft rendering before."""
    if advisory.state == AdvisoryState.PUBLISHED:
        stored = advisory.documents.filter(format=fmt).first()
        if stored is None:
            raise InputError(
                f"{advisory.tracking_id} v{advisory.revision} was not published as {fmt}", field="format"
            )
        return Rendered(fmt, bytes(stored.content), stored.filename, stored.content_type)
    return render(advisory_input(advisory, when=timezone.now(), status=TrackingStatus.DRAFT), fmt)


def _tracking_id(case: Case, kind: str) -> str:
    return f"{case.product.slug.upper()}-{'VEX' if kind == AdvisoryKind.VEX else 'SA'}-{case.pk:04d}"


@transaction.atomic
def advisory_draft(
    *,
    case: Case,
    user: Any,
    kind: str = AdvisoryKind.ADVISORY,
    tlp: str = "AMBER",
    title: str = "",
    embargo_until: dt.datetime | None = None,
    summary: str = "",
) -> Advisory:
    """A new draft for the case (revision 1), or the next revision of its published advisory.

    Without ``embargo_until`` the draft takes the embargo of the case's CVD reports."""
    _need_analyst(user, "draft an advisory")
    if embargo_until is None:
        embargo_until, _ = cvd_embargo(case)
    if kind not in AdvisoryKind.values:
        raise InputError(f"unknown kind {kind!r} (kinds: {', '.join(AdvisoryKind.values)})", field="kind")
    if tlp not in Tlp.__members__:
        raise InputError(f"unknown TLP label {tlp!r} (CLEAR, GREEN, AMBER, RED)", field="tlp")
    latest = Advisory.objects.select_for_update().filter(case=case, kind=kind).order_by("-revision").first()
    title = title.strip()[:300] or f"{case.vulnerability.key} in {case.product.name}"
    if latest is None:
        adv = Advisory.objects.create(
            case=case, kind=kind, tracking_id=_tracking_id(case, kind), title=title, tlp=tlp,
            embargo_until=embargo_until, created_by=user,
        )  # fmt: skip
        _case_event(adv, "advisory", f"{adv.get_kind_display()} {adv.tracking_id} v1 drafted", user)
        return adv
    if latest.state != AdvisoryState.PUBLISHED:
        raise InputError(f"{latest.tracking_id} v{latest.revision} is still {latest.state}; edit that one")
    if not summary.strip():
        raise InputError("a new revision needs a summary of what changed", field="summary")
    adv = Advisory.objects.create(
        case=case, kind=kind, tracking_id=latest.tracking_id, revision=latest.revision + 1, previous=latest,
        revision_summary=summary.strip()[:300], title=title, tlp=tlp, embargo_until=embargo_until,
        created_by=user, initial_release=latest.initial_release, history=latest.history,
    )  # fmt: skip
    _case_event(adv, "advisory", f"{adv.tracking_id} v{adv.revision} drafted: {adv.revision_summary}", user)
    return adv


def _case_event(adv: Advisory, kind: str, message: str, user: Any, *, reason: str = "", **data: Any) -> None:
    actor = user if getattr(user, "is_authenticated", False) else None
    CaseEvent.objects.create(
        case=adv.case, kind=kind, message=message, reason=reason, actor=actor,
        data={"advisory": adv.pk, "tracking_id": adv.tracking_id, "revision": adv.revision, **data},
    )  # fmt: skip


@transaction.atomic
def advisory_submit(*, advisory: Advisory, user: Any) -> Advisory:
    """draft -> review (the draft must already render as a valid CSAF document)."""
    _need_analyst(user, "submit an advisory")
    if advisory.state != AdvisoryState.DRAFT:
        raise InputError(f"{advisory} is {advisory.state}, not a draft", field="state")
    advisory_render(advisory, "csaf-vex" if advisory.kind == AdvisoryKind.VEX else "csaf")
    advisory.state, advisory.submitted_by, advisory.submitted_at = AdvisoryState.REVIEW, user, timezone.now()
    advisory.save(update_fields=["state", "submitted_by", "submitted_at"])
    return advisory


@transaction.atomic
def advisory_publish(
    *, advisory: Advisory, user: Any, now: dt.datetime | None = None, override_embargo: str = ""
) -> Advisory:
    """review -> published by an admin or a second analyst; stores every format as checked bytes.

    Before the embargo (:func:`current_embargo`) it is refused, unless ``override_embargo`` gives the
    reason to publish early; the override is recorded in the audit trail and on the case."""
    role = role_of(user)
    _need_analyst(user, "approve an advisory")
    advisory = Advisory.objects.select_for_update().get(pk=advisory.pk)
    if advisory.state != AdvisoryState.REVIEW:
        raise InputError(f"{advisory} is {advisory.state}; submit it for review first", field="state")
    if role < Role.ADMIN and user.pk in (advisory.created_by_id, advisory.submitted_by_id):
        raise InputError(
            "a second analyst (or an admin) must approve: you drafted or submitted it", field="user"
        )
    now = now or timezone.now()
    embargo, source = current_embargo(advisory)
    early = embargo is not None and now < embargo
    if early and not override_embargo.strip():
        assert embargo is not None
        raise InputError(
            f"embargoed until {timezone.localtime(embargo):%Y-%m-%d %H:%M %Z} by {source}; publishing "
            "earlier needs an embargo override with a reason",
            field="embargo_until",
        )
    data = advisory_input(advisory, when=now, status=TrackingStatus.FINAL)
    formats = [f for f in FORMATS if not f.startswith("notice-") or data.fda is not None]
    rendered = [render(data, f) for f in formats]  # all or nothing: a failing format publishes none
    for doc in rendered:
        PublishedDocument.objects.create(
            advisory=advisory, format=doc.format, filename=doc.filename, content_type=doc.content_type,
            content=doc.content, sha256=hashlib.sha256(doc.content).hexdigest(),
            sha512=hashlib.sha512(doc.content).hexdigest(), signature=signing.sign(doc.content),
        )  # fmt: skip
    t = data.tracking
    advisory.history = [
        {"number": r.number, "date": r.date.isoformat(), "summary": r.summary} for r in t.revisions
    ]
    advisory.initial_release = t.initial_release_date
    advisory.state, advisory.approved_by, advisory.published_at = AdvisoryState.PUBLISHED, user, now
    advisory.save(update_fields=["history", "initial_release", "state", "approved_by", "published_at"])
    _case_event(advisory, "advisory", f"{advisory.tracking_id} v{advisory.revision} published", user)
    if early:
        assert embargo is not None
        reason = override_embargo.strip()
        detail = {"embargo_until": embargo.isoformat(), "source": source, "published_at": now.isoformat()}
        audit_record("advisory.embargo_override", advisory, reason=reason, actor=user, data=detail)
        _case_event(
            advisory, "embargo override",
            f"{advisory.tracking_id} v{advisory.revision} published before {source} "
            f"({timezone.localtime(embargo):%Y-%m-%d})", user, reason=reason, **detail,
        )  # fmt: skip
    notify.advisory_published(advisory)
    return advisory


def advisory_share(
    *, advisory: Advisory, user: Any, recipient: str, on: dt.date | None = None
) -> tuple[CaseAction, Rendered]:
    """Share the advisory's STIX 2.1 bundle with an ISAO (or CISA): record it on the case as an
    ISAO share (who, when, TLP, recipient, SHA-256, the bundle as evidence) and return the bytes.

    A published advisory shares its stored bundle; a draft or one in review its current rendering
    (TLP-marked; an ISAO often gets it before publication). A TLP:CLEAR bundle, which may travel
    without limit, is refused before the embargo."""
    from medvigil.web.remediation.services import action_record

    _need_analyst(user, "share an advisory")
    recipient = " ".join(recipient.split())
    if not recipient:
        raise InputError("name the ISAO or organisation it is shared with", field="recipient")
    if len(recipient) > 200:
        raise InputError("the recipient's name is longer than 200 characters", field="recipient")
    embargo, source = current_embargo(advisory)
    if advisory.tlp == "CLEAR" and embargo is not None and timezone.now() < embargo:
        raise InputError(
            f"a TLP:CLEAR bundle is public, and {source} runs until "
            f"{timezone.localtime(embargo):%Y-%m-%d}: share it under TLP:AMBER or GREEN",
            field="tlp",
        )
    doc = advisory_render(advisory, "stix")
    sha256 = hashlib.sha256(doc.content).hexdigest()
    what = f"STIX 2.1 bundle {doc.filename} of {advisory.tracking_id} v{advisory.revision} ({advisory.state})"
    data = {
        "isao": recipient, "shared": what, "tlp": advisory.tlp, "sha256": sha256, "advisory": advisory.pk,
        "tracking_id": advisory.tracking_id, "revision": advisory.revision, "format": "stix",
    }  # fmt: skip
    with transaction.atomic():
        action = action_record(
            case=advisory.case, kind=ActionKind.ISAO_SHARE, on=on or timezone.localdate(), data=data,
            user=user, files=[(doc.filename, doc.content, doc.content_type)],
        )  # fmt: skip
        audit_record("advisory.share", advisory, actor=user, data={**data, "action": action.pk})
    return action, doc
