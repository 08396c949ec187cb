"""Shared test fixtures: the ../shared data folder and small file helpers."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("MEDVIGIL_SHARED_DATA", REPO.parent / "shared" / "data"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BENCH = REPO / "bench"


def bench_module(name: str) -> ModuleType:
    """Load ``bench/<name>.py`` (tests drive the benchmarks that start a real server)."""
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shared_path(*parts: str) -> Path:
    """Return a path under ../shared/data, skipping the test when it is absent (failing under CI=true)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing; CI must run with ../shared beside the checkout")
        pytest.skip(f"needs ../shared/data ({path} not found)")
    return path


@pytest.fixture
def shared_data() -> Path:
    """The ../shared/data folder (skip when absent outside CI)."""
    return shared_path()


@pytest.fixture
def fixtures_dir() -> Path:
    """tests/fixtures."""
    return FIXTURES
