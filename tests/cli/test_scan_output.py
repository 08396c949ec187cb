"""``medvigil scan -f json`` writes its findings in batches, byte for byte the one-document form."""

from __future__ import annotations

import io
import random
import sys
from typing import Any

import pytest

from medvigil.cli.scan import _write_findings_json, _write_json


def _value(rng: random.Random, depth: int) -> Any:
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return rng.choice(
            ["", "plain", 'quote " and \\ slash', "line\nbreak\ttab", "é ü 漢字 \u2028", "  lead"]
        )
    if kind == 1:
        return rng.choice([0, -3, 10**12, 2.5, 1e-7, 0.1])
    if kind == 2:
        return rng.choice([True, False, None])
    if kind in (3, 4):
        return f"cpe:2.3:a:v:p:{rng.randrange(99)}:*:*:*:*:*:*:*"
    if kind == 5:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {f"k{i}": _value(rng, depth + 1) for i in range(rng.randrange(4))}


def _written(write: Any, *args: Any, monkeypatch: pytest.MonkeyPatch) -> bytes:
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="utf-8"))
    write(*args)
    return raw.getvalue()


@pytest.mark.parametrize("seed", range(4))
def test_batched_findings_are_byte_identical_to_one_document(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    for count in (0, 1, 2, 3, 7, 40):
        findings = [
            {"component": _value(rng, 1), "match": {"evidence": [_value(rng, 2)]}} for _ in range(count)
        ]
        whole = _written(_write_json, {"findings": findings}, monkeypatch=monkeypatch)
        for batch in (1, 2, 3, 1000):
            assert _written(_write_findings_json, findings, batch, monkeypatch=monkeypatch) == whole, (
                count,
                batch,
            )
