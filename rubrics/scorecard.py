"""Scorecard: the result of scoring one transcript against one rubric version.

What must stay true:
- every criterion result carries evidence (turn index + quote of the learner's own coach turn) or
  says in its feedback that nothing in the transcript showed the behaviour;
- ``to_json_dict`` is the stored and exported contract: rubric {id, version}, overall, criteria,
  strength, next_step, metrics and turns; fields may be added, never renamed or removed;
- scores are 0–100 and levels 1–5; turn indices are 0-based positions in the transcript.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rubrics.labels import GrowStage, Technique, TurnFlag

QUOTE_LIMIT = 200


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Collapse whitespace and cut ``text`` at a word boundary so it fits in ``limit`` chars."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(",;:") + "…"


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(_Result):
    """A learner turn quoted for or against a criterion."""

    turn: int = Field(ge=0, description="0-based index of the coach turn in the transcript.")
    quote: str = Field(
        max_length=QUOTE_LIMIT,
        description="An exact span of the learner's words (ending in … when cut short).",
    )
    stance: Literal["for", "against"] = Field(
        default="for", description="Whether the turn counts for or against the criterion."
    )


class CriterionResult(_Result):
    """How one criterion scored, and why."""

    id: str
    name: str
    weight: float = Field(description="Normalised weight (all criteria sum to 1).")
    score: float = Field(ge=0, le=100)
    level: int = Field(ge=1, le=5)
    descriptor: str = Field(description="The rubric's descriptor for the level reached.")
    evidence: list[Evidence]
    feedback: str = Field(description="One or two sentences referring to the evidence.")


class Highlight(_Result):
    """The strength to keep or the next step to try, taken from one criterion."""

    criterion: str = Field(description="Id of the criterion it comes from.")
    text: str


class TurnResult(_Result):
    """One transcript turn with its labels and, for weak coach turns, a better phrasing."""

    index: int = Field(ge=0)
    speaker: str
    text: str
    techniques: list[Technique] = Field(default_factory=list)
    primary: Technique | None = None
    flags: list[TurnFlag] = Field(default_factory=list)
    grow_stage: GrowStage | None = None
    talk_type: str | None = Field(default=None, description="Client turns: change/sustain/neutral.")
    suggestion: str | None = None


class RubricRef(_Result):
    """Which rubric version produced a scorecard."""

    id: str
    version: int
    name: str


class Scorecard(_Result):
    """Scores, evidence and feedback for one transcript against one rubric version."""

    rubric: RubricRef
    overall: float = Field(ge=0, le=100, description="Weighted mean of criterion scores.")
    criteria: list[CriterionResult]
    strength: Highlight
    next_step: Highlight
    metrics: dict[str, float]
    turns: list[TurnResult]

    def to_json_dict(self) -> dict[str, Any]:
        """Return the JSON-ready contract (see the module docstring)."""
        return self.model_dump(mode="json")

    def to_markdown(self) -> str:
        """Render the scorecard as a Markdown report for a learner."""
        lines = [
            f"# Scorecard: {self.rubric.name} (v{self.rubric.version})",
            "",
            f"**Overall: {self.overall:.0f}/100**",
            "",
            f"- **Strength:** {self.strength.text}",
            f"- **Next step:** {self.next_step.text}",
            "",
            "| Criterion | Level | Score |",
            "|---|---|---|",
            *(f"| {c.name} | {c.level}/5 | {c.score:.0f} |" for c in self.criteria),
        ]
        for c in self.criteria:
            lines += [
                "",
                f"## {c.name} — level {c.level}/5",
                "",
                f"_{c.descriptor}_",
                "",
                c.feedback,
            ]
            if c.evidence:
                lines.append("")
                lines += [f"- turn {e.turn}: “{e.quote}”" for e in c.evidence]
        rewrites = [t for t in self.turns if t.suggestion]
        if rewrites:
            lines += ["", "## Try instead", ""]
            lines += [f"- turn {t.index}: “{quote(t.text)}” → “{t.suggestion}”" for t in rewrites]
        return "\n".join(lines) + "\n"
