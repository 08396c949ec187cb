"""Our CSAF provider, read back by our own ``feeds sync csaf`` from a live server on 127.0.0.1,
with hashes and (gpg permitting) OpenPGP signatures verified."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
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
from medvigil.web.publishing.signing import sign
from medvigil.web.risk.models import Case
from tests.gnupg import agent_pids, gnupg_home, key_generate
from tests.web.conftest import PASSWORD

METADATA = "/.well-known/csaf/provider-metadata.json"


def _publish(case: Case, analyst: Any, tlp: str = "CLEAR", kind: str = "advisory") -> Advisory:
    approver = user_create(username=f"approver-{kind}-{tlp}", password=PASSWORD, role="analyst")
    adv = services.advisory_draft(case=case, user=analyst, tlp=tlp, kind=kind)
    services.advisory_submit(advisory=adv, user=analyst)
    return services.advisory_publish(advisory=adv, user=approver)


@pytest.fixture
def signing_key(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A GnuPG home with one signing key, and its fingerprint (the home's gpg-agent is killed after)."""
    with gnupg_home(tmp_path / "gnupg") as home:
        yield home, key_generate(home, "Example PSIRT <psirt@example.com>")


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
    ready_case: Case, analyst: Any, live_server: Any, signing_key: tuple[Path, str]
) -> None:
    home, fpr = signing_key
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


def test_signing_leaves_no_gpg_agent_running(tmp_path: Path) -> None:
    with gnupg_home(tmp_path / "gnupg") as home:
        fpr = key_generate(home, "Example PSIRT <psirt@example.com>")
        with override_settings(CSAF_SIGNING_KEY=fpr, CSAF_GNUPGHOME=home):
            assert sign(b"{}").startswith("-----BEGIN PGP SIGNATURE-----")
        assert agent_pids(home)  # gpg started a daemon for this home...
    assert agent_pids(home) == []  # ...and it is gone with the home
