"""Scratch PostgreSQL databases for the benchmark scripts (created beside the given URL)."""

from __future__ import annotations

import uuid


def create_scratch(url: str, prefix: str) -> tuple[str, str]:
    """Create an empty database on ``url``'s server; return (its SQLAlchemy URL, its name)."""
    import psycopg

    admin = url.replace("postgresql+psycopg://", "postgresql://", 1)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}", name


def drop_scratch(url: str, name: str) -> None:
    """Drop the scratch database ``name`` on ``url``'s server."""
    import psycopg

    admin = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
