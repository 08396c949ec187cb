"""The compiled OSV schema check agrees with the reference jsonschema validator."""

from __future__ import annotations

import gzip

import orjson
import pytest

from medvigil.core.feeds.validation import osv_fast_check, osv_validator
from tests.conftest import shared_path


@pytest.mark.parametrize("name", ["pypi-pypa-advisory-database.jsonl.gz", "go-vulndb.jsonl.gz"])
def test_fast_and_reference_validators_agree_on_every_record(name: str) -> None:
    path = shared_path("osv", name)
    fast, reference = osv_fast_check(), osv_validator()
    with gzip.open(path, "rb") as fh:
        records = [orjson.loads(line) for line in fh]
    disagreements = [r["id"] for r in records if fast(r) != reference.is_valid(r)]
    assert disagreements == []
    if name.startswith("pypi"):
        assert sum(not fast(r) for r in records) == 7  # the 7 records the data README names


def test_fast_check_rejects_a_bad_event() -> None:
    record = {
        "id": "X-1",
        "modified": "2024-01-01T00:00:00Z",
        "affected": [{"ranges": [{"type": "GIT", "events": [{"introduced": "0"}, {"fixed": "1.0.patch"}]}]}],
    }
    assert not osv_fast_check()(record)


def test_csaf_unique_items_is_linear_and_points_at_the_duplicate() -> None:
    """python-jsonschema compared every pair: 20,000 product ids took minutes."""
    import json
    import time

    from medvigil.core.feeds.validation import csaf_validator, violations
    from tests.conftest import shared_path

    doc = json.loads(shared_path("csaf", "cisa", "icsma", "icsma-19-178-01.json").read_text())
    ids = [f"CSAFPID-{i}" for i in range(20_000)]
    doc["vulnerabilities"][0]["product_status"]["known_affected"] = [*ids, "CSAFPID-7"]
    start = time.perf_counter()
    found = violations(csaf_validator(), doc)
    assert time.perf_counter() - start < 15
    assert [(v.pointer, v.message) for v in found] == [
        (
            "/vulnerabilities/0/product_status/known_affected/20000",
            "item 20000 is equal to item 7; items must be unique",
        )
    ]
