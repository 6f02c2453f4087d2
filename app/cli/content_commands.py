"""Content commands: ``scenario validate|import|export|list`` and ``rubric`` likewise."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cli.context import CliContext, read_text_file
from app.services.principal import Principal
from rubrics.catalogue import load_rubric_file
from rubrics.yaml_source import ContentError
from scenarios.catalogue import load_scenario_file


def register(sub: Any) -> None:
    """Add the scenario and rubric sub-commands."""
    scenario = sub.add_parser("scenario", help="validate, import, export and list scenarios")
    ssub = scenario.add_subparsers(dest="scenario_command", metavar="ACTION", required=True)
    v = ssub.add_parser("validate", help="check a scenario file; errors name file, line and field")
    v.add_argument("files", nargs="+", type=Path, metavar="FILE")
    v.set_defaults(func=cmd_scenario_validate)
    i = ssub.add_parser("import", help="store a scenario file as a new version")
    i.add_argument("file", type=Path, metavar="FILE")
    i.set_defaults(func=cmd_scenario_import)
    e = ssub.add_parser("export", help="print a scenario's YAML (hidden layers included)")
    e.add_argument("scenario_id", metavar="ID")
    e.set_defaults(func=cmd_scenario_export)
    ls = ssub.add_parser("list", help="list scenarios")
    ls.add_argument("--format", choices=["text", "json"], default="text")
    ls.set_defaults(func=cmd_scenario_list)

    rubric = sub.add_parser("rubric", help="validate, import, export and list rubrics")
    rsub = rubric.add_subparsers(dest="rubric_command", metavar="ACTION", required=True)
    rv = rsub.add_parser("validate", help="check a rubric file; errors name file, line and field")
    rv.add_argument("files", nargs="+", type=Path, metavar="FILE")
    rv.set_defaults(func=cmd_rubric_validate)
    ri = rsub.add_parser("import", help="store a rubric file as a new version")
    ri.add_argument("file", type=Path, metavar="FILE")
    ri.set_defaults(func=cmd_rubric_import)
    re_ = rsub.add_parser("export", help="print a rubric's newest YAML")
    re_.add_argument("rubric_id", metavar="ID")
    re_.set_defaults(func=cmd_rubric_export)
    rl = rsub.add_parser("list", help="list rubrics")
    rl.add_argument("--format", choices=["text", "json"], default="text")
    rl.set_defaults(func=cmd_rubric_list)


def _validate_each(paths: list[Path], load: Any, describe: Any) -> int:
    """Validate every file, print every issue, and return 2 if any file failed."""
    status = 0
    for path in paths:
        try:
            item = load(path)
        except ContentError as exc:
            for issue in exc.issues:
                print(f"error: {issue}", file=sys.stderr)
            status = 2
            continue
        print(f"{path}: ok — {describe(item)}")
    return status


def cmd_scenario_validate(args: argparse.Namespace, ctx: CliContext) -> int:
    """Validate scenario files without touching the database."""
    return _validate_each(
        args.files,
        load_scenario_file,
        lambda s: f"scenario '{s.id}' v{s.version}, {len(s.layers)} layers",
    )


def cmd_scenario_import(args: argparse.Namespace, ctx: CliContext) -> int:
    """Import a scenario file as a new version."""
    text = read_text_file(args.file)
    scenario_id, version = ctx.services().content.import_scenario(
        Principal.system(), text, str(args.file)
    )
    print(f"imported scenario {scenario_id} v{version}")
    return 0


def cmd_scenario_export(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the newest YAML of a scenario."""
    print(ctx.services().content.export_scenario(Principal.system(), args.scenario_id), end="")
    return 0


def cmd_scenario_list(args: argparse.Namespace, ctx: CliContext) -> int:
    """List scenarios as text or JSON."""
    scenarios = ctx.services().content.all_scenarios(Principal.system())
    rows = [
        {
            "id": s.id,
            "title": s.title,
            "version": s.version,
            "context": s.context,
            "difficulty": s.difficulty,
        }
        for s in scenarios
    ]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(
                f"{row['id']}\tv{row['version']}\t{row['context']}\t"
                f"difficulty {row['difficulty']}\t{row['title']}"
            )
    return 0


def cmd_rubric_validate(args: argparse.Namespace, ctx: CliContext) -> int:
    """Validate rubric files without touching the database."""
    return _validate_each(
        args.files,
        load_rubric_file,
        lambda r: f"rubric '{r.id}' v{r.version}, {len(r.criteria)} criteria",
    )


def cmd_rubric_import(args: argparse.Namespace, ctx: CliContext) -> int:
    """Import a rubric file as a new version."""
    text = read_text_file(args.file)
    rubric_id, version = ctx.services().content.import_rubric(
        Principal.system(), text, str(args.file)
    )
    print(f"imported rubric {rubric_id} v{version}")
    return 0


def cmd_rubric_export(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the newest YAML of a rubric."""
    print(ctx.services().content.export_rubric(Principal.system(), args.rubric_id), end="")
    return 0


def cmd_rubric_list(args: argparse.Namespace, ctx: CliContext) -> int:
    """List rubrics as text or JSON."""
    cards = ctx.services().content.list_rubrics()
    rows = [{"id": c.id, "name": c.name, "version": c.version} for c in cards]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(f"{row['id']}\tv{row['version']}\t{row['name']}")
    return 0
