"""Migrations create exactly the modelled schema, upgrade idempotently and downgrade cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from app.storage.database import Database
from app.storage.models import Base

EXPECTED_TABLES = {
    "users",
    "user_roles",
    "login_tokens",
    "cohorts",
    "cohort_members",
    "scenarios",
    "scenario_versions",
    "rubrics",
    "rubric_versions",
    "practice_sessions",
    "turns",
    "scorecards",
    "library_exchanges",
    "comments",
    "votes",
    "flags",
    "ratings",
    "collections",
    "collection_items",
    "notifications",
    "redaction_terms",
    "assignments",
    "calibration_items",
    "transcript_uploads",
    "practice_goals",
}


def test_upgrade_creates_the_modelled_schema(database_url: str) -> None:
    db = Database(database_url)
    try:
        assert db.current_revision() is None
        db.upgrade()
        assert db.is_current()
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == EXPECTED_TABLES
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        db.dispose()


def test_upgrade_is_idempotent_and_downgrade_drops_everything(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.upgrade()
        db.upgrade()
        assert db.is_current()
        db.downgrade("base")
        assert db.current_revision() is None
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.upgrade()
        assert db.is_current()
    finally:
        db.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        db.dispose()
