"""Backend variants (SQLite, PostgreSQL, Chroma server) as settings for the service tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.settings import Settings
from tests.support.databases import fresh_pg_database

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


def backend_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings for the backend named by ``request.param``: sqlite, postgres or chroma-server."""
    data_dir = tmp_path / "data"
    match request.param:
        case "sqlite":
            yield Settings(data_dir=data_dir)
        case "postgres":
            template = request.getfixturevalue("pg_service_template")
            with fresh_pg_database(template) as url:
                yield Settings(data_dir=data_dir, database_url=url)
        case "chroma-server":
            port = request.getfixturevalue("chroma_server")
            yield Settings(
                data_dir=data_dir,
                chroma_host="127.0.0.1",
                chroma_port=port,
                chroma_collection=f"test-{uuid.uuid4().hex[:12]}",
            )
        case other:
            raise ValueError(f"unknown backend {other}")
