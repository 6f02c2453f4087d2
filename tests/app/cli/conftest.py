"""CLI tests run ``coachlab`` in-process against a temporary data folder."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the CLI at a fresh data folder."""
    data = tmp_path / "data"
    monkeypatch.setenv("COACHLAB_DATA_DIR", str(data))
    monkeypatch.delenv("COACHLAB_DATABASE_URL", raising=False)
    monkeypatch.setenv("COACHLAB_LLM_PROVIDER", "offline")
    return data
