"""Shared fixtures: temporary settings and services wired exactly as in production."""

from __future__ import annotations

import os
import uuid
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


PG_ADMIN_URL = os.environ.get("COACHLAB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    if not _pg_available():
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL}"
        if os.environ.get("COACHLAB_REQUIRE_PG"):
            pytest.fail(message + " (COACHLAB_REQUIRE_PG is set)")
        pytest.skip(message)
    import psycopg

    name = f"coachlab_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
