"""Attachment sniffing by content and the RFC 9116 security.txt builder/checker."""

from __future__ import annotations

import datetime as dt

import pytest

from medvigil.core.disclosure.securitytxt import SecurityTxt, check, render
from medvigil.core.disclosure.sniff import sniff
from medvigil.core.errors import InputError

NOW = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.4 x", "application/pdf"),
        (b"\x89PNG\r\n\x1a\nxx", "image/png"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"PK\x03\x04zz", "application/zip"),
        (b"plain notes\nline 2\n", "text/plain"),
    ],
)
def test_allowed_files_are_recognised_by_their_bytes(content: bytes, kind: str) -> None:
    assert sniff("whatever.exe", content) == kind


@pytest.mark.parametrize(
    "content",
    [b"MZ\x90\x00binary", b"<html><script>alert(1)</script>", b"<svg onload=x>", b"\x00\x01\x02", b""],
)
def test_other_files_are_refused_whatever_their_name(content: bytes) -> None:
    with pytest.raises(InputError, match="report.pdf.*not accepted"):
        sniff("report.pdf", content)


def test_security_txt_renders_valid_fields() -> None:
    text = render(
        SecurityTxt(
            contacts=("https://x.example/security/report/", "mailto:psirt@x.example"),
            expires=NOW + dt.timedelta(days=180),
            policy="https://x.example/p",
            preferred_languages="en, de",
            canonical="https://x.example/.well-known/security.txt",
        )
    )
    assert "Contact: mailto:psirt@x.example\n" in text and "Expires: 2027-05-31T00:00:00Z\n" in text
    assert check(text, now=NOW) == []


def test_security_txt_checker_finds_problems() -> None:
    assert check("Expires: 2026-01-01T00:00:00Z\n", now=NOW) == [
        "Contact is required",
        "Expires 2026-01-01T00:00:00Z is in the past",
    ]
    far = "Contact: http://x\nExpires: 2028-01-01T00:00:00Z\nExpires: 2028-01-01T00:00:00Z\n"
    assert check(far, now=NOW) == [
        "Contact 'http://x' is not an https:, mailto: or tel: URI",
        "Expires must appear exactly once (found 2)",
    ]
    assert "a year or more ahead" in check("Contact: tel:+1\nExpires: 2028-01-01T00:00:00Z", now=NOW)[0]


def test_security_txt_carries_the_csaf_provider_field() -> None:
    url = "https://x.example/.well-known/csaf/provider-metadata.json"
    doc = SecurityTxt(contacts=("mailto:psirt@x.example",), expires=NOW + dt.timedelta(days=30), csaf=(url,))
    text = render(doc)
    assert f"\nCSAF: {url}\n" in text and check(text, now=NOW) == []
    assert "CSAF" not in render(SecurityTxt(contacts=doc.contacts, expires=doc.expires))
    bad = text.replace(url, "http://x.example/csaf/index.txt")
    assert check(bad, now=NOW) == [
        "CSAF 'http://x.example/csaf/index.txt' is not an https URL of a provider-metadata.json"
    ]
