"""Settings: a missing data folder is created; HSTS and CSP come from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.test import Client

CLI = [sys.executable, "-c", "from medvigil.cli.main import main; main()"]


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("MEDVIGIL_DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    return {**env, "MEDVIGIL_TASKS_URL": "sqlite", **extra}


def test_init_creates_a_missing_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "not" / "there"
    run = subprocess.run(
        [*CLI, "init"], env=_env(MEDVIGIL_DATA_DIR=str(data)), capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert (data / "medvigil.sqlite3").is_file() and "Traceback" not in run.stderr


def test_hsts_and_csp_follow_the_environment(tmp_path: Path) -> None:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='medvigil.web.config.settings';"
        "django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_PROXY_SSL_HEADER,"
        " s.CONTENT_SECURITY_POLICY)"
    )
    env = _env(
        MEDVIGIL_DATA_DIR=str(tmp_path),
        MEDVIGIL_HSTS_SECONDS="31536000",
        MEDVIGIL_HSTS_INCLUDE_SUBDOMAINS="true",
        MEDVIGIL_BEHIND_TLS_PROXY="true",
        MEDVIGIL_CSP="default-src 'none'",
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "31536000 True ('HTTP_X_FORWARDED_PROTO', 'https') default-src 'none'"


def test_every_page_has_a_csp_without_inline_scripts(viewer: Any) -> None:
    client = Client()
    client.force_login(viewer)
    for url in ("/login/", "/", "/api/docs", "/admin/login/"):
        resp = client.get(url, follow=True)
        policy = resp["Content-Security-Policy"]
        assert (
            "default-src 'self'" in policy
            and "script-src 'self'" in policy
            and "'unsafe-inline'" not in (policy.split("style-src-attr")[0])
        )
        html = resp.content.decode()
        for chunk in html.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            assert "src=" in head or 'type="application/json"' in head, (url, head)


def test_https_headers_when_enabled(db: Any, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 3600
    resp = Client().get("/login/", secure=True)
    assert resp["Strict-Transport-Security"] == "max-age=3600"
