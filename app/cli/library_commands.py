"""``coachlab library import|search`` and ``coachlab reindex``: the library from the shell.

Input errors name the file and line and exit with status 2; search prints only what ``--as USER``
may see, because it runs through the same service (and permission checks) as the app.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.cli.context import CliContext, CliError, read_text_file
from app.services.library import ImportItem
from app.services.principal import Principal
from rubrics.json_text import JsonTooDeep, load_json

FIELDS = ("coach", "client", "note", "scenario", "visibility")


def register(sub: Any) -> None:
    """Add the library and reindex sub-commands."""
    library = sub.add_parser("library", help="import into and search the community library")
    lib_sub = library.add_subparsers(dest="library_command", metavar="ACTION", required=True)
    imp = lib_sub.add_parser("import", help="import exchanges from a JSONL file")
    imp.add_argument("file", type=Path, metavar="FILE.jsonl")
    imp.add_argument("--as", dest="user", required=True, metavar="USER", help="author")
    imp.set_defaults(func=cmd_import)
    search = lib_sub.add_parser("search", help="search what USER may see")
    search.add_argument("query")
    search.add_argument("--technique", metavar="T")
    search.add_argument("--scenario", metavar="S")
    search.add_argument("--limit", type=int, default=10, metavar="K")
    search.add_argument("--as", dest="user", required=True, metavar="USER")
    search.add_argument("--format", choices=["json", "text"], default="text")
    search.set_defaults(func=cmd_search)
    reindex = sub.add_parser("reindex", help="rebuild the library's search index from SQL")
    reindex.set_defaults(func=cmd_reindex)


def _principal(ctx: CliContext, username: str) -> Principal:
    accounts = ctx.services().accounts
    wanted = username.strip().lower()
    for user in accounts.list_users(Principal.system()):
        if user.username == wanted and user.active:
            return accounts.principal_for(user.id)
    raise CliError(f"unknown user '{username}' (see `coachlab user list`)")


def read_items(path: Path) -> list[ImportItem]:
    """Parse and check every line before anything is stored; errors name file and line."""
    lines = read_text_file(path).splitlines()
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = load_json(line)
        except JsonTooDeep as exc:
            raise CliError(f"{where}: nested more than {exc.max_depth} levels deep") from None
        except json.JSONDecodeError as exc:
            raise CliError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(data, dict):
            raise CliError(f"{where}: each line must be a JSON object")
        unknown = set(data) - set(FIELDS)
        if unknown:
            raise CliError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        for name in ("coach", "client"):
            if not isinstance(data.get(name), str) or not data[name].strip():
                raise CliError(f"{where}: field '{name}' must be a non-empty string")
        for name in ("note", "scenario"):
            if data.get(name) is not None and not isinstance(data[name], str):
                raise CliError(f"{where}: field '{name}' must be a string")
        visibility = data.get("visibility", "cohort")
        if visibility not in ("cohort", "community"):
            raise CliError(f"{where}: field 'visibility' must be 'cohort' or 'community'")
        items.append(
            ImportItem(
                coach=data["coach"],
                client=data["client"],
                note=data.get("note") or "",
                scenario=data.get("scenario"),
                visibility=visibility,
                source=where,
            )
        )
    if not items:
        raise CliError(f"{path}: no exchanges in the file")
    return items


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    """Import exchanges as USER (redacted and indexed as in the app)."""
    items = read_items(args.file)
    principal = _principal(ctx, args.user)
    ids = ctx.services().library.import_exchanges(principal, items)
    print(f"imported {len(ids)} exchanges from {args.file}")
    return 0


def cmd_search(args: argparse.Namespace, ctx: CliContext) -> int:
    """Search as USER and print the results, best first."""
    principal = _principal(ctx, args.user)
    results = ctx.services().library.search(
        principal, args.query, technique=args.technique, scenario=args.scenario, limit=args.limit
    )
    rows = [
        {
            "id": v.id,
            "coach": v.coach,
            "client": v.client,
            "note": v.note,
            "techniques": list(v.techniques),
            "scenario": v.scenario_id,
            "author": v.author,
            "helpful": v.helpful,
        }
        for v in results
    ]
    if args.format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for row in rows:
        print(f"#{row['id']} [{', '.join(row['techniques'])}] {row['author']}")
        print(f"  client: {row['client']}\n  coach:  {row['coach']}")
    return 0


def cmd_reindex(args: argparse.Namespace, ctx: CliContext) -> int:
    """Rebuild the Chroma collection and the search index from the database."""
    count = ctx.services().library.reindex(Principal.system())
    print(f"reindexed {count} library items")
    return 0


DEMO_COHORT = "Demo cohort"
DEMO_MEMBERS = ["learner", "peer", "facilitator"]
DEMO_EXCHANGES = (
    (
        "I've told them three times and nothing changes. Why should I bother anymore?",
        "Part of you is ready to give up on them, and part of you still cares enough to be "
        "this frustrated.",
        "A double-sided reflection that held the resistance without arguing.",
    ),
    (
        "I just don't think I'm cut out to manage people.",
        "You're wondering whether the doubts you feel mean you're in the wrong job.",
        "Complex reflection: named the meaning under the words.",
    ),
    (
        "Honestly, the whole reorganisation was handled badly and I'm exhausted.",
        "What would make the next month feel more manageable for you?",
        "Open question that moved from complaint to what the client wants.",
    ),
    (
        "I suppose I could ask for help, but it feels like admitting failure.",
        "Asking for help feels risky to you, and yet you've already named it as an option.",
        "Reflection that kept the change talk alive.",
    ),
    (
        "I want to go back to engineering but I'd lose the pay rise.",
        "So on one hand the work you love, on the other the security you've earned. "
        "What matters most as you weigh them?",
        "Summary of both sides plus a values question.",
    ),
    (
        "I handled the client escalation on my own last week.",
        "You stayed calm under real pressure and found a way through on your own.",
        "Affirmation of a specific strength, not generic praise.",
    ),
)


def seed_demo_library(services: Any) -> int:
    """Put the demo users in a demo cohort and publish a few good exchanges (idempotent)."""
    system = Principal.system()
    services.curation.ensure_cohort(system, DEMO_COHORT, DEMO_MEMBERS)
    author = next(u for u in services.accounts.list_users(system) if u.username == "peer")
    principal = services.accounts.principal_for(author.id)
    if services.library.my_shares(principal):
        return 0
    items = [
        ImportItem(coach=coach, client=client, note=note, visibility="community")
        for client, coach, note in DEMO_EXCHANGES
    ]
    return len(services.library.import_exchanges(principal, items))
