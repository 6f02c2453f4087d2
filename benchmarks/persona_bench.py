"""Reply latency of the offline persona engine, over every built-in scenario's scripts.

Usage: python benchmarks/persona_bench.py [--rounds 2]

Each round plays every scenario's good-technique script and the advice-heavy script through the
real detector and the offline engine with the bundled MiniLM embedder; the figure is the time of
``engine.reply`` alone (issue 4 target: under 100 ms), detection shown separately.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from retrieval.minilm import MiniLMEmbedder
from rubrics.detector import TechniqueDetector
from rubrics.transcript import Turn
from scenarios.catalogue import builtin_scenarios
from scenarios.offline import OfflinePersonaEngine
from scenarios.playthrough import read_coach_lines

SCRIPTS = Path(__file__).resolve().parents[1] / "tests" / "scenarios" / "scripts"


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> dict[str, float]:
    """Run the benchmark, print the figures and return them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    embedder = MiniLMEmbedder()
    embedder.load()
    detector = TechniqueDetector(embedder=embedder)
    engine = OfflinePersonaEngine(embedder)
    replies: list[float] = []
    detections: list[float] = []
    for round_no in range(args.rounds):
        for scenario in builtin_scenarios().values():
            for script in (SCRIPTS / f"{scenario.id}.txt", SCRIPTS / "advice.txt"):
                opening = engine.start(scenario, seed=round_no)
                state, history = opening.state, [Turn("client", opening.text)]
                for line in read_coach_lines(script):
                    start = time.perf_counter()
                    labels = detector.label_coach(line, history[-1].text)
                    detections.append((time.perf_counter() - start) * 1000)
                    history.append(Turn("coach", line))
                    start = time.perf_counter()
                    reply = engine.reply(scenario, state, line, labels, history)
                    replies.append((time.perf_counter() - start) * 1000)
                    history.append(Turn("client", reply.text))
                    state = reply.state
    figures = {
        "reply_median_ms": statistics.median(replies),
        "reply_p95_ms": percentile(replies, 0.95),
        "reply_max_ms": max(replies),
        "detection_median_ms": statistics.median(detections),
        "replies": float(len(replies)),
    }
    print("offline persona benchmark (all built-in scenarios, good and advice scripts)")
    for key, value in figures.items():
        print(f"  {key:25s} {value:10.2f}")
    return figures


if __name__ == "__main__":
    main()
