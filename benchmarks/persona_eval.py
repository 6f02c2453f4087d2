"""How personas respond to conversations: layers earned by quality, repeats, and a review dump.

Usage:
    python benchmarks/persona_eval.py DIR [--embedder minilm] [--dump FILE.jsonl] [--seed 0]

``DIR`` holds one ``<scenario-id>.yaml`` per built-in scenario: a list of conversations
``{id, quality: strong|average|poor, lines: [coach lines]}`` (the blind set is
``tests/scenarios/blind/``).  Each conversation is played through the real detector and the
offline engine, as ``coachlab practice`` plays it.  Printed per scenario: layers earned by strong,
average and poor conversations (mean and range), the share of strong conversations earning at
least 3 and of poor ones earning at most 1, and repeated sentences (a sentence of eight or more
words the persona said twice in one conversation; the target is 0).  ``--dump`` writes every
(coach turn, persona reply) pair with the engine's plan, for a reviewer pass.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml
from machine import describe

from retrieval.factory import OFFLINE_KINDS, build_embedder
from rubrics.detector import TechniqueDetector
from scenarios.catalogue import builtin_scenarios
from scenarios.offline import OfflinePersonaEngine
from scenarios.playthrough import play_lines
from scenarios.state import long_sentence_keys

QUALITIES = ("strong", "average", "poor")


def repeats(replies: list[str]) -> int:
    """Long sentences said more than once across ``replies``."""
    counts = Counter(key for reply in replies for key in long_sentence_keys(reply))
    return sum(n - 1 for n in counts.values() if n > 1)


def main() -> int:
    """Play every conversation and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--embedder", choices=OFFLINE_KINDS, default="minilm")
    parser.add_argument("--dump", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default=None, help="one scenario id")
    args = parser.parse_args()
    embedder = build_embedder(args.embedder)  # type: ignore[arg-type]
    detector = TechniqueDetector(embedder)
    engine = OfflinePersonaEngine(embedder)
    scenarios = builtin_scenarios()
    print(f"machine: {describe()}; embedder {embedder.name}")
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    totals: dict[str, list[int]] = defaultdict(list)
    all_repeats = 0
    for path in sorted(args.directory.glob("*.yaml")):
        scenario_id = path.stem
        if args.only and scenario_id != args.only:
            continue
        scenario = scenarios[scenario_id]
        earned: dict[str, list[int]] = defaultdict(list)
        repeated = 0
        for convo in yaml.safe_load(path.read_text(encoding="utf-8")):
            played = play_lines(scenario, convo["lines"], engine, detector, seed=args.seed)
            replies = [r.text for r in played.replies]
            repeated += repeats([played.transcript[0].text, *replies])
            earned[convo["quality"]].append(len(played.unlocked))
            if dump:
                for n, (line, reply) in enumerate(zip(convo["lines"], played.replies, strict=True)):
                    trace = reply.trace
                    dump.write(
                        json.dumps(
                            {
                                "scenario": scenario_id,
                                "conversation": convo["id"],
                                "turn": n + 1,
                                "coach": line,
                                "reply": reply.text,
                                "technique": trace.technique if trace else None,
                                "plan": trace.plan if trace else reply.reaction,
                                "unlocked": list(reply.newly_unlocked),
                            }
                        )
                        + "\n"
                    )
        all_repeats += repeated
        cells = []
        for quality in QUALITIES:
            values = earned.get(quality, [])
            totals[quality].extend(values)
            if values:
                cells.append(
                    f"{quality} {statistics.mean(values):.1f} ({min(values)}-{max(values)})"
                )
        strong, poor = earned.get("strong", []), earned.get("poor", [])
        strong_ok = sum(v >= 3 for v in strong) / len(strong) if strong else float("nan")
        poor_ok = sum(v <= 1 for v in poor) / len(poor) if poor else float("nan")
        print(
            f"{scenario_id:26s} " + ", ".join(cells)
            + f" | strong>=3 {strong_ok:.0%}, poor<=1 {poor_ok:.0%}, repeats {repeated}"
        )  # fmt: skip
    print(
        "all: "
        + ", ".join(f"{q} {statistics.mean(v):.2f}" for q in QUALITIES if (v := totals.get(q)))
        + f"; repeated sentences {all_repeats}"
    )
    if dump:
        dump.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
