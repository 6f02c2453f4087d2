"""Score many transcript files on every core: one scorer per worker process.

Scoring is CPU-bound (one sentence embedding per turn), so a batch is split across processes;
results come back in input order.  Workers build only what scoring needs (embedder, detector,
scorer) from the same settings as the parent; nothing is written to the database.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from rubrics.model import Rubric
from rubrics.parsing import TranscriptError, read_transcript_file
from rubrics.scorer import Scorer

Result = tuple[str, dict[str, Any] | None, str, str | None]  # source, card, markdown, error

_worker: tuple[Scorer, Rubric] | None = None


def _init(settings_json: str, rubric_json: str) -> None:
    from app.bootstrap import make_embedder, make_scorer
    from app.settings import Settings
    from rubrics.detector import TechniqueDetector

    global _worker  # one scorer per worker process, built once
    # one worker process per core already: the embedder must not spread over cores as well
    settings = Settings.from_portable_json(settings_json).model_copy(update={"embedder_threads": 1})
    detector = TechniqueDetector(embedder=make_embedder(settings))
    _worker = (make_scorer(settings, detector), Rubric.model_validate_json(rubric_json))


def score_file(
    scorer: Scorer, rubric: Rubric, path: Path, coach: str | None, markdown: bool
) -> Result:
    """Score one file; a bad file gives an error message instead of a card."""
    try:
        turns = read_transcript_file(path, coach_name=coach)
    except TranscriptError as exc:
        return str(path), None, "", str(exc)
    card = scorer.score(turns, rubric)
    return str(path), card.to_json_dict(), card.to_markdown() if markdown else "", None


def _score_in_worker(job: tuple[Path, str | None, bool]) -> Result:
    assert _worker is not None, "worker not initialised"
    scorer, rubric = _worker
    return score_file(scorer, rubric, *job)


def score_files_parallel(
    settings_json: str,
    rubric: Rubric,
    paths: Sequence[Path],
    coach: str | None,
    markdown: bool,
    jobs: int,
) -> list[Result]:
    """Score ``paths`` in ``jobs`` processes; results in input order."""
    context = multiprocessing.get_context("spawn")  # no fork of a threaded numpy parent
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_init,
        initargs=(settings_json, rubric.model_dump_json()),
    ) as pool:
        return list(pool.map(_score_in_worker, [(p, coach, markdown) for p in paths], chunksize=4))
