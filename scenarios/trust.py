"""How far one coach turn moves the persona's trust.

    change = gain × responsiveness × certainty × (1.1 − 0.1 × resistance)
             − sum(losses) × (0.8 + 0.1 × resistance)

- ``gain`` is the best technique's base gain (``GAINS``): a complex reflection or a summary is
  worth more than a question; halved when the turn also carries a weakness.
- ``responsiveness`` rewards answering what the client just said: from ``stock`` (a turn unrelated
  to the previous reply, a stock question) to ``stock + spread`` (a turn very close to it).
- ``certainty`` = 0.5 + 0.5 × the detector's confidence, so a guessed label moves trust less.
- ``losses``: advice (reassurance included: the detector labels it advice), a judgemental "why",
  leading or stacked questions, talking about oneself, a closed question.  Advice the persona agreed
  to hear (after a permission request it granted) costs nothing.

What must stay true: pure; the result is clamped to [0, 1] by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from rubrics.labels import CoachLabels
from scenarios.model import Persona

GAINS: dict[str, float] = {
    "reflection_complex": 0.12,
    "summary": 0.10,
    "affirmation": 0.07,
    "reflection_simple": 0.06,
    "question_open": 0.05,
    "permission": 0.04,
}
LOSSES: dict[str, float] = {
    "advice": 0.10,
    "judgemental_why": 0.12,
    "leading_question": 0.04,
    "stacked_questions": 0.03,
    "self_focus": 0.04,
    "question_closed": 0.01,
}


@dataclass(frozen=True, slots=True)
class Responsiveness:
    """Maps similarity to the client's previous reply onto a gain factor."""

    low: float = 0.15
    high: float = 0.55
    stock: float = 0.6
    spread: float = 0.8

    def factor(self, similarity: float) -> float:
        """``stock`` at or below ``low``, ``stock + spread`` at or above ``high``."""
        share = min(1.0, max(0.0, (similarity - self.low) / (self.high - self.low)))
        return self.stock + self.spread * share


def trust_change(
    persona: Persona,
    labels: CoachLabels,
    *,
    reply_similarity: float = 0.0,
    advice_welcome: bool = False,
    responsiveness: Responsiveness = Responsiveness(),
) -> float:
    """How far one turn moves trust (see the module docstring)."""
    gain = max((GAINS.get(t, 0.0) for t in labels.techniques), default=0.0)
    losses = [LOSSES["advice"] for t in labels.techniques if t == "advice" and not advice_welcome]
    if labels.primary == "question_closed":
        losses.append(LOSSES["question_closed"])
    losses.extend(LOSSES[f] for f in labels.flags if f in LOSSES)
    if losses:
        gain /= 2  # a good move in a flawed turn counts for less
    gain *= responsiveness.factor(reply_similarity) * (0.5 + 0.5 * labels.confidence)
    gain_factor = 1.1 - 0.1 * persona.resistance
    loss_factor = 0.8 + 0.1 * persona.resistance
    return gain * gain_factor - sum(losses) * loss_factor


def starting_trust(persona: Persona) -> float:
    """Trust at the first turn, from the persona's openness."""
    return round(0.08 * persona.openness, 4)
