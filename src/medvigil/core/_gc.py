"""Pausing the cyclic garbage collector around allocation-heavy batch work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic GC for the block (restored afterwards, also on error).

    SBOM reading, scans and feed imports allocate millions of short-lived, acyclic objects (decoded JSON,
    mapped records, row tuples); each allocation burst triggers collections whose oldest-generation
    passes walk the whole live heap (Django's model and migration state included) while
    reclaiming almost nothing. Reference counting still frees everything acyclic at once; the
    few cycles made inside the block are collected once it ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
