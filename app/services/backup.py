"""Backup: every table as one JSON document, and back again.

What must stay true:
- An export → import → export round trip gives the same document (apart from ``exported_at``).
- Password hashes leave the database only when explicitly asked for; users imported without one
  get an unusable hash and must be given a password (``coachlab user passwd``).
- Import goes into a database that holds no user data yet (fresh ``coachlab init``); built-in
  content rows are replaced by the exported ones so version ids keep pointing at the same text.
- Derived data (the vector index) is not exported; it is rebuilt from SQL afterwards.
- A document that does not fit the schema (bad date, wrong type, number out of range, missing
  column, duplicate key, broken reference) is refused with one line naming the table, row and
  column, and nothing is written: every row is checked before the first insert, and what only the
  database can check (references, unique columns) rolls the whole import back.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, Integer, Table, delete, func, insert, select, text
from sqlalchemy.exc import DBAPIError, StatementError

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
MAX_INT = 2**31 - 1  # the range of INTEGER on PostgreSQL (SQLite's is wider)


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


def _from_json(table: Table, number: int, row: dict[str, Any]) -> dict[str, Any]:
    """One exported row as column values; raise InvalidInput naming table, row and column."""
    out: dict[str, Any] = {}
    for column in table.columns:
        where = f"table '{table.name}' row {number} column '{column.name}'"
        if column.name not in row:
            if not column.nullable and column.default is None and column.server_default is None:
                raise InvalidInput(f"{where}: missing.")
            continue
        value = row[column.name]
        if value is None:
            if not column.nullable:
                raise InvalidInput(f"{where}: must not be null.")
        elif isinstance(column.type, DateTime):
            try:
                value = datetime.fromisoformat(value)
            except (TypeError, ValueError):
                raise InvalidInput(f"{where}: not an ISO date and time ({value!r:.40}).") from None
        elif isinstance(column.type, Boolean):
            if not isinstance(value, bool):
                raise InvalidInput(f"{where}: must be true or false.")
        elif isinstance(column.type, Integer):
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInput(f"{where}: must be a whole number.")
            if not -MAX_INT - 1 <= value <= MAX_INT:
                raise InvalidInput(f"{where}: {value} is out of range.")
        elif isinstance(column.type, Float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInput(f"{where}: must be a number.")
        elif _is_text(table, column.name) and not isinstance(value, str):
            raise InvalidInput(f"{where}: must be text.")
        out[column.name] = value
    return out


def _unusable_hash() -> str:
    return UNUSABLE_HASH_PREFIX + secrets.token_hex(16)


def _first_line(exc: BaseException) -> str:
    """The database's own message, first line only (no SQL, no parameters)."""
    orig = getattr(exc, "orig", None)
    return (str(orig if orig is not None else exc).strip().splitlines() or ["error"])[0]


def _is_text(table: Table, name: str) -> bool:
    try:
        return table.columns[name].type.python_type is str
    except NotImplementedError:
        return False


def _check_unique_keys(table: Table, rows: list[dict[str, Any]]) -> None:
    """Refuse two rows with the same primary key (the database's own error names no row)."""
    key_columns = [c.name for c in table.primary_key.columns]
    seen: dict[tuple[Any, ...], int] = {}
    for number, row in enumerate(rows, start=1):
        if not all(name in row for name in key_columns):
            continue
        key = tuple(row[name] for name in key_columns)
        if key in seen:
            raise InvalidInput(
                f"table '{table.name}' row {number}: duplicate key "
                f"{', '.join(key_columns)} = {', '.join(map(str, key))} (also row {seen[key]})."
            )
        seen[key] = number


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
        prepared: dict[str, list[dict[str, Any]]] = {}
        for table in _tables():
            raw = data.get(table.name, [])
            if table.name == "users":
                raw = [
                    {**row, "password_hash": row.get("password_hash") or _unusable_hash()}
                    for row in raw
                ]
            rows = [_from_json(table, n, row) for n, row in enumerate(raw, start=1)]
            _check_unique_keys(table, rows)
            prepared[table.name] = rows
        try:
            return self._insert_all(prepared)
        except (DBAPIError, StatementError) as exc:  # raised at commit (deferred constraints)
            raise InvalidInput(f"the rows do not fit the database ({_first_line(exc)}).") from None

    def _insert_all(self, prepared: dict[str, list[dict[str, Any]]]) -> ImportReport:
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
                rows = prepared[table.name]
                if rows:
                    try:
                        s.execute(insert(table), rows)
                    except (DBAPIError, StatementError) as exc:
                        raise InvalidInput(
                            f"table '{table.name}': the rows do not fit the database "
                            f"({_first_line(exc)})."
                        ) from None
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
