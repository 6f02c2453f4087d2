"""Fresh PostgreSQL databases for the PostgreSQL variants of the tests.

Each test gets its own database, created and dropped here. Service tests clone a template that
is migrated and filled with the built-in content once per run (``CREATE DATABASE … TEMPLATE``
copies files, far faster than running the migrations and the content sync per test).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

PG_ADMIN_URL = os.environ.get("COACHLAB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def pg_available() -> bool:
    """Whether the test PostgreSQL server answers."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def require_pg() -> None:
    """Skip the calling test without PostgreSQL, or fail it when COACHLAB_REQUIRE_PG is set."""
    if pg_available():
        return
    message = f"PostgreSQL not reachable at {PG_ADMIN_URL}"
    if os.environ.get("COACHLAB_REQUIRE_PG"):
        pytest.fail(message + " (COACHLAB_REQUIRE_PG is set)")
    pytest.skip(message)


def _sqlalchemy_url(name: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


@contextmanager
def fresh_pg_database(template: str | None = None) -> Iterator[str]:
    """Create a uniquely named database (a copy of ``template`` if given); yield its URL."""
    import psycopg

    name = f"coachlab_{uuid.uuid4().hex[:12]}"
    clause = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{clause}')
    try:
        yield _sqlalchemy_url(name)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_name(url: str) -> str:
    """The database name at the end of a SQLAlchemy URL."""
    return url.rsplit("/", 1)[1]
