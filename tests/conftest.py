"""Shared fixtures: temporary settings and services wired exactly as in production."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import Services, build_services
from app.services.principal import Principal, Role
from app.settings import Settings
from retrieval.minilm import MiniLMEmbedder
from tests.builders import make_user

REPO = Path(__file__).resolve().parents[1]
ANNOMI_DIR = REPO.parent / "shared" / "data" / "annomi-dev"


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbedder:
    """One real bundled embedder for the whole run (weights load once)."""
    embedder = MiniLMEmbedder()
    embedder.load()
    return embedder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fresh data folder."""
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def services(settings: Settings, minilm: MiniLMEmbedder) -> Iterator[Services]:
    """Prepared services on a fresh SQLite database."""
    built = build_services(settings, embedder=minilm)
    built.prepare()
    yield built
    built.close()


@pytest.fixture
def learner(services: Services) -> Principal:
    """A logged-in learner."""
    return make_user(services, "lee", Role.LEARNER)
