"""The matching caches are dropped at interpreter exit (see :mod:`medvigil.core.matching.teardown`)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from medvigil.core.matching import teardown
from medvigil.core.matching.cpe import parse_cpe
from medvigil.core.matching.cpe_config import _SHARED_NODES, prepare_stored_nodes


def test_registered_caches_are_cleared_by_the_exit_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(teardown, "_DROPS", [])
    teardown.drop_at_exit(lambda: calls.append("a"), lambda: calls.append("b"))
    teardown._drop()
    assert calls == ["a", "b"]


def test_the_matching_caches_are_registered() -> None:
    prepare_stored_nodes(
        [
            {
                "operator": "OR",
                "cpe_matches": [{"criteria": "cpe:2.3:a:x:y:1:*:*:*:*:*:*:*", "vulnerable": True}],
            }
        ]
    )
    parse_cpe("cpe:2.3:a:x:y:2:*:*:*:*:*:*:*")
    assert _SHARED_NODES and parse_cpe.cache_info().currsize
    for clear in teardown._DROPS:
        clear()
    assert not _SHARED_NODES and parse_cpe.cache_info().currsize == 0


def test_an_interpreter_exits_cleanly_with_the_hook() -> None:
    code = (
        "from medvigil.core.matching.cpe_config import prepare_stored_nodes\n"
        "prepare_stored_nodes([{'operator': 'OR', 'cpe_matches': "
        "[{'criteria': 'cpe:2.3:a:x:y:1:*:*:*:*:*:*:*', 'vulnerable': True}]}])\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "ok\n" and done.stderr == ""
