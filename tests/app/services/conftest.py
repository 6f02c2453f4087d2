"""Service tests run on SQLite and on PostgreSQL (library tests also on a Chroma server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.settings import Settings
from tests.support.backends import POSTGRES, backend_settings


@pytest.fixture(params=["sqlite", POSTGRES])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings on a fresh SQLite file or a fresh PostgreSQL database."""
    yield from backend_settings(request, tmp_path)
