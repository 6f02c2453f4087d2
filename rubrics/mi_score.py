"""Session-level MI-consistency metrics and score computed from a transcript's turn labels.

Must stay true: the score depends only on coach turns' ``primary`` technique (one behaviour per
turn, as AnnoMI and MITI code it), is deterministic, lies in [0, 100], and uses the formula written
below (documented in ``docs/rubric-engine-accuracy.md``); the ``mi-consistency`` rubric and the
AnnoMI evaluation both call ``mi_consistency_score`` so they cannot drift apart.

Formula (each part clipped to [0, 1]; thresholds are MITI 4.2.1's "good" levels or the AnnoMI
low-quality medians):
    score = 100 * (0.30 * min(R:Q / 2, 1)            reflection-to-question ratio, good at 2:1
                 + 0.20 * min(%CR / 0.5, 1)          complex share of reflections, good at 50%
                 + 0.30 * (1 - min(advice / 0.2, 1)) advice share of coach turns, 20% scores 0
                 + 0.10 * (1 - min(info / 0.4, 1))   information share of coach turns
                 + 0.10 * min(adherent / 0.1, 1))    affirmations + permission requests share
With no questions R:Q counts as 2:1 if there is any reflection, else 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rubrics.labels import ClientLabels, CoachLabels

_REFLECTIONS = ("reflection_simple", "reflection_complex", "summary")
_QUESTIONS = ("question_open", "question_closed")


@dataclass(frozen=True, slots=True)
class MiProfile:
    """Counts and ratios behind the MI-consistency score."""

    coach_turns: int
    reflections: int
    complex_reflections: int
    questions: int
    advice: int
    information: int
    adherent: int

    @property
    def reflection_to_question(self) -> float:
        """(SR + CR + summaries) / questions; 2.0 when there are reflections but no questions."""
        if self.questions == 0:
            return 2.0 if self.reflections else 0.0
        return self.reflections / self.questions

    @property
    def percent_complex(self) -> float:
        """Complex reflections (and summaries) as a share of all reflections, 0 if none."""
        return self.complex_reflections / self.reflections if self.reflections else 0.0

    def share(self, count: int) -> float:
        """``count`` as a share of coach turns (0 for a session with no coach turns)."""
        return count / self.coach_turns if self.coach_turns else 0.0


def mi_profile(labels: Sequence[CoachLabels | ClientLabels]) -> MiProfile:
    """Count MI behaviours over the coach turns in ``labels`` (client turns are ignored)."""
    primaries = Counter(x.primary for x in labels if isinstance(x, CoachLabels))
    return MiProfile(
        coach_turns=sum(primaries.values()),
        reflections=sum(primaries[t] for t in _REFLECTIONS),
        complex_reflections=primaries["reflection_complex"] + primaries["summary"],
        questions=sum(primaries[t] for t in _QUESTIONS),
        advice=primaries["advice"],
        information=primaries["information"],
        adherent=primaries["affirmation"] + primaries["permission"],
    )


def _clip(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def score_profile(profile: MiProfile) -> float:
    """The 0–100 MI-consistency score of a profile (formula in the module docstring)."""
    if profile.coach_turns == 0:
        return 0.0
    parts = (
        0.30 * _clip(profile.reflection_to_question / 2.0),
        0.20 * _clip(profile.percent_complex / 0.5),
        0.30 * (1.0 - _clip(profile.share(profile.advice) / 0.2)),
        0.10 * (1.0 - _clip(profile.share(profile.information) / 0.4)),
        0.10 * _clip(profile.share(profile.adherent) / 0.1),
    )
    return round(100.0 * sum(parts), 2)


def mi_consistency_score(labels: Sequence[CoachLabels | ClientLabels]) -> float:
    """0–100 MI-consistency of a session from its turn labels (higher is more MI-consistent)."""
    return score_profile(mi_profile(labels))
