"""Detached-signature checks through gpgv with a throw-away key (no user keyring is touched)."""

from __future__ import annotations

import pytest

from medvigil.core.feeds.sync.openpgp import OpenPgpUnavailableError, dearmor, verify
from tests.conftest import shared_path
from tests.core.feeds.sync.test_csaf_provider import Signer, signer  # noqa: F401 - fixture

DOC = b'{"document": {"title": "signed"}}\n'


def test_good_signature(signer: Signer) -> None:  # noqa: F811
    result = verify(DOC, signer.sign(DOC), [signer.public_key])
    assert result.valid and result.fingerprint == signer.fingerprint


def test_binary_key_and_fingerprint_filter(signer: Signer) -> None:  # noqa: F811
    sig = signer.sign(DOC)
    assert verify(DOC, sig, [dearmor(signer.public_key)], fingerprints=[signer.fingerprint.lower()]).valid
    other = verify(DOC, sig, [signer.public_key], fingerprints=["AB" * 20])
    assert not other.valid and "not by a listed fingerprint" in other.reason


def test_altered_document_or_garbage_signature(signer: Signer) -> None:  # noqa: F811
    sig = signer.sign(DOC)
    assert verify(DOC.replace(b"signed", b"forged"), sig, [signer.public_key]).reason.startswith(
        "bad signature"
    )
    assert not verify(DOC, b"not a signature", [signer.public_key]).valid
    assert verify(DOC, sig, []).reason == "no public key configured"


def test_real_cisa_signature_is_read_but_its_key_is_not_ours(signer: Signer) -> None:  # noqa: F811
    folder = shared_path("csaf", "cisa", "icsma")
    doc = (folder / "icsma-17-009-01a.json").read_bytes()
    result = verify(doc, (folder / "icsma-17-009-01a.json.asc").read_bytes(), [signer.public_key])
    assert result.reason == "signed by a key that is not configured"


def test_missing_gpgv() -> None:
    with pytest.raises(OpenPgpUnavailableError):
        verify(DOC, b"", [b"k"], gpgv="/nonexistent/gpgv")
