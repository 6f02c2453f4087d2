"""Fit the mi-consistency rubric's cut points on AnnoMI sessions, and measure them held out.

Usage:
    python -m rubrics.evaluation ../shared/data/annomi-dev --sessions-out sessions.jsonl
    python benchmarks/fit_mi_thresholds.py sessions.jsonl

``sessions.jsonl`` holds every AnnoMI session scored on held-out (cross-validated) labels, with
its metrics.  For each criterion of ``rubrics/builtin/mi-consistency.yaml`` whose cut points are
fitted (the rate criteria; the MITI-anchored ones keep MITI's fair and good levels), the four cut
points are spaced evenly from the median of low-quality sessions to the median of high-quality
ones.  Printed: the rubric overall's AUROC (high vs low quality) with cut points fitted on four
fifths of the sessions and applied to the fifth (five folds, stratified by quality), the same for
the rubric as shipped, and the cut points fitted on all sessions (what the rubric ships).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rubrics.catalogue import builtin_rubrics
from rubrics.evaluation import auroc
from rubrics.model import CombinationMeasure, LlmJudgeMeasure, MetricScale

FITTED = ("mi_adherent_rate", "mi_non_adherent_rate")


@dataclass(frozen=True)
class Session:
    """One held-out session: its quality and metric values."""

    high: bool
    metrics: dict[str, float]


def _scales() -> list[tuple[float, MetricScale]]:
    rubric = builtin_rubrics()["mi-consistency"]
    weights = rubric.normalised_weights()
    out = []
    for criterion in rubric.criteria:
        measure = criterion.measure
        if isinstance(measure, LlmJudgeMeasure):
            out.append((weights[criterion.id], measure.offline_metric))
        elif isinstance(measure, CombinationMeasure):
            raise SystemExit("combination criteria are not fitted by this script")
        else:
            out.append((weights[criterion.id], measure))
    return out


def fit(scale: MetricScale, sessions: Sequence[Session]) -> MetricScale:
    """Cut points evenly spaced from the low-quality median to the high-quality median."""
    if scale.metric not in FITTED:
        return scale
    low = statistics.median(s.metrics[scale.metric] for s in sessions if not s.high)
    high = statistics.median(s.metrics[scale.metric] for s in sessions if s.high)
    start, stop = sorted((low, high))
    if stop - start < 1e-6:
        stop = start + 0.04
    cuts = [round(start + (stop - start) * k / 3, 4) for k in range(4)]
    return scale.model_copy(update={"thresholds": cuts, "higher_is_better": high >= low})


def overall(scales: Sequence[tuple[float, MetricScale]], session: Session) -> float:
    """The rubric overall (0-100) a learner would see, from the session's metrics."""
    return sum(w * (s.level_for(session.metrics[s.metric]) - 1) * 25 for w, s in scales)


def folds(sessions: Sequence[Session], k: int, seed: int) -> list[list[int]]:
    """Indices in ``k`` folds, stratified by quality."""
    rng = random.Random(seed)
    out: list[list[int]] = [[] for _ in range(k)]
    for quality in (True, False):
        idx = [i for i, s in enumerate(sessions) if s.high == quality]
        rng.shuffle(idx)
        for n, i in enumerate(idx):
            out[n % k].append(i)
    return out


def main() -> int:
    """Print held-out AUROCs and the cut points fitted on all sessions."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sessions", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.sessions.read_text().splitlines() if line]
    sessions = [Session(r["high_quality"], r["metrics"]) for r in rows]
    shipped = _scales()
    scores = [0.0] * len(sessions)
    for held in folds(sessions, 5, args.seed):
        train = [s for i, s in enumerate(sessions) if i not in set(held)]
        fitted = [(w, fit(s, train)) for w, s in shipped]
        for i in held:
            scores[i] = overall(fitted, sessions[i])
    labels = [s.high for s in sessions]
    print(f"{len(sessions)} sessions ({sum(labels)} high quality)")
    print(f"overall AUROC, cut points fitted on the other folds: {auroc(scores, labels):.3f}")
    as_shipped = [overall(shipped, s) for s in sessions]
    print(f"overall AUROC, rubric as shipped:                   {auroc(as_shipped, labels):.3f}")
    for w, scale in shipped:
        one = auroc([float(s.level_for(x.metrics[s.metric])) for x in sessions
                     for s in [fit(scale, sessions)]], labels)  # fmt: skip
        print(f"  {scale.metric:<28} weight {w:.2f}  level AUROC {one:.3f}")
    print("cut points fitted on all sessions:")
    for _, scale in shipped:
        if scale.metric in FITTED:
            f = fit(scale, sessions)
            print(f"  {f.metric}: {f.thresholds} higher_is_better={f.higher_is_better}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
