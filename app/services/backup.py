"""Backup: every table as one JSON document, and back again.

What must stay true:
- An export → import → export round trip gives the same document (apart from ``exported_at``).
- Password hashes leave the database only when explicitly asked for; users imported without one
  get an unusable hash and must be given a password (``coachlab user passwd``).
- Import goes into a database that holds no user data yet (fresh ``coachlab init``); built-in
  content rows are replaced by the exported ones so version ids keep pointing at the same text.
- Derived data (the vector index) is not exported; it is rebuilt from SQL afterwards.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Table, delete, func, insert, select, text

from app.services.errors import Conflict, InvalidInput
from app.services.principal import Action, Principal
from app.storage.database import Database
from app.storage.models import Base

FORMAT = "coachlab-export"
FORMAT_VERSION = 1
SKIPPED_TABLES = {"login_tokens"}  # short-lived browser logins are never backed up
CONTENT_TABLES = ("scenario_versions", "rubric_versions", "scenarios", "rubrics")
USER_DATA_TABLES = ("users", "practice_sessions", "library_exchanges")
UNUSABLE_HASH_PREFIX = "!reset-required!"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """How many rows were imported per table."""

    rows: dict[str, int]


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return value


def _from_json(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in table.columns:
        if column.name not in row:
            continue
        value = row[column.name]
        if value is not None and isinstance(column.type, DateTime):
            value = datetime.fromisoformat(value)
        out[column.name] = value
    return out


class BackupService:
    """Export and import all CoachLab data (administrators only)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def export_all(
        self, actor: Principal, *, include_password_hashes: bool = False
    ) -> dict[str, Any]:
        """Every table's rows as JSON-safe dicts, in dependency order."""
        actor.require(Action.MANAGE_USERS)
        tables: dict[str, list[dict[str, Any]]] = {}
        with self._db.session() as s:
            for table in _tables():
                order = [c for c in table.primary_key.columns]
                rows = s.execute(select(table).order_by(*order)).mappings().all()
                out = []
                for row in rows:
                    item = {k: _to_json(v) for k, v in row.items()}
                    if table.name == "users" and not include_password_hashes:
                        item.pop("password_hash", None)
                    out.append(item)
                tables[table.name] = out
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "schema_revision": self._db.current_revision(),
            "exported_at": datetime.now(UTC).isoformat(),
            "includes_password_hashes": include_password_hashes,
            "tables": tables,
        }

    def import_all(self, actor: Principal, document: dict[str, Any]) -> ImportReport:
        """Load an export into a database without user data; raise on any inconsistency."""
        actor.require(Action.MANAGE_USERS)
        self._check_document(document)
        data: dict[str, list[dict[str, Any]]] = document["tables"]
        counts: dict[str, int] = {}
        with self._db.session() as s:
            for name in USER_DATA_TABLES:
                table = Base.metadata.tables[name]
                if s.scalar(select(func.count()).select_from(table)):
                    raise Conflict(
                        "The database already holds users or sessions: import into a fresh "
                        "database (set COACHLAB_DATA_DIR or COACHLAB_DATABASE_URL, run "
                        "`coachlab init`, then import)."
                    )
            for name in CONTENT_TABLES:
                s.execute(delete(Base.metadata.tables[name]))
            for table in _tables():
                rows = [_from_json(table, row) for row in data.get(table.name, [])]
                if table.name == "users":
                    for row in rows:
                        if not row.get("password_hash"):
                            row["password_hash"] = UNUSABLE_HASH_PREFIX + secrets.token_hex(16)
                if rows:
                    s.execute(insert(table), rows)
                counts[table.name] = len(rows)
            if s.get_bind().dialect.name == "postgresql":
                self._reset_sequences(s)
        return ImportReport(rows=counts)

    @staticmethod
    def _check_document(document: dict[str, Any]) -> None:
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise InvalidInput("This is not a CoachLab export (missing 'format').")
        if document.get("version") != FORMAT_VERSION:
            raise InvalidInput(f"Unsupported export version {document.get('version')!r}.")
        tables = document.get("tables")
        if not isinstance(tables, dict):
            raise InvalidInput("The export has no 'tables' object.")
        known = {t.name for t in _tables()}
        unknown = sorted(set(tables) - known)
        if unknown:
            raise InvalidInput(f"The export has unknown tables: {', '.join(unknown)}.")
        for name, rows in tables.items():
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise InvalidInput(f"Table '{name}' must be a list of objects.")

    @staticmethod
    def _reset_sequences(s: Any) -> None:
        for table in _tables():
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and pk[0].autoincrement is not False and pk[0].type.python_type is int:
                # names come from our own metadata, never from the document
                s.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "  # noqa: S608
                        f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"
                    )
                )
