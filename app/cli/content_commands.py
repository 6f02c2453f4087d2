"""Content commands: ``scenario|rubric validate FILE…|import FILE|export ID|list``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli.context import CliContext, read_text_file
from app.services.principal import Principal
from rubrics.catalogue import load_rubric_file
from rubrics.yaml_source import ContentError
from scenarios.catalogue import load_scenario_file

# what ``validate`` prints for a valid file of each kind
_DESCRIBE: dict[str, tuple[Callable[[Path], Any], Callable[[Any], str]]] = {
    "scenario": (
        load_scenario_file,
        lambda s: f"scenario '{s.id}' v{s.version}, {len(s.layers)} layers",
    ),
    "rubric": (
        load_rubric_file,
        lambda r: f"rubric '{r.id}' v{r.version}, {len(r.criteria)} criteria",
    ),
}


def register(sub: Any) -> None:
    """Add the scenario and rubric sub-commands."""
    lists = {"scenario": cmd_scenario_list, "rubric": cmd_rubric_list}
    for kind, lister in lists.items():
        parser = sub.add_parser(kind, help=f"validate, import, export and list {kind}s")
        actions = parser.add_subparsers(dest=f"{kind}_command", metavar="ACTION", required=True)
        v = actions.add_parser(
            "validate", help=f"check a {kind} file; errors name file, line and field"
        )
        v.add_argument("files", nargs="+", type=Path, metavar="FILE")
        v.set_defaults(func=cmd_validate, kind=kind)
        i = actions.add_parser("import", help=f"store a {kind} file as a new version")
        i.add_argument("file", type=Path, metavar="FILE")
        i.set_defaults(func=cmd_import, kind=kind)
        shown = "YAML (hidden layers included)" if kind == "scenario" else "newest YAML"
        e = actions.add_parser("export", help=f"print a {kind}'s {shown}")
        e.add_argument("content_id", metavar="ID")
        e.set_defaults(func=cmd_export, kind=kind)
        ls = actions.add_parser("list", help=f"list {kind}s")
        ls.add_argument("--format", choices=["text", "json"], default="text")
        ls.set_defaults(func=lister)


def cmd_validate(args: argparse.Namespace, ctx: CliContext) -> int:
    """Validate files without touching the database; print every issue, exit 2 if any failed."""
    load, describe = _DESCRIBE[args.kind]
    status = 0
    for path in args.files:
        try:
            item = load(path)
        except ContentError as exc:
            for issue in exc.issues:
                print(f"error: {issue}", file=sys.stderr)
            status = 2
            continue
        print(f"{path}: ok — {describe(item)}")
    return status


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    """Import a scenario or rubric file as a new version."""
    text = read_text_file(args.file)
    store = getattr(ctx.services().content, f"import_{args.kind}")
    content_id, version = store(Principal.system(), text, str(args.file))
    print(f"imported {args.kind} {content_id} v{version}")
    return 0


def cmd_export(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the newest YAML of a scenario or rubric."""
    export = getattr(ctx.services().content, f"export_{args.kind}")
    print(export(Principal.system(), args.content_id), end="")
    return 0


def cmd_scenario_list(args: argparse.Namespace, ctx: CliContext) -> int:
    """List scenarios as text or JSON."""
    rows = [
        {
            "id": s.id,
            "title": s.title,
            "version": s.version,
            "context": s.context,
            "difficulty": s.difficulty,
        }
        for s in ctx.services().content.all_scenarios(Principal.system())
    ]
    _print_rows(args, rows, "{id}\tv{version}\t{context}\tdifficulty {difficulty}\t{title}")
    return 0


def cmd_rubric_list(args: argparse.Namespace, ctx: CliContext) -> int:
    """List rubrics as text or JSON."""
    cards = ctx.services().content.list_rubrics()
    rows = [{"id": c.id, "name": c.name, "version": c.version} for c in cards]
    _print_rows(args, rows, "{id}\tv{version}\t{name}")
    return 0


def _print_rows(args: argparse.Namespace, rows: list[dict[str, Any]], line: str) -> None:
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(line.format(**row))
