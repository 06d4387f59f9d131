"""Fixtures shared by the whole suite.

Real checkpoints and data live in ``../shared`` beside the repository (or where
METACOMPRESS_SHARED points). A fresh clone does not have them, so tests that need them skip
with a reason instead of failing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_root() -> Path:
    return Path(os.environ.get("METACOMPRESS_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    root = shared_root()
    if not (root / "data").is_dir() or not (root / "models").is_dir():
        pytest.skip(f"real checkpoints and data not found at {root} (set METACOMPRESS_SHARED)")
    return root


@pytest.fixture(scope="session", autouse=True)
def private_prediction_store_for_shared_fixtures(tmp_path_factory):
    """Module- and session-scoped fixtures run before the per-test folder below exists: they get
    a store of the session's own, never the user's."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache-session"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(autouse=True)
def private_prediction_store(tmp_path_factory, monkeypatch):
    """Every test (and every subprocess it starts) gets its own empty cache folder, so the suite
    never reads or writes the user's prediction store (~/.cache/metacompress)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
