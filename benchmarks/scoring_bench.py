"""Speed of the rubric engine on this machine: live turn detection, one transcript, batch scoring.

Usage: python benchmarks/scoring_bench.py [--turns 200] [--transcripts 60] [--annomi DIR]

Figures (issue 3 targets in brackets):
- detection of one coach turn during a live conversation, median ms [< 50 ms]
- a 40-turn transcript scored from scratch, median s [< 1 s]; and with live labels reused
- batch scoring, transcripts per minute [>= 150]: in this process (the embedder spreads each
  transcript's batch over the cores), and end to end as ``coachlab score FILES --jobs N``
  (worker start-up included), on AnnoMI windows and on synthetic practice transcripts

Texts come from AnnoMI transcripts when the folder is there (read in place, never copied),
otherwise from a synthetic generator; every text is made unique so the embedder's cache never
hides the real cost.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from retrieval.factory import build_embedder
from rubrics.catalogue import builtin_rubrics
from rubrics.detector import TechniqueDetector
from rubrics.scorer import Scorer
from rubrics.transcript import Turn

DEFAULT_ANNOMI = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "annomi-dev"
COACH = [
    "What would you like to get out of today",
    "It sounds like the workload is getting on top of you.",
    "Did you talk to your manager about it?",
    "You should block your mornings for deep work.",
    "So on one hand you want the promotion, and on the other you worry about losing time "
    "with your kids.",
    "What options do you see?",
    "When will you do that?",
    "How would you know this conversation was useful?",
]
CLIENT = [
    "I'm just drowning in the monthly reports and I can't say no.",
    "Yeah, I guess. It's been like this since the reorg.",
    "Not really, she's always busy and I don't want to look weak.",
    "I could ask Sam to take the data part, maybe.",
    "I'll talk to her on Monday morning before the stand-up.",
]


def synthetic_transcripts(count: int, turns: int, seed: int = 0) -> list[list[Turn]]:
    """``count`` transcripts of ``turns`` turns, coach first, every text unique."""
    rng = random.Random(seed)
    out = []
    for t in range(count):
        transcript = []
        for i in range(turns):
            pool, speaker = (COACH, "coach") if i % 2 == 0 else (CLIENT, "client")
            transcript.append(Turn(speaker, f"{rng.choice(pool)} ({t}.{i})"))  # type: ignore[arg-type]
        out.append(transcript)
    return out


def annomi_transcripts(folder: Path, turns: int) -> list[list[Turn]]:
    """AnnoMI transcripts cut into windows of ``turns`` turns (read in place)."""
    by_id: dict[str, list[Turn]] = {}
    with (folder / "AnnoMI-simple.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            speaker = "coach" if row["interlocutor"] == "therapist" else "client"
            by_id.setdefault(row["transcript_id"], []).append(Turn(speaker, row["utterance_text"]))  # type: ignore[arg-type]
    windows = []
    for n, transcript in enumerate(by_id.values()):
        for start in range(0, len(transcript) - turns + 1, turns):
            window = transcript[start : start + turns]
            windows.append([Turn(t.speaker, f"{t.text} [{n}.{start}]") for t in window])
    return windows


def main() -> dict[str, float]:
    """Run the benchmark, print the figures and return them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200, help="live detections to time")
    parser.add_argument("--transcripts", type=int, default=60, help="transcripts in the batch")
    parser.add_argument("--annomi", type=Path, default=DEFAULT_ANNOMI)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="score workers")
    parser.add_argument("--embedder", choices=("minilm", "minilm-int8"), default="minilm")
    args = parser.parse_args()
    os.environ["COACHLAB_EMBEDDER"] = args.embedder  # for the `coachlab score` runs too

    embedder = build_embedder(args.embedder)  # loads on the warm-up detection below
    detector = TechniqueDetector(embedder=embedder)
    scorer = Scorer(detector)
    rubric = builtin_rubrics()["core-coaching"]
    if (args.annomi / "AnnoMI-simple.csv").is_file():
        pool, source = annomi_transcripts(args.annomi, 40), "AnnoMI windows"
    else:
        pool, source = [], "synthetic"
    need = args.transcripts + 20
    if len(pool) < need:
        pool += synthetic_transcripts(need - len(pool), 40, seed=len(pool))
    detector.label_coach("warm-up question?", "warm-up")

    live = []
    coach_turns = [
        (t, tr[i - 1].text if i else None)
        for tr in pool
        for i, t in enumerate(tr)
        if t.speaker == "coach"
    ]
    for turn, previous in coach_turns[: args.turns]:
        start = time.perf_counter()
        detector.label_coach(turn.text, previous)
        live.append((time.perf_counter() - start) * 1000)

    single, reused = [], []
    for transcript in pool[args.transcripts : args.transcripts + 10]:
        start = time.perf_counter()
        scorer.score(transcript, rubric)
        single.append(time.perf_counter() - start)
        labels = detector.label_transcript(transcript)
        start = time.perf_counter()
        scorer.score(transcript, rubric, labels)
        reused.append(time.perf_counter() - start)

    batch = pool[: args.transcripts]
    start = time.perf_counter()
    for transcript in batch:
        scorer.score(transcript, rubric)
    per_minute = len(batch) / (time.perf_counter() - start) * 60
    cli_runs = {
        source: cli_batch_per_minute(batch, args.jobs),
        "synthetic practice transcripts": cli_batch_per_minute(
            synthetic_transcripts(args.transcripts, 40, seed=99), args.jobs
        ),
    }

    figures = {
        "live_detection_median_ms": statistics.median(live),
        "live_detection_p95_ms": sorted(live)[int(0.95 * (len(live) - 1))],
        "transcript_40_turns_median_s": statistics.median(single),
        "transcript_40_turns_labels_reused_median_s": statistics.median(reused),
        "batch_transcripts_per_minute": per_minute,
    }
    print(f"rubric engine benchmark ({source}, 40-turn transcripts, rubric core-coaching)")
    for key, value in figures.items():
        print(f"  {key:45s} {value:10.3f}")
    for name, rate in cli_runs.items():
        print(f"  coachlab score --jobs {args.jobs}, {name}: {rate:.0f} transcripts/min")
        figures[f"cli_batch_per_minute[{name}]"] = rate
    return figures


def cli_batch_per_minute(transcripts: list[list[Turn]], jobs: int) -> float:
    """Write ``transcripts`` as JSON files and time ``coachlab score`` on all of them."""
    with tempfile.TemporaryDirectory(prefix="score-bench-") as folder:
        paths = []
        for n, transcript in enumerate(transcripts):
            path = Path(folder) / f"t{n:04d}.json"
            turns = [{"speaker": t.speaker, "text": t.text} for t in transcript]
            path.write_text(json.dumps({"turns": turns}), encoding="utf-8")
            paths.append(str(path))
        command = [
            str(Path(sys.executable).with_name("coachlab")),
            "score",
            *paths,
            "--format",
            "jsonl",
            "--jobs",
            str(jobs),
        ]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        took = time.perf_counter() - start
    scored = sum(1 for line in done.stdout.splitlines() if line.startswith("{"))
    if scored != len(transcripts):
        raise RuntimeError(f"coachlab score printed {scored} cards for {len(transcripts)} files")
    return scored / took * 60


if __name__ == "__main__":
    main()
