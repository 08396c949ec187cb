"""The cyclic GC pause used around batch work."""

from __future__ import annotations

import gc

import pytest

from medvigil.core._gc import paused_gc


def test_the_collector_is_off_inside_and_back_on_after_also_on_error() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError, match="boom"), paused_gc():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
