"""Our CSAF provider, read back by our own ``feeds sync csaf`` from a live server on 127.0.0.1,
with hashes and (gpg permitting) OpenPGP signatures verified."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from django.test import Client, override_settings

from medvigil.core.feeds.sync.csaf_provider import provider_validator
from medvigil.core.feeds.validation import violations
from medvigil.web.accounts.services import user_create
from medvigil.web.advisories.models import AdvisoryRecord
from medvigil.web.advisories.sync import feeds_sync
from medvigil.web.publishing import services
from medvigil.web.publishing.models import Advisory
from medvigil.web.risk.models import Case
from tests.web.conftest import PASSWORD

METADATA = "/.well-known/csaf/provider-metadata.json"


def _publish(case: Case, analyst: Any, tlp: str = "CLEAR", kind: str = "advisory") -> Advisory:
    approver = user_create(username=f"approver-{kind}-{tlp}", password=PASSWORD, role="analyst")
    adv = services.advisory_draft(case=case, user=analyst, tlp=tlp, kind=kind)
    services.advisory_submit(advisory=adv, user=analyst)
    return services.advisory_publish(advisory=adv, user=approver)


def _gpg_home(tmp_path: Path) -> tuple[Path, str]:
    gpg = shutil.which("gpg")
    if gpg is None:
        pytest.skip("gpg is not installed")
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}

    def run(*args: str) -> str:
        return subprocess.run(
            [gpg, "--batch", "--quiet", *args], env=env, check=True, capture_output=True
        ).stdout.decode()

    run(
        "--passphrase", "", "--quick-gen-key", "Example PSIRT <psirt@example.com>", "ed25519", "sign", "never"
    )
    fpr = next(
        ln.split(":")[9] for ln in run("--list-keys", "--with-colons").splitlines() if ln.startswith("fpr:")
    )
    return home, fpr


def test_provider_files_are_consistent(ready_case: Case, analyst: Any) -> None:
    adv = _publish(ready_case, analyst)
    _publish(ready_case, analyst, tlp="AMBER", kind="vex")  # not public
    client = Client()
    metadata = orjson.loads(client.get(METADATA).content)
    assert violations(provider_validator(), metadata) == []
    assert "public_openpgp_keys" not in metadata  # no key configured
    index = client.get("/.well-known/csaf/clear/index.txt").content.decode().split()
    year = adv.initial_release.year  # type: ignore[union-attr]
    assert index == [f"{year}/{adv.tracking_id.lower()}.json"]
    body = client.get(f"/.well-known/csaf/clear/{index[0]}").content
    assert body == bytes(adv.documents.get(format="csaf").content)
    assert client.get(f"/.well-known/csaf/clear/{index[0]}.sha512").content.split()[0].decode() == (
        hashlib.sha512(body).hexdigest()
    )
    assert client.get(f"/.well-known/csaf/clear/{index[0]}.asc").status_code == 404
    assert client.get("/.well-known/csaf/clear/../../settings.py").status_code == 404
    page = client.get("/security/advisories/").content.decode()
    assert adv.tracking_id in page and "VEX-" not in page
    with override_settings(CSAF_PROVIDER=False):
        for path in (METADATA, "/.well-known/csaf/clear/index.txt", f"/.well-known/csaf/clear/{index[0]}"):
            assert client.get(path).status_code == 404, path


@pytest.mark.django_db(transaction=True)
def test_our_sync_reads_our_provider_with_hashes_and_signatures(
    ready_case: Case, analyst: Any, live_server: Any, tmp_path: Path
) -> None:
    home, fpr = _gpg_home(tmp_path)
    with override_settings(CSAF_SIGNING_KEY=fpr, CSAF_GNUPGHOME=home), httpx.Client(timeout=20) as http:
        adv = _publish(ready_case, analyst)
        assert adv.documents.get(format="csaf").signature.startswith("-----BEGIN PGP SIGNATURE-----")
        (result,) = feeds_sync(["csaf"], options={"csaf": {"providers": [live_server.url + METADATA]}},
                               client=http)  # fmt: skip
    assert result.status == "succeeded", (result.message, result.rejected, result.events)
    assert result.files == 1 and result.rejected == []
    assert any(fpr in e for e in result.events)  # the key listed in provider-metadata.json was used
    assert not any("signatures are not checked" in e for e in result.events)
    imported = AdvisoryRecord.objects.get(source__name="csaf")
    assert imported.record_id == f"{adv.tracking_id}/CVE-2026-0001"
