"""The CSAF 2.0 provider (section 7) of published TLP:CLEAR advisories, and the public advisories page.

Public (no login): these are the documents the manufacturer released to everyone. Only the latest
published revision of each tracking id is served, as the exact stored bytes with their hashes
and (when a signing key is configured) their ``.asc`` signature.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any

import orjson
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from medvigil.core.publish.csaf import dumps
from medvigil.core.publish.model import Publisher
from medvigil.core.publish.provider import (
    ProviderDocument,
    changes_csv,
    document_path,
    index_txt,
    provider_metadata,
    rolie_feed,
)
from medvigil.web.publishing import signing
from medvigil.web.publishing.models import AdvisoryKind, PublishedDocument
from medvigil.web.publishing.selectors import public_advisories

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_SUFFIX = re.compile(r"^(?P<path>\d{4}/[+\-a-z0-9_]+\.json)(?P<ext>|\.sha256|\.sha512|\.asc)$")


def _served() -> dict[str, tuple[ProviderDocument, PublishedDocument]]:
    latest: dict[str, PublishedDocument] = {}
    for adv in public_advisories().order_by("tracking_id", "-revision"):
        if adv.tracking_id in latest:
            continue
        fmt = "csaf-vex" if adv.kind == AdvisoryKind.VEX else "csaf"
        doc = next((d for d in adv.documents.all() if d.format == fmt), None)
        if doc is not None:
            latest[adv.tracking_id] = doc
    out = {}
    for doc in latest.values():
        adv = doc.advisory
        assert adv.published_at is not None and adv.initial_release is not None
        entry = ProviderDocument(
            adv.tracking_id, adv.title, adv.initial_release, adv.published_at, bool(doc.signature)
        )
        out[document_path(entry)] = (entry, doc)
    return out


def _provider(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET only, and 404 while the provider is switched off (``MEDVIGIL_CSAF_PROVIDER=false``)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.conf import settings

        if not settings.CSAF_PROVIDER:
            raise Http404("the CSAF provider is not enabled")
        return view(request, *args, **kwargs)

    return require_GET(wrapped)


def _text(body: bytes, media: str) -> HttpResponse:
    response = HttpResponse(body, content_type=media)
    response["X-Content-Type-Options"] = "nosniff"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _publisher() -> Publisher:
    from django.conf import settings

    return Publisher(settings.PUBLISHER_NAME, settings.PUBLISHER_NAMESPACE, settings.PUBLISHER_CONTACT)


@_provider
def metadata(request: HttpRequest) -> HttpResponse:
    served = _served()
    updated = max((e.current_release for e, _ in served.values()), default=_EPOCH)
    data = provider_metadata(
        _publisher(), _base(request), last_updated=updated, fingerprint=signing.fingerprint()
    )
    return _text(dumps(data), "application/json")


@_provider
def index(request: HttpRequest) -> HttpResponse:
    return _text(index_txt(e for e, _ in _served().values()), "text/plain; charset=utf-8")


@_provider
def changes(request: HttpRequest) -> HttpResponse:
    return _text(changes_csv(e for e, _ in _served().values()), "text/csv; charset=utf-8")


@_provider
def feed(request: HttpRequest) -> HttpResponse:
    served = _served()
    updated = max((e.current_release for e, _ in served.values()), default=_EPOCH)
    return _text(
        dumps(rolie_feed([e for e, _ in served.values()], _base(request), updated=updated)),
        "application/json",
    )


@_provider
def document(request: HttpRequest, path: str) -> HttpResponse:
    match = _SUFFIX.match(path)
    found = _served().get(match["path"]) if match else None
    if match is None or found is None:
        raise Http404("no such document")
    _, doc = found
    name = match["path"].rsplit("/", 1)[-1]
    ext = match["ext"]
    if ext == ".sha256":
        return _text(f"{doc.sha256}  {name}\n".encode(), "text/plain; charset=utf-8")
    if ext == ".sha512":
        return _text(f"{doc.sha512}  {name}\n".encode(), "text/plain; charset=utf-8")
    if ext == ".asc":
        if not doc.signature:
            raise Http404("not signed")
        return _text(doc.signature.encode(), "application/pgp-signature")
    return _text(bytes(doc.content), "application/json")


@_provider
def public_key(request: HttpRequest, fpr: str) -> HttpResponse:
    if not signing.fingerprint() or fpr.upper() != signing.fingerprint():
        raise Http404("no such key")
    return _text(signing.public_key(), "application/pgp-keys")


@require_GET
def public_page(request: HttpRequest) -> HttpResponse:
    served = sorted(_served().items(), key=lambda kv: kv[1][0].current_release, reverse=True)
    rows = [
        {"path": path, "entry": entry, "summary": _summary(bytes(doc.content)), "signed": bool(doc.signature)}
        for path, (entry, doc) in served
    ]
    return render(request, "publishing/public.html", {"rows": rows})


def _summary(content: bytes) -> str:
    doc = orjson.loads(content)
    notes = doc.get("document", {}).get("notes", [])
    return next((str(n.get("text", "")) for n in notes if n.get("category") == "summary"), "")
