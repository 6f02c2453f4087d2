"""``coachlab practice``: play a file of coach lines against a scenario persona."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.cli.context import CliContext, CliError
from app.services.principal import Principal
from scenarios.playthrough import CoachLinesError, play_lines, read_coach_lines


def register(sub: Any) -> None:
    """Add the practice sub-command."""
    p = sub.add_parser("practice", help="play coach lines (one per line) against a persona")
    p.add_argument("--scenario", required=True, metavar="ID")
    p.add_argument("--coach-lines", required=True, type=Path, metavar="FILE")
    p.add_argument("--rubric", default="core-coaching", metavar="ID")
    p.add_argument("--seed", type=int, default=0, help="seed for the persona's phrasing")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_practice)


def cmd_practice(args: argparse.Namespace, ctx: CliContext) -> int:
    """Play the lines, then score the transcript."""
    try:
        lines = read_coach_lines(args.coach_lines)
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{args.coach_lines}: cannot read file: {exc}") from None
    except CoachLinesError as exc:
        where = f"{args.coach_lines}:{exc.line}" if exc.line else str(args.coach_lines)
        raise CliError(f"{where}: {exc.message}") from None
    if not lines:
        raise CliError(f"{args.coach_lines}: no coach lines in the file")
    services = ctx.services()
    scenario = next(
        (s for s in services.content.all_scenarios(Principal.system()) if s.id == args.scenario),
        None,
    )
    if scenario is None:
        raise CliError(f"unknown scenario '{args.scenario}' (see `coachlab scenario list`)")
    _, rubric = services.content.latest_rubric(args.rubric)
    played = play_lines(scenario, lines, services.persona_engine, services.detector, args.seed)
    card = services.scorer.score(played.transcript, rubric)
    if args.format == "json":
        result = {**played.as_dict(), "scorecard": card.to_json_dict()}
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    for turn in played.transcript:
        name = "You" if turn.speaker == "coach" else scenario.persona.name
        print(f"{name}: {turn.text}\n")
    print(f"Layers earned: {', '.join(played.unlocked) or 'none'}")
    print(f"Committed to an action: {'yes' if played.committed else 'no'}")
    print(f"Score ({rubric.id}): {round(card.to_json_dict()['overall'])} / 100")
    return 0
