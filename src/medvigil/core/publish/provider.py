"""CSAF 2.0 provider files (section 7.1): ``provider-metadata.json``, ``index.txt``, ``changes.csv``
and the ROLIE feed of a TLP:CLEAR directory, from the list of published documents.

Layout (served under ``/.well-known/csaf/``)::

    provider-metadata.json
    clear/index.txt                     one path per line, relative to clear/
    clear/changes.csv                   "path","current_release_date", newest first
    clear/feed-tlp-clear.json           ROLIE feed
    clear/<year>/<file>.json            year of the initial release (7.1.11), file name per 5.1
    clear/<year>/<file>.json.sha256 / .sha512 / .asc
    openpgp/<fingerprint>.asc           the public key (when documents are signed)

CSAF 2.0 predates TLP 2.0: the ROLIE feed and the documents say ``WHITE`` for TLP:CLEAR.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from medvigil import __version__
from medvigil.core.publish.csaf import csaf_filename, iso
from medvigil.core.publish.model import Publisher

__all__ = ["ProviderDocument", "changes_csv", "document_path", "index_txt", "provider_metadata", "rolie_feed"]

DIRECTORY = "clear"
FEED = "feed-tlp-clear.json"


@dataclass(frozen=True, slots=True)
class ProviderDocument:
    """One published document as the provider lists it."""

    tracking_id: str
    """CSAF tracking id."""
    title: str
    """Document title."""
    initial_release: dt.datetime
    """``/document/tracking/initial_release_date`` (gives the year folder)."""
    current_release: dt.datetime
    """``/document/tracking/current_release_date``."""
    signed: bool = False
    """An ``.asc`` signature is served."""


def document_path(doc: ProviderDocument) -> str:
    """Path of the document relative to the TLP directory (``2026/acme-sa-0001.json``)."""
    return f"{doc.initial_release.astimezone(dt.UTC).year}/{csaf_filename(doc.tracking_id)}"


def _newest_first(docs: Iterable[ProviderDocument]) -> list[ProviderDocument]:
    return sorted(docs, key=lambda d: (d.current_release, d.tracking_id), reverse=True)


def index_txt(docs: Iterable[ProviderDocument]) -> bytes:
    """``index.txt`` (7.1.12): every document path."""
    return "".join(f"{document_path(d)}\n" for d in sorted(docs, key=document_path)).encode()


def changes_csv(docs: Iterable[ProviderDocument]) -> bytes:
    """``changes.csv`` (7.1.13): ``"path","timestamp"``, newest change first."""
    return "".join(f'"{document_path(d)}","{iso(d.current_release)}"\n' for d in _newest_first(docs)).encode()


def provider_metadata(
    publisher: Publisher, base_url: str, *, last_updated: dt.datetime, fingerprint: str = ""
) -> dict[str, Any]:
    """``provider-metadata.json`` (7.1.7) for a provider at ``base_url`` (``https://host``)."""
    root = base_url.rstrip("/") + "/.well-known/csaf/"
    metadata: dict[str, Any] = {
        "canonical_url": root + "provider-metadata.json",
        "distributions": [
            {
                "directory_url": root + DIRECTORY + "/",
                "rolie": {
                    "feeds": [
                        {
                            "summary": "TLP:CLEAR advisories",
                            "tlp_label": "WHITE",
                            "url": root + DIRECTORY + "/" + FEED,
                        }
                    ]
                },
            }
        ],
        "last_updated": iso(last_updated),
        "list_on_CSAF_aggregators": True,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": True,
        "publisher": {
            "category": publisher.category,
            "name": publisher.name,
            "namespace": publisher.namespace,
            **({"contact_details": publisher.contact_details} if publisher.contact_details else {}),
        },
        "role": "csaf_trusted_provider" if fingerprint else "csaf_provider",
    }
    if fingerprint:
        metadata["public_openpgp_keys"] = [
            {"fingerprint": fingerprint, "url": f"{root}openpgp/{fingerprint}.asc"}
        ]
    return metadata


def rolie_feed(docs: Iterable[ProviderDocument], base_url: str, *, updated: dt.datetime) -> dict[str, Any]:
    """The ROLIE feed (7.1.15) of the TLP:CLEAR directory."""
    folder = base_url.rstrip("/") + f"/.well-known/csaf/{DIRECTORY}/"
    entries: list[Mapping[str, Any]] = []
    for d in _newest_first(docs):
        url = folder + document_path(d)
        links = [
            {"rel": "self", "href": url},
            {"rel": "hash", "href": url + ".sha256"},
            {"rel": "hash", "href": url + ".sha512"},
        ]
        if d.signed:
            links.append({"rel": "signature", "href": url + ".asc"})
        entries.append(
            {
                "content": {"src": url, "type": "application/json"},
                "format": {
                    "schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json",
                    "version": "2.0",
                },
                "id": d.tracking_id,
                "link": links,
                "published": iso(d.initial_release),
                "title": d.title,
                "updated": iso(d.current_release),
            }
        )
    return {
        "feed": {
            "category": [{"scheme": "urn:ietf:params:rolie:category:information-type", "term": "csaf"}],
            "entry": entries,
            "id": "medvigil-csaf-feed-tlp-clear",
            "link": [{"rel": "self", "href": folder + FEED}],
            "title": f"TLP:CLEAR CSAF advisories (medvigil {__version__})",
            "updated": iso(updated),
        }
    }
