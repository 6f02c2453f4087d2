"""Backup commands: ``export`` all data as one JSON document and ``import`` it again."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from app.cli.context import CliContext, CliError, read_text_file
from app.services.errors import ServiceError
from app.services.principal import Principal
from app.storage.database import PRIVATE_FILE_MODE
from rubrics.json_text import JsonTooDeep, load_json


def register(sub: Any) -> None:
    """Add the export and import sub-commands."""
    ex = sub.add_parser("export", help="write all data as one JSON document")
    ex.add_argument("--output", type=Path, required=True, metavar="FILE", help="'-' for stdout")
    ex.add_argument(
        "--include-password-hashes",
        action="store_true",
        help="also export password hashes (otherwise imported users need a new password)",
    )
    ex.set_defaults(func=cmd_export)
    im = sub.add_parser("import", help="load an export into a freshly initialised database")
    im.add_argument("file", type=Path, metavar="FILE")
    im.set_defaults(func=cmd_import)


def cmd_export(args: argparse.Namespace, ctx: CliContext) -> int:
    """Export every table."""
    document = ctx.services().backup.export_all(
        Principal.system(), include_password_hashes=args.include_password_hashes
    )
    text = json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True)
    if str(args.output) == "-":
        sys.stdout.write(text + "\n")
    else:
        _write_atomically(args.output, text + "\n")
        counts = ", ".join(f"{k} {len(v)}" for k, v in document["tables"].items() if v)
        print(f"exported to {args.output}: {counts}")
    return 0


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    """Import an export, then rebuild derived indexes."""
    text = read_text_file(args.file)
    try:
        document = load_json(text)
    except JsonTooDeep as exc:
        raise CliError(
            f"{args.file}:{exc.line}: nested more than {exc.max_depth} levels deep"
        ) from None
    except json.JSONDecodeError as exc:
        raise CliError(f"{args.file}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    services = ctx.services()
    try:
        report = services.backup.import_all(Principal.system(), document)
    except ServiceError as exc:
        raise CliError(f"{args.file}: {exc}") from None
    print("imported " + ", ".join(f"{k} {v}" for k, v in report.rows.items() if v))
    library = getattr(services, "library", None)
    if library is not None and hasattr(library, "reindex"):
        print("rebuilding the library index…")
        library.reindex(Principal.system())
    if not document.get("includes_password_hashes"):
        print("note: passwords were not exported; set them with `coachlab user passwd NAME`")
    return 0


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file: a failed write leaves no half file."""
    partial = path.with_name(path.name + ".partial")
    try:
        # an export holds every user's data: created readable by its owner only (0600)
        partial.unlink(missing_ok=True)
        descriptor = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        partial.chmod(PRIVATE_FILE_MODE)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CliError(f"{path}: cannot write file: {exc.strerror or exc}") from None
