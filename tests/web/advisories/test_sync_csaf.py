"""``feeds_sync(["csaf"])`` end to end: CISA's ICSMA advisories from a local provider into the store.

A bad hash is rejected and reported on the sync state while the other advisories are imported,
and the next run only fetches what ``changes.csv`` lists as newer.
"""

from __future__ import annotations

import pytest

from medvigil.web.advisories.models import AdvisoryRecord, Alias, FeedSync
from medvigil.web.advisories.sync import feeds_sync
from tests.core.feeds.sync.conftest import FeedServer
from tests.core.feeds.sync.helpers import Clock
from tests.core.feeds.sync.test_csaf_provider import DIR, DOCS, Provider, provider  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_csaf_sync_imports_verified_advisories_and_reports_the_rejected_one(
    provider: Provider,  # noqa: F811
    feed_server: FeedServer,
) -> None:
    bad = provider.doc_path("icsma-24-200-01")
    provider.serve(bad + ".sha512", b"0" * 128 + b"  icsma-24-200-01.json\n")
    clock = Clock()
    options = {"csaf": {"providers": [provider.metadata_url]}}
    [result] = feeds_sync(["csaf"], options=options, sleep=clock.sleep, now=clock.now)
    assert result.status == "succeeded", result.message
    assert result.files == len(DOCS) - 1
    assert [r["url"].rsplit("/", 1)[-1] for r in result.rejected] == ["icsma-24-200-01.json"]
    assert result.rejected[0]["reason"].startswith("SHA-512 mismatch")
    ids = AdvisoryRecord.objects.filter(source__name="csaf").values_list("record_id", flat=True)
    documents = {i.split("/")[0].lower() for i in ids}
    assert documents == set(DOCS) - {"icsma-24-200-01"}
    assert Alias.objects.filter(alias__startswith="CVE-2024-").exists()
    state = FeedSync.objects.get(source="csaf")
    assert state.cursor == {provider.metadata_url: "2024-09-10T06:00:00.000000Z"}
    assert state.rejected == result.rejected

    # Next run: nothing newer in changes.csv, so no document is downloaded again.
    before = len(feed_server.requests)
    [again] = feeds_sync(["csaf"], options=options, sleep=clock.sleep, now=clock.now)
    assert again.status == "succeeded" and again.files == 0
    assert not [r for r in feed_server.requests[before:] if r.path.endswith(".json") and DIR in r.path]
