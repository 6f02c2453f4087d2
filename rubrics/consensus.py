"""Agreement measures: per-class scores, and agreement on the utterances many experts labelled.

Most AnnoMI utterances carry one annotator's label, and experts disagree with each other, so a
score against single labels mixes the detector's errors with the annotator's.  On utterances that
every annotator labelled, the majority vote is a steadier reference, and the same votes measure
how well one expert agrees with the others — the ceiling a detector can be compared with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import permutations

import numpy as np

Key = tuple[int, int]


@dataclass(frozen=True, slots=True)
class ClassScores:
    """Precision, recall and F1 of one class over a set of utterances."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class ConsensusAgreement:
    """Macro-F1 on the multiply annotated utterances (all figures over the same utterances)."""

    utterances: int
    transcripts: int
    annotators: int
    detector_vs_majority: float
    detector_interval: tuple[float, float]  # 95 % bootstrap interval over utterances
    expert_vs_others: float  # each expert against the majority of the others, averaged
    expert_vs_expert: float  # each pair of experts, averaged
    detector_vs_expert: float  # the detector against each single expert, averaged


def class_scores(
    gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]
) -> list[ClassScores]:
    """Per-class precision/recall/F1 (0 where undefined)."""
    g, p = np.asarray(gold), np.asarray(pred)
    out = []
    for label in labels:
        tp = int(np.sum((g == label) & (p == label)))
        n_pred, n_gold = int(np.sum(p == label)), int(np.sum(g == label))
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out.append(ClassScores(label, precision, recall, f1, n_gold))
    return out


def majority(votes: Sequence[str]) -> str:
    """The most frequent label; ties go to the alphabetically first (deterministic)."""
    counts = Counter(votes)
    best = max(counts.values())
    return min(label for label, n in counts.items() if n == best)


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    """Unweighted mean of the per-class F1 (0 for a class never seen nor predicted)."""
    return float(np.mean([s.f1 for s in class_scores(gold, pred, labels)]))


def consensus_agreement(
    predicted: Mapping[Key, str],
    votes: Mapping[Key, Sequence[str]],
    labels: Sequence[str],
    *,
    resamples: int = 1000,
    seed: int = 0,
) -> ConsensusAgreement | None:
    """Compare ``predicted`` and the experts on the voted utterances that were predicted."""
    keys = sorted(k for k in votes if k in predicted)
    if not keys:
        return None
    width = min(len(votes[k]) for k in keys)
    table = [list(votes[k][:width]) for k in keys]  # utterance x annotator
    pred = [predicted[k] for k in keys]
    gold = [majority(row) for row in table]
    others = [
        macro_f1(
            [majority(row[:a] + row[a + 1 :]) for row in table], [row[a] for row in table], labels
        )
        for a in range(width)
    ]
    pairs = [
        macro_f1([row[a] for row in table], [row[b] for row in table], labels)
        for a, b in permutations(range(width), 2)
    ]
    singles = [macro_f1([row[a] for row in table], pred, labels) for a in range(width)]
    rng = np.random.default_rng(seed)
    g, p = np.asarray(gold), np.asarray(pred)
    draws = [
        macro_f1(g[i], p[i], labels) for i in rng.integers(0, len(keys), (resamples, len(keys)))
    ]
    low, high = np.percentile(draws, [2.5, 97.5])
    return ConsensusAgreement(
        utterances=len(keys),
        transcripts=len({k[0] for k in keys}),
        annotators=width,
        detector_vs_majority=macro_f1(gold, pred, labels),
        detector_interval=(float(low), float(high)),
        expert_vs_others=float(np.mean(others)),
        expert_vs_expert=float(np.mean(pairs)),
        detector_vs_expert=float(np.mean(singles)),
    )
