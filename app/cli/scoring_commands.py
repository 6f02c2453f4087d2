"""Scoring commands: ``score`` transcripts with a rubric and ``eval annomi`` against experts."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from app.cli.batch_scoring import score_file, score_files_parallel
from app.cli.context import CliContext, CliError
from app.services.errors import NotFound
from rubrics.catalogue import resolve_rubric
from rubrics.model import Rubric
from rubrics.yaml_source import ContentError

PARALLEL_FROM = 4  # files per worker before starting processes pays off


def register(sub: Any) -> None:
    """Add the scoring sub-commands."""
    score = sub.add_parser(
        "score", help="score transcripts (JSON, Coach:/Client: text or WebVTT) with a rubric"
    )
    score.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    score.add_argument("--rubric", default="core-coaching", help="rubric id or a rubric YAML file")
    score.add_argument("--format", choices=["json", "jsonl", "markdown"], default="json")
    score.add_argument("--coach", metavar="NAME", help="speaker name of the coach in the input")
    score.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes for large batches (default: one per core)",
    )
    score.set_defaults(func=cmd_score)

    ev = sub.add_parser("eval", help="measure the rubric engine against expert annotations")
    esub = ev.add_subparsers(dest="eval_command", metavar="DATASET", required=True)
    annomi = esub.add_parser("annomi", help="cross-validated agreement on AnnoMI transcripts")
    annomi.add_argument("data_dir", type=Path, metavar="DIR")
    annomi.add_argument("--folds", type=int, default=5)
    annomi.add_argument(
        "--speech-style",
        action="store_true",
        help="lowercase and strip punctuation from held-out transcripts (speech-recognition-like)",
    )
    annomi.set_defaults(func=cmd_eval_annomi)


def _rubric(ctx: CliContext, ref: str) -> Rubric:
    """A built-in rubric, a rubric file, or a rubric stored in the database, in that order."""
    try:
        return resolve_rubric(ref)
    except ContentError:
        if Path(ref).exists():
            raise
    try:
        return ctx.services().content.latest_rubric(ref)[1]
    except NotFound:
        raise CliError(f"unknown rubric '{ref}' (see `coachlab rubric list`)") from None


def cmd_score(args: argparse.Namespace, ctx: CliContext) -> int:
    """Score each transcript and print JSON, JSON lines or Markdown."""
    rubric = _rubric(ctx, args.rubric)
    markdown = args.format == "markdown"
    jobs = max(1, args.jobs)
    if jobs > 1 and len(args.paths) >= PARALLEL_FROM * jobs:
        results = score_files_parallel(
            ctx.settings.to_portable_json(), rubric, args.paths, args.coach, markdown, jobs
        )
    else:
        scorer = ctx.services(prepare=False).scorer
        results = [score_file(scorer, rubric, p, args.coach, markdown) for p in args.paths]
    status = 0
    for _, _, _, error in results:
        if error is not None:
            print(f"error: {error}", file=sys.stderr)
            status = 2
    results = [r for r in results if r[3] is None]
    if args.format == "json":
        if len(results) == 1:
            print(json.dumps(results[0][1], indent=2, ensure_ascii=False))
        elif results:
            print(
                json.dumps(
                    [{"source": s, **(d or {})} for s, d, _, _ in results],
                    indent=2,
                    ensure_ascii=False,
                )
            )
    elif args.format == "jsonl":
        for source, data, _, _ in results:
            print(json.dumps({"source": source, **(data or {})}, ensure_ascii=False))
    else:
        for source, _, text, _ in results:
            print(f"<!-- {source} -->\n{text}")
    return status


def cmd_eval_annomi(args: argparse.Namespace, ctx: CliContext) -> int:
    """Cross-validated agreement with the AnnoMI expert annotations."""
    from rubrics.detector import TechniqueDetector
    from rubrics.evaluation import evaluate_annomi, evaluate_typed
    from rubrics.gold import GOLD_FILE, load_gold

    try:
        import sklearn  # noqa: F401 - the evaluation retrains the heads on each fold
    except ImportError:
        raise CliError(
            "the evaluation retrains the detector per fold and needs scikit-learn: "
            'pip install -e ".[train]"'
        ) from None
    if not args.data_dir.is_dir():
        raise CliError(f"{args.data_dir}: not a folder with AnnoMI CSV files")
    embedder = ctx.services(prepare=False).embedder
    report = evaluate_annomi(
        args.data_dir, folds=args.folds, embedder=embedder, speech_style=args.speech_style
    )
    print(report.to_text())
    if GOLD_FILE.is_file():  # the shipped detector on typed turns it never saw
        print("\n" + evaluate_typed(TechniqueDetector(embedder), load_gold()).to_text())
    return 0
