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
from tests.support.annomi import ANNOMI_SKIP_REASON
from tests.support.chroma_server import running_chroma_server
from tests.support.databases import database_name, fresh_pg_database, require_pg


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbedder:
    """One real bundled embedder for the whole run (weights load once)."""
    embedder = MiniLMEmbedder()
    embedder.load()
    return embedder


@pytest.fixture(scope="session")
def minilm_int8() -> MiniLMEmbedder:
    """The same model as an int8 onnxruntime graph (COACHLAB_EMBEDDER=minilm-int8)."""
    embedder = MiniLMEmbedder(precision="int8")
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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    require_pg()
    with fresh_pg_database() as url:
        yield url


@pytest.fixture(scope="session")
def pg_service_template(
    tmp_path_factory: pytest.TempPathFactory, minilm: MiniLMEmbedder
) -> Iterator[str]:
    """A PostgreSQL database, migrated and holding the built-in content, to clone per test."""
    require_pg()
    with fresh_pg_database() as url:
        data_dir = tmp_path_factory.mktemp("pg-template")
        built = build_services(Settings(data_dir=data_dir, database_url=url), embedder=minilm)
        built.prepare()
        built.close()
        yield database_name(url)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """One ``chroma run`` server on loopback for the run; tests use their own collections."""
    with running_chroma_server(tmp_path_factory.mktemp("chroma-server")) as port:
        yield port


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many tests skipped for want of the AnnoMI data, and how to point them at it."""
    skipped = terminalreporter.stats.get("skipped", [])
    missing = [r for r in skipped if ANNOMI_SKIP_REASON in str(getattr(r, "longrepr", ""))]
    if missing:
        terminalreporter.write_line(
            f"{len(missing)} tests skipped: {ANNOMI_SKIP_REASON}", yellow=True, bold=True
        )
