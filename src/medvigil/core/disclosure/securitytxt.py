"""RFC 9116 security.txt: build the document, and check one (required fields, a single future
``Expires`` less than a year ahead, https/mailto/tel contacts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from medvigil.core.errors import InputError

__all__ = ["SecurityTxt", "check", "render"]

_CONTACT_SCHEMES = ("https://", "mailto:", "tel:")


@dataclass(frozen=True)
class SecurityTxt:
    """The fields medvigil publishes."""

    contacts: tuple[str, ...]
    expires: dt.datetime
    policy: str = ""
    acknowledgments: str = ""
    preferred_languages: str = ""
    canonical: str = ""
    encryption: str = ""
    csaf: tuple[str, ...] = ()
    """``CSAF`` fields: provider-metadata.json URLs (CSAF 2.0 section 7.1.8, requirement 8)."""


def _line(name: str, value: str) -> list[str]:
    return [f"{name}: {value}"] if value else []


def render(doc: SecurityTxt) -> str:
    """The document text (LF line endings, UTF-8), fields in RFC 9116 order of importance."""
    lines = [f"Contact: {c}" for c in doc.contacts]
    lines.append("Expires: " + doc.expires.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    lines += _line("Encryption", doc.encryption)
    lines += _line("Acknowledgments", doc.acknowledgments)
    lines += _line("Preferred-Languages", doc.preferred_languages)
    lines += _line("Canonical", doc.canonical)
    lines += _line("Policy", doc.policy)
    lines += [f"CSAF: {url}" for url in doc.csaf]
    return "\n".join(lines) + "\n"


def _expires_problems(expires: list[str], now: dt.datetime) -> list[str]:
    if len(expires) != 1:
        return [f"Expires must appear exactly once (found {len(expires)})"]
    try:
        when = dt.datetime.fromisoformat(expires[0].replace("Z", "+00:00"))
    except ValueError:
        return [f"Expires {expires[0]!r} is not an RFC 3339 date-time"]
    if when <= now:
        return [f"Expires {expires[0]} is in the past"]
    if when - now >= dt.timedelta(days=365):
        return [f"Expires {expires[0]} is a year or more ahead"]
    return []


def check(text: str, *, now: dt.datetime) -> list[str]:
    """Problems of a security.txt document (empty: valid)."""
    problems: list[str] = []
    fields: dict[str, list[str]] = {}
    in_signature = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().removeprefix("- ")  # OpenPGP dash-escaping
        if line.startswith("-----BEGIN PGP SIGNATURE"):
            in_signature = True
        if in_signature or not line or line.startswith(("#", "-----", "Hash:")):
            in_signature = in_signature and not line.startswith("-----END PGP SIGNATURE")
            continue
        name, sep, value = line.partition(":")
        if not sep:
            problems.append(f"line {number}: not a 'Field: value' line")
            continue
        fields.setdefault(name.strip().lower(), []).append(value.strip())
    contacts = fields.get("contact", [])
    if not contacts:
        problems.append("Contact is required")
    problems += [
        f"Contact {c!r} is not an https:, mailto: or tel: URI"
        for c in contacts
        if not c.startswith(_CONTACT_SCHEMES)
    ]
    problems += _expires_problems(fields.get("expires", []), now)
    if len(fields.get("preferred-languages", [])) > 1:
        problems.append("Preferred-Languages may appear at most once")
    problems += [
        f"CSAF {url!r} is not an https URL of a provider-metadata.json"
        for url in fields.get("csaf", [])
        if not (url.startswith("https://") and url.endswith("/provider-metadata.json"))
    ]
    return problems


def contacts_checked(contacts: Sequence[str]) -> tuple[str, ...]:
    """The contacts, or ``InputError`` naming the first that is not an allowed URI."""
    for c in contacts:
        if not c.startswith(_CONTACT_SCHEMES):
            raise InputError(f"{c!r} is not an https:, mailto: or tel: URI", field="contacts")
    return tuple(contacts)
