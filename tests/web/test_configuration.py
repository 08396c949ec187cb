"""docs/configuration.md and the settings read the same MEDVIGIL_* variables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from medvigil.web.config import env

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "src" / "medvigil" / "web" / "config"


def test_every_setting_variable_is_documented_and_every_documented_one_is_read() -> None:
    code = "".join(p.read_text() for p in CONFIG.glob("*.py"))
    read = set(re.findall(r'"(MEDVIGIL_[A-Z_]+)"', code))
    read |= {f"{name}_FILE" for name in re.findall(r'env_secret\("(MEDVIGIL_[A-Z_]+)"', code)}
    cli = "".join(p.read_text() for p in (ROOT / "src" / "medvigil" / "cli").glob("*.py"))
    read |= set(re.findall(r'envvar="(MEDVIGIL_[A-Z_]+)"', cli))  # a command's option's variable
    documented = set(
        re.findall(r"^\| `(MEDVIGIL_[A-Z_]+)`", (ROOT / "docs/configuration.md").read_text(), re.M)
    )
    assert read == documented


def test_bad_boolean_fails_fast_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDVIGIL_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="MEDVIGIL_DEBUG"):
        env.env_bool("MEDVIGIL_DEBUG", False)


def test_integer_below_minimum_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDVIGIL_SBOM_MAX_BYTES", "12")
    with pytest.raises(ImproperlyConfigured, match="at least 1024"):
        env.env_int("MEDVIGIL_SBOM_MAX_BYTES", 5, minimum=1024)


def test_secret_is_read_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("MEDVIGIL_SECRET_KEY_FILE", str(secret))
    assert env.env_secret("MEDVIGIL_SECRET_KEY", None) == "s3cret"
    monkeypatch.setenv("MEDVIGIL_SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env.env_secret("MEDVIGIL_SECRET_KEY", None)
