"""Detached OpenPGP signature checks through the system ``gpgv`` binary.

:func:`verify` takes the signed bytes, the detached signature (armored ``.asc`` or binary) and
the trusted public keys (armored or binary), writes them to a throw-away folder with a keyring
built from exactly those keys, and runs ``gpgv --status-fd``. It never touches a user's GnuPG
home, never imports into a persistent keyring and never goes to a key server.

Why ``gpgv`` and not a Python OpenPGP library: ``gpgv`` is GnuPG's verify-only tool (no agent,
no trust database, no state), maintained with GnuPG and installed with it on every Linux
distribution; PGPy is unmaintained and breaks with current ``cryptography`` releases (its
``pgpy13`` fork is a stop-gap), ``pysequoia`` is young, and ``python-gnupg`` drives the full
``gpg`` with a home directory, which adds state but nothing for a verify-only use.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from medvigil.core.errors import FeedError

__all__ = ["OpenPgpUnavailableError", "Verification", "dearmor", "gpgv_path", "verify"]

DEFAULT_GPGV = "/usr/bin/gpgv"
TIMEOUT = 60.0
_ARMOR = re.compile(
    rb"-----BEGIN PGP (?P<kind>[A-Z ]+)-----\r?\n(?P<body>.*?)-----END PGP (?P=kind)-----", re.DOTALL
)


class OpenPgpUnavailableError(FeedError):
    """No ``gpgv`` binary to check signatures with."""


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of one signature check."""

    valid: bool
    fingerprint: str = ""
    """Fingerprint of the primary key of the key that made a valid signature (upper-case hex)."""
    reason: str = ""
    """Why the signature is not valid (``bad signature``, ``no matching public key``...)."""


def gpgv_path(configured: str | None = None) -> str:
    """The ``gpgv`` to run: ``configured``, else ``/usr/bin/gpgv`` or one on ``PATH``."""
    if configured:
        if Path(configured).is_file():
            return configured
        raise OpenPgpUnavailableError(f"the configured gpgv {configured!r} does not exist")
    for candidate in (DEFAULT_GPGV, shutil.which("gpgv")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise OpenPgpUnavailableError("gpgv (GnuPG) is not installed; OpenPGP signatures cannot be checked")


def dearmor(data: bytes) -> bytes:
    """Binary OpenPGP packets of ``data`` (armored blocks decoded and concatenated; binary as is)."""
    blocks = list(_ARMOR.finditer(data))
    if not blocks:
        return data
    out = bytearray()
    for block in blocks:
        lines = block.group("body").replace(b"\r", b"").split(b"\n")
        if b"" in lines:  # armor headers end at the first empty line
            lines = lines[lines.index(b"") + 1 :]
        payload = [ln for ln in lines if ln and not ln.startswith(b"=")]  # '=' starts the CRC-24 line
        out += base64.b64decode(b"".join(payload))
    return bytes(out)


def verify(
    data: bytes,
    signature: bytes,
    keys: Sequence[bytes],
    *,
    fingerprints: Sequence[str] = (),
    gpgv: str | None = None,
) -> Verification:
    """Check the detached ``signature`` of ``data`` against ``keys``.

    ``fingerprints``, when given, restricts the accepted signers to those primary keys (as the
    ``public_openpgp_keys`` of a CSAF provider state them). Raises
    :class:`OpenPgpUnavailableError` when no ``gpgv`` can be found.
    """
    binary = gpgv_path(gpgv)
    if not keys:
        return Verification(False, reason="no public key configured")
    with tempfile.TemporaryDirectory(prefix="medvigil-gpgv-") as tmp:
        folder = Path(tmp)
        keyring = folder / "trusted.gpg"
        keyring.write_bytes(b"".join(dearmor(k) for k in keys))
        sig = folder / "doc.sig"
        sig.write_bytes(signature)
        doc = folder / "doc"
        doc.write_bytes(data)
        try:
            proc = subprocess.run(  # noqa: S603 - fixed argument list, no shell
                [binary, "--homedir", tmp, "--status-fd", "1", "--keyring", str(keyring), str(sig), str(doc)],
                capture_output=True,
                timeout=TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise OpenPgpUnavailableError(f"gpgv could not run: {exc}") from exc
    return _outcome(proc.returncode, proc.stdout.decode("utf-8", "replace"), fingerprints)


def _outcome(code: int, status: str, fingerprints: Sequence[str]) -> Verification:
    lines = [ln.split() for ln in status.splitlines() if ln.startswith("[GNUPG:] ")]
    tokens = {ln[1]: ln[2:] for ln in lines if len(ln) > 1}
    if "BADSIG" in tokens:
        return Verification(False, reason="bad signature (the document or the signature was altered)")
    if "NO_PUBKEY" in tokens or ("ERRSIG" in tokens and tokens["ERRSIG"][-2:-1] == ["9"]):
        return Verification(False, reason="signed by a key that is not configured")
    if "ERRSIG" in tokens:
        return Verification(False, reason="the signature cannot be checked (unsupported or malformed)")
    for flag, what in (("EXPKEYSIG", "expired"), ("REVKEYSIG", "revoked")):
        if flag in tokens:
            return Verification(False, reason=f"signed with a key that is {what}")
    if code != 0 or "GOODSIG" not in tokens or "VALIDSIG" not in tokens:
        return Verification(False, reason="no valid signature (not an OpenPGP detached signature?)")
    valid = tokens["VALIDSIG"]
    primary = (valid[9] if len(valid) > 9 else valid[0]).upper()
    wanted = {f.replace(" ", "").upper() for f in fingerprints if f}
    if wanted and primary not in wanted and valid[0].upper() not in wanted:
        return Verification(False, primary, f"signed by key {primary}, not by a listed fingerprint")
    return Verification(True, primary)
