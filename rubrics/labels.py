"""Label vocabulary and the per-turn label records produced by technique detection.

These records are stored with each turn (as JSON) while a learner practises, so the end-of-session
scorecard can reuse them instead of detecting again.  They must stay JSON-round-trippable.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Technique = Literal[
    "question_open",
    "question_closed",
    "reflection_simple",
    "reflection_complex",
    "summary",
    "affirmation",
    "advice",
    "information",
    "permission",
    "structuring",
    "other",
]
TECHNIQUES: tuple[str, ...] = get_args(Technique)
# how each technique is named to learners
TECHNIQUE_NAMES: dict[str, str] = {
    "question_open": "open question",
    "question_closed": "closed question",
    "reflection_simple": "simple reflection",
    "reflection_complex": "complex reflection",
    "summary": "summary",
    "affirmation": "affirmation",
    "advice": "advice",
    "information": "information",
    "permission": "asks permission",
    "structuring": "structuring",
    "other": "other",
}
TurnFlag = Literal["stacked_questions", "leading_question", "judgemental_why", "self_focus"]
GrowStage = Literal["goal", "reality", "options", "will"]
TalkType = Literal["change", "sustain", "neutral"]
# below this calibrated confidence a label is shown as a guess ("maybe a reflection")
UNSURE_BELOW = 0.6


class CoachLabels(BaseModel):
    """What the detector found in one coach turn."""

    model_config = ConfigDict(frozen=True)

    techniques: tuple[Technique, ...] = Field(description="All techniques present, primary first.")
    primary: Technique = Field(description="The single technique that best describes the turn.")
    flags: tuple[TurnFlag, ...] = Field(default=(), description="Patterns that weaken the turn.")
    grow_stage: GrowStage | None = Field(default=None, description="GROW stage the turn serves.")
    question_count: int = Field(default=0, ge=0, description="Questions asked in the turn.")
    confidence: float = Field(
        default=1.0, ge=0, le=1, description="Calibrated probability that ``primary`` is right."
    )
    alternative: Technique | None = Field(
        default=None, description="The next most likely primary, when the detector was unsure."
    )

    @property
    def unsure(self) -> bool:
        """True when the primary label is a best guess the learner should not take as certain."""
        return self.confidence < UNSURE_BELOW


class ClientLabels(BaseModel):
    """What the detector found in one client turn."""

    model_config = ConfigDict(frozen=True)

    talk_type: TalkType = Field(description="Change talk, sustain talk or neutral.")
    commitment: bool = Field(default=False, description="Client commits to a concrete action.")
    has_when: bool = Field(default=False, description="The commitment names a time or date.")
