"""Throw-away GnuPG homes for tests: a fresh key, and the gpg-agent it starts killed afterwards.

``gpg`` starts a ``gpg-agent --daemon`` per home on first use (key generation, signing), and the
agent outlives the test: without ``gpgconf --kill all`` every run left one daemon per home behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = ["agent_pids", "gnupg_home", "gpg_run", "key_generate"]


def _gpg() -> str:
    gpg = shutil.which("gpg")
    if gpg is None:
        pytest.skip("gpg is not installed")
    return gpg


def agent_pids(home: Path) -> list[int]:
    """The live ``gpg-agent`` processes serving ``home`` (read from /proc)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:  # not a process, or it ended meanwhile
            continue
        if argv and Path(os.fsdecode(argv[0])).name == "gpg-agent" and os.fsencode(home) in argv:
            pids.append(int(proc.name))
    return pids


def _agent_kill(home: Path) -> None:
    gpgconf = shutil.which("gpgconf")
    if gpgconf is not None:
        subprocess.run([gpgconf, "--homedir", str(home), "--kill", "all"], capture_output=True, check=False)  # noqa: S603 - fixed binary
    for _ in range(50):  # the agent exits shortly after the KILLAGENT command
        if not agent_pids(home):
            return
        time.sleep(0.05)


@contextmanager
def gnupg_home(path: Path) -> Iterator[Path]:
    """A new GnuPG home at ``path`` (skip without gpg); its agents are killed on exit."""
    _gpg()
    path.mkdir(mode=0o700)
    try:
        yield path
    finally:
        _agent_kill(path)


def gpg_run(home: Path, *args: str, data: bytes | None = None) -> bytes:
    """Run ``gpg --batch --quiet ARGS`` in ``home`` and return its standard output."""
    env = {**os.environ, "GNUPGHOME": str(home)}
    return subprocess.run(  # noqa: S603 - fixed binary
        [_gpg(), "--batch", "--quiet", *args], input=data, env=env, check=True, capture_output=True
    ).stdout


def key_generate(home: Path, uid: str, expires: str = "never") -> str:
    """Generate an ed25519 signing key without passphrase in ``home``; return its fingerprint."""
    gpg_run(home, "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", expires)
    colons = gpg_run(home, "--list-keys", "--with-colons").decode()
    return next(ln.split(":")[9] for ln in colons.splitlines() if ln.startswith("fpr:"))
