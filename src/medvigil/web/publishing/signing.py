"""OpenPGP signatures of published documents with the manufacturer's key (system ``gpg``).

The key lives in a dedicated GnuPG home (``MEDVIGIL_CSAF_GNUPGHOME``, default
``<data dir>/gnupg``), never the user's own keyring; ``MEDVIGIL_CSAF_SIGNING_KEY`` names it by
fingerprint. Without a configured key nothing is signed (the provider then lists no key).
See docs/configuration.md, "CSAF signing key".
"""

from __future__ import annotations

import os
import shutil
import subprocess

from django.conf import settings

from medvigil.core.errors import Error

__all__ = ["SigningError", "fingerprint", "public_key", "sign"]

_TIMEOUT = 30


class SigningError(Error):
    """The configured key cannot sign (gpg missing, key missing or passphrase-protected)."""


def fingerprint() -> str:
    """The configured signing key's fingerprint (upper case, no spaces); empty when none."""
    return str(settings.CSAF_SIGNING_KEY).replace(" ", "").upper()


def _gpg(*args: str, data: bytes | None = None) -> bytes:
    gpg = shutil.which("gpg")
    if gpg is None:
        raise SigningError("MEDVIGIL_CSAF_SIGNING_KEY is set but there is no gpg binary on PATH")
    env = {**os.environ, "GNUPGHOME": str(settings.CSAF_GNUPGHOME)}
    done = subprocess.run(  # noqa: S603 - fixed binary, arguments from configuration
        [gpg, "--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", "", *args],
        input=data, env=env, capture_output=True, timeout=_TIMEOUT, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["gpg failed"]
        raise SigningError(f"gpg ({settings.CSAF_GNUPGHOME}): {message[0]}")
    return done.stdout


def sign(data: bytes) -> str:
    """The armoured detached signature of ``data``; empty when no key is configured."""
    fpr = fingerprint()
    if not fpr:
        return ""
    return _gpg("--armor", "--local-user", fpr, "--detach-sign", data=data).decode()


def public_key() -> bytes:
    """The armoured public key (empty when no key is configured)."""
    fpr = fingerprint()
    return _gpg("--armor", "--export", fpr) if fpr else b""
