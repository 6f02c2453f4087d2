"""Live nudges: short hints computed from the labels already stored with the learner's turns.

What must stay true:
- A nudge looks only at the coach turns' stored ``CoachLabels`` (no extra detection, no model call),
  so showing nudges costs nothing on a rerun.
- A nudge describes the *current* tail of the conversation: once the learner changes course it
  disappears by itself.
- Nudges are never shown in an assessment; that rule is enforced by ``SessionOptionsService``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rubrics.labels import CoachLabels

CLOSED_STREAK = 3
ADVICE_LIMIT = 2


@dataclass(frozen=True, slots=True)
class Nudge:
    """One hint for the learner, with a stable id for tests and dismissals."""

    id: str
    message: str


def _closed_streak(turns: Sequence[CoachLabels]) -> Nudge | None:
    tail = turns[-CLOSED_STREAK:]
    closed = [
        "question_closed" in t.techniques and "question_open" not in t.techniques for t in tail
    ]
    if len(tail) == CLOSED_STREAK and all(closed):
        return Nudge(
            "closed_streak",
            "Three closed questions in a row: try an open one (what, how, tell me more).",
        )
    return None


def _advice_without_asking(turns: Sequence[CoachLabels]) -> Nudge | None:
    advice = 0
    for labels in reversed(turns):
        if "permission" in labels.techniques:
            break
        if "advice" in labels.techniques:
            advice += 1
    if advice >= ADVICE_LIMIT and "advice" in turns[-1].techniques:
        return Nudge(
            "advice_unasked",
            "You've given advice twice without asking: ask permission first, or ask what they "
            "have already thought of.",
        )
    return None


def _stacked(turns: Sequence[CoachLabels]) -> Nudge | None:
    if "stacked_questions" in turns[-1].flags:
        return Nudge("stacked", "Stacked questions: ask one thing at a time and wait.")
    return None


def _leading(turns: Sequence[CoachLabels]) -> Nudge | None:
    if "leading_question" in turns[-1].flags:
        return Nudge(
            "leading", "That question leads towards an answer: ask it without the suggestion."
        )
    return None


def _why(turns: Sequence[CoachLabels]) -> Nudge | None:
    if "judgemental_why" in turns[-1].flags:
        return Nudge("why", "A 'why' can sound like judgement: try 'what led to…' instead.")
    return None


RULES: tuple[Callable[[Sequence[CoachLabels]], Nudge | None], ...] = (
    _closed_streak,
    _advice_without_asking,
    _stacked,
    _leading,
    _why,
)


def nudges_for(coach_turns: Sequence[CoachLabels]) -> list[Nudge]:
    """The nudges that apply to the conversation so far (coach turns' labels, oldest first)."""
    if not coach_turns:
        return []
    return [n for rule in RULES if (n := rule(coach_turns)) is not None]
